"""No stubs, and Python that compiles (X001/X002), in the staged source files.

What the detector (`stubs.py`, with its rules) finds in a file depends only
on the file's name and content, the detector and the Python that compiles it,
so it is kept between runs by blob id: a commit tried again, its other hooks,
and the push or CI run that checks it once more parse only the files that
changed since. The detector is imported only when a file has to be parsed.
"""
from __future__ import annotations

from .. import diskcache
from ..findings import Finding
from ..plan.locate import code_paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot

# The files stubs.py reads (its PYTHON_SUFFIXES and JS_SUFFIXES).
STUB_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
CACHE = "stubs"
DETECTOR = ("stubs.py", "pystubs.py", "jsstubs.py")  # what is kept is theirs
# Files kept besides this run's: some twenty commits' worth, so loading the cache
# stays well under a millisecond.
KEPT_FILES = 2048
# What checking a file costs, measured here: 40 µs a small one, 2.5 ms a 13 KB
# module (compiled, and for one real module in four parsed to an AST too).
PARSE_MS = 0.04
PARSE_MS_A_BYTE = 0.0002
# A file this large is set aside and compiled with the others on every core
# (forkmap); a smaller one is compiled while git reads the next (git takes about
# 50 µs a just-staged file, as long as compiling a small one).
SHARED_BYTES = 1024
# The files set aside at once: a large commit is never all in memory.
BATCH_BYTES = 16 << 20


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    """X001/X002 on the staged source files (a deleted file has nothing to check)."""
    staged = set(snapshot.staged_paths)
    sources = [p for p in code_paths(snapshot, config) if p in staged and p.endswith(STUB_SUFFIXES)]
    if not sources:
        return []
    keys = {path: f"{sha} {path}" for path, sha in snapshot.blob_ids(sources).items()}
    detector = _detector()
    stored = diskcache.load(snapshot.repo, CACHE)
    kept: dict = stored.get("files", {}) if stored.get("detector") == detector else {}
    missing = [path for path, key in keys.items() if key not in kept]
    if missing:
        from ..forkmap import map_shared
        from .stubs import stub_findings  # before any fork; a child imports the rules a file needs

        def findings_of(file: tuple) -> tuple:
            """As the cache keeps them, and a forked child sends them."""
            return tuple((f.code, f.message, f.line, f.hint, f.severity) for f in stub_findings(*file))

        def share(files: list) -> None:
            found = map_shared(findings_of, files, [PARSE_MS + len(data) * PARSE_MS_A_BYTE for _, data in files])
            kept.update((keys[path], findings) for (path, _), findings in zip(files, found))

        large, size = [], 0
        for path, data in snapshot.stream(missing):
            if len(data) < SHARED_BYTES:
                kept[keys[path]] = findings_of((path, data))
                continue
            large.append((path, data))
            size += len(data)
            if size >= BATCH_BYTES:
                share(large)
                large, size = [], 0
        share(large)
        _store(snapshot.repo, detector, kept, list(keys.values()))
    return [Finding(code, message, path=path, line=line, hint=hint, severity=severity)
            for path in sources if keys.get(path) in kept
            for code, message, line, hint, severity in kept[keys[path]]]


def _detector() -> str:
    """Which detector found what is kept: a changed module of it (a new release,
    an edit in a checkout) starts a new cache."""
    return diskcache.code_stamp(__file__, DETECTOR)


def _store(repo, detector: str, kept: dict, used: list) -> None:
    """This run's files, and the newest others up to KEPT_FILES."""
    this_run = set(used)
    others = [key for key in kept if key not in this_run][-KEPT_FILES:]
    files = {key: kept[key] for key in others}
    files.update((key, kept[key]) for key in used if key in kept)
    diskcache.store(repo, CACHE, {"detector": detector, "files": files})
