"""No stubs, and Python that compiles (X001/X002), in the staged source files.

The detector (`stubs.py`, with its parsers) is imported only when the commit
stages a source file: a commit of docs alone never pays for it.
"""
from __future__ import annotations

from ..plan.locate import code_paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..findings import Finding
    from ..snapshot import Snapshot

# The files stubs.py reads (its PYTHON_SUFFIXES and JS_SUFFIXES).
STUB_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    """X001/X002 on the staged source files (a deleted file has nothing to check)."""
    staged = set(snapshot.staged_paths)
    sources = [p for p in code_paths(snapshot, config) if p in staged and p.endswith(STUB_SUFFIXES)]
    if not sources:
        return []
    from .stubs import stub_findings

    blobs = snapshot.read_many(sources)
    findings = []
    for path in sources:
        if path in blobs:
            findings += stub_findings(path, blobs[path])
    return findings
