"""The human approval gate: `impl-hooks approve` records the staged tree; with
`approval.required`, a commit of any other tree is H001."""
from __future__ import annotations

import json
import os
import time

APPROVALS = os.path.join("impl-hooks", "approvals.json")


def staged_tree(repo) -> str:
    """The tree id of the index: what the commit would record."""
    return repo.git(["write-tree"]).decode().strip()


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
    from .atomic import write_atomic

    entry = {"tree": tree, "who": who, "branch": branch or "",
             "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    entries = [a for a in load_approvals(repo) if a["tree"] != tree] + [entry]
    path = approvals_path(repo)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("[]")
    write_atomic(path, json.dumps(entries[-200:], indent=1) + "\n")
    return entry


def is_approved(repo, tree: str) -> bool:
    return any(a["tree"] == tree for a in load_approvals(repo))
