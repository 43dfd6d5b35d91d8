"""Every git call: one place that starts git, always in the C locale.

On POSIX git is started with `os.posix_spawn` and plain pipes, so a hook
does not import `subprocess` (threading, selectors, signal: ~4 ms of a
~50 ms run); elsewhere `subprocess` does the same work. A call can be
started early and collected later (`start`), so git reads the index on
one core while Python imports the checks on the other.
"""
from __future__ import annotations

import os

from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from typing import IO

_SPAWN = hasattr(os, "posix_spawnp") and hasattr(os, "waitstatus_to_exitcode")
CHUNK = 1 << 18  # bytes a read asks for: a 100k-file listing is ~40 reads


def git_env(extra: dict | None = None) -> dict:
    """The environment for every git call: the C locale, so git's messages are the
    same on a German server as here. Answers come from plumbing (`rev-parse
    --is-bare-repository`, exit codes), never from matching git's wording."""
    env = dict(os.environ, LC_ALL="C")
    if extra:
        env.update(extra)
    return env


def _argv(args, cwd: str | None) -> list:
    # posix_spawn has no working directory of its own: `git -C` is the same thing
    return ["git", "-C", cwd, *args] if cwd else ["git", *args]


class Call:
    """A git process started with its input; `result()` waits and collects."""

    def __init__(self, args, cwd: str | None = None, input: bytes | None = None, env: dict | None = None):
        self.args = args
        self.input = input
        env = env if env is not None else git_env()
        self._popen: subprocess.Popen[bytes] | None = None
        if _SPAWN:
            try:
                self._spawn(_argv(args, cwd), env)
                return
            except FileNotFoundError:
                raise UsageError("git is not installed or not on PATH") from None
            except _FallBack:
                pass
        self._start_popen(args, cwd, env)

    def _spawn(self, argv: list, env: dict) -> None:
        self._stdin: int | None
        stdin_r, self._stdin = os.pipe() if self.input is not None else (os.open(os.devnull, os.O_RDONLY), None)
        self._stdout, stdout_w = os.pipe()
        self._stderr, stderr_w = os.pipe()
        child = (stdin_r, stdout_w, stderr_w)
        mine = (self._stdin, self._stdout, self._stderr)
        try:
            if min(child) < 3:  # a closed standard stream was reused: dup2 onto itself keeps close-on-exec
                raise _FallBack
            self.pid = os.posix_spawnp("git", argv, env, file_actions=[
                (os.POSIX_SPAWN_DUP2, stdin_r, 0), (os.POSIX_SPAWN_DUP2, stdout_w, 1),
                (os.POSIX_SPAWN_DUP2, stderr_w, 2)])
        except BaseException:
            for fd in mine:
                if fd is not None:
                    os.close(fd)
            raise
        finally:
            for fd in child:
                os.close(fd)

    def _start_popen(self, args, cwd: str | None, env: dict) -> None:
        import subprocess

        try:
            self._popen = subprocess.Popen(
                ["git", *(os.fsdecode(a) for a in args)], cwd=cwd, env=env,
                stdin=subprocess.PIPE if self.input is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise UsageError("git is not installed or not on PATH") from None

    def result(self) -> tuple:
        """(exit code, stdout, stderr), once git has ended."""
        if self._popen is not None:
            out, err = self._popen.communicate(self.input)
            return self._popen.returncode, out, err
        out, err = _exchange(self._stdin, self.input or b"", self._stdout, self._stderr)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status), out, err

    def output(self, check: bool = True) -> bytes:
        """stdout; with `check`, a failure is a UsageError with git's own last line."""
        code, out, err = self.result()
        if check and code != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            raise UsageError(message[-1] if message else f"git {os.fsdecode(self.args[0])} failed")
        return out


class _FallBack(Exception):
    """posix_spawn cannot be used for this call: subprocess starts it."""


def _exchange(stdin: int | None, data: bytes, stdout: int, stderr: int) -> tuple:
    """Write `data`, read both outputs until they close; never blocks on a full pipe."""
    import select

    chunks: dict = {stdout: [], stderr: []}
    poller = select.poll()
    poller.register(stdout, select.POLLIN)
    poller.register(stderr, select.POLLIN)
    todo = memoryview(data)
    if stdin is not None:
        if todo:
            poller.register(stdin, select.POLLOUT)
        else:
            os.close(stdin)
            stdin = None
    open_fds = 2 + (stdin is not None)
    while open_fds:
        for fd, _event in poller.poll():
            if fd == stdin:
                try:
                    todo = todo[os.write(fd, todo[:select.PIPE_BUF]):]
                except BrokenPipeError:  # git stopped reading: its answer says why
                    todo = todo[:0]
                if not todo:
                    poller.unregister(fd)
                    os.close(fd)
                    open_fds -= 1
                continue
            data = os.read(fd, CHUNK)
            if data:
                chunks[fd].append(data)
            else:
                poller.unregister(fd)
                os.close(fd)
                open_fds -= 1
    return b"".join(chunks[stdout]), b"".join(chunks[stderr])


def start(args, cwd: str | None = None, input: bytes | None = None, env: dict | None = None) -> Call:
    """Start git now; collect its answer later with `.output()` or `.result()`."""
    return Call(args, cwd, input, env)


def run(args, cwd: str | None = None, input: bytes | None = None, check: bool = True,
        env: dict | None = None) -> bytes:
    """Run git and return stdout; a failure is a UsageError with git's own line."""
    return Call(args, cwd, input, env).output(check)


def status(args, cwd: str | None = None, input: bytes | None = None, env: dict | None = None) -> tuple:
    """(exit code, stdout, stderr) of a git call whose failure is an answer."""
    return Call(args, cwd, input, env).result()


class Pipe:
    """A long-lived git process fed line by line (`cat-file --batch`): its
    `stdin` and `stdout` are buffered binary files; stderr is the caller's."""

    def __init__(self, args, cwd: str | None = None):
        self._popen: subprocess.Popen[bytes] | None = None
        self.stdin: IO[bytes]
        self.stdout: IO[bytes]
        if _SPAWN:
            stdin_r, stdin_w = os.pipe()
            stdout_r, stdout_w = os.pipe()
            try:
                if min(stdin_r, stdout_w) < 3:
                    raise _FallBack
                self.pid = os.posix_spawnp("git", _argv(args, cwd), git_env(), file_actions=[
                    (os.POSIX_SPAWN_DUP2, stdin_r, 0), (os.POSIX_SPAWN_DUP2, stdout_w, 1)])
            except FileNotFoundError:
                os.close(stdin_w)
                os.close(stdout_r)
                raise UsageError("git is not installed or not on PATH") from None
            except _FallBack:
                os.close(stdin_w)
                os.close(stdout_r)
            else:
                self.stdin = os.fdopen(stdin_w, "wb")
                self.stdout = os.fdopen(stdout_r, "rb")
                return
            finally:
                os.close(stdin_r)
                os.close(stdout_w)
        import subprocess

        try:
            popen = self._popen = subprocess.Popen(["git", *args], cwd=cwd, env=git_env(),
                                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except FileNotFoundError:
            raise UsageError("git is not installed or not on PATH") from None
        assert popen.stdin is not None and popen.stdout is not None  # both are pipes
        self.stdin, self.stdout = popen.stdin, popen.stdout

    def close(self) -> None:
        """End the process: git exits when its input closes.

        A plain wait: with a timeout, `wait` polls and sleeps, about 1 ms a run."""
        if getattr(self, "stdout", None) is None or self.stdout.closed:
            return  # never started, or closed already
        try:
            self.stdin.close()
        except OSError:
            pass
        if self._popen is not None:
            self._popen.wait()
        else:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass  # reaped already
        self.stdout.close()

    __del__ = close  # when its reader goes, without importing weakref for a finalizer
