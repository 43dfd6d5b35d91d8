"""A long markdown plan's layout, kept between runs (`impl-hooks/cache/plans`).

Reading a 10,000-line plan from scratch takes about 10 ms in a fresh process,
most of a commit's check. A version that differs from one read before only
inside one section's text (tasks of the current step ticked or added) is read
from that one's layout in under a millisecond (`markdown._follow`). So the
layout of a staged version read from scratch is kept, one per plan path, and
a run reads a plan's first version from it: while the work stays within one
step, commit after commit follows from it, and nothing is written.
"""
from __future__ import annotations

import os

from .. import diskcache
from . import markdown

CACHE = "plans"
PATHS_KEPT = 8
READER = ("markdown.py", os.path.join("..", "markdown.py"))  # what reads a layout: a change starts afresh

_loaded: dict = {}  # repo's common dir -> what is kept there, once a run


def restore(repo, path: str, markers: tuple) -> None:
    """Seed `path`'s layout from the kept one, unless this run has read one there."""
    if markdown.has_layout(path):
        return
    entry = _entry(repo, path)
    if entry is not None and entry[0] == markers:
        markdown.restore_layout(path, entry[2], markers)


def save(repo, path: str, sha: str, markers: tuple) -> None:
    """Keep the layout just read at `path`, the staged version `sha`'s, when it was
    read from scratch: one followed from the kept layout follows from it next time."""
    saved = markdown.saved_layout(path)
    if saved is None:
        return
    kept = _kept(repo)
    kept.pop(path, None)
    kept[path] = (markers, sha, saved)
    while len(kept) > PATHS_KEPT:
        del kept[next(iter(kept))]
    diskcache.store(repo, CACHE, {"reader": _reader(), "plans": kept})


def _entry(repo, path: str) -> tuple | None:
    """(markers, blob id, saved layout) kept for `path`."""
    entry = _kept(repo).get(path)
    return entry if type(entry) is tuple and len(entry) == 3 else None


def _kept(repo) -> dict:
    kept = _loaded.get(repo.common_dir)
    if kept is None:
        stored = diskcache.load(repo, CACHE)
        kept = stored.get("plans", {}) if stored.get("reader") == _reader() else {}
        if not isinstance(kept, dict):
            kept = {}
        _loaded[repo.common_dir] = kept
    return kept


def _reader() -> str:
    """The modules that read a layout: what an older one kept is not trusted."""
    return diskcache.code_stamp(__file__, READER)
