"""The one way into the work tree for every read and write impl-hooks makes there.

The work tree is not trusted: a commit can carry a symlink to `.git/config`
or to a file outside the repository. So a path is walked from the repository
root one component at a time with O_NOFOLLOW: no symlink is followed at any
component, nothing outside the root and nothing under a git directory is
reached, and a write goes to a temporary file beside its target that is then
renamed over it (a reader sees the old file or the new one, never half).
"""
from __future__ import annotations

import os
import re
import stat

from .errors import UsageError
from .lazyre import lazy

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_DIR_FLAGS = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
# The walk needs openat(2) and O_NOFOLLOW (Linux, macOS, the BSDs); elsewhere it refuses.
_CAN_WALK = bool(_NOFOLLOW and _DIRECTORY) and os.open in os.supports_dir_fd
# Names a file system may treat as `.git`: any case, trailing dots or spaces
# (NTFS), its 8.3 short name, code points HFS+ ignores.
_HFS_IGNORED = lazy("[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]")


class PathError(UsageError):
    """A work-tree path that cannot be read or written; one line naming it and why."""

    def __init__(self, lead: str, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{lead} {shown(path)}: {reason}")


class UnsafePath(PathError):
    """A path refused because following it is not safe (symlink, git dir, out of the repository)."""

    def __init__(self, verb: str, path: str, reason: str):
        super().__init__(f"refusing to {verb}", path, reason)


def shown(path: str) -> str:
    """A path fit for one line of output: control characters escaped, length capped."""
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", path[:200])
    return text + "..." if len(path) > 200 else text


def git_dirs(repo) -> list:
    """The repository's git directories: its own (a linked worktree's), the common one,
    and $GIT_DIR / $GIT_COMMON_DIR when set (relative ones are read from the cwd, as git does)."""
    found = [repo.git_dir, repo.common_dir]
    found += [os.path.abspath(os.environ[name]) for name in ("GIT_DIR", "GIT_COMMON_DIR") if os.environ.get(name)]
    return found


def is_git_name(part: str) -> bool:
    """A path component some file system resolves to `.git`."""
    name = (part if part.isascii() else _HFS_IGNORED.sub("", part)).rstrip(". ").lower()
    return name in (".git", "git~1")


def path_problem(path: str) -> str:
    """Why `path` is not a plain relative path inside the repository, or ""."""
    if not path:
        return "the path is empty"
    if "\0" in path:
        return "the path contains a NUL byte"
    if path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path):
        return "it is an absolute path"
    parts = re.split(r"[\\/]", path)
    if ".." in parts:
        return "it leads out of the repository"
    if "" in parts or "." in parts:
        return "it has an empty or '.' component"
    if any(is_git_name(part) for part in parts):
        return "it is inside a git directory"
    return ""


def _what(dir_fd: int, name: str, prefix: str, path: str) -> str:
    """Why an existing component (`prefix` of `path`) cannot be used: a symlink, or
    not the kind expected; "" when neither (the caller's own OSError then says why)."""
    subject = "it" if prefix == path else shown(prefix)
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except OSError:
        return ""
    if stat.S_ISLNK(mode):
        return f"{subject} is a symlink"
    if prefix != path and not stat.S_ISDIR(mode):
        return f"{subject} is not a folder"
    if prefix == path and not stat.S_ISREG(mode):
        return f"{subject} is not a regular file"
    return ""


def _open_folder(repo, path: str, verb: str, create: bool) -> int:
    """A descriptor of the folder that holds `path`'s last component, reached
    without following a symlink and through no git directory.

    FileNotFoundError when a folder is missing and `create` is false.
    """
    why = path_problem(path)
    if why:
        raise UnsafePath(verb, path, why)
    if not _CAN_WALK:
        raise PathError(f"cannot {verb}", path, "this system cannot open a path without following symlinks")
    guarded = set()
    for folder in git_dirs(repo):
        try:
            info = os.stat(folder)
        except OSError:
            continue
        guarded.add((info.st_dev, info.st_ino))
    parts = path.split("/")

    def outside_git_dirs(fd: int, depth: int) -> None:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) in guarded:
            where = shown("/".join(parts[:depth])) or "the repository root"
            raise UnsafePath(verb, path, f"{where} is a git directory")

    fd = os.open(repo.root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for depth, part in enumerate(parts[:-1]):
            outside_git_dirs(fd, depth)
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, 0o777, dir_fd=fd)
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError:
                why = _what(fd, part, "/".join(parts[:depth + 1]), path)
                if not why:
                    raise
                raise UnsafePath(verb, path, why) from None
            os.close(fd)
            fd = child
        outside_git_dirs(fd, len(parts) - 1)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(repo, path: str) -> bytes | None:
    """The content of a regular file at `path` (relative, `/`-separated), or None when
    it does not exist. UnsafePath for a symlink, a non-file, or a path out of bounds;
    PathError when the system refuses (permissions)."""
    try:
        return _read(repo, path)
    except OSError as exc:
        raise PathError("cannot read", path, exc.strerror or type(exc).__name__) from None


def _read(repo, path: str) -> bytes | None:
    try:
        folder = _open_folder(repo, path, "read", create=False)
    except FileNotFoundError:
        return None
    try:
        name = path.rsplit("/", 1)[-1]
        try:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC, dir_fd=folder)
        except FileNotFoundError:
            return None
        except OSError:
            why = _what(folder, name, path, path)
            if not why:
                raise
            raise UnsafePath("read", path, why) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UnsafePath("read", path, "it is not a regular file")
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    finally:
        os.close(folder)


def read_text(repo, path: str) -> str | None:
    """read_bytes as UTF-8 text with its newlines kept."""
    data = read_bytes(repo, path)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PathError("cannot read", path, f"not UTF-8 text (byte {exc.start})") from None


def write_bytes(repo, path: str, data: bytes, mode: int | None = None) -> None:
    """Replace (or create) the regular file at `path` atomically, keeping its mode
    (or setting `mode`); missing folders are created. UnsafePath when the path or
    the file is refused, PathError when the system refuses (permissions, a full disk)."""
    try:
        _write(repo, path, data, mode)
    except OSError as exc:
        raise PathError("cannot write", path, exc.strerror or type(exc).__name__) from None


def _write(repo, path: str, data: bytes, new_mode: int | None = None) -> None:
    folder = _open_folder(repo, path, "write", create=True)
    try:
        name = path.rsplit("/", 1)[-1]
        try:
            mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            raise UnsafePath("write", path, _what(folder, name, path, path))
        replace_in(folder, name, data, new_mode if new_mode is not None
                   else None if mode is None else stat.S_IMODE(mode))
    finally:
        os.close(folder)


def write_text(repo, path: str, text: str, mode: int | None = None) -> None:
    """write_bytes of UTF-8 text, newlines as given."""
    write_bytes(repo, path, text.encode("utf-8"), mode)


def replace_in(folder: int, name: str, data: bytes, mode: int | None) -> None:
    """Write `data` to a new temporary file in the open folder, then rename it over `name`.

    `mode` None: a new file's mode (0o666 less the umask)."""
    temp = f".impl-hooks-{os.urandom(6).hex()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(fd, mode)
            handle.write(data)
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        try:
            os.unlink(temp, dir_fd=folder)
        except OSError:
            pass
        raise
