"""Run the checks a hook asks for over one snapshot and filter the findings."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # `collections` costs 2 ms to import: a hook reads HOOK_CHECKS before git starts
    from collections.abc import Callable, Iterable

    from .configtypes import Config
    from .context import Contexts
    from .findings import Finding
    from .snapshot import Snapshot

    Check = Callable[[Snapshot, Contexts, Config], list[Finding]]

# hook id -> check modules (impl_hooks/checks/<name>.py, each with `check`)
HOOK_CHECKS: dict[str, list[str]] = {
    "impl-branch": ["branch"],
    "impl-plan": ["plan", "evidence"],
    "impl-structure": ["structure"],
    "impl-reports": ["reports", "features", "todos", "sources", "tests_with_code", "approval"],
}
DETERMINISTIC = [name for names in HOOK_CHECKS.values() for name in names]
HOOK_CHECKS["impl-check"] = DETERMINISTIC


def check_functions(names: Iterable[str]) -> list[Check]:
    """The `check` of each named module. A hook imports them while git reads the index."""
    return [__import__(f"impl_hooks.checks.{name}", fromlist=["check"]).check for name in names]


def run_checks(snapshot: Snapshot, names: Iterable[str], config: Config | None = None) -> list[Finding]:
    """Findings of the named checks, ignores applied; ConfigError propagates.

    What it needs is imported here: a hook names its checks before it starts git."""
    from .config import load_config
    from .context import Contexts
    from .findings import filter_findings

    checks = check_functions(names)
    if config is None:
        config = load_config(snapshot)
    contexts = Contexts(snapshot)
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check(snapshot, contexts, config))
    if snapshot.commit_label:
        findings = [f if f.commit else f.replace(commit=snapshot.commit_label) for f in findings]
    return filter_findings(findings, config["ignore"], snapshot.line_of)
