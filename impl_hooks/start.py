"""`impl-hooks start ISSUE`: a branch named after the issue, and the issue recorded
in the governing Context.toml with its comments and layout kept."""
from __future__ import annotations

import re
from typing import Optional

from .atomic import write_atomic
from .errors import UsageError


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].rstrip("-")


def branch_name(issue: str, title: Optional[str]) -> str:
    return f"{issue}-{slug(title)}" if title and slug(title) else issue


def default_base(repo) -> str:
    """origin's default branch when known, else main/master, else HEAD."""
    try:
        ref = repo.git.symbolic_ref("refs/remotes/origin/HEAD", quiet=True)
        return ref.replace("refs/remotes/", "", 1)
    except Exception:
        pass
    names = {h.name for h in repo.heads}
    for name in ("main", "master"):
        if name in names:
            return name
    return "HEAD"


def create_branch(repo, name: str, base: str) -> None:
    """Create and check out `name` from `base`, refusing to carry local changes."""
    if name in {h.name for h in repo.heads}:
        raise UsageError(f"branch '{name}' exists already: git switch {name}")
    try:
        repo.commit(base)
    except Exception:
        raise UsageError(f"base '{base}' is not a commit in this repository") from None
    if repo.is_dirty(index=True, working_tree=True, untracked_files=False):
        raise UsageError(f"local changes would be carried to the new branch: stash them first (git stash), "
                         f"or take them along on purpose: git switch -c {name}")
    from git.exc import GitCommandError

    try:
        repo.git.checkout("-b", name, base)
    except GitCommandError as exc:
        lines = (exc.stderr or "").strip().strip("'").splitlines()
        raise UsageError(lines[-1].strip() if lines else f"git checkout -b {name} failed") from None


def record_issue(path: str, issue: str) -> None:
    """Set current_issue in a Context.toml, where its other keys live, keeping comments."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise UsageError(f"{path}: cannot record the issue, invalid TOML: {exc}") from None
    table = doc.get("context")
    target = table if isinstance(table, dict) and "current_issue" not in doc else doc
    target["current_issue"] = issue
    write_atomic(path, tomlkit.dumps(doc))
