"""What is being committed: the staged (or committed) tree against its before-state.

Everything is read through git plumbing, never from the work tree, so a
partially staged file or an untracked report is seen as git will commit it.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable

from .errors import UsageError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
INDEX = None  # the "after" side of a pre-commit snapshot
NULL_SHA = "0" * 40


def git_env() -> dict:
    """The environment for every git call: the C locale, so git's messages are the
    same on a German server as here. Answers come from plumbing (`rev-parse
    --is-bare-repository`, exit codes), never from matching git's wording."""
    return dict(os.environ, LC_ALL="C")


def git(args: list[str], cwd: str | None = None, input: bytes | None = None,
        check: bool = True) -> bytes:
    """Run git and return stdout; a failure is a UsageError with git's own line."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, input=input, env=git_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed or not on PATH") from None
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def decode_path(raw: bytes) -> str:
    """Paths keep undecodable bytes as surrogates, so they round-trip to git."""
    return os.fsdecode(raw)


class Change:
    """One entry of `git diff --raw`: status letter A M D R C T, paths and blob ids."""

    __slots__ = ("status", "path", "old_path", "old_sha", "new_sha", "new_mode")

    def __init__(self, status: str, path: str, old_path: str = "", old_sha: str = "",
                 new_sha: str = "", new_mode: str = ""):
        self.status = status
        self.path = path          # the path after the change (the old path for D)
        self.old_path = old_path  # for R and C
        self.old_sha = old_sha
        self.new_sha = new_sha
        self.new_mode = new_mode

    def __repr__(self) -> str:
        return f"Change({self.status} {self.old_path + ' -> ' if self.old_path else ''}{self.path})"


class Repo:
    """Where the repository is; found with one `git rev-parse`."""

    def __init__(self, root: str, git_dir: str, common_dir: str, head_sha: str | None = None,
                 bare: bool = False):
        self.bare = bare
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        self.head_sha = head_sha

    @classmethod
    def discover(cls, cwd: str | None = None) -> "Repo":
        # One call answers all; --show-toplevel fails in a bare repository (or inside
        # a git directory), after the lines before it; on an unborn branch git echoes
        # "HEAD" and fails.
        proc = subprocess.run(
            ["git", "rev-parse", "--is-bare-repository", "--absolute-git-dir", "--git-common-dir",
             "--show-toplevel", "HEAD"],
            cwd=cwd, env=git_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) < 3:
            raise UsageError("not a git repository (or any parent up to the root)")
        git_dir, common = lines[1], lines[2]
        if not os.path.isabs(common):
            common = os.path.normpath(os.path.join(cwd or os.getcwd(), common))
        if lines[0] == "true" or len(lines) < 4:  # no work tree: a server's pre-receive
            return cls(root=git_dir, git_dir=git_dir, common_dir=common, bare=True)
        head = lines[4] if len(lines) > 4 and proc.returncode == 0 and lines[4] != "HEAD" else None
        return cls(root=lines[3], git_dir=git_dir, common_dir=common, head_sha=head)

    def git(self, args: list[str], **kwargs) -> bytes:
        return git(args, cwd=self.root, **kwargs)

    def head(self) -> str | None:
        """HEAD's commit, or None on an unborn branch."""
        return self.head_sha

    def branch(self) -> str | None:
        """The branch being committed to; during a rebase, the branch being rebased."""
        try:
            with open(os.path.join(self.git_dir, "HEAD"), encoding="utf-8", errors="replace") as fh:
                head = fh.read().strip()
        except OSError:
            head = ""
        if head.startswith("ref: refs/heads/"):
            return head[len("ref: refs/heads/"):]
        for state in ("rebase-merge", "rebase-apply"):
            name = os.path.join(self.git_dir, state, "head-name")
            try:
                with open(name, encoding="utf-8", errors="replace") as fh:
                    ref = fh.read().strip()
            except OSError:
                continue
            if ref.startswith("refs/heads/"):
                return ref[len("refs/heads/"):]
        return None

    def operation(self) -> str:
        """The operation in progress (rebase, merge, cherry-pick, revert), or ''."""
        for marker, name in (("rebase-merge", "rebase"), ("rebase-apply", "rebase"),
                             ("MERGE_HEAD", "merge"), ("CHERRY_PICK_HEAD", "cherry-pick"),
                             ("REVERT_HEAD", "revert")):
            if os.path.exists(os.path.join(self.git_dir, marker)):
                return name
        return ""


class BlobReader:
    """Reads blobs through one long-lived `git cat-file --batch` process, so a
    run (or a whole range of commits) starts git once for all its reads."""

    CHUNK = 500  # ids written before reading answers: stays far below a pipe's buffer

    def __init__(self, repo: Repo):
        self.repo = repo
        self.cache: dict[str, bytes] = {}
        self._proc: subprocess.Popen | None = None

    def _process(self) -> subprocess.Popen:
        if self._proc is None:
            self._proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.repo.root, env=git_env(),
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            import weakref

            weakref.finalize(self, _close, self._proc)
        return self._proc

    def read_many(self, shas: Iterable[str]) -> dict[str, bytes]:
        shas = list(shas)
        wanted = [s for s in dict.fromkeys(shas) if s and s != NULL_SHA and s not in self.cache]
        for start in range(0, len(wanted), self.CHUNK):
            chunk = wanted[start:start + self.CHUNK]
            proc = self._process()
            proc.stdin.write(("\n".join(chunk) + "\n").encode())
            proc.stdin.flush()
            for sha in chunk:
                header = proc.stdout.readline().split()
                if len(header) < 3 or header[1] == b"missing":
                    if not header:
                        raise UsageError("git cat-file stopped answering")
                    continue
                size = int(header[2])
                self.cache[sha] = proc.stdout.read(size)
                proc.stdout.read(1)  # the newline after the content
        return {s: self.cache[s] for s in shas if s in self.cache}


def _close(proc: subprocess.Popen) -> None:
    """End the reader: git exits when its input closes.

    A plain wait: with a timeout, `wait` polls and sleeps, about 1 ms a run."""
    try:
        proc.stdin.close()
    except OSError:
        proc.kill()
    proc.wait()
    proc.stdout.close()


class TreeFiles:
    """Every file of a commit (path -> blob id), moved forward commit by commit
    through a range, with the glob listings asked so far kept up to date."""

    def __init__(self, blobs: dict[str, str]):
        self.blobs = blobs
        self.listings: dict[tuple, set] = {}

    def list(self, patterns: tuple) -> list[str]:
        from .globs import match_git_glob

        if patterns not in self.listings:
            self.listings[patterns] = {p for p in self.blobs if match_git_glob(p, patterns)}
        return sorted(self.listings[patterns])

    def apply(self, changes: list[Change]) -> None:
        """Move from a parent to its child, from the child's diff."""
        from .globs import match_git_glob

        touched = []
        for change in changes:
            touched.append(change.path)
            if change.status == "R":
                self.blobs.pop(change.old_path, None)
                touched.append(change.old_path)
            if change.status == "D" or change.new_mode == "160000":
                self.blobs.pop(change.path, None)
            else:
                self.blobs[change.path] = change.new_sha
        for patterns, found in self.listings.items():
            for path in touched:
                if path in self.blobs and match_git_glob(path, patterns):
                    found.add(path)
                else:
                    found.discard(path)


class Snapshot:
    """The tree being committed (`after`, the index by default) against `before`.

    `before`/`after` are commit-ish names or None (the index for `after`, the
    empty tree for `before`), so the same object serves a pre-commit run and
    each commit of a range.
    """

    def __init__(self, repo: Repo, before: str | None, after: str | None = INDEX,
                 branch: str | None = None, commit_label: str = "",
                 stage: str = "pre-commit", blobs: "BlobReader | None" = None,
                 changes: "list[Change] | None" = None):
        self.repo = repo
        self.stage = stage  # pre-commit | pre-push | range | post-checkout
        self.before = before
        self.after = after
        self.branch = branch
        self.commit_label = commit_label
        self.blobs = blobs or BlobReader(repo)  # a range shares one reader (and its cache)
        self._shas: dict[tuple, str | None] = {}
        self._changes: list[Change] | None = changes
        if changes is not None:
            self._seed(changes)
        self._listing: dict[tuple, list[str]] = {}
        self.memo: dict = {}  # what checks derive from the snapshot, shared within one run
        self.files: TreeFiles | None = None  # every file of `after`, kept by a range

    @classmethod
    def staged(cls, repo: Repo) -> "Snapshot":
        return cls(repo, before=repo.head(), after=INDEX, branch=repo.branch())

    @property
    def root(self) -> str:
        return self.repo.root

    # -- what changed -------------------------------------------------------
    @property
    def changes(self) -> list[Change]:
        if self._changes is None:
            before = self.before or EMPTY_TREE
            if self.after is INDEX:
                args = ["diff-index", "--cached", "-z", "-M", "--raw", "--no-abbrev", before]
            else:
                args = ["diff-tree", "-r", "-z", "-M", "--raw", "--no-abbrev", before, self.after]
            self._changes = parse_raw_diff(self.repo.git(args))
            self._seed(self._changes)
        return self._changes

    def _seed(self, changes: list[Change]) -> None:
        """The diff names the blob of every changed path on both sides: keep them,
        so reading a staged file or its before-state asks git nothing more."""
        after = "index" if self.after is INDEX else self.after
        for change in changes:
            if change.new_mode != "160000":
                self._shas[(after, change.path)] = None if change.status == "D" else change.new_sha
            if self.before is not None and change.status != "A":
                self._shas.setdefault((self.before, change.old_path or change.path), change.old_sha)

    @property
    def staged_paths(self) -> list[str]:
        """Paths present after the change that were added or modified."""
        return [c.path for c in self.changes if c.status != "D"]

    @property
    def added_paths(self) -> list[str]:
        return [c.path for c in self.changes if c.status in ("A", "R", "C")]

    @property
    def removed_paths(self) -> list[str]:
        """Deleted paths and the old side of renames."""
        gone = [c.path for c in self.changes if c.status == "D"]
        gone += [c.old_path for c in self.changes if c.status == "R"]
        return gone

    # -- reading trees ------------------------------------------------------
    def _lookup(self, side: str | None, paths: Iterable[str]) -> dict[str, str | None]:
        if self.files is not None and side is not INDEX:
            return self._from_files(side, paths)
        key_side = "index" if side is INDEX else side
        todo = [p for p in dict.fromkeys(paths) if (key_side, p) not in self._shas]
        if todo and side is not INDEX and side == self.before and side != self.after:
            # A path the diff does not name is the same blob on both sides.
            touched = {c.path for c in self.changes} | {c.old_path for c in self.changes}
            same = [p for p in todo if p not in touched]
            if same:
                for p, sha in self._lookup(self.after, same).items():
                    self._shas[(key_side, p)] = sha
                todo = [p for p in todo if p in touched]
        if todo:
            found = self._ls(side, todo)
            for p in todo:
                self._shas[(key_side, p)] = found.get(p)
        return {p: self._shas[(key_side, p)] for p in paths}

    def _ls(self, side: str | None, paths: list[str]) -> dict[str, str]:
        raw = [os.fsencode(p) for p in paths]
        if side is INDEX:
            args = [b"--literal-pathspecs", b"ls-files", b"-s", b"-z", b"--"]
        elif side is None:
            return {}
        else:
            args = [b"--literal-pathspecs", b"ls-tree", b"-z", b"--full-tree", side.encode(), b"--"]
        found: dict[str, str] = {}
        for batch in argv_batches(raw):
            out = _git_bytes(self.repo.root, args + batch)
            for record in out.split(b"\0"):
                if not record:
                    continue
                meta, _, name = record.partition(b"\t")
                fields = meta.split()
                if fields and fields[0] == b"160000":
                    continue  # a submodule: its commit is not in this repository
                if side is INDEX:
                    if len(fields) == 3 and fields[2] in (b"0", b"2"):
                        found[decode_path(name)] = fields[1].decode()
                elif len(fields) == 3 and fields[1] == b"blob":
                    found[decode_path(name)] = fields[2].decode()
        return found

    def read(self, path: str) -> bytes | None:
        """The content `path` will have after the change, or None."""
        return self.read_many([path]).get(path)

    def read_before(self, path: str) -> bytes | None:
        return self.read_many([path], before=True).get(path)

    def read_many(self, paths: Iterable[str], before: bool = False) -> dict[str, bytes]:
        paths = list(paths)
        side = self.before if before else self.after
        if before and side is None:
            return {}
        shas = self._lookup(side, paths)
        blobs = self.blobs.read_many(s for s in shas.values() if s)
        return {p: blobs[s] for p, s in shas.items() if s and s in blobs}

    def read_text(self, path: str, before: bool = False) -> str | None:
        data = self.read_before(path) if before else self.read(path)
        return None if data is None else decode_text(data)

    def line_of(self, path: str, line: int) -> str | None:
        """One line of a file of the tree; the file is split once per run, so
        asking for every line of a file costs the file's size, not its square."""
        key = ("lines", path)
        if key not in self.memo:
            text = self.read_text(path)
            self.memo[key] = None if text is None else text.splitlines()
        lines = self.memo[key]
        return lines[line - 1] if lines is not None and 0 < line <= len(lines) else None

    def _from_files(self, side: str | None, paths: Iterable[str]) -> dict[str, str | None]:
        """Blob ids from the known listing of the commit, and its parent through the diff."""
        known = self.files.blobs
        if side == self.after:
            return {p: known.get(p) for p in paths}
        old = {}
        for change in self.changes:
            if change.status == "A":
                old[change.path] = None
            elif change.status in ("R", "C"):
                old[change.path] = None
                if change.status == "R":
                    old[change.old_path] = change.old_sha
            else:
                old[change.path] = change.old_sha
        return {p: old[p] if p in old else known.get(p) for p in paths}

    def list_paths(self, patterns: Iterable[str], before: bool = False) -> list[str]:
        """Paths of the tree matching git glob pathspecs, in one git call.

        A later question about a subset of earlier patterns is answered from
        that listing; blob ids seen on the way are kept for `read`.
        """
        patterns = tuple(patterns)
        if self.files is not None and not before:
            return self.files.list(patterns)
        side = self.before if before else self.after
        side_key = "index" if side is INDEX else side
        for (key, earlier), result in self._listing.items():
            if key == side_key and set(patterns) <= set(earlier):
                from .globs import match_git_glob

                return [p for p in result if match_git_glob(p, patterns)]
        if side is None and before:
            return []
        # Plain pathspecs (where `*` crosses folders) are a superset of the
        # globs and cheaper for git to match; the globs filter the result.
        specs = [p.replace("**/", "*") for p in patterns]
        if side is INDEX:
            args = ["ls-files", "-s", "-z", "--", *specs]
        else:  # ls-tree takes no globs: list the whole commit (range mode keeps TreeFiles instead)
            args = ["ls-tree", "-r", "-z", "--full-tree", side]
        from .globs import match_git_glob

        found = []
        for record in self.repo.git(args).split(b"\0"):
            meta, _, name = record.partition(b"\t")
            fields = meta.split()
            if len(fields) != 3:
                continue
            path = decode_path(name)
            if not match_git_glob(path, patterns):
                continue
            found.append(path)
            sha = fields[1] if side is INDEX else fields[2]
            if fields[0] != b"160000" and (side is not INDEX or fields[2] in (b"0", b"2")):
                self._shas[(side_key, path)] = sha.decode()
        for literal in patterns:  # a plain path that was not listed is known absent
            if not any(c in literal for c in "*?[") and (side_key, literal) not in self._shas:
                self._shas[(side_key, literal)] = None
        self._listing[(side_key, patterns)] = found
        return found

    def exists(self, paths: Iterable[str]) -> set:
        """Which of `paths` (files or folders) exist in the tree, in one git call."""
        paths = [p.rstrip("/") for p in paths if p.strip("/")]
        if not paths:
            return set()
        specs = [os.fsencode(p) for p in paths]
        if self.after is INDEX:
            args = [b"--literal-pathspecs", b"ls-files", b"-z", b"--"]
        else:
            args = [b"--literal-pathspecs", b"ls-tree", b"-r", b"-z", b"--name-only", b"--full-tree",
                    self.after.encode(), b"--"]
        present = set()
        wanted = set(paths)
        for batch in argv_batches(specs):
            out = _git_bytes(self.repo.root, args + batch)
            for raw in out.split(b"\0"):
                if not raw:
                    continue
                name = decode_path(raw)
                # a file, or every folder above it, that was asked for
                while name:
                    if name in wanted:
                        present.add(name)
                    name = name.rpartition("/")[0]
        return present


ARGV_BYTES = 100_000  # pathspecs per git call: far below the OS limit on a command line
MAX_PATH_BYTES = 4096  # PATH_MAX: no work tree holds a longer path, so no index git built from one


def argv_batches(specs: list[bytes]):
    """Pathspecs in groups that fit on one command line ("Argument list too
    long" never happens); a path longer than MAX_PATH_BYTES is left out, as absent."""
    batch: list[bytes] = []
    size = 0
    for spec in specs:
        if len(spec) > MAX_PATH_BYTES:
            continue
        if batch and size + len(spec) + 1 > ARGV_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(spec)
        size += len(spec) + 1
    if batch:
        yield batch


def _git_bytes(cwd: str, args: list[bytes]) -> bytes:
    proc = subprocess.run([b"git", *args], cwd=cwd, env=git_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(message[-1] if message else "git failed")
    return proc.stdout


def decode_text(data: bytes) -> str:
    """Text for parsers: UTF-8 (BOM dropped), undecodable bytes replaced, CRLF kept."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", "replace")


def parse_raw_diff(out: bytes) -> list[Change]:
    """Parse `git diff --raw -z` output (with rename detection)."""
    changes = []
    fields = out.split(b"\0")
    i = 0
    while i < len(fields):
        meta = fields[i]
        if not meta.startswith(b":"):
            i += 1
            continue
        parts = meta[1:].split()
        old_mode, new_mode, old_sha, new_sha, status = (p.decode() for p in parts[:5])
        letter = status[0]
        if letter in ("R", "C"):
            old_path, new_path = decode_path(fields[i + 1]), decode_path(fields[i + 2])
            changes.append(Change(letter, new_path, old_path, old_sha, new_sha, new_mode))
            i += 3
        else:
            path = decode_path(fields[i + 1])
            changes.append(Change(letter, path, "", old_sha, new_sha, new_mode))
            i += 2
    return changes


def parse_raw_diff_by_commit(out: bytes) -> dict[str, list[Change]]:
    """Parse `git diff-tree --stdin --always -r -z --raw` output: commit id, then its changes."""
    by_commit: dict[str, list[Change]] = {}
    current: list[Change] = []
    fields = out.split(b"\0")
    i = 0
    while i < len(fields):
        field = fields[i].strip(b"\n")
        if not field:
            i += 1
            continue
        if not field.startswith(b":"):
            current = by_commit.setdefault(field.decode(), [])
            i += 1
            continue
        parts = field[1:].split()
        new_mode, old_sha, new_sha, status = (p.decode() for p in parts[1:5])
        if status[0] in ("R", "C"):
            current.append(Change(status[0], decode_path(fields[i + 2]), decode_path(fields[i + 1]),
                                  old_sha, new_sha, new_mode))
            i += 3
        else:
            current.append(Change(status[0], decode_path(fields[i + 1]), "", old_sha, new_sha, new_mode))
            i += 2
    return by_commit


def parse_combined_paths(out: bytes) -> dict[str, set]:
    """Parse `git diff-tree --stdin --cc -p` output: commit id -> the paths with a hunk
    that is in no parent (a clean merge has none). Odd input gives what was understood."""
    by_commit: dict[str, set] = {}
    current: set = set()
    for line in out.split(b"\n"):
        if len(line) in (40, 64) and all(c in b"0123456789abcdef" for c in line):
            current = by_commit.setdefault(line.decode(), set())
        elif line.startswith((b"diff --cc ", b"diff --combined ")):
            current.add(decode_path(unquote_path(line.split(b" ", 2)[2])))
    return by_commit


_ESCAPES = {ord(k): v for k, v in zip("abtnvfr\"\\", b"\a\b\t\n\v\f\r\"\\")}


def unquote_path(raw: bytes) -> bytes:
    """A path as git prints it in a diff header: C-quoted ("a\\tb", "\\303\\251") when unusual."""
    if len(raw) < 2 or raw[:1] != b'"' or raw[-1:] != b'"':
        return raw
    out = bytearray()
    body, i = raw[1:-1], 0
    while i < len(body):
        char = body[i]
        if char != 0x5C or i + 1 == len(body):  # not a backslash
            out.append(char)
            i += 1
        elif len(body[i + 1:i + 4]) == 3 and all(0x30 <= c <= 0x37 for c in body[i + 1:i + 4]):
            out.append(int(body[i + 1:i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
    return bytes(out)
