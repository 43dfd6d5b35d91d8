"""Tests with code (Q001, opt-in with `tests.required`): a commit that adds
source files carries at least one test file."""
from __future__ import annotations

from ..findings import Finding
from ..globs import match_path
from ..plan.locate import code_paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    if not config["tests"]["required"]:
        return []
    patterns = config["tests"]["patterns"]
    added = set(snapshot.added_paths)
    tests = [p for p in snapshot.staged_paths if match_path(p, patterns)]
    sources = [p for p in code_paths(snapshot, config) if p in added and not match_path(p, patterns)]
    if not sources or tests:
        return []
    return [Finding("Q001", f"{len(sources)} source file(s) added without a test file in the commit "
                    f"(first: {sources[0]})", path=sources[0],
                    hint=f"add tests matching one of {', '.join(patterns[:3])}… to the same commit")]
