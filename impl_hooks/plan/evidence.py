"""What a task promises: the paths and the code names its text names.

A tick is a claim. P007 checks the claim against the committed tree, so this
reader decides what in a task's text is a checkable promise, and leaves the
rest alone:

- a path: a backticked token with a `/` or a file extension (`src/models/album.py`,
  `backend/app/`, `models.py`, `.env.example`) or a well-known file name
  (`Dockerfile`, `.dockerignore`), or a bare token with a `/` that ends in one of
  those (`src/models/album.py`, `frontend/Dockerfile` without backticks);
- a code name: a backticked identifier that can only be code: CamelCase
  (`OrderService`), snake_case (`place_order`, `hash_password()`) or dotted with
  one of those (`InventoryGateway.reserve`).

Not promises: anything with a space in its backticks (`POST /auth/logout`,
prose), routes and absolute paths (`/auth/login`), URLs, placeholders and globs
(`{id}`, `<name>`, `*.py`), ALL_CAPS words (`DATABASE_URL`, `T005`), plain
lower-case words (`users`), dotted lower-case names (`plan.evidence`,
`os.path`: config keys and modules read the same), package names
(`@scope/name`), code names joined by a slash (`Cart.add/remove`), local env
files that no tree holds (`.env`, `.env.local`), alternatives ("in `a.tsx`
and/or `b.tsx`"), and what the task takes away: the object of remove, delete,
drop, eliminate, rename or replace, up to a preposition or the end of the
sentence ("Removed `merge_files()`"; "Rename `a.py` to `b.py`" promises only
`b.py`). Moving keeps a thing: "Move `Mapper` into `x.py`" promises both.
Measured on public spec-kit and markdown plans: see the README's P007 figures.
"""
from __future__ import annotations

import re

EXTENSIONS = frozenset(
    "py pyi ipynb ts tsx js jsx mjs cjs mts cts vue svelte astro go rs java kt kts scala groovy rb php cs"
    " fs vb c h cc cpp cxx hpp hh m mm swift dart lua r jl ex exs erl hs ml clj elm zig nim sql prisma"
    " graphql gql proto html htm css scss sass less md mdx rst txt adoc json jsonc yaml yml toml ini"
    " cfg conf env sh bash zsh fish ps1 bat cmd tf hcl xml csv tsv lock gradle properties sbt cabal"
    " dockerfile mk cmake j2 jinja tmpl tpl".split())
# Files named without an extension that plans name as often as any source file.
FILE_NAMES = frozenset(
    "Dockerfile Containerfile Makefile Procfile Jenkinsfile Gemfile Rakefile Vagrantfile"
    " .gitignore .gitattributes .dockerignore .helmignore .editorconfig .npmrc .nvmrc"
    " .env.example .env.sample .env.template".split())
LOCAL_ONLY = frozenset((".env", ".env.local"))  # kept out of git by every template

_SPAN = re.compile(r"`([^`\n]+)`")
_BARE_PATH = re.compile(r"(?<![\w./@:~$-])((?:[\w@.-]+/)+[\w@.-]*[\w-])(?![\w/])")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NOT_A_PATH = set("{}<>*?[]|…=,;'\"\\") | {"\0"}
_TAKEN_AWAY = re.compile(r"\b(?:remov|delet|eliminat|renam|replac)(?:e|es|ed|ing)\b|\bdrop(?:s|ped|ping)?\b", re.I)
# After these, the text names what stays or is made: "from `a.py`", "to `b.py`", "and add `c.py`".
_KEPT = re.compile(r"\b(?:in|into|from|to|at|with|within|inside|under|on|onto|as|add(?:s|ed|ing)?"
                   r"|creat(?:e|es|ed|ing)|implement(?:s|ed|ing)?|writ(?:e|es|ing)|wrote|introduc(?:e|es|ed|ing)"
                   r"|keep(?:s|ing)?|kept)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|;")
_OR_BEFORE = re.compile(r"\b(?:and/)?or\s*$", re.I)
_OR_AFTER = re.compile(r"\s*(?:,\s*)?(?:and/)?or\b", re.I)
_MAX_TEXT = 4000  # a task line longer than this is prose, read up to here
_LOOKBACK = 200  # how far before a token a removal verb or an "or" is looked for


def _file_name(token: str) -> bool:
    name = token.rpartition("/")[2]
    if name in FILE_NAMES:
        return True
    base, dot, ext = name.rpartition(".")
    return bool(dot) and ext.lower() in EXTENSIONS and (bool(base) or name.startswith("."))


def _code_name(token: str) -> bool:
    if token.upper() == token:
        return False  # DATABASE_URL, T005, POST
    parts = token.split(".")
    return any(("_" in p.strip("_") or p.lower() != p) for p in parts)


def _taken_away(before: str) -> bool:
    """Whether what follows `before` is the object of a removal in the same sentence."""
    sentence = _SENTENCE_END.split(before)[-1]
    verbs = list(_TAKEN_AWAY.finditer(sentence))
    return bool(verbs) and not _KEPT.search(sentence, verbs[-1].end())


def _dropped(blanked: str, start: int, end: int) -> bool:
    """Whether the token at blanked[start:end] is taken away, or one of alternatives
    ("`a.py` or `b.py`", "and/or"); only the text near the token is read."""
    before = blanked[max(0, start - _LOOKBACK):start]
    return _taken_away(before) or bool(_OR_BEFORE.search(before) or _OR_AFTER.match(blanked, end, end + _LOOKBACK))


def _path(token: str) -> bool:
    folders, _, name = token.rstrip("/").rpartition("/")
    # `GridState.mark_filled/unfilled` is two code names, not a folder and a file
    code = any("." in f and _NAME.fullmatch(f) and _code_name(f) for f in folders.split("/"))
    return name not in LOCAL_ONLY and not token.startswith("@") and not code


def promises(text: str) -> tuple[list[str], list[str]]:
    """(paths, names) the task text promises, each once, in order of appearance."""
    text = text[:_MAX_TEXT]
    blanked = _SPAN.sub(lambda m: " " * len(m.group(0)), text)  # bare text, same offsets
    paths: list[str] = []
    names: list[str] = []
    for span in _SPAN.finditer(text):
        token = span.group(1).strip()
        if token.endswith("()"):
            token = token[:-2]
        if not token or any(c.isspace() for c in token) or token.startswith(("/", "~", "$", "-")) \
                or "://" in token or ".." in token or any(c in _NOT_A_PATH for c in token) \
                or _dropped(blanked, span.start(), span.end()):
            continue
        if token.startswith("./"):
            token = token[2:]
        if "/" in token or _file_name(token):
            if ":" not in token and token.strip("/") and _path(token):
                paths.append(token)
        elif _NAME.fullmatch(token) and _code_name(token):
            names.append(token)
    for match in _BARE_PATH.finditer(blanked):
        path = match.group(1)
        if _file_name(path) and ".." not in path and _path(path) and not _dropped(blanked, *match.span()):
            paths.append(path[2:] if path.startswith("./") else path)
    return list(dict.fromkeys(paths)), list(dict.fromkeys(names))
