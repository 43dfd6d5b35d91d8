"""Checking commits that already exist: `check --range`, pre-push and
pre-receive, where `git commit --no-verify` cannot skip the checks.

Each commit is checked as it was committed: its own tree and Context.toml,
its first parent as the before-state. A merge is judged on what it adds that
no parent has (the hunks `git diff --cc` shows). The config is the trusted
base's (the range's start, the branch's old value on the server), never the
commits' own: a config the commits bring takes effect once it lands. The
diffs of every commit come from one `git diff-tree --stdin` call and the
blobs from a shared reader.
"""
from __future__ import annotations

from .checks.branch import check as branch_check
from .config import CONFIG_FILES, effective_config, load_config, read_config_table, weakenings
from .context import Contexts
from .errors import ConfigError, UsageError
from .findings import Finding, filter_findings
from .runner import DETERMINISTIC, run_checks
from .snapshot import (NULL_SHA, BlobReader, Change, Snapshot, TreeFiles, decode_path, parse_combined_paths,
                       parse_raw_diff_by_commit)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .configtypes import Config

C001_HINT = "fix the file in that commit (git rebase -i), then check again"


def default_branch(repo) -> str | None:
    """The default branch's ref, the one answer for a push, the server and `start`:
    a server's HEAD, else the branch origin's HEAD names, else main or master."""
    candidates = ["refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master"]
    head = repo.branch() if repo.bare else None
    if head:
        candidates.insert(0, f"refs/heads/{head}")
    out = repo.git(["for-each-ref", "--format=%(refname)%00%(symref)", *candidates], check=False)
    found = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        ref, _, target = line.partition("\0")
        found[ref] = target or ref
    return next((found[ref] for ref in candidates if ref in found), None)


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


def _commit(repo, name: str, spec: str) -> str:
    if name.startswith("-"):  # never an option to git, whatever git's version
        raise UsageError(f"--range {spec}: a revision cannot start with '-'")
    sha = repo.git(["rev-parse", "--verify", "-q", "--end-of-options", f"{name or 'HEAD'}^{{commit}}"],
                   check=False).decode().strip()
    if not sha:
        raise UsageError(f"--range {spec}: not a revision range of this repository")
    return sha


def resolve(repo, spec: str) -> tuple:
    """(base, tip, excluded) of `A..B`, `A...B` (based on their merge base, as
    `git diff A...B` is) or `B` (all its history, no base)."""
    if "..." in spec:
        left, _, right = spec.partition("...")
        tip = _commit(repo, right, spec)
        bases = repo.git(["merge-base", "--all", _commit(repo, left, spec), tip], check=False).decode().split()
        if not bases:
            raise UsageError(f"--range {spec}: the two sides have no common history")
        return bases[0], tip, bases
    if ".." in spec:
        left, _, right = spec.partition("..")
        base = _commit(repo, left, spec)
        return base, _commit(repo, right, spec), [base]
    return None, _commit(repo, spec, spec), []


def commits(repo, tip: str, excluded: list) -> list:
    """Commits reachable from `tip` and from none of `excluded`, parents first."""
    revs = "".join(f"^{sha}\n" for sha in excluded) + tip + "\n"
    return repo.git(["rev-list", "--reverse", "--topo-order", "--stdin"], input=revs.encode()).decode().split()


def check_range(repo, spec: str, branch: str | None, names=None, subject: str = "the range") -> tuple:
    """(findings, warnings) of `check --range SPEC`."""
    base, tip, excluded = resolve(repo, spec)
    return check_commits(repo, base, tip, excluded, branch, names, subject)


def check_commits(repo, base: str | None, tip: str, excluded: list, branch: str | None, names=None,
                  subject: str = "the range") -> tuple:
    """(findings, warnings) for the commits `tip` brings over `excluded`, judged
    with `base`'s config (zero config without a base), each labelled with its short sha."""
    shas = commits(repo, tip, excluded)  # first: a bad range is the error to report
    names = DETERMINISTIC if names is None else names
    blobs = BlobReader(repo)
    files = TreeFiles(tree_files(repo, base)) if base else None  # the base's listing serves its first child too
    listed_parent = base
    config = trusted_config(Snapshot(repo, before=base, after=base, stage="range", blobs=blobs), files) \
        if files is not None else None
    parents = _parents(repo, shas)
    changes = _changes(repo, parents) if shas else {}
    warnings = [_config_change(repo, base, tip, config, subject)] if _touches_config(changes) else []
    findings: list = []
    seen: set = set()  # a broken file is reported once, by the first commit that has it
    checks = [n for n in names if n != "branch"]
    for sha, parent_ids in parents if checks else ():
        parent = parent_ids[0] if parent_ids else None
        if files is None or parent != listed_parent:  # the first commit, or a new line of history
            files = TreeFiles(tree_files(repo, parent))
        commit_changes, own = changes[sha]
        files.apply(commit_changes)
        listed_parent = sha
        if own is not None and not own:
            continue  # a clean merge adds nothing of its own
        snapshot = Snapshot(repo, before=parent, after=sha, branch=branch, commit_label=sha[:8],
                            stage="range", blobs=blobs, changes=commit_changes if own is None else own)
        snapshot.files = files
        if any(c.path in CONFIG_FILES for c in snapshot.changes):
            findings += _guarded(snapshot, seen, _config_loads)
        findings += _guarded(snapshot, seen, lambda s: run_checks(s, checks, config or _zero_config(s)))
    if "branch" in names:
        # the name is checked once, even for a push that brings no new commit
        snapshot = Snapshot(repo, before=tip, after=tip, branch=branch, commit_label=tip[:8],
                            stage="range", blobs=blobs)
        snapshot.files = files if listed_parent == tip else None
        findings += _guarded(snapshot, seen, lambda s: _branch_findings(s, config))
    return findings, [w for w in warnings if w]


def trusted_config(snapshot, files: TreeFiles) -> Config:
    """The config of the trusted base (a snapshot of it, with its listing)."""
    snapshot.files = files
    try:
        return load_config(snapshot)
    except ConfigError as exc:
        raise ConfigError(f"{snapshot.after[:8]}:{exc.path}", f"{exc.message} (the config of the range's base)",
                          exc.line) from None


def _config_loads(snapshot) -> list:
    """A commit's own config is not used for the range, but one that cannot
    load would stop every later check once it lands: C001 for that commit."""
    read_config_table(snapshot)
    return []


def _zero_config(snapshot):
    return effective_config({}, "", snapshot)


def _branch_findings(snapshot, config) -> list:
    config = config or _zero_config(snapshot)
    return filter_findings(branch_check(snapshot, Contexts(snapshot), config), config["ignore"], snapshot.line_of)


def _guarded(snapshot, seen: set, body) -> list:
    """body's findings; a config or context file that cannot be read is C001 for this
    commit, and the rest of the range is still checked."""
    try:
        return body(snapshot)
    except ConfigError as exc:
        key = (exc.path, exc.line, exc.message)
        if key in seen:
            return []
        seen.add(key)
        return [Finding("C001", exc.message, exc.path, exc.line, hint=C001_HINT, commit=snapshot.commit_label)]


def _changes(repo, parents: list) -> dict:
    """sha -> (its diff against its first parent, the part a merge adds of its own or None)."""
    lines = "".join(f"{sha} {ids[0]}\n" if len(ids) > 1 else f"{sha}\n" for sha, ids in parents)
    out = repo.git(["diff-tree", "--stdin", "--always", "--root", "-r", "-z", "-M", "--raw", "--no-abbrev"],
                   input=lines.encode())
    found = parse_raw_diff_by_commit(out)
    by_commit: dict[str, tuple[list[Change], list[Change] | None]] = {sha: (found.get(sha, []), None)
                                                                      for sha, _ in parents}
    merges = [sha for sha, ids in parents if len(ids) > 1]
    if merges:
        combined = parse_combined_paths(repo.git(
            ["diff-tree", "--stdin", "--cc", "-r", "-p", "--no-color", "--no-ext-diff", "--no-textconv"],
            input=("\n".join(merges) + "\n").encode()))
        for sha in merges:
            by_commit[sha] = (found.get(sha, []), own_changes(found.get(sha, []), combined.get(sha, set())))
    return by_commit


def own_changes(first_parent: list, own_paths: set) -> list:
    """The part of a merge's first-parent diff that no parent has: a path the
    combined diff shows. A rename keeps only the side that is the merge's own."""
    kept = []
    for change in first_parent:
        new_own = change.path in own_paths
        if change.status != "R":
            if new_own:
                kept.append(change)
        elif new_own and change.old_path in own_paths:
            kept.append(change)
        elif new_own:  # the old path went in another parent already
            kept.append(Change("A", change.path, "", NULL_SHA, change.new_sha, change.new_mode))
        elif change.old_path in own_paths:
            kept.append(Change("D", change.old_path, "", change.old_sha, NULL_SHA, "000000"))
    return kept


def _touches_config(changes: dict) -> bool:
    return any(c.path in CONFIG_FILES or c.old_path in CONFIG_FILES
               for found, _ in changes.values() for c in found)


def _config_change(repo, base: str | None, tip: str, config, subject: str) -> str:
    """One warning when the commits change the config: it is not in force for
    them, and what it would turn off once it lands."""
    before = Snapshot(repo, before=base, after=base, stage="range") if base else None
    after = Snapshot(repo, before=tip, after=tip, stage="range")
    try:
        table, source = read_config_table(after)
    except ConfigError as exc:
        return f"{subject} changes {exc.path} (it does not load, see C001); it takes effect once it lands"
    old_table, old_source = read_config_table(before) if before is not None else (None, "")
    if table == old_table:
        return ""
    line = f"{subject} changes {source or old_source}; it takes effect once it lands"
    if config is not None:
        lost = weakenings(config, effective_config(table or {}, source, after))
        if lost:
            line += f"; it weakens the checks: {'; '.join(lost)}"
    return line


def _parents(repo, shas: list) -> list:
    """(sha, [parents]) in the order of `shas`."""
    if not shas:
        return []
    out = repo.git(["rev-list", "--no-walk=unsorted", "--parents", "--stdin"], input=("\n".join(shas) + "\n").encode())
    found = {}
    for line in out.decode().splitlines():
        ids = line.split()
        if ids:
            found[ids[0]] = ids[1:]
    return [(sha, found.get(sha, [])) for sha in shas]


def tree_files(repo, commit: str | None) -> dict:
    """path -> blob id of every file in a commit (one `ls-tree`, once a range)."""
    if commit is None:
        return {}
    files = {}
    for record in repo.git(["ls-tree", "-r", "-z", "--full-tree", commit]).split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == b"blob":
            files[decode_path(name)] = fields[2].decode()
    return files


def pre_receive(repo, lines, names=None) -> tuple:
    """(findings, warnings) for every branch update of a push, from git's pre-receive stdin.

    A commit is skipped only when a branch the server already has (and so
    checked) contains it; the config is the branch's old value's, or the
    default branch's for a new branch."""
    updates = [parts for parts in (line.split() for line in lines) if len(parts) == 3]
    heads = {}
    for record in repo.git(["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/"]).decode().splitlines():
        ref, _, sha = record.rpartition(" ")
        heads[ref] = sha
    for old, _, ref in updates:  # the branches as they were before this push
        if ref.startswith("refs/heads/"):
            heads.pop(ref, None)
            if old != NULL_SHA:
                heads[ref] = old
    checked = sorted(set(heads.values()))
    default = default_branch(repo)
    default_sha = heads.get(default) if default and default.startswith("refs/heads/") else None
    findings, warnings = [], []
    for old, new, ref in updates:
        if new == NULL_SHA or not ref.startswith("refs/heads/"):
            continue  # a deletion; a tag or another ref is no branch (its commits are checked when one is)
        base = old if old != NULL_SHA else default_sha
        found, warned = check_commits(repo, base, new, checked, ref[len("refs/heads/"):], names, "the push")
        findings += found
        warnings += warned
    return findings, warnings
