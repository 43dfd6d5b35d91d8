"""Privacy before anything leaves the machine: secret-like files and secret shapes.

Redaction fails safe and stays bounded: a private key's BEGIN line with no
END line hides only the key-shaped lines after it (at most MAX_KEY_LINES),
never the rest of the file, and the file is reported as partly withheld so
that an approval does not cover what the reviewer did not see.
"""
from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter
from typing import Iterable, NamedTuple, Tuple

# Files that are left out of the prompt whole, matched without case against
# the base name (and the full path, for globs that name a folder).
SECRET_FILE_GLOBS = (
    ".env*",
    "*.env",
    ".netrc",
    "_netrc",
    ".pgpass",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.ppk",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "credentials*",
)
# Files whose name is common, secret when their text holds credentials:
# (base names, patterns that must all be found in the text).
SECRET_CONTENT = (
    ((".npmrc", ".yarnrc", ".yarnrc.yml"),
     (re.compile(r"_auth(?:Token)?\s*[=:]|_password\s*=|npmAuth(?:Token|Ident)\s*:"),)),
    ((".pypirc",), (re.compile(r"^[+\- ]?[ \t]*password[ \t]*[=:]", re.MULTILINE),)),
    (("config.json",), (re.compile(r'"auths"\s*:'), re.compile(r'"(?:auth|identitytoken)"\s*:\s*"[^"]'))),  # Docker
)

# A private key: its BEGIN line, the key-shaped lines after it, its END line.
_KEY_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_KEY_END = re.compile(r"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
# A line of a key body (base64), or a PEM / PGP armor header; a diff prefix
# (`+`, `-`, space) and a string literal's indentation are allowed.
_KEY_BODY = re.compile(
    r"[+\- ]?[ \t]*(?:[A-Za-z0-9+/=]*|(?:Proc-Type|DEK-Info|Version|Comment|Hash|Charset):[^\n]*)[ \t\r]*"
)
# An 8192-bit RSA key is about 100 lines of base64; a BEGIN line without its
# END hides no more than this many lines.
MAX_KEY_LINES = 200

# (kind, pattern): the whole match is replaced.
_SHAPES = (
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})")),
    ("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    ("anthropic-key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")),
    ("stripe-key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("npm-token", re.compile(r"\bnpm_[A-Za-z0-9]{36}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")),
)
# (kind, pattern, any literal?): only the group `value` is replaced, never a
# placeholder (`${DB_PASSWORD}`, `<token>`); where any literal is not a
# secret, only a value that looks random (`Bearer authentication` is prose).
_VALUES = (
    # postgres://user:pw@host, https://user:token@github.com
    ("url-password", re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^\s:/@'\"`]*:(?P<value>[^\s/'\"`]+)@"), True),
    # Authorization: Bearer <token>, Authorization: Basic <base64>
    ("bearer-token", re.compile(r"\b(?i:bearer)[ \t]+(?P<value>[A-Za-z0-9\-._~+/]{8,}=*)"), False),
    ("basic-auth", re.compile(
        r"\b(?i:authorization)[\"']?[ \t]*[:=][ \t]*[\"']?(?i:basic)[ \t]+(?P<value>[A-Za-z0-9+/]{8,}=*)"), True),
    # Docker's config.json: "auth": "<base64 of user:password>"
    ("docker-auth", re.compile(r"\"(?:auth|identitytoken)\"\s*:\s*\"(?P<value>[A-Za-z0-9+/=_.\-]{8,})\""), False),
)

# A value assigned to a secret-sounding name: `API_KEY = "…"`, `"db_password": "…"`,
# `export AWS_SECRET_ACCESS_KEY=…`. Only the value is replaced, and only when
# it looks random (so `TOKEN = os.environ["TOKEN"]` is left alone).
_ASSIGNED = re.compile(
    r"""(?P<name>\b[A-Za-z0-9_.\-]{0,60}(?:key|secret|token|password|passwd|pwd)s?)
        (?P<op>["']?\s*(?::=|=>|[:=])\s*[rbuf]?["'`]?)
        (?P<value>[^\s'"`,;()\[\]{}<>]{8,})""",
    re.IGNORECASE | re.VERBOSE,
)
_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{[^}]*\}\}|<[^<>]*>|\*+|x+|\.\.\.")
_REDACTED = "[REDACTED:{}]"


class Redaction(NamedTuple):
    text: str
    replaced: int  # secret values replaced (not `count`: that is tuple's method)
    withheld: bool  # a key block had no END line: more than one value may be hidden


def _matches(path: str, globs: Iterable[str]) -> bool:
    path = path.lower()
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(name, g) or fnmatch.fnmatchcase(path, g) for g in (g.lower() for g in globs))


def is_secret_file(path: str, extra_globs: Iterable[str] = (), text: str = "") -> bool:
    """True for files never sent anywhere: keys, certificates, dotenv and
    credential files, and (given their text) config files that hold tokens."""
    if _matches(path, (*SECRET_FILE_GLOBS, *extra_globs)):
        return True
    name = path.rsplit("/", 1)[-1].lower()
    return bool(text) and any(name in names and all(p.search(text) for p in patterns)
                              for names, patterns in SECRET_CONTENT)


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str) -> bool:
    """A literal secret rather than an identifier, path or expression."""
    if value.startswith(("$", "%", "[REDACTED")):
        return False
    if re.fullmatch(r"[a-z_.\-]+|[A-Z_]+|[A-Za-z_]+(\.[A-Za-z_]+)+", value):
        return False  # words, CONSTANT_NAMES, dotted.names
    return _entropy(value) >= 3.0


def _private_keys(text: str) -> Redaction:
    """Key blocks replaced: BEGIN to END, or BEGIN and the key-shaped lines after it."""
    out, pos, count, withheld = [], 0, 0, False
    marker = _REDACTED.format("private-key")
    for begin in _KEY_BEGIN.finditer(text):
        if begin.start() < pos:
            continue  # inside a block already replaced
        count += 1
        out.append(text[pos:begin.start()] + marker)
        line_end = text.find("\n", begin.end())
        line_end = len(text) if line_end < 0 else line_end
        end = _KEY_END.search(text, begin.end(), line_end)  # a key on one line (JSON, a literal)
        pos = line_end
        lines = 0
        while end is None and pos < len(text) and lines < MAX_KEY_LINES:
            start = pos + 1
            stop = text.find("\n", start)
            stop = len(text) if stop < 0 else stop
            end = _KEY_END.search(text, start, stop)
            if end is None and not _KEY_BODY.fullmatch(text, start, stop):
                break
            pos, lines = stop, lines + 1
        if end is not None:
            pos = end.end()
        else:
            withheld = True
    if not count:
        return Redaction(text, 0, False)
    out.append(text[pos:])
    return Redaction("".join(out), count, withheld)


def redaction(text: str, known_secrets: Iterable[str] = ()) -> Redaction:
    """Secret shapes (and the exact `known_secrets`) replaced in text, counted,
    and whether a key block without its END line hid lines after it."""
    count = 0
    for secret in known_secrets:
        if secret and secret in text:
            count += text.count(secret)
            text = text.replace(secret, _REDACTED.format("known-secret"))
    text, found, withheld = _private_keys(text)
    count += found
    for kind, pattern in _SHAPES:
        text, found = pattern.subn(_REDACTED.format(kind), text)
        count += found

    def value(kind: str, any_literal: bool):
        def replace(match: "re.Match[str]") -> str:
            nonlocal count
            secret = match.group("value")
            if secret.startswith("[REDACTED") or _PLACEHOLDER.fullmatch(secret) or not (
                    any_literal or _looks_random(secret)):
                return match.group(0)
            count += 1
            start, end = match.span("value")
            whole = match.group(0)
            return whole[:start - match.start()] + _REDACTED.format(kind) + whole[end - match.start():]
        return replace

    for kind, pattern, any_literal in _VALUES:
        text = pattern.sub(value(kind, any_literal), text)

    def assigned(match: "re.Match[str]") -> str:
        nonlocal count
        if not _looks_random(match.group("value")):
            return match.group(0)
        count += 1
        return match.group("name") + match.group("op") + _REDACTED.format("assigned-secret")

    return Redaction(_ASSIGNED.sub(assigned, text), count, withheld)


def redact(text: str, known_secrets: Iterable[str] = ()) -> Tuple[str, int]:
    """Replace secret shapes (and the exact `known_secrets`) in text; return (text, count)."""
    text, count, _ = redaction(text, known_secrets)
    return text, count


def scrub(text: str, known_secrets: Iterable[str]) -> str:
    """Remove exact secret values (the API key) from text meant for output."""
    for secret in known_secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    return text
