"""P007: a task that turns complete must leave what it promises in the tree.

Only the tasks this commit completes are read (`PlanChange.newly`); their
paths are looked up in one listing of the tree, their code names in one
`git grep` over the files the tasks name (the whole tree when a task names
none). What counts as a promise: `impl_hooks.plan.evidence`.
"""
from __future__ import annotations

from ..findings import Finding
from ..globs import match_git_glob, match_path
from ..plan.progress import plan_change, plan_targets
from ..snapshot import INDEX, decode_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    mode = config["plan"]["evidence"]
    if mode == "off" or config["plan"]["require"] == "off":
        return []
    claims = []  # (target, task, paths, names)
    for target in plan_targets(snapshot, contexts, config):
        change = plan_change(snapshot, target, config) if not target.ambiguous else None
        for unit in change.newly if change is not None else ():
            if unit.kind == "task":
                from ..plan.evidence import promises  # its regexes compile only when a task turns complete

                paths, names = promises(unit.title)
                if mode == "paths":
                    names = []
                if paths or names:
                    claims.append((target, unit, paths, names))
    if not claims:
        return []
    patterns = {p: "**/" + p.rstrip("/") for _, _, paths, _ in claims for p in paths}
    tree = snapshot.list_paths(sorted(set(patterns.values()))) if patterns else []
    found_of = {p: [f for f in tree if match_git_glob(f, [glob])] for p, glob in patterns.items()}
    scopes = [{f for p in paths for f in found_of[p]} for _, _, paths, _ in claims]
    wanted = {part for _, _, _, names in claims for name in names for part in name.split(".")}
    seen = _grep(snapshot, wanted, scopes) if wanted else {}
    not_code = config["plan"]["not_code"]
    ignored = _ignored(snapshot, [p for p, found in found_of.items() if not found])
    findings = []
    for (target, unit, paths, names), scope in zip(claims, scopes):
        missing = [p for p in paths if not found_of[p] and p not in ignored]
        for name in names:
            for part in name.split("."):
                files = seen.get(part, set())
                # outside the files a task names, docs (the plan itself) only name it
                if not (files & scope if scope else [f for f in files if not match_path(f, not_code)]):
                    missing.append(name)
                    break
        if missing:
            listed = ", ".join(f"`{m}`" for m in missing)
            looked = f" (names are looked for in {', '.join(sorted(scope))})" if scope and names else ""
            findings.append(Finding(
                "P007", f"task marked complete, but {listed} {'is' if len(missing) == 1 else 'are'} not in the tree",
                path=target.path, line=unit.line,
                hint=f"commit what the task promises{looked}, or leave the task open until it is done"))
    return findings


def _ignored(snapshot, paths: list) -> set:
    """Those of `paths` the repository ignores (`.cargo/config.toml`, `data/`): a task may
    promise a local file that is never committed. No work tree (a server): none."""
    if not paths or snapshot.repo.bare:
        return set()
    out = snapshot.repo.git(["check-ignore", "--no-index", "-z", "--stdin"], check=False,
                            input=b"\0".join(p.encode("utf-8", "surrogateescape") for p in paths) + b"\0")
    return {decode_path(raw) for raw in out.split(b"\0") if raw}


def _grep(snapshot, names: set, scopes: list) -> dict:
    """name -> the files of the tree that hold it as a word, in one `git grep`:
    over the files the tasks name, or every file when some task names none."""
    scoped = all(scopes)
    rev = "--cached" if snapshot.after is INDEX else snapshot.after
    args = ["--literal-pathspecs"] if scoped else []
    args += ["grep", "-I", "-F", "-w", "-o", "-z"]
    for name in sorted(names):
        args += ["-e", name]
    args += [rev, "--"]  # after the patterns: a commit id there is a revision, not an option's value
    if scoped:
        args += sorted(set().union(*scopes))
    out = snapshot.repo.git(args, check=False)
    prefix = f"{rev}:".encode() if rev != "--cached" else b""
    seen: dict = {}
    for record in out.split(b"\n"):
        name, sep, match = record.partition(b"\0")
        if sep:
            path = decode_path(name[len(prefix):] if prefix and name.startswith(prefix) else name)
            seen.setdefault(match.decode("utf-8", "replace"), set()).add(path)
    return seen
