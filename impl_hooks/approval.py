"""The human approval gate: `impl-hooks approve` records the staged tree; with
`approval.required`, a commit of any other tree is H001.

Approvals are recorded under a lock and written atomically, so approvals that
run at once are all kept; reading the staged tree never writes the user's index.
"""
from __future__ import annotations

import json
import os
import time

APPROVALS = os.path.join("impl-hooks", "approvals.json")
KEEP = 200  # newest approvals kept


def staged_tree(repo) -> str:
    """The tree id of the index: what the commit would record.

    `git write-tree` rewrites the index it reads (and holds its lock while it
    does, so a `git add` at the same moment fails), so it runs on a copy.
    """
    import shutil
    import tempfile

    from . import gitcmd

    index = os.environ.get("GIT_INDEX_FILE") or os.path.join(repo.git_dir, "index")
    with tempfile.TemporaryDirectory(prefix="impl-hooks-") as folder:
        copy = os.path.join(folder, "index")
        try:
            shutil.copyfile(os.path.join(repo.root, index), copy)
        except FileNotFoundError:
            pass  # no index yet: the empty tree
        tree = gitcmd.run(["write-tree"], cwd=repo.root, env=gitcmd.git_env({"GIT_INDEX_FILE": copy}))
    return tree.decode().strip()


def approvals_path(repo) -> str:
    return os.path.join(repo.common_dir, APPROVALS)


def load_approvals(repo) -> list:
    """Recorded approvals, newest last; an unreadable file counts as none."""
    try:
        with open(approvals_path(repo), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return []
    return [a for a in data if isinstance(a, dict) and isinstance(a.get("tree"), str)] \
        if isinstance(data, list) else []


def record_approval(repo, tree: str, who: str, branch: str) -> dict:
    """Add an approval: read, add and replace the file while holding the lock."""
    from .atomic import write_atomic

    entry = {"tree": tree, "who": who, "branch": branch or "",
             "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    path = approvals_path(repo)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with _Lock(path + ".lock"):
        entries = [a for a in load_approvals(repo) if a["tree"] != tree] + [entry]
        write_atomic(path, json.dumps(entries[-KEEP:], indent=1) + "\n")
    return entry


def is_approved(repo, tree: str) -> bool:
    return any(a["tree"] == tree for a in load_approvals(repo))


class _Lock:
    """An exclusive lock on a file: flock where there is fcntl, else msvcrt (Windows)."""

    def __init__(self, path: str):
        self.path = path
        self.fd = -1
        self.unlock = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            import fcntl
        except ImportError:
            import msvcrt

            msvcrt.locking(self.fd, msvcrt.LK_LOCK, 1)  # retries for ten seconds, then OSError
            self.unlock = lambda: msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # released when the file is closed
        return self

    def __exit__(self, *exc):
        try:
            if self.unlock:
                self.unlock()
        finally:
            os.close(self.fd)
