"""`impl-hooks claude-hook`: the checks as a Claude Code hook (PreToolUse and Stop).

Protocol, from Claude Code's "Hooks reference" (https://code.claude.com/docs/en/hooks):
the event arrives as JSON on stdin (`hook_event_name`, `cwd`, for PreToolUse
`tool_name` and `tool_input.command`, for Stop `stop_hook_active`). We answer
with exit 0 and, only when we have an opinion, JSON on stdout:
PreToolUse `hookSpecificOutput.permissionDecision = "deny"` with a
`permissionDecisionReason` (shown to Claude), Stop `decision = "block"` with a
`reason` (Claude's next instruction). No output means no opinion, so Claude
Code's own permission flow goes on. Our own failures never block: they allow,
with a `systemMessage` for the user and one line on stderr.

This runs on every Bash call, so only json, os, re and shlex load before we
know the command commits.
"""
from __future__ import annotations

import json
import os
import re
import shlex

from .errors import ConfigError, UsageError

PROG = "impl-hooks claude-hook"
REASON_LIMIT = 4000  # characters of findings text in one reason
ALLOW = (0, "", "")

SHELLS = {"bash", "sh", "zsh", "dash", "ksh"}
# git global options that only choose the directory or how pathspecs read; any
# other (-c, --git-dir, --exec-path, ...) could run code or change what an add does.
SAFE_GLOBAL = {"--no-pager", "-P", "--literal-pathspecs", "--glob-pathspecs",
               "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks"}
GLOBAL_WITH_VALUE = {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env",
                     "--super-prefix"}
# git commands that leave the index, HEAD and the branch as they are.
NEUTRAL = {"status", "diff", "log", "show", "rev-parse", "ls-files", "grep", "blame",
           "describe", "fetch", "remote", "shortlog", "help", "version", "config"}
INTERACTIVE_ADD = {"--patch", "--interactive", "--edit"}
# `git commit` short options that take a value (the rest of the cluster or the next word)
COMMIT_SHORT_VALUE = set("mFCctS")
COMMIT_LONG_VALUE = {"--message", "--file", "--reuse-message", "--reedit-message", "--fixup",
                     "--squash", "--author", "--date", "--cleanup", "--template", "--trailer",
                     "--pathspec-from-file"}
# For a command line shlex cannot read: `git`, global options, then `commit`.
COMMIT_RE = re.compile(r"(?:^|[\s;&|(])git(?:\s+-{1,2}\S+(?:\s+[^-\s]\S*)?)*?\s+commit(?![-\w])")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
SEPARATORS = ";&|()\n"  # shell operators that end a simple command
OPERATORS = SEPARATORS + "<>"


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


# -- reading a shell command line ---------------------------------------------

def _segments(command: str) -> list[list[str]]:
    """The simple commands of a shell line (split at ; && || | & ( ) and newlines); ValueError when unreadable."""
    lexer = shlex.shlex(command.replace("\\\n", " "), posix=True, punctuation_chars=OPERATORS)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""  # `-m fix#12` is not a comment; a real `# ...` is just an argv
    segments: list[list[str]] = [[]]
    skip_next = False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif not token or not set(token) <= set(OPERATORS):  # a word (a quoted one may hold `>`)
            segments[-1].append(token)
        elif set(token) <= set(SEPARATORS):
            segments.append([])
        else:  # a redirection: drop it, its target and its fd (`2>`)
            skip_next = True
            if segments[-1] and segments[-1][-1].isdigit():
                segments[-1].pop()
    return [s for s in segments if s]


def _shell_commands(command: str, directory: str):
    """(directory, argv) of each simple command, following `cd DIR` and `bash -c SCRIPT`."""
    for argv in _segments(command):
        while argv and ASSIGNMENT.match(argv[0]):
            argv = argv[1:]
        if not argv:
            continue
        name = os.path.basename(argv[0])
        if name == "cd" and len(argv) == 2 and not argv[1].startswith(("-", "~")):
            directory = os.path.normpath(os.path.join(directory, argv[1]))
            continue
        if name in SHELLS:
            for i, arg in enumerate(argv[1:-1], 1):
                if re.match(r"^-[a-z]*c[a-z]*$", arg):
                    yield from _shell_commands(argv[i + 1], directory)
                    break
            continue
        yield directory, argv


def _git_call(argv: list[str]):
    """(directory from -C, safe global options, subcommand, its args, all globals safe) or None."""
    if os.path.basename(argv[0]) != "git":
        return None
    where, kept, safe, i = ".", [], True, 1
    while i < len(argv) and argv[i].startswith("-"):
        option = argv[i]
        if option == "-C" and i + 1 < len(argv):
            where = os.path.join(where, argv[i + 1])
            i += 2
            continue
        if option in SAFE_GLOBAL:
            kept.append(option)
        else:
            safe = False
        i += 2 if option in GLOBAL_WITH_VALUE else 1
    if i >= len(argv):
        return None
    return where, kept, argv[i], argv[i + 1:], safe


def _commits_all(args: list[str]) -> bool:
    """`git commit -a` / `--all` / a cluster like `-am`, skipping option values."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return False
        if arg == "--all":
            return True
        if arg in COMMIT_LONG_VALUE:
            i += 2
            continue
        if arg.startswith("-") and not arg.startswith("--"):
            for pos, letter in enumerate(arg[1:], 1):
                if letter == "a":
                    return True
                if letter in COMMIT_SHORT_VALUE:
                    if pos == len(arg) - 1:
                        i += 1  # the value is the next word
                    break
        i += 1
    return False


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
    another branch...): then git's own hooks judge the commit, we stay silent.
    A line shlex cannot read falls back to a regex and the staged snapshot, and
    so does `git commit PATH...` (which commits those paths as they are on disk).
    """
    try:
        commands = list(_shell_commands(command, "."))
    except ValueError:
        return Pending() if COMMIT_RE.search(command) else None
    adds: list[tuple[str, list[str]]] = []
    branch = None
    for directory, argv in commands:
        call = _git_call(argv)
        if call is None:
            continue
        where, kept, sub, args, safe = call
        here = os.path.normpath(os.path.join(directory, where))
        if sub == "commit":
            return Pending(here, adds, _commits_all(args), branch)
        if sub in ("add", "stage"):
            options = [a for a in (args[:args.index("--")] if "--" in args else args) if a.startswith("-")]
            interactive = any(o in INTERACTIVE_ADD or (not o.startswith("--") and set(o[1:]) & set("pie"))
                              for o in options)
            if not safe or interactive:
                return None
            adds.append((here, ["git", *kept, "add", *args]))
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
    import subprocess
    import tempfile

    fd, index = tempfile.mkstemp(prefix="impl-hooks-index-", dir=repo.git_dir)
    os.close(fd)
    saved = os.environ.get("GIT_INDEX_FILE")
    try:
        try:
            shutil.copyfile(os.path.join(repo.git_dir, "index"), index)
        except FileNotFoundError:
            os.unlink(index)  # no index yet: git starts an empty one
        env = dict(os.environ, GIT_INDEX_FILE=index)
        steps = [(os.path.join(cwd, d), argv) for d, argv in pending.adds]
        if pending.all_tracked:
            steps.append((os.path.join(cwd, pending.directory), ["git", "add", "-u"]))
        for where, argv in steps:
            if not os.path.isdir(where) or _toplevel(where) != repo.root or subprocess.run(
                    argv, cwd=where, env=env, stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
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
    import subprocess

    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=directory,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return proc.stdout.decode("utf-8", "surrogateescape").strip() if proc.returncode == 0 else None


# -- the answer --------------------------------------------------------------------

def _warn(message: str):
    """Allow, and tell the user why we could not judge (systemMessage is shown to the user)."""
    line = f"{PROG}: {message}"
    return 0, json.dumps({"systemMessage": line}, ensure_ascii=False) + "\n", line + "\n"


def reason_text(findings: list, intro: str, outro: str, limit: int = REASON_LIMIT) -> str:
    """Intro, the findings like `impl-hooks check` prints them (capped), and what to do."""
    from .findings import render_text

    shown, size = [], 0
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
    if event == "PreToolUse":
        tool_input = payload.get("tool_input")
        command = tool_input.get("command") if isinstance(tool_input, dict) else None
        if payload.get("tool_name") != "Bash" or not isinstance(command, str):
            return ALLOW
        pending = find_commit(command)
        if pending is None:
            return ALLOW
    elif event == "Stop":
        if payload.get("stop_hook_active"):
            return ALLOW  # Claude is already continuing because of a Stop hook: never loop
        pending = WORK_IN_PROGRESS
    else:
        return ALLOW
    cwd = payload.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        cwd = os.getcwd()
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
        reason = reason_text(blocking, "impl-hooks refused this commit:",
                             "Fix these, stage the fixes (git add), then commit again.")
        output = {"hookSpecificOutput": {"hookEventName": "PreToolUse",
                                         "permissionDecision": "deny",
                                         "permissionDecisionReason": reason}}
    else:
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
