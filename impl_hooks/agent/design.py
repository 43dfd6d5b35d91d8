"""The design a plan unit implements, cut to a byte budget by whole Markdown sections.

A technical design (SDD Flow's `docs/5.3_technical_design*.md`, a spec-kit
feature's spec.md and plan.md, a features-json design.md, ARCHITECTURE.md)
is often larger than the prompt can carry. The reviewer then gets whole
sections, those that name the unit's entities first, never half of one, and
is told which sections were left out: a name it cannot see may be in them.
"""
from __future__ import annotations

import re

from ..markdown import atx_heading, closes_fence, fence_opener
from ..plan.evidence import promises

_TOKEN = re.compile(r"\w[\w./-]*")
PREAMBLE = "(text before the first heading)"
MAX_LISTED = 10  # section names listed per file in a "design trimmed" line
MAX_NAME = 80  # characters of a heading shown in that line


def size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def sections(text: str) -> list:
    """(heading, text) of each section: the text before the first heading (heading
    ""), then one per ATX heading outside fenced code. Joined, they are `text`."""
    found: list[tuple[str, str]] = []
    lines: list[str] = []
    heading, fence = "", ""
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if fence:
            if closes_fence(bare, fence):
                fence = ""
        elif fence_opener(bare):
            fence = fence_opener(bare)
        else:
            match = atx_heading(bare)
            if match:
                if lines:
                    found.append((heading, "".join(lines)))
                heading, lines = match[1] or bare.strip(), []
        lines.append(line)
    if lines:
        found.append((heading, "".join(lines)))
    return found


def entities(texts, paths=()) -> list:
    """What a design section is matched on: the paths and code names that `texts`
    (the unit's tasks) promise, and `paths` (the staged code). A path also by its
    file name, a dotted name also by its code-like parts (`B1.AuthService`)."""
    found_paths, names = list(paths), []
    for text in texts:
        promised_paths, promised_names = promises(text)
        found_paths += promised_paths
        names += promised_names
    terms = set()
    for path in found_paths:
        path = path.strip("/")
        name = path.rpartition("/")[2]
        terms.update([path, name] if "." in name else [path])
    for name in names:
        terms.add(name)
        terms.update(p for p in name.split(".") if "_" in p or p.lower() != p)
    terms.discard("")
    return sorted(terms)


def _mentions(text: str, terms: set) -> int:
    """How many distinct terms the text names, each as a whole token or as a part of
    one between `/`s or `.`s (`app/models.py` names `models.py`, `B1.AuthService`
    names `AuthService`)."""
    seen = set()
    for token in _TOKEN.findall(text):
        token = token.rstrip("./-")
        seen.add(token)
        seen.update(token.split("/"))
        seen.update(token.split("."))
    return len(seen & terms)


def trim(docs, terms, budget: int) -> tuple:
    """(kept, cut): `docs` [(path, text)] cut to `budget` bytes of text all told, and
    [(path, [heading, ...])] of the sections left out.

    Documents that fit are kept whole. Otherwise whole sections are kept, those
    that name the most entities first, then in document order, each one that
    still fits; a kept document keeps its sections in their order.
    """
    docs = list(docs)
    if sum(size(text) for _, text in docs) <= budget:
        return docs, []
    wanted = set(terms)
    split = [sections(text) for _, text in docs]
    ranked = sorted(((-_mentions(part, wanted), d, i) for d, parts in enumerate(split)
                     for i, (_, part) in enumerate(parts)))
    room, keep = budget, set()
    for _, d, i in ranked:
        cost = size(split[d][i][1])
        if cost <= room:
            keep.add((d, i))
            room -= cost
    kept, cut = [], []
    for d, (path, _) in enumerate(docs):
        text = "".join(part for i, (_, part) in enumerate(split[d]) if (d, i) in keep)
        left = [heading for i, (heading, _) in enumerate(split[d]) if (d, i) not in keep]
        if text:
            kept.append((path, text))
        if left:
            cut.append((path, left))
    return kept, cut


def trimmed_note(path: str, headings) -> str:
    """One line: how many sections of `path` were left out, and which."""
    names = [" ".join((h or PREAMBLE).split())[:MAX_NAME] for h in headings]
    listed = ", ".join(names[:MAX_LISTED])
    more = f", and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    count = f"{len(names)} section{'' if len(names) == 1 else 's'}"
    return f"design trimmed: {count} of {path} left out: {listed}{more}"
