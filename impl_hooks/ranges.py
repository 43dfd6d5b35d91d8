"""Checking commits that already exist: `check --range A..B`, pre-push and
pre-receive, where `git commit --no-verify` cannot skip the checks.

Each commit is checked as it was committed: its own tree, config and
Context.toml, its parent as the before-state. The diffs of every commit come
from one `git diff-tree --stdin` call and the blobs from a shared reader.
"""
from __future__ import annotations

from .errors import UsageError
from .snapshot import NULL_SHA, BlobReader, Snapshot, TreeFiles, parse_raw_diff_by_commit

CHECKS = ["branch", "plan", "structure", "reports"]


def default_branch(repo) -> str | None:
    """origin's default branch, else main/master, for a branch pushed the first time."""
    for ref in ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master"):
        out = repo.git(["rev-parse", "-q", "--verify", ref], check=False).decode().strip()
        if out:
            return ref
    return None


def push_range(repo, from_ref: str, to_ref: str) -> str:
    """The revision range a push adds; a new branch starts at the merge base with the default branch."""
    if from_ref and from_ref.strip("0"):
        return f"{from_ref}..{to_ref}"
    base = default_branch(repo)
    if base:
        merge_base = repo.git(["merge-base", base, to_ref], check=False).decode().strip()
        if merge_base:
            return f"{merge_base}..{to_ref}"
    return to_ref  # no default branch: every commit of the branch


def commits(repo, spec: str, exclude_existing: bool = False) -> list:
    """Non-merge commits of `spec` (A..B, or B for all its history), oldest first."""
    args = ["rev-list", "--reverse", "--no-merges", *spec.split()]
    if exclude_existing:
        args += ["--not", "--all"]  # pre-receive: what the push brings
    try:
        return repo.git(args).decode().split()
    except UsageError:
        raise UsageError(f"--range {spec}: not a revision range of this repository") from None


def check_range(repo, spec: str, branch: str | None, names=None, exclude_existing: bool = False) -> list:
    """Findings of every commit in the range, each labelled with its short sha."""
    from .config import load_config
    from .context import Contexts
    from .findings import filter_findings
    from .runner import run_checks

    shas = commits(repo, spec, exclude_existing)  # first: a bad range is the error to report
    findings = []
    if "branch" in (names or CHECKS):
        # the name is checked once, even for a push that brings no new commit
        tip = repo.git(["rev-parse", "--verify", spec.split("..")[-1] or "HEAD"]).decode().strip()
        snapshot = Snapshot(repo, before=tip, after=tip, branch=branch, stage="range")
        config = load_config(snapshot)
        from .checks.branch import check as branch_check
        findings += filter_findings(branch_check(snapshot, Contexts(snapshot), config), config["ignore"],
                                    snapshot.line_of)
    if not shas:
        return findings
    out = repo.git(["diff-tree", "--stdin", "--always", "--root", "-r", "-z", "-M", "--raw", "--no-abbrev"],
                   input=("\n".join(shas) + "\n").encode())
    changes = parse_raw_diff_by_commit(out)
    parents = dict(line.split(" ", 1) if " " in line else (line, "")
                   for line in repo.git(["rev-list", "--no-walk", "--parents", *shas]).decode().splitlines()
                   if line)
    blobs = BlobReader(repo)
    checks = [n for n in (names if names is not None else CHECKS) if n != "branch"]
    files = None
    listed_parent = None
    for sha in shas if checks else ():
        parent = parents.get(sha, "").split(" ")[0] or None
        if files is None or parent != listed_parent:  # the first commit, or a new line of history
            files = TreeFiles(tree_files(repo, parent))
        commit_changes = changes.get(sha, [])
        files.apply(commit_changes)
        listed_parent = sha
        snapshot = Snapshot(repo, before=parent, after=sha, branch=branch, commit_label=sha[:8],
                            stage="range", blobs=blobs, changes=commit_changes)
        snapshot.files = files
        findings += run_checks(snapshot, checks)
    return findings


def tree_files(repo, commit: str | None) -> dict:
    """path -> blob id of every file in a commit (one `ls-tree`, once a range)."""
    if commit is None:
        return {}
    from .snapshot import decode_path

    files = {}
    for record in repo.git(["ls-tree", "-r", "-z", "--full-tree", commit]).split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == b"blob":
            files[decode_path(name)] = fields[2].decode()
    return files


def pre_receive(repo, lines, names=None) -> list:
    """Findings for every ref update of a push, from git's pre-receive stdin."""
    findings = []
    for line in lines:
        parts = line.split()
        if len(parts) != 3:
            continue
        old, new, ref = parts
        if new == NULL_SHA or not ref.startswith("refs/heads/"):
            continue  # a deletion, or a tag
        branch = ref[len("refs/heads/"):]
        spec = new if old == NULL_SHA else f"{old}..{new}"
        findings += check_range(repo, spec, branch, names, exclude_existing=old == NULL_SHA)
    return findings
