"""Markdown primitives, one rule each, shared by every reader (the plan reader,
the structure parser, the report reader), so they agree on what a heading or
a code block is.

- ATX heading: up to three spaces, one to six ``#``, then a space, a tab or
  the end of the line; a closing run of ``#`` after a space is not text.
  Setext heading: a paragraph line underlined with ``===`` (level 1) or
  ``---`` (level 2), for the readers that read them.
- Fence: a run of three or more backticks or tildes after any indentation
  (list items indent them); a backtick run followed by another backtick on
  the line is inline code. It closes at a line holding only that character,
  at least as many, at any indentation; an unclosed fence runs to the end.
- Front matter: YAML (``---`` .. ``---`` or ``...``) or TOML (``+++`` ..
  ``+++``) starting on the first line; never closed, it is not front matter.
- HTML comments ``<!-- -->``, spanning lines.
- List item marker: ``-``, ``*``, ``+``, ``1.`` or ``1)`` (at most nine digits).

Readers that find lines by one search over a whole text (the plan reader)
build their patterns from the pattern sources here. Nothing here raises on
odd text.
"""
from __future__ import annotations

import re

from .lazyre import lazy

# Pattern sources, for a line or inside a larger pattern (a line ends at \n or the text's end).
HEADING_LINE = r" {0,3}(#{1,6})(?:[ \t]+([^\n]*))?(?=\n|\Z)"  # level, raw text
FENCE_START = r"[^\S\n]*(`{3,}|~{3,})([^\n]*)"  # the run, the rest (see `fence_opener`)
LIST_MARKER = r"(?:[-*+]|\d{1,9}[.)])"

HEADING = re.compile(HEADING_LINE)
LIST_ITEM = lazy(r"[ \t]*" + LIST_MARKER + r"[ \t]+")
_SETEXT_UNDERLINE = lazy(r" {0,3}(=+|-+)[ \t]*$")
_FRONT_MATTER_END = {"---": lazy(r"^(?:---|\.\.\.)[^\S\n]*$", re.M),
                     "+++": lazy(r"^\+\+\+[^\S\n]*$", re.M)}


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line, else None."""
    found = HEADING.match(line)
    return (len(found.group(1)), heading_text(found.group(2))) if found else None


def heading_text(raw: str | None) -> str:
    """A heading's text without its optional closing ``#`` run."""
    text = (raw or "").strip()
    if text.endswith("#"):
        body = text.rstrip("#")
        if not body or body[-1] in " \t":
            return body.rstrip()
    return text


def setext_level(line: str) -> int:
    """1 or 2 when the line underlines a setext heading (``===`` / ``---``), else 0."""
    found = _SETEXT_UNDERLINE.match(line)
    return (1 if found.group(1)[0] == "=" else 2) if found else 0


def fence_opener(line: str) -> str:
    """The fence (e.g. "````") when the line opens a code block, else ""."""
    stripped = line.lstrip()
    if not stripped.startswith(("```", "~~~")):
        return ""
    char = stripped[0]
    run = len(stripped) - len(stripped.lstrip(char))
    if char == "`" and "`" in stripped[run:]:
        return ""  # inline code on its own line, not a fence
    return char * run


def closes_fence(line: str, fence: str) -> bool:
    """Whether the line closes `fence`: only its character, at least as many."""
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


_FENCE_CLOSERS: dict = {}


def fence_closer(fence: str) -> re.Pattern:
    """The pattern that finds, in a whole text, the line closing `fence` (from
    the newline before it): `closes_fence` as one search."""
    if fence not in _FENCE_CLOSERS:
        _FENCE_CLOSERS[fence] = re.compile(
            r"\n[^\S\n]*" + re.escape(fence[0]) + r"{%d,}[^\S\n]*(?=\n|\Z)" % len(fence))
    return _FENCE_CLOSERS[fence]


def front_matter_end(text: str) -> tuple[int, int]:
    """(offset where the content starts, lines the front matter takes); (0, 0)
    without front matter."""
    if not text.startswith(("---", "+++")):
        return 0, 0
    first_end = text.find("\n")
    closer = _FRONT_MATTER_END.get(text[:first_end].rstrip()) if first_end >= 0 else None
    found = closer.search(text, first_end + 1) if closer else None
    if found is None:
        return 0, 0  # never closed: a thematic break, not front matter
    after = text.find("\n", found.end())
    return (after + 1 if after >= 0 else len(text)), text.count("\n", 0, found.end()) + 1


def strip_html_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line with HTML comment parts cut out, and whether a comment stays open."""
    kept: list = []
    pos = 0
    while True:
        if in_comment:
            end = line.find("-->", pos)
            if end < 0:
                return "".join(kept), True
            pos, in_comment = end + 3, False
        else:
            begin = line.find("<!--", pos)
            if begin < 0:
                kept.append(line[pos:])
                return "".join(kept), False
            kept.append(line[pos:begin])
            pos, in_comment = begin + 4, True
