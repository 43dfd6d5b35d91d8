"""`impl-hooks start ISSUE`: a branch named after the issue, and the issue recorded
in the governing Context.toml with its comments and layout kept."""
from __future__ import annotations

import re
from typing import Optional

from .errors import UsageError
from .safepath import read_text, write_text


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].rstrip("-")


def branch_name(issue: str, title: Optional[str]) -> str:
    return f"{issue}-{slug(title)}" if title and slug(title) else issue


def default_base(repo) -> str:
    """Where a new branch starts: the default branch (`ranges.default_branch`), else HEAD."""
    from .ranges import default_branch

    ref = default_branch(repo)
    for prefix in ("refs/remotes/", "refs/heads/"):
        if ref and ref.startswith(prefix):
            return ref[len(prefix):]
    return ref or "HEAD"


def create_branch(repo, name: str, base: str) -> str:
    """Create and check out `name` from `base`, refusing to carry local changes.

    Returns what a failing post-checkout hook (another tool's) said: git made
    the branch all the same, so the caller goes on and reports it as that
    hook's, not as its own error."""
    if name in {h.name for h in repo.heads}:
        raise UsageError(f"branch '{name}' exists already: git switch {name}")
    try:
        repo.commit(base)
    except Exception:
        raise UsageError(f"base '{base}' is not a commit in this repository") from None
    if repo.is_dirty(index=True, working_tree=True, untracked_files=False):
        raise UsageError(f"local changes would be carried to the new branch: stash them first (git stash), "
                         f"or take them along on purpose: git switch -c {name}")
    from . import gitcmd

    # -q: what is printed is the hook's, not git's own "Switched to" line
    code, out, err = gitcmd.status(["checkout", "-q", "-b", name, base], cwd=repo.working_dir)
    if code == 0:
        return ""
    said = (out + err).decode("utf-8", "replace").strip()
    if not repo.head.is_detached and repo.active_branch.name == name:
        return said or f"exit status {code}"
    lines = said.splitlines()
    raise UsageError(lines[-1].strip() if lines else f"git checkout -b {name} failed")


def record_issue(repo, path: str, issue: str) -> None:
    """Set current_issue in a Context.toml (`path` relative to the repository root), where
    its other keys live, keeping comments; read and written through safepath."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    text = read_text(repo, path)
    if text is None:
        raise UsageError(f"{path}: no such Context.toml")
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise UsageError(f"{path}: cannot record the issue, invalid TOML: {exc}") from None
    table = doc.get("context")
    target = table if isinstance(table, dict) and "current_issue" not in doc else doc
    target["current_issue"] = issue
    write_text(repo, path, tomlkit.dumps(doc))
