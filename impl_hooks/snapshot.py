"""What is being committed: the staged (or committed) tree against its before-state.

Everything is read through git plumbing, never from the work tree, so a
partially staged file or an untracked report is seen as git will commit it.
"""
from __future__ import annotations

import os

from . import gitcmd
from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:  # `collections` costs 2 ms to import, and git is not started yet
    from collections.abc import Iterable

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
INDEX = None  # the "after" side of a pre-commit snapshot
NULL_SHA = "0" * 40
GITLINK = "160000"  # a submodule's entry: its commit is not in this repository


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
        self.listings: dict | None = None  # the before-commit's glob listings (Snapshot.commit_listing)

    @classmethod
    def discover(cls, cwd: str | None = None, asked: gitcmd.Call | None = None) -> "Repo":
        """The repository at `cwd`, from `asked` when the caller started the question early."""
        code, out, _ = (asked or cls.ask(cwd)).result()
        lines = out.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) < 3:
            raise UsageError("not a git repository (or any parent up to the root)")
        git_dir, common = lines[1], lines[2]
        if not os.path.isabs(common):
            common = os.path.normpath(os.path.join(cwd or os.getcwd(), common))
        if lines[0] == "true" or len(lines) < 4:  # no work tree: a server's pre-receive
            return cls(root=git_dir, git_dir=git_dir, common_dir=common, bare=True)
        head = lines[4] if len(lines) > 4 and code == 0 and lines[4] != "HEAD" else None
        return cls(root=lines[3], git_dir=git_dir, common_dir=common, head_sha=head)

    @staticmethod
    def ask(cwd: str | None = None) -> gitcmd.Call:
        """Start the one call that answers `discover`. --show-toplevel fails in a bare
        repository (or inside a git directory), after the lines before it; on an
        unborn branch git echoes "HEAD" and fails."""
        return gitcmd.start(["rev-parse", "--is-bare-repository", "--absolute-git-dir", "--git-common-dir",
                             "--show-toplevel", "HEAD"], cwd=cwd)

    def git(self, args: list, **kwargs) -> bytes:
        return gitcmd.run(args, cwd=self.root, **kwargs)

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
    """Reads objects through one long-lived `git cat-file --batch` process, so a
    run (or a whole range of commits) starts git once for all its reads: blobs
    by id, and `commit:path` questions (is it there, a file or a folder?)."""

    QUESTION_BYTES = 16_384  # written before reading answers: far below a pipe's buffer, so never a deadlock

    def __init__(self, repo: Repo):
        self.repo = repo
        self.cache: dict[str, bytes] = {}
        self.kinds: dict[str, tuple] = {}  # "commit:path" -> (object id, type), or () when absent
        self.parsed: dict = {}  # what readers made of a blob (a plan), for every snapshot sharing the reader
        self._pipe: gitcmd.Pipe | None = None

    def start(self) -> "BlobReader":
        """Start git now, so it is ready by the first question."""
        if self._pipe is None:
            self._pipe = gitcmd.Pipe(["cat-file", "--batch"], cwd=self.repo.root)
        return self

    def close(self) -> None:
        """End git's process now, rather than when the reader goes."""
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None

    def _ask(self, names: list[bytes]):
        """(name, object id, type, content) for each name; id and type are '' when absent."""
        pipe = self.start()._pipe
        assert pipe is not None  # start() made it
        start = 0
        while start < len(names):
            end, size = start, 0
            while end < len(names) and (end == start or size + len(names[end]) < self.QUESTION_BYTES):
                size += len(names[end]) + 1
                end += 1
            pipe.stdin.write(b"".join(name + b"\n" for name in names[start:end]))
            pipe.stdin.flush()
            for name in names[start:end]:
                line = pipe.stdout.readline().rstrip(b"\n")
                if not line:
                    raise UsageError("git cat-file stopped answering")
                if line.endswith((b" missing", b" ambiguous")):
                    # `<name> missing`; `<id> missing` for a submodule's commit, which is there
                    found = "" if line.startswith(name + b" ") else line.split()[0].decode()
                    yield name, found, "commit" if found else "", None
                    continue
                header = line.split()
                content = pipe.stdout.read(int(header[2]))
                pipe.stdout.read(1)  # the newline after the content
                yield name, header[0].decode(), header[1].decode(), content
            start = end

    def stream(self, shas: Iterable[str]):
        """(id, content) of each blob as git sends it, uncached: a reader works on
        one blob while git reads the next, and a large commit is never all in memory."""
        wanted = [s.encode() for s in dict.fromkeys(shas) if s and s != NULL_SHA]
        for name, _, kind, content in self._ask(wanted):
            if kind == "blob":
                yield name.decode(), content

    def read_many(self, shas: Iterable[str]) -> dict[str, bytes]:
        shas = list(shas)
        wanted = [s for s in dict.fromkeys(shas) if s and s != NULL_SHA and s not in self.cache]
        for _, sha, kind, content in self._ask([s.encode() for s in wanted]):
            if kind == "blob":
                self.cache[sha] = content
        return {s: self.cache[s] for s in shas if s in self.cache}

    def lookup(self, commit: str, paths: Iterable[str]) -> dict[str, tuple]:
        """path -> (object id, type) in `commit` ("blob", "tree", "commit" for a
        submodule), or () when absent; a blob's content is kept on the way."""
        prefix = commit + ":"
        todo = [p for p in dict.fromkeys(paths) if prefix + p not in self.kinds]
        askable = []
        for p in todo:
            if not storable(p):
                self.kinds[prefix + p] = ()
            elif "\n" in p:  # cat-file reads a question a line
                self.kinds[prefix + p] = _ls_tree_kind(self.repo, commit, p)
            else:
                askable.append(p)
        for p, (_, sha, kind, content) in zip(askable, self._ask([os.fsencode(prefix + p) for p in askable])):
            self.kinds[prefix + p] = (sha, kind) if kind else ()
            if kind == "blob":
                self.cache[sha] = content
        return {p: self.kinds[prefix + p] for p in paths}


def storable(path: str) -> bool:
    """A path git can hold: no `.`, `..` or empty component (`commit:./a` would
    even be read from the current folder), not longer than any file system allows."""
    if not path or len(os.fsencode(path)) > MAX_PATH_BYTES:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _ls_tree_kind(repo: Repo, commit: str, path: str) -> tuple:
    """The answer for a path `cat-file` cannot be asked about (one with a newline)."""
    out = gitcmd.run([b"--literal-pathspecs", b"ls-tree", b"-z", b"--full-tree", commit.encode(), b"--",
                      os.fsencode(path)], cwd=repo.root)
    for record in out.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and decode_path(name) == path:
            return fields[2].decode(), fields[1].decode()
    return ()


class TreeFiles:
    """Every file of a commit (path -> blob id), moved forward commit by commit
    through a range, with the glob listings asked so far kept up to date."""

    def __init__(self, blobs: dict[str, str]):
        self.blobs = blobs
        self.listings: dict[tuple, set] = {}

    def list(self, patterns: tuple) -> list[str]:
        from .globs import any_matcher

        if patterns not in self.listings:
            listed = any_matcher(patterns, True)
            self.listings[patterns] = {p for p in self.blobs if listed(p)}
        return sorted(self.listings[patterns])

    def apply(self, changes: Iterable[Change]) -> None:
        """Move from a parent to its child, from the child's diff."""
        from .globs import any_matcher

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
            listed = any_matcher(patterns, True)
            for path in touched:
                if path in self.blobs and listed(path):
                    found.add(path)
                else:
                    found.discard(path)


class Snapshot:
    """The tree being committed (`after`, the index by default) against `before`.

    `before`/`after` are commit-ish names or None (the index for `after`, the
    empty tree for `before`), so the same object serves a pre-commit run and
    each commit of a range.

    The index is read by git once, for the diff (`diff-index --cached`), and
    that call starts as the snapshot is made. Everything else about the index
    is the before-commit plus that diff: a file the diff does not name has the
    commit's blob, glob listings are the commit's (kept between runs under the
    git directory, see `commit_listing`) with the diff applied.
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
        self._diff: gitcmd.Call | None = None
        if changes is not None:
            self._seed(changes)
        self._listing: dict[tuple, list[str]] = {}
        self.memo: dict = {}  # what checks derive from the snapshot, shared within one run
        self.files: TreeFiles | None = None  # every file of `after`, kept by a range

    @classmethod
    def staged(cls, repo: Repo, diff: gitcmd.Call | None = None) -> "Snapshot":
        """The index against HEAD; git starts reading both now, beside the caller's work.
        `diff`: `start_staged_diff()`, started by a caller before it knew the repository."""
        snapshot = cls(repo, before=repo.head(), after=INDEX, branch=repo.branch())
        if diff is not None and snapshot.before is None:
            diff.result()  # an unborn HEAD: it failed; the empty tree is the before-state
            diff = None
        snapshot._diff = diff or gitcmd.start(snapshot._diff_args(), cwd=repo.root)
        snapshot.blobs.start()
        if snapshot.before is not None:  # while git diffs: the kept listings, moved to HEAD
            repo.listings = _forward(repo, snapshot.before)
        return snapshot

    @property
    def root(self) -> str:
        return self.repo.root

    # -- what changed -------------------------------------------------------
    def _diff_args(self) -> list[str]:
        before = self.before or EMPTY_TREE
        if self.after is INDEX:
            return [*STAGED_DIFF, before]
        return ["diff-tree", "-r", "-z", "-M", "--raw", "--no-abbrev", before, self.after]

    @property
    def changes(self) -> list[Change]:
        if self._changes is None:
            call, self._diff = self._diff or gitcmd.start(self._diff_args(), cwd=self.repo.root), None
            self._changes = parse_raw_diff(call.output())
            self._seed(self._changes)
        return self._changes

    def _seed(self, changes: list[Change]) -> None:
        """The diff names the blob of every changed path on both sides: keep them,
        so reading a staged file or its before-state asks git nothing more."""
        after = "index" if self.after is INDEX else self.after
        for change in changes:
            if change.status == "U":
                continue  # unmerged: the index holds no single blob for it
            if change.new_mode != GITLINK:
                self._shas[(after, change.path)] = None if change.status == "D" else change.new_sha
            if self.before is not None and change.status != "A":
                self._shas.setdefault((self.before, change.old_path or change.path), change.old_sha)
            if change.status == "R":
                self._shas[(after, change.old_path)] = None

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
        """path -> blob id on one side (None: absent, a folder or a submodule)."""
        paths = list(paths)
        if self.files is not None and side is not INDEX:
            return self._from_files(self.files, side, paths)
        key_side = "index" if side is INDEX else side
        todo = [p for p in dict.fromkeys(paths) if (key_side, p) not in self._shas]
        if todo and side is INDEX:
            _ = self.changes  # names every path whose blob differs from the before-commit's
            todo = [p for p in todo if (key_side, p) not in self._shas]
            found = self._lookup(self.before, todo) if self.before is not None else {}
            for p in todo:
                self._shas[(key_side, p)] = found.get(p)
        elif todo and side is not None:  # a commit (INDEX is None)
            for p, kind in self.blobs.lookup(side, todo).items():
                self._shas[(key_side, p)] = kind[0] if kind and kind[1] == "blob" else None
        return {p: self._shas[(key_side, p)] for p in paths}

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

    def stream(self, paths: Iterable[str]):
        """(path, content) of the staged side's files, as git sends them (`BlobReader.stream`)."""
        by_sha: dict[str, list[str]] = {}
        for path, sha in self.blob_ids(paths).items():
            by_sha.setdefault(sha, []).append(path)
        for sha, content in self.blobs.stream(by_sha):
            for path in by_sha[sha]:
                yield path, content

    def blob_ids(self, paths: Iterable[str], before: bool = False) -> dict[str, str]:
        """path -> blob id of those of `paths` that are files on that side."""
        side = self.before if before else self.after
        if before and side is None:
            return {}
        return {p: s for p, s in self._lookup(side, paths).items() if s}

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

    def _from_files(self, files: TreeFiles, side: str | None, paths: Iterable[str]) -> dict[str, str | None]:
        """Blob ids from the known listing of the commit, and its parent through the diff."""
        known = files.blobs
        if side == self.after:
            return {p: known.get(p) for p in paths}
        old: dict[str, str | None] = {}
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
        """Paths of the tree matching git glob pathspecs.

        The index's listing is the before-commit's with the diff applied; a
        later question about a subset of earlier patterns is answered from
        that listing; blob ids seen on the way are kept for `read`.
        """
        patterns = tuple(patterns)
        if self.files is not None and not before:
            return self.files.list(patterns)
        side = self.before if before else self.after
        side_key = "index" if side is INDEX else side
        if (side_key, patterns) in self._listing:
            return self._listing[(side_key, patterns)]
        from .globs import any_matcher

        for (key, earlier), result in self._listing.items():
            if key == side_key and set(patterns) <= set(earlier):
                listed = any_matcher(patterns, True)
                return [p for p in result if listed(p)]
        if side is None and before:
            return []
        if side is INDEX:
            listing = self.index_listing(patterns)
        elif side == self.before and self.after is INDEX:
            listing = self.commit_listing(patterns)
        else:  # another commit: ls-tree takes no globs, so the whole commit (a range keeps TreeFiles instead)
            listing = tree_listing(self.repo, side, patterns)
        for path, sha in listing.items():
            if sha is not None:
                self._shas.setdefault((side_key, path), sha)
        for literal in patterns:  # a plain path that was not listed is known absent
            if not any(c in literal for c in "*?[") and literal not in listing:
                self._shas.setdefault((side_key, literal), None)
        found = sorted(listing)
        self._listing[(side_key, patterns)] = found
        return found

    def index_listing(self, patterns: tuple) -> dict[str, str | None]:
        """path -> blob id (None: a submodule) of the index's files that match the globs:
        the before-commit's listing with the diff applied. Kept for the index's content
        (its checksum), so the later hooks of one commit (prepare-commit-msg, commit-msg)
        ask git neither for a listing nor for the diff."""
        from . import diskcache

        key = index_checksum(self.repo)
        kept = diskcache.load(self.repo, "index-listings") if key else {}
        sets = kept.get("sets")
        if kept.get("index") != key or not isinstance(sets, dict):
            sets = {}
        if patterns not in sets:
            before = self.commit_listing(patterns) if self.before is not None else {}
            sets[patterns] = apply_changes(before, self.changes, patterns)
            while len(sets) > LISTINGS_KEPT:
                del sets[next(iter(sets))]
            if key:
                diskcache.store(self.repo, "index-listings", {"index": key, "sets": sets})
        return sets[patterns]

    def commit_listing(self, patterns: tuple) -> dict[str, str | None]:
        """path -> blob id (None: a submodule) of the before-commit's files that match
        the globs. Kept between runs by commit: a listing of an earlier commit is
        moved forward with one `diff-tree` between the two, and a pattern set asked
        for the first time is listed from the index (`ls-files`) with the diff undone."""
        assert self.before is not None  # asked only with a before-commit
        memo = self.repo.listings
        if memo is None or memo["commit"] != self.before:
            memo = self.repo.listings = _forward(self.repo, self.before)
        sets = memo["sets"]
        if patterns in sets and list(sets).index(patterns) >= len(sets) - LISTINGS_KEPT // 2:
            return sets[patterns]
        if patterns in sets:  # in use, but among the oldest of a full cache: to the newest end
            sets[patterns] = sets.pop(patterns)
        else:
            sets[patterns] = undo_changes(_ls_files_globs(self.repo, patterns), self.changes, patterns)
            while len(sets) > LISTINGS_KEPT:
                del sets[next(iter(sets))]
        from . import diskcache

        diskcache.store(self.repo, "listings", memo)
        return sets[patterns]

    def exists(self, paths: Iterable[str]) -> set:
        """Which of `paths` (files or folders) exist in the tree.

        A commit is asked through the blob reader (`commit:path`). The index is
        the before-commit and the diff; git lists the index only for a folder
        that existed and lost a file in this change."""
        paths = [p.rstrip("/") for p in paths if p.strip("/")]
        if not paths:
            return set()
        if self.after is not INDEX:
            return {p for p, kind in self.blobs.lookup(self.after, paths).items() if kind}
        kept, gone = set(), set()
        for change in self.changes:
            if change.status != "D":
                kept.add(change.path)
            if change.status in ("D", "R"):
                gone.add(change.old_path or change.path)
        kept_folders, gone_folders = _folders(kept), _folders(gone)
        before = self.blobs.lookup(self.before, paths) if self.before is not None else {}
        present, ask = set(), []
        for path in paths:
            kind = before.get(path)
            if path in kept or path in kept_folders:
                present.add(path)
            elif not kind or path in gone:
                continue
            elif kind[1] != "tree" or path not in gone_folders:
                present.add(path)
            else:
                ask.append(path)
        return present | (_in_index(self.repo, ask) if ask else set())


STAGED_DIFF = ["diff-index", "--cached", "-z", "-M", "--raw", "--no-abbrev"]


def start_staged_diff() -> gitcmd.Call:
    """The index's diff against HEAD, started from the current folder: git finds the
    repository itself and names paths from its root, so it can run beside `Repo.ask`."""
    return gitcmd.start([*STAGED_DIFF, "HEAD"])


LISTINGS_KEPT = 64  # glob sets whose listing is kept between runs, the least recently used dropped


def index_checksum(repo: Repo) -> str:
    """The index file's trailing checksum (git's hash of its content), or '' when it
    has none (`index.skipHash`) or cannot be read."""
    index = os.environ.get("GIT_INDEX_FILE") or os.path.join(repo.git_dir, "index")
    try:
        with open(os.path.join(repo.root, index), "rb") as fh:
            fh.seek(-32, os.SEEK_END)
            tail = fh.read()
    except OSError:
        return ""
    return tail.hex() if tail[-20:].strip(b"\0") else ""


def _folders(paths: Iterable[str]) -> set:
    """Every folder above `paths`."""
    found = set()
    for path in paths:
        head = path.rpartition("/")[0]
        while head and head not in found:
            found.add(head)
            head = head.rpartition("/")[0]
    return found


def _in_index(repo: Repo, paths: list[str]) -> set:
    """Which of `paths` (files or folders) the index holds, in one `ls-files` per batch."""
    present = set()
    wanted = set(paths)
    for batch in argv_batches([os.fsencode(p) for p in paths]):
        out = gitcmd.run([b"--literal-pathspecs", b"ls-files", b"-z", b"--", *batch], cwd=repo.root)
        for raw in out.split(b"\0"):
            name = decode_path(raw) if raw else ""
            while name:  # a file, or every folder above it, that was asked for
                if name in wanted:
                    present.add(name)
                name = name.rpartition("/")[0]
    return present


def _forward(repo: Repo, commit: str) -> dict:
    """The listings kept for `commit`: the stored ones, moved forward from the
    commit they were made for by one `diff-tree` (none when that fails)."""
    from . import diskcache

    stored = diskcache.load(repo, "listings")
    sets, old = stored.get("sets"), stored.get("commit")
    if not isinstance(sets, dict) or not sets or not isinstance(old, str):
        return {"commit": commit, "sets": {}}
    if old != commit:
        code, out, _ = gitcmd.status(["diff-tree", "-r", "-z", "--raw", "--no-abbrev", "--no-renames",
                                      old, commit], cwd=repo.root)
        if code != 0:
            return {"commit": commit, "sets": {}}
        changes = parse_raw_diff(out)
        sets = {patterns: apply_changes(listing, changes, patterns) for patterns, listing in sets.items()}
        stored = {"commit": commit, "sets": sets}
        diskcache.store(repo, "listings", stored)
    return stored


def apply_changes(listing: dict, changes: list[Change], patterns: tuple) -> dict:
    """The listing of the after-side: `listing` (the before-side's) with the diff applied."""
    from .globs import any_matcher

    listed = any_matcher(patterns, True)
    after = dict(listing)
    for change in changes:
        if change.status == "U":
            continue  # unmerged: the before-side's entry stands
        if change.status in ("D", "R"):
            after.pop(change.old_path or change.path, None)
        if change.status != "D" and listed(change.path):
            after[change.path] = None if change.new_mode == GITLINK else change.new_sha
    return after


def undo_changes(listing: dict, changes: list[Change], patterns: tuple) -> dict:
    """The listing of the before-side: `listing` (the after-side's) with the diff undone."""
    from .globs import any_matcher

    listed = any_matcher(patterns, True)
    before = dict(listing)
    for change in changes:
        if change.status == "U":
            continue
        if change.status != "D":
            before.pop(change.path, None)
        if change.status not in ("A", "C"):
            path = change.old_path or change.path
            if listed(path):
                before[path] = change.old_sha
    return before


def _ls_files_globs(repo: Repo, patterns: tuple) -> dict:
    """path -> blob id (None: a submodule) of the index's files matching the globs.

    Plain pathspecs (where `*` crosses folders) are a superset of the globs and
    cheaper for git to match; the globs filter the result. A glob also names the
    files below a folder it matches (`*.md` covers `x.md/a`): `/*` asks for those."""
    from .globs import any_matcher

    listed = any_matcher(patterns, True)
    specs = [p.replace("**/", "*") for p in patterns]
    specs += [spec.rstrip("/") + "/*" for spec in specs if any(c in spec for c in "*?[")]
    specs += [spec[:-3] for spec in specs if spec.endswith("/**")]  # `docs/**` is `docs` too
    found: dict = {}
    out = gitcmd.run(["ls-files", "-s", "-z", "--", *specs], cwd=repo.root)
    for record in out.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split()
        if len(fields) != 3:
            continue
        path = decode_path(name)
        if listed(path) and (fields[2] in (b"0", b"2") or path not in found):
            found[path] = None if fields[0] == GITLINK.encode() else fields[1].decode()
    return found


def tree_listing(repo: Repo, commit: str, patterns: tuple) -> dict:
    """path -> blob id (None: a submodule) of a commit's files matching the globs."""
    from .globs import any_matcher

    listed = any_matcher(patterns, True)
    found: dict = {}
    for record in gitcmd.run(["ls-tree", "-r", "-z", "--full-tree", commit], cwd=repo.root).split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3:
            path = decode_path(name)
            if listed(path):
                found[path] = None if fields[0] == GITLINK.encode() else fields[2].decode()
    return found


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
        _, new_mode, old_sha, new_sha, status = meta[1:].decode().split(None, 4)
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
        _, new_mode, old_sha, new_sha, status = field[1:].decode().split(None, 4)
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
