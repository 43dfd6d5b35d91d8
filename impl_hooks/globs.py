"""Path globs as users write them in config: `*` within a folder, `**` across folders.

A pattern without a slash matches any path component (like .gitignore), so
`__pycache__` or `*.pyc` ignore those names wherever they are.

The shapes config and presets use (`CLAUDE.md`, `*.md`, `docs/**`,
`**/Context.toml`, `test_*.py`, `docs/Phase*/plan.md`) are matched with string
tests on the path's components; only other shapes (`?`, `[...]`, two stars
in one name, `**` inside a pattern) are compiled to a regex. Compiling the
thirty-odd patterns of a default config costs a hook ~2 ms; `_compile` stays
the reference the string tests are checked against.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


def _normal(pattern: str, anchored: bool) -> tuple:
    pat = pattern.strip().strip("/") if pattern.strip() not in ("/", "") else pattern
    return pat, anchored or "/" in pat


@lru_cache(maxsize=512)
def _compile(pattern: str, anchored: bool = False):
    import re

    pat, anchored = _normal(pattern, anchored)
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("/**", i) and i + 3 == len(pat):
            out.append("(?:/.*)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (klass := _char_class(pat, i)):
            out.append(klass[0])
            i = klass[1]
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    # \Z and DOTALL: a name may hold a newline, and `$` would also match before a final one
    if anchored:
        # a folder pattern also covers everything below it
        return re.compile(f"^{body}(?:/.*)?\\Z", re.S)
    return re.compile(f"^(?:.*/)?{body}(?:/.*)?\\Z", re.S)


def _char_class(pat: str, start: int):
    """(regex, end) for the class `[abc]`, `[!a-z]` at `start`; None when it is not
    one (no `]`, empty, a bad range): then `[` is a plain character, as git reads it."""
    import re

    end = pat.find("]", start + 1)
    body = pat[start + 1:end] if end != -1 else ""
    negate = body[:1] in ("!", "^")
    body = body[1:] if negate else body
    if not body:
        return None
    regex = "[" + ("^" if negate else "") + "".join("\\" + ch if ch in "\\^[]" else ch for ch in body) + "]"
    try:
        re.compile(regex)
    except re.error:
        return None
    return regex, end + 1


def _part(part: str):
    """(prefix, suffix) for a name with at most one `*` (`*.md`, `test_*`); None for another shape."""
    if "?" in part or "[" in part or part.count("*") > 1:
        return None
    prefix, star, suffix = part.partition("*")
    return (prefix, suffix) if star else (part, None)


def _fits(part: tuple, name: str) -> bool:
    prefix, suffix = part
    if suffix is None:
        return name == prefix
    return len(name) >= len(prefix) + len(suffix) and name.startswith(prefix) and name.endswith(suffix)


@lru_cache(maxsize=512)
def matcher(pattern: str, anchored: bool = False):
    """A function path -> bool for one glob, the same answers as its `_compile` regex."""
    pat, anchored = _normal(pattern, anchored)
    anywhere = not anchored
    body = pat
    if body.startswith("**/"):
        body, anywhere = body[3:], True
    if body.endswith("/**"):
        body = body[:-3]  # the folder, and everything below it, as any pattern
    names = body.split("/")
    parts = [_part(name) for name in names]
    if not body or "**" in body or any(p is None or not p[0] and p[1] is None for p in parts):
        return _compile(pattern, anchored).match
    if all(p[1] is None for p in parts):  # no star: plain names
        if anywhere and len(names) == 1:
            return lambda path: body in path.split("/")
        if not anywhere:
            below = body + "/"
            return lambda path: path == body or path.startswith(below)
    count = len(parts)
    pieces = [piece for part in parts for piece in part if piece]  # each must be in the path somewhere

    def match(path: str) -> bool:
        for piece in pieces:
            if piece not in path:
                return False
        names = path.split("/")
        for start in range(len(names) - count + 1 if anywhere else min(1, len(names) - count + 1)):
            if all(_fits(part, name) for part, name in zip(parts, names[start:start + count])):
                return True
        return False
    return match


@lru_cache(maxsize=256)
def any_matcher(patterns: tuple, anchored: bool = False):
    """One function path -> bool for a set of globs: the plain names, `*.ext`,
    `name*` and folder shapes of the whole set are answered by one pass over
    the path's components with set and tuple tests, the rest one by one."""
    exact, below, names, suffixes, prefixes, others = set(), [], set(), [], [], []
    for pattern in patterns:
        if not pattern.strip():
            continue
        pat, pinned = _normal(pattern, anchored)
        body, anywhere = (pat[3:], True) if pat.startswith("**/") else (pat, not pinned)
        body = body[:-3] if body.endswith("/**") else body
        wild = sum(body.count(c) for c in "*?[")
        if not wild and not anywhere:  # a file or folder at the root
            exact.add(body)
            below.append(body + "/")
        elif not wild and "/" not in body:  # a name anywhere
            names.add(body)
        elif anywhere and wild == 1 and "*" in body and "/" not in body:  # `*.md`, `LICENSE*`, `test_*.py`
            prefix, _, suffix = body.partition("*")
            if prefix and suffix:
                others.append(_other(pattern, anchored, body, anywhere))
            elif prefix:
                prefixes.append(prefix)
            else:
                suffixes.append(suffix)
        else:
            others.append(_other(pattern, anchored, body, anywhere))
    below_t, suffix_t, prefix_t = tuple(below), tuple(suffixes), tuple(prefixes)
    by_name = bool(names or suffix_t or prefix_t)

    def match(path: str) -> bool:
        if path in exact or path.startswith(below_t):
            return True
        if by_name:
            for name in path.split("/"):
                if name in names or name.endswith(suffix_t) or name.startswith(prefix_t):
                    return True
        for lead, piece, test in others:
            if path.startswith(lead) and piece in path and test(path):
                return True
        return False
    return match


def _other(pattern: str, anchored: bool, body: str, anywhere: bool) -> tuple:
    """(lead, piece, test): a path the glob matches starts with `lead` (its literal
    folders, when anchored) and holds `piece` (the longest literal run of its body,
    the pattern less a leading `**/` and a trailing `/**`); two string tests put
    most paths aside before the glob's own test is called."""
    runs, run, i = [], "", 0
    while i < len(body):
        if body[i] in "*?[":
            runs.append(run)
            run = ""
            klass = _char_class(body, i) if body[i] == "[" else None
            i = klass[1] if klass else i + 1
        else:
            run += body[i]
            i += 1
    runs.append(run)
    lead = "" if anywhere else runs[0][:runs[0].rfind("/") + 1]
    return lead, max(runs, key=len), matcher(pattern, anchored)


def match_path(path: str, patterns: Iterable[str]) -> bool:
    """True when the repo-relative `path` matches any of the globs."""
    return any_matcher(tuple(patterns))(path)


def match_git_glob(path: str, patterns: Iterable[str]) -> bool:
    """git's `:(glob)` pathspec: anchored at the root, `CLAUDE.md` is the root one only."""
    return any_matcher(tuple(patterns), True)(path)


def match_name(name: str, patterns: Iterable[str]) -> bool:
    """Branch names: `*` matches across `/` too (`release/*`, `dependabot/*`)."""
    for pattern in patterns:
        head, star = (pattern[:-1], True) if pattern.endswith("*") else (pattern, False)
        if any(c in head for c in "*?["):
            from fnmatch import fnmatchcase

            if fnmatchcase(name, pattern):
                return True
        elif name.startswith(head) if star else name == head:
            return True
    return False
