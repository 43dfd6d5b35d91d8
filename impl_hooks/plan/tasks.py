"""spec-kit ``tasks.md``: ``- [ ] T001 [P] [US1] Create x`` under ``## Phase N`` headings.

It is a markdown plan whose only marker is the checkbox, so the markdown reader
does the reading (fences, comments, front matter, nesting); this module only
moves spec-kit's ``[P]`` (parallel) and ``[US1]`` (user story) tags from the
title into ``extra["tags"]``, and names each phase's role in
``extra["role"]``: spec-kit's "Phase 1: Setup" and "Phase 2: Foundational"
block every "Phase 3+: User Story N" phase, and the plan check holds to that.
"""
from __future__ import annotations

import re

from .markdown import read_markdown_plan
from .model import Plan

_TAG = re.compile(r"\[(P|US\d+)\][ \t]*")
# A phase's role, from the start of its title ("Setup (Shared Infrastructure)").
_ROLE = re.compile(r"[\W_]*(?:(?P<setup>setup)|(?P<foundational>foundation(?:al)?)"
                   r"|(?P<story>user[ \t]+stor(?:y|ies)|us\d+))\b", re.I)
_WORD = re.compile(r"[^\s`'\"()\[\],;]+")
_FILE = re.compile(r"\w\.[A-Za-z]\w*$")  # `album.py`, not `3.12`


def read_tasks_md(text: str, path: str = "") -> Plan:
    """Phases and T-numbered tasks of a spec-kit tasks.md; ``[X]``/``[x]`` is done."""
    plan = read_markdown_plan(text, path, markers=("[x]",))
    for unit in plan.walk():
        if unit.kind == "phase":
            role = _ROLE.match(unit.title)
            if role:
                unit.extra["role"] = role.lastgroup
        elif unit.kind == "task" and unit.title.startswith("["):
            tags = []
            end = 0
            match = _TAG.match(unit.title)
            while match:
                tags.append(match.group(1))
                end = match.end()
                match = _TAG.match(unit.title, end)
            if tags:
                unit.title = unit.title[end:]
                unit.extra["tags"] = tags
    return plan


def is_story_task(unit, phase) -> bool:
    """A task of a user story: in a "User Story" phase, or tagged ``[USn]``."""
    return (phase is not None and phase.extra.get("role") == "story") or any(
        tag.startswith("US") for tag in unit.extra.get("tags", ()))


def task_naming(tasks: list, paths: list):
    """The first of `tasks` whose text names one of `paths` (spec-kit tasks name
    the file they change: "... in src/models/album.py"); a file before a folder."""
    named = [(task, _named_paths(task.title)) for task in tasks]
    for folders in (False, True):
        for task, names in named:
            if any(_names(name, path) for name in names if name.endswith("/") == folders for path in paths):
                return task
    return None


def _named_paths(text: str) -> list:
    """Words of a task's text that look like a path: `a/b`, `b.py`, `src/`."""
    words = (w.rstrip(".,:;!?").lstrip("/") for w in _WORD.findall(text))
    return [w for w in words if "/" in w or _FILE.search(w)]


def _names(name: str, path: str) -> bool:
    """Whether a path named in a task is `path` (or, for `dir/`, holds it); the
    task may name it from a sub-project (`src/x.py` for `backend/src/x.py`)."""
    return f"/{name}" in f"/{path}" if name.endswith("/") else f"/{path}".endswith(f"/{name}")
