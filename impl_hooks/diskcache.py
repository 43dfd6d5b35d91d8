"""Small values kept between runs under the git directory (`impl-hooks/cache/`).

Each is keyed by what it was computed from (a blob's or a commit's id), so an
entry is never stale, only unused. They are stored with `marshal`, which
costs no import; a file that is missing, damaged or written by another
Python reads as empty, and a git directory that cannot be written keeps none.
"""
from __future__ import annotations

import marshal
import os
import sys

FORMAT = 1  # bump when what is stored changes shape
_STAMP = (FORMAT, marshal.version, sys.hexversion)


def _path(repo, name: str) -> str:
    return os.path.join(repo.common_dir, "impl-hooks", "cache", name)


def load(repo, name: str) -> dict:
    try:
        with open(_path(repo, name), "rb") as fh:
            stamp, value = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return value if stamp == _STAMP and isinstance(value, dict) else {}


def store(repo, name: str, value: dict) -> None:
    """Write beside the file, then rename over it: a reader sees the old or the new."""
    path = _path(repo, name)
    try:
        data = marshal.dumps((_STAMP, value))
    except ValueError:  # a value marshal cannot keep (a TOML date): no cache for it
        return
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temp, "wb") as fh:
            fh.write(data)
        os.replace(temp, path)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass


def code_stamp(module_file: str, names) -> str:
    """The size and modification time of the modules `names` (beside
    `module_file`) whose answers a cache keeps: a new release, or an edit in a
    checkout, starts a new cache; "" when one cannot be read."""
    here = os.path.dirname(module_file)
    try:
        stats = [os.stat(os.path.join(here, name)) for name in names]
    except OSError:
        return ""
    return " ".join(f"{stat.st_size}:{stat.st_mtime_ns}" for stat in stats)


_OPEN: dict = {}  # path -> the values loaded this run


def cached(repo, name: str, key: str, compute, limit: int = 64):
    """compute(), once per key: kept between runs in `name` (the `limit` newest)."""
    path = _path(repo, name)
    values = _OPEN.get(path)
    if values is None:
        values = _OPEN[path] = load(repo, name)
    if key not in values:
        values[key] = compute()
        while len(values) > limit:
            del values[next(iter(values))]
        store(repo, name, values)
    return values[key]
