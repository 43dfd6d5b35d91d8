"""`impl-hooks claude-hook`: the checks as a Claude Code hook (PreToolUse and Stop).

Protocol, from Claude Code's "Hooks reference" (https://code.claude.com/docs/en/hooks):
the event arrives as JSON on stdin (`hook_event_name`, `cwd`, for PreToolUse
`tool_name` and `tool_input`: Bash's `command`, Write/Edit/MultiEdit's
`file_path`; for Stop `stop_hook_active`). We answer with exit 0 and, only
when we have an opinion, JSON on stdout:
PreToolUse `hookSpecificOutput.permissionDecision = "deny"` with a
`permissionDecisionReason` (shown to Claude), Stop `decision = "block"` with a
`reason` (Claude's next instruction). No output means no opinion, so Claude
Code's own permission flow goes on. Our own failures never block: they allow,
with a `systemMessage` for the user and one line on stderr.

Before the checks, the guard (guard.py) refuses what an agent may never do:
skip the hooks, approve for a person, edit impl-hooks' config or hooks. This
runs on every Bash and Edit call, so only json, os, re and shlex load before
we know the command commits.
"""
from __future__ import annotations

import json
import os

from .errors import ConfigError, UsageError
from .guard import EDIT_TOOLS, RISKY, bash_denial, edit_denial
from .shell import commands, commit_options, parse_git

PROG = "impl-hooks claude-hook"
REASON_LIMIT = 4000  # characters of findings text in one reason
ALLOW = (0, "", "")

# git global options that only choose the directory or how pathspecs read; any
# other (-c, --git-dir, --exec-path, ...) could run code or change what an add does.
SAFE_GLOBAL = {"--no-pager", "-P", "--literal-pathspecs", "--glob-pathspecs",
               "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks"}
# git commands that leave the index, HEAD and the branch as they are.
NEUTRAL = {"status", "diff", "log", "show", "rev-parse", "ls-files", "grep", "blame",
           "describe", "fetch", "remote", "shortlog", "help", "version", "config"}
INTERACTIVE_ADD = {"--patch", "--interactive", "--edit"}


class Pending:
    """What a commit would record: the index after replaying the `git add`s before it.

    `directory` and each add's directory are relative to the payload's cwd;
    `branch` is set when the command line creates and switches to a branch first.
    """

    __slots__ = ("directory", "adds", "all_tracked", "branch", "only_if_changed")

    def __init__(self, directory: str = ".", adds=(), all_tracked: bool = False,
                 branch: str | None = None, only_if_changed: bool = False):
        self.directory = directory
        self.adds = list(adds)  # [(directory, argv)]
        self.all_tracked = all_tracked  # `commit -a`
        self.branch = branch
        self.only_if_changed = only_if_changed  # Stop: nothing changed, nothing to judge

    def __repr__(self) -> str:
        return (f"Pending(directory={self.directory!r}, adds={self.adds!r}, "
                f"all_tracked={self.all_tracked!r}, branch={self.branch!r})")


# Stop judges the work in progress as `git add -A && git commit` would record it.
WORK_IN_PROGRESS = Pending(adds=[(".", ["git", "add", "-A"])], only_if_changed=True)


# -- the commit a command line runs ------------------------------------------------

def _commits_all(args: list[str]) -> bool:
    """`git commit -a` / `--all` / a cluster like `-am`."""
    return any(option in ("-a", "--all") for option, _ in commit_options(args))


def _new_branch_name(sub: str, args: list[str]) -> str | None:
    """NAME when HEAD stays put under a new branch name: `checkout -b NAME`, `switch -c NAME`, `branch -m NAME`."""
    flags = {"checkout": ("-b", "-B"), "switch": ("-c", "-C", "--create", "--force-create"),
             "branch": ("-m", "-M", "--move")}.get(sub, ())
    words = [a for a in args if a not in ("-q", "--quiet")]
    if len(words) == 2 and words[0] in flags:
        return words[1]
    return None


def find_commit(command: str) -> Pending | None:
    """The first `git commit` a shell command line runs, with the staging before it.

    None when it runs no commit, or when something before the commit changes
    the index or HEAD in a way we do not replay (reset, stash, rm, switching to
    another branch, an add through xargs...): then git's own hooks judge the
    commit, we stay silent. None also for a line that cannot be read (the guard
    refuses those that mention a commit). `git commit PATH...` is judged on the
    staged snapshot (it commits those paths as they are on disk).
    """
    try:
        found = commands(command)
    except ValueError:
        return None
    adds: list[tuple[str, list[str]]] = []
    branch = None
    for cmd in found:
        call = parse_git(cmd.argv) if cmd.argv and os.path.basename(cmd.argv[0]) == "git" else None
        if call is None:
            continue
        sub, args = call.sub, call.args
        here = os.path.normpath(os.path.join(cmd.directory, call.where))
        if sub == "commit":
            return Pending(here, adds, _commits_all(args), branch)
        if sub in ("add", "stage"):
            options = [a for a in (args[:args.index("--")] if "--" in args else args) if a.startswith("-")]
            interactive = any(o in INTERACTIVE_ADD or (not o.startswith("--") and set(o[1:]) & set("pie"))
                              for o in options)
            safe = not call.configs and all(o in SAFE_GLOBAL for o in call.options)
            if not safe or interactive or cmd.xargs:
                return None
            adds.append((here, ["git", *call.options, "add", *args]))
        elif sub in NEUTRAL or (sub == "branch" and not set(args) & {"-m", "-M", "--move"}):
            continue
        else:
            branch = _new_branch_name(sub, args)
            if branch is None:
                return None
    return None


# -- the default runner ----------------------------------------------------------

def check_pending(cwd: str, pending: Pending) -> list:
    """The impl-check findings for what the pending commit would record."""
    from .runner import HOOK_CHECKS, run_checks
    from .snapshot import Repo, Snapshot

    where = os.path.join(cwd, pending.directory)
    if not os.path.isdir(where):
        return []
    try:
        repo = Repo.discover(where)
    except UsageError:
        return []  # not a repository: git says so itself

    def check():
        snapshot = Snapshot.staged(repo)
        if pending.branch:
            snapshot.branch = pending.branch
        if pending.only_if_changed and not snapshot.changes:
            return []
        return run_checks(snapshot, HOOK_CHECKS["impl-check"])

    if not (pending.adds or pending.all_tracked):
        return check()
    findings = with_pending_index(repo, cwd, pending, check)
    return [] if findings is None else findings  # None: not replayable, left to git's own hooks


def with_pending_index(repo, cwd: str, pending: Pending, body):
    """body() while GIT_INDEX_FILE is a copy of the index with the pending staging replayed.

    The checks then read that copy exactly as they read the index in a real
    commit; the real index is never touched. None when the staging cannot be
    replayed (it fails, or stages into another repository).
    """
    import shutil
    import tempfile

    from . import gitcmd

    fd, index = tempfile.mkstemp(prefix="impl-hooks-index-", dir=repo.git_dir)
    os.close(fd)
    saved = os.environ.get("GIT_INDEX_FILE")
    try:
        try:
            shutil.copyfile(os.path.join(repo.git_dir, "index"), index)
        except FileNotFoundError:
            os.unlink(index)  # no index yet: git starts an empty one
        env = gitcmd.git_env({"GIT_INDEX_FILE": index})
        steps = [(os.path.join(cwd, d), argv) for d, argv in pending.adds]
        if pending.all_tracked:
            steps.append((os.path.join(cwd, pending.directory), ["git", "add", "-u"]))
        for where, argv in steps:
            if not os.path.isdir(where) or _toplevel(where) != repo.root or gitcmd.status(
                    argv[1:], cwd=where, env=env)[0] != 0:
                return None  # another repository's add, or one that fails
        os.environ["GIT_INDEX_FILE"] = index
        return body()
    finally:
        if saved is None:
            os.environ.pop("GIT_INDEX_FILE", None)
        else:
            os.environ["GIT_INDEX_FILE"] = saved
        if os.path.exists(index):
            os.unlink(index)


def _toplevel(directory: str) -> str | None:
    from . import gitcmd

    code, out, _ = gitcmd.status(["rev-parse", "--show-toplevel"], cwd=directory)
    return out.decode("utf-8", "surrogateescape").strip() if code == 0 else None


# -- the answer --------------------------------------------------------------------

def _warn(message: str):
    """Allow, and tell the user why we could not judge (systemMessage is shown to the user)."""
    line = f"{PROG}: {message}"
    return 0, json.dumps({"systemMessage": line}, ensure_ascii=False) + "\n", line + "\n"


def _deny(reason: str):
    output = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                     "permissionDecisionReason": reason}}
    return 0, json.dumps(output, ensure_ascii=False) + "\n", ""


def _guarded(judge, text: str):
    """The guard's answer: a denial, or None to go on. On our own bug it fails safe:
    a denial when `text` touches git or impl-hooks' files, else a warning."""
    try:
        reason = judge()
    except Exception as exc:
        if os.environ.get("IMPL_HOOKS_DEBUG"):
            raise
        error = f"{type(exc).__name__}: {exc}"
        if not RISKY.search(text):
            return _warn(f"guard internal error: {error} (allowing)")
        reason = (f"impl-hooks guard [unreadable-command]: the guard failed on this call ({error}) and "
                  "it touches git or impl-hooks' files. Run it in a simpler form.")
    return _deny(reason) if reason else None


def reason_text(findings: list, intro: str, outro: str, limit: int = REASON_LIMIT) -> str:
    """Intro, the findings like `impl-hooks check` prints them (capped), and what to do."""
    from .findings import render_text

    shown: list[str] = []
    size = 0
    for finding in findings:
        text = render_text([finding])
        if shown and size + len(text) > limit:
            break
        shown.append(text)
        size += len(text) + 1
    if len(shown) < len(findings):
        shown.append(f"... and {len(findings) - len(shown)} more (run `impl-hooks check` to see them all)")
    return "\n".join([intro, *shown, outro])


def answer(payload_text: str, run=None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) for one hook payload; never raises.

    `run(cwd, pending) -> findings` does the checking (default: check_pending).
    """
    try:
        payload = json.loads(payload_text)
    except ValueError as exc:
        return _warn(f"stdin is not a hook payload (invalid JSON: {exc}); allowing")
    if not isinstance(payload, dict):
        return _warn("stdin is not a hook payload (not a JSON object); allowing")
    event = payload.get("hook_event_name")
    cwd = payload.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        cwd = os.getcwd()
    if event == "PreToolUse":
        tool, tool_input = payload.get("tool_name"), payload.get("tool_input")
        if isinstance(tool, str) and tool in EDIT_TOOLS:
            return _guarded(lambda: edit_denial(tool, tool_input, cwd), json.dumps(tool_input)) or ALLOW
        command = tool_input.get("command") if isinstance(tool_input, dict) else None
        if tool != "Bash" or not isinstance(command, str):
            return ALLOW
        refused = _guarded(lambda: bash_denial(command, cwd), command)
        if refused:
            return refused
        pending = find_commit(command)
        if pending is None:
            return ALLOW
    elif event == "Stop":
        if payload.get("stop_hook_active"):
            return ALLOW  # Claude is already continuing because of a Stop hook: never loop
        pending = WORK_IN_PROGRESS
    else:
        return ALLOW
    try:
        findings = (run or check_pending)(cwd, pending)
    except (ConfigError, UsageError) as exc:
        return _warn(f"{exc} (not checked; allowing)")
    except Exception as exc:  # never block on our own bug, never a traceback
        if os.environ.get("IMPL_HOOKS_DEBUG"):
            raise
        return _warn(f"internal error: {type(exc).__name__}: {exc} (not checked; allowing)")
    blocking = [f for f in findings if f.blocks]
    if not blocking:
        return ALLOW
    if event == "PreToolUse":
        return _deny(reason_text(blocking, "impl-hooks refused this commit:",
                                 "Fix these, stage the fixes (git add), then commit again."))
    reason = reason_text(blocking, "impl-hooks: the work in progress would not pass the commit "
                         "checks (judged as if every change were staged):",
                         "Fix these before you stop; the commit of this work would be refused.")
    output = {"decision": "block", "reason": reason}
    return 0, json.dumps(output, ensure_ascii=False) + "\n", ""


def main(argv=None) -> int:
    """Read the payload from stdin, print the answer, return the exit code (no options)."""
    import sys

    if sys.stdin is None or sys.stdin.isatty():
        code, out, err = _warn("expects a Claude Code hook payload (JSON) on stdin")
    else:
        code, out, err = answer(sys.stdin.buffer.read().decode("utf-8", "replace"))
    sys.stdout.write(out)
    sys.stderr.write(err)
    return code
