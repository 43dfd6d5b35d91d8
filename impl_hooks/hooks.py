"""Console scripts that pre-commit runs: one small process per hook id.

They import neither click, GitPython nor anthropic (see DESIGN.md "Speed"):
a small argv parser, subprocess git plumbing and stdlib readers only. This
module and cli.py are the only places that print or exit.
"""
from __future__ import annotations

import codecs
import os
import sys

from .argv import parse
from .errors import ConfigError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:  # `collections` costs 2 ms to import, and git is not started yet
    from collections.abc import Callable, Sequence

FORMAT_USAGE = "[--format text|json|github]"


def _lenient(error: UnicodeError) -> tuple[bytes, int]:
    """Encode error handler: undecodable path bytes (surrogates) go out as
    themselves, any other character the encoding lacks as a \\u escape."""
    if not isinstance(error, UnicodeEncodeError):
        raise error  # registered by name: a decoder could name it too
    out = bytearray()
    for char in error.object[error.start:error.end]:
        code = ord(char)
        out += bytes([code - 0xDC00]) if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}".encode("ascii")
    return bytes(out), error.end


_LENIENT = "impl-hooks-lenient"
codecs.register_error(_LENIENT, _lenient)


def emit(text: str, stream=None) -> None:
    """Print a line whatever the terminal's encoding: a path with bytes that are
    not UTF-8 goes out as those bytes, a character the encoding lacks as an escape."""
    stream = stream or sys.stdout
    line = text + "\n"
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(line.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        return
    data = line.encode(getattr(stream, "encoding", None) or "utf-8", _LENIENT)
    stream.flush()
    buffer.write(data)
    buffer.flush()


def report(findings: list, fmt: str, stream=None) -> int:
    """Print findings in the chosen format and return the exit code they mean."""
    from .findings import RENDERERS, exit_code

    out = RENDERERS[fmt](findings)
    if out and (fmt != "text" or findings):
        emit(out, stream)
    elif fmt == "json":
        emit("[]", stream)
    return exit_code(findings)


PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for git killed by a closed pipe


def closed_pipe() -> int:
    """The reader of stdout went away (`| head`): end quietly, as git does.
    Later writes (the interpreter's last flush) go to /dev/null."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return PIPE_CLOSED


def flushed(code: int) -> int:
    """`code`, once stdout is flushed; a closed pipe found here ends quietly too."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return closed_pipe()
    return code


def _error_line(text: str) -> None:
    """One line on stderr, control characters escaped (a path cannot move the cursor)."""
    from .findings import printable

    emit(printable(text), sys.stderr)


def guarded(body: Callable[[], int]) -> int:
    """Turn every expected failure into one line on stderr and exit 2."""
    try:
        return flushed(body())
    except BrokenPipeError:
        return closed_pipe()
    except ConfigError as exc:
        _error_line(str(exc))
        return 2
    except UsageError as exc:
        _error_line(f"impl-hooks: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a crash is a bug: one line, no traceback
        if os.environ.get("IMPL_HOOKS_DEBUG"):
            raise
        _error_line(f"impl-hooks: internal error: {type(exc).__name__}: {exc} "
                    "(set IMPL_HOOKS_DEBUG=1 for the traceback)")
        return 2


def _staged_snapshot(names=()):
    """The staged snapshot. git finds the repository and reads the index while the
    checks in `names` are imported, on the machine's other core."""
    from .snapshot import Repo, Snapshot, start_staged_diff

    asked, diff = Repo.ask(), start_staged_diff()
    if names:
        from .runner import check_functions

        check_functions(names)
    try:
        repo = Repo.discover(asked=asked)
    except UsageError:
        diff.result()
        raise
    if repo.bare:
        diff.result()
        raise UsageError("a bare repository has no index to check: use --range A..B, "
                         "or impl-hooks pre-receive in its hooks")
    return Snapshot.staged(repo, diff)


def _check_hook(hook_id: str, argv: Sequence[str] | None) -> int:
    """Run a hook's checks on the staged snapshot, or on each commit of a push or
    `--range` (file names pre-commit passes are ignored)."""
    def body() -> int:
        from .runner import HOOK_CHECKS

        args = parse(argv, hook_id, f"{FORMAT_USAGE} [--range A..B] [--branch NAME]",
                     valued=("--format", "--range", "--branch"))
        findings = run_hook_checks(HOOK_CHECKS[hook_id], args.get("--range"), args.get("--branch"))
        return report(findings, args.get("--format"))

    return guarded(body)


def run_hook_checks(names, rev_range: str | None = None, branch: str | None = None) -> list:
    """The staged snapshot, or a range: `--range`, else the refs pre-commit gives a pre-push hook.

    Config warnings (an edit that is not staged, a staged one that turns checks
    off, a pushed one not in force yet) go to stderr: they block nothing, and no
    config can ignore them."""
    from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    local = os.environ.get("PRE_COMMIT_LOCAL_BRANCH")
    if rev_range is None and not local and not (from_ref and to_ref):
        return _check_staged(names)
    from .ranges import check_range, push_range
    from .snapshot import Repo

    repo = Repo.discover()
    subject = "the range"
    if rev_range is None:
        # pre-push gives no refs for a branch whose history the remote lacks entirely
        rev_range = push_range(repo, from_ref or "", to_ref or local or "")
        branch = branch or _branch_name(local or "")
        subject = "the push"
    elif branch is None:
        branch = os.environ.get("GITHUB_HEAD_REF") or (None if repo.bare else repo.branch())
    findings, warnings = check_range(repo, rev_range, branch, names, subject)
    warn(warnings)
    return findings


def _check_staged(names) -> list:
    snapshot = _staged_snapshot(names)  # first: git starts before the imports
    from .config import load_config, staged_config_weakens
    from .runner import run_checks

    config = load_config(snapshot)
    warn_unstaged_config(snapshot)
    warn([staged_config_weakens(snapshot, config)])
    return run_checks(snapshot, names, config)


def warn_unstaged_config(snapshot) -> None:
    """The config is read from the index: say so when the work tree's differs."""
    from .config import unstaged_config

    warn(f"{name} has changes that are not staged; they count once you git add {name}"
         for name in unstaged_config(snapshot))


def warn(lines) -> None:
    """One stderr line per warning that is not a finding."""
    for line in lines:
        if line:
            emit(f"impl-hooks: warning: {line}", sys.stderr)


def _branch_name(ref: str) -> str | None:
    return ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else (ref or None)


def check_main(argv: Sequence[str] | None = None) -> int:
    return _check_hook("impl-check", argv)


def branch_main(argv: Sequence[str] | None = None) -> int:
    return _check_hook("impl-branch", argv)


def plan_main(argv: Sequence[str] | None = None) -> int:
    return _check_hook("impl-plan", argv)


def reports_main(argv: Sequence[str] | None = None) -> int:
    return _check_hook("impl-reports", argv)


def structure_main(argv: Sequence[str] | None = None) -> int:
    """S001-S003; with --fix, rewrite the sections in the work tree and fail so the user re-stages."""
    def body() -> int:
        from .runner import run_checks

        args = parse(argv, "impl-structure", f"{FORMAT_USAGE} [--fix]", flags=("--fix",))
        snapshot = _staged_snapshot()
        if args.get("--fix"):
            return fix_structure(snapshot)
        return report(run_checks(snapshot, ["structure"]), args.get("--format"))

    return guarded(body)


def fix_structure(snapshot) -> int:
    """Rewrite stale structure sections atomically; never touches the index."""
    from .checks.structure import fixed_texts
    from .config import load_config
    from .runner import run_checks
    from .safepath import write_text

    config = load_config(snapshot)
    rewritten = fixed_texts(snapshot, config)
    for file, text in rewritten.items():
        write_text(snapshot.repo, file, text)
        emit(f"rewrote {file}")
    if rewritten:
        emit(f"impl-hooks: review and stage the change: git add {' '.join(sorted(rewritten))}")
        return 1
    return report(run_checks(snapshot, ["structure"], config), "text")


def agent_main(argv: Sequence[str] | None = None) -> int:
    """The agent pass (opt-in hook): Claude reviews the staged change against the plan step."""
    def body() -> int:
        args = parse(argv, "impl-agent", f"{FORMAT_USAGE} [--no-cache] [--fix]", flags=("--no-cache", "--fix"))
        snapshot = _staged_snapshot()
        if args.get("--fix"):
            return agent_fix(snapshot)
        return agent_review(snapshot, args.get("--no-cache", False), args.get("--format"))

    return guarded(body)


def agent_review(snapshot, no_cache: bool, fmt: str) -> int:
    from .agent.gather import gather
    from .agent.progress import elapsed_ticker
    from .agent.run import format_summary, review
    from .config import load_config
    from .context import Contexts
    from .findings import filter_findings

    config = load_config(snapshot)
    inputs = gather(snapshot, Contexts(snapshot), config)
    result = review(inputs, config["agent"], snapshot.repo.common_dir, no_cache=no_cache,
                    progress=elapsed_ticker(), cwd=snapshot.root)
    for note in result.notes:
        emit(f"agent: {note}", sys.stderr)
    emit(format_summary(result), sys.stderr)
    return report(filter_findings(result.findings, config["ignore"], snapshot.line_of), fmt)


def agent_fix(snapshot) -> int:
    """Ask the agent to edit the work tree so the deterministic findings go away."""
    from .agent.fix import fix
    from .agent.progress import elapsed_ticker
    from .config import load_config
    from .runner import HOOK_CHECKS, run_checks
    from .safepath import shown

    config = load_config(snapshot)
    findings = [f for f in run_checks(snapshot, HOOK_CHECKS["impl-check"], config) if f.blocks]
    if not findings:
        emit("agent --fix: nothing to fix, the deterministic checks pass")
        return 0
    result = fix(snapshot, findings, config["agent"], progress=elapsed_ticker())
    for note in result.notes:
        emit(f"agent: {note}", sys.stderr)
    if result.error:
        emit(f"impl-hooks: agent --fix: {result.error}", sys.stderr)
        if result.hint:
            emit(f"  hint: {result.hint}", sys.stderr)
        return 2
    for path, how in result.written:
        emit(f"{how} {path}")
    for path, reason in result.refused:
        emit(f"refused {shown(path)}: {reason}", sys.stderr)
    if result.written:
        emit(f"impl-hooks: review the edits and stage them: git add {' '.join(p for p, _ in result.written)}")
        return 1
    emit("agent --fix: no change written")
    return 1


def branch_created_main(argv: Sequence[str] | None = None) -> int:
    """post-checkout: a branch that was just created is named after the issue."""
    def body() -> int:
        from .checks.branch import check as branch_check
        from .config import load_config
        from .context import Contexts
        from .snapshot import Repo, Snapshot

        args = parse(argv, "impl-branch-created", f"{FORMAT_USAGE} [PREV NEW FLAG]")
        checkout_type = os.environ.get("PRE_COMMIT_CHECKOUT_TYPE")
        if checkout_type is None and len(args.positionals) == 3:
            checkout_type = args.positionals[2]
        if checkout_type != "1":
            return 0  # a file checkout, not a branch switch
        repo = Repo.discover()
        branch = repo.branch()
        if branch is None or not just_created(repo, branch):
            return 0
        snapshot = Snapshot(repo, before=repo.head(), branch=branch, stage="post-checkout")
        config = load_config(snapshot)
        findings = [f for f in branch_check(snapshot, Contexts(snapshot), config) if f.code == "B001"]
        # git keeps the branch either way; a non-zero exit is what makes pre-commit show the fix
        return report(findings, args.get("--format"))

    return guarded(body)


def just_created(repo, branch: str) -> bool:
    """The branch's reflog holds only its creation."""
    log = os.path.join(repo.common_dir, "logs", "refs", "heads", *branch.split("/"))
    try:
        with open(log, "rb") as fh:
            entries = fh.read().splitlines()
    except OSError:
        return False
    return len(entries) == 1 and b"\tbranch: Created from" in entries[0]


def _issue_for_message(repo) -> tuple:
    """The issue the commit is for: from the branch, else from the context."""
    from .config import branch_issue
    from .config import load_config
    from .context import Contexts
    from .snapshot import Snapshot

    snapshot = Snapshot(repo, before=repo.head(), branch=repo.branch())
    config = load_config(snapshot)
    issue = branch_issue(snapshot.branch, config)
    if issue is None:
        context = Contexts(snapshot).current()
        issue = context.issue if context is not None and context.issue else None
    return issue, config, snapshot


def _message_file(argv, prog: str, usage: str):
    args = parse(argv, prog, usage)
    if not args.positionals:
        raise UsageError(f"{prog}: the commit message file is missing (usage: {prog} {usage})")
    return args


def commit_msg_main(argv: Sequence[str] | None = None) -> int:
    """commit-msg: M001 when the message does not name the issue."""
    def body() -> int:
        from .checks.message import check_message
        from .findings import filter_findings
        from .snapshot import Repo

        args = _message_file(argv, "impl-commit-msg", f"{FORMAT_USAGE} MESSAGE_FILE")
        message_file = args.positionals[0]
        repo = Repo.discover()
        issue, config, _ = _issue_for_message(repo)
        text = _read_message(message_file)
        display = os.path.relpath(message_file, repo.root) if os.path.isabs(message_file) else message_file
        findings = filter_findings(check_message(text, display, issue), config["ignore"], lambda p, n: None)
        return report(findings, args.get("--format"))

    return guarded(body)


def _read_message(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the commit message ({exc.strerror})") from None


def prepare_msg_main(argv: Sequence[str] | None = None) -> int:
    """prepare-commit-msg: put the branch's issue id into the message."""
    def body() -> int:
        from .checks.message import prepare_message
        from .snapshot import Repo

        args = _message_file(argv, "impl-prepare-msg", "MESSAGE_FILE [SOURCE [SHA]]")
        message_file = args.positionals[0]
        source = args.positionals[1] if len(args.positionals) > 1 else os.environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE")
        repo = Repo.discover()
        issue, config, _ = _issue_for_message(repo)
        text = _read_message(message_file)
        new_text = prepare_message(text, issue, config["message"]["template"], source)
        if new_text is not None:
            with open(message_file, "wb") as fh:
                fh.write(new_text.encode("utf-8"))
        return 0

    return guarded(body)
