"""Privacy before anything leaves the machine: secret-like files and secret shapes."""
from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter
from typing import Iterable, Tuple

# Files that are left out of the prompt whole, matched against the base name
# (and the full path, for globs that name a folder).
SECRET_FILE_GLOBS = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
)

# (kind, pattern): the whole match is replaced.
_SHAPES = (
    ("private-key", re.compile(
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----"
        r"(?:.*?-----END[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|.*\Z)",
        re.DOTALL,
    )),
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

# A value assigned to a secret-sounding name: `API_KEY = "…"`, `"db_password": "…"`,
# `export AWS_SECRET_ACCESS_KEY=…`. Only the value is replaced, and only when
# it looks random (so `TOKEN = os.environ["TOKEN"]` is left alone).
_ASSIGNED = re.compile(
    r"""(?P<name>\b[A-Za-z0-9_.\-]{0,60}(?:key|secret|token|password|passwd|pwd)s?)
        (?P<op>["']?\s*(?::=|=>|[:=])\s*[rbuf]?["'`]?)
        (?P<value>[^\s'"`,;()\[\]{}<>]{8,})""",
    re.IGNORECASE | re.VERBOSE,
)
_REDACTED = "[REDACTED:{}]"


def is_secret_file(path: str, extra_globs: Iterable[str] = ()) -> bool:
    """True for files never sent anywhere: keys, certificates, dotenv files."""
    name = path.rsplit("/", 1)[-1]
    for glob in (*SECRET_FILE_GLOBS, *extra_globs):
        if fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(path, glob):
            return True
    return False


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


def redact(text: str, known_secrets: Iterable[str] = ()) -> Tuple[str, int]:
    """Replace secret shapes (and the exact `known_secrets`) in text; return (text, count)."""
    count = 0
    for secret in known_secrets:
        if secret and secret in text:
            count += text.count(secret)
            text = text.replace(secret, _REDACTED.format("known-secret"))
    for kind, pattern in _SHAPES:
        text, found = pattern.subn(_REDACTED.format(kind), text)
        count += found

    def assigned(match: "re.Match[str]") -> str:
        nonlocal count
        if not _looks_random(match.group("value")):
            return match.group(0)
        count += 1
        return match.group("name") + match.group("op") + _REDACTED.format("assigned-secret")

    return _ASSIGNED.sub(assigned, text), count


def scrub(text: str, known_secrets: Iterable[str]) -> str:
    """Remove exact secret values (the API key) from text meant for output."""
    for secret in known_secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    return text
