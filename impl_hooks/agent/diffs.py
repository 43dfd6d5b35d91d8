"""The staged change as per-file unified diffs (index against HEAD), for the prompt."""
from __future__ import annotations

import subprocess
from typing import List, Optional, Tuple

_DIFF = ["diff", "--cached", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--irreversible-delete"]


def _git(args: List[str], cwd: Optional[str]) -> bytes:
    done = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else b""


def _paths(cwd: Optional[str]) -> List[str]:
    """Staged paths in diff order (a rename's new name)."""
    fields = _git([*_DIFF, "--name-status", "-z"], cwd).split(b"\0")
    paths, index = [], 0
    while index < len(fields) and fields[index]:
        status = fields[index][:1]
        step = 3 if status in (b"R", b"C") else 2
        paths.append(fields[index + step - 1].decode("utf-8", "replace") if index + step - 1 < len(fields) else "")
        index += step
    return paths


def _sections(patch: str) -> List[str]:
    sections: List[List[str]] = []
    for line in patch.splitlines(keepends=True):
        if line.startswith("diff --git ") or not sections:
            sections.append([])
        sections[-1].append(line)
    return ["".join(lines) for lines in sections]


def staged_diffs(cwd: Optional[str] = None) -> List[Tuple[str, str]]:
    """[(path, diff text)] for every staged file; one git call for the names, one for the patch."""
    paths = _paths(cwd)
    if not paths:
        return []
    sections = _sections(_git(_DIFF, cwd).decode("utf-8", "replace"))
    if len(sections) == len(paths):
        return list(zip(paths, sections))
    return [(path, _git([*_DIFF, "--", path], cwd).decode("utf-8", "replace")) for path in paths]
