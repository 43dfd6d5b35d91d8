"""Atomic writes of impl-hooks' own files under the git directory (approvals),
a place git names and no commit can reach; work-tree files go through safepath."""
from __future__ import annotations

import os

from .safepath import replace_in


def write_atomic(path: str, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) beside `path`, then rename it over, keeping the mode."""
    folder = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY | os.O_DIRECTORY)
    try:
        name = os.path.basename(path)
        try:
            mode = os.stat(name, dir_fd=folder).st_mode & 0o7777
        except FileNotFoundError:
            mode = None
        replace_in(folder, name, text.encode("utf-8"), mode)
    finally:
        os.close(folder)
