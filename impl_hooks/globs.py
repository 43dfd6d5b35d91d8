"""Path globs as users write them in config: `*` within a folder, `**` across folders.

A pattern without a slash matches any path component (like .gitignore), so
`__pycache__` or `*.pyc` ignore those names wherever they are.
"""
from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Iterable


@lru_cache(maxsize=512)
def _compile(pattern: str, anchored: bool = False) -> "re.Pattern[str]":
    pat = pattern.strip().strip("/") if pattern.strip() not in ("/", "") else pattern
    anchored = anchored or "/" in pat
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
        elif c == "[":
            end = pat.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1:end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    if anchored:
        # a folder pattern also covers everything below it
        return re.compile(f"^{body}(?:/.*)?$")
    return re.compile(f"^(?:.*/)?{body}(?:/.*)?$")


def match_path(path: str, patterns: Iterable[str]) -> bool:
    """True when the repo-relative `path` matches any of the globs."""
    return any(_compile(p).match(path) for p in patterns if p.strip())


def match_git_glob(path: str, patterns: Iterable[str]) -> bool:
    """git's `:(glob)` pathspec: anchored at the root, `CLAUDE.md` is the root one only."""
    return any(_compile(p, True).match(path) for p in patterns if p.strip())


def match_name(name: str, patterns: Iterable[str]) -> bool:
    """Branch names: `*` matches across `/` too (`release/*`, `dependabot/*`)."""
    from fnmatch import fnmatchcase
    return any(fnmatchcase(name, p) for p in patterns)
