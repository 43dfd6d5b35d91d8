"""spec-kit ``tasks.md``: ``- [ ] T001 [P] [US1] Create x`` under ``## Phase N`` headings.

It is a markdown plan whose only marker is the checkbox, so the markdown reader
does the reading (fences, comments, front matter, nesting); this module only
moves spec-kit's ``[P]`` (parallel) and ``[US1]`` (user story) tags from the
title into ``extra["tags"]``.
"""
from __future__ import annotations

import re

from .markdown import read_markdown_plan
from .model import Plan

_TAG = re.compile(r"\[(P|US\d+)\][ \t]*")


def read_tasks_md(text: str, path: str = "") -> Plan:
    """Phases and T-numbered tasks of a spec-kit tasks.md; ``[X]``/``[x]`` is done."""
    plan = read_markdown_plan(text, path, markers=("[x]",))
    for unit in plan.walk():
        if unit.kind == "task" and unit.title.startswith("["):
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
