"""The staged change as per-file unified diffs (index against HEAD), for the prompt."""
from __future__ import annotations

from typing import List, Optional, Tuple

from .. import gitcmd

SYMLINK = "120000"  # git's mode for a symlink: its blob is the link's target path
_DIFF = ["diff", "--cached", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--irreversible-delete"]


def _git(args: List[str], cwd: Optional[str]) -> bytes:
    code, out, _ = gitcmd.status(["-c", "core.quotePath=false", *args], cwd=cwd)
    return out if code == 0 else b""


def _entries(cwd: Optional[str]) -> List[Tuple[str, str, str]]:
    """(path, new mode, new blob id) of each staged file, in diff order (a rename's new name)."""
    fields = _git([*_DIFF, "--raw", "-z", "--no-abbrev"], cwd).split(b"\0")
    entries, index = [], 0
    while index < len(fields) and fields[index].startswith(b":"):
        meta = fields[index][1:].split()
        if len(meta) < 5:
            break
        step = 3 if meta[4][:1] in (b"R", b"C") else 2
        path = fields[index + step - 1] if index + step - 1 < len(fields) else b""
        entries.append((path.decode("utf-8", "replace"), meta[1].decode(), meta[3].decode()))
        index += step
    return entries


def _sections(patch: str) -> List[str]:
    sections: List[List[str]] = []
    for line in patch.splitlines(keepends=True):
        if line.startswith("diff --git ") or not sections:
            sections.append([])
        sections[-1].append(line)
    return ["".join(lines) for lines in sections]


def staged_diffs(cwd: Optional[str] = None) -> List[Tuple[str, str]]:
    """[(path, diff text)] for every staged file; one git call for the names, one for the patch.

    A staged symlink is sent as what git stores, `symlink to TARGET`; the file
    it points to is never read."""
    entries = _entries(cwd)
    if not entries:
        return []
    sections = _sections(_git(_DIFF, cwd).decode("utf-8", "replace"))
    if len(sections) != len(entries):
        sections = [_git([*_DIFF, "--", path], cwd).decode("utf-8", "replace") for path, _, _ in entries]
    return [(path, _symlink(path, blob, cwd) if mode == SYMLINK else section)
            for (path, mode, blob), section in zip(entries, sections)]


def _symlink(path: str, blob: str, cwd: Optional[str]) -> str:
    target = _git(["cat-file", "blob", blob], cwd).decode("utf-8", "replace")
    return f"{path}: symlink to {target}\n"
