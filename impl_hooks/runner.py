"""Run the checks a hook asks for over one snapshot and filter the findings."""
from __future__ import annotations

import importlib
from collections.abc import Iterable

from .config import load_config
from .context import Contexts
from .findings import Finding, filter_findings

# hook id -> check modules (impl_hooks/checks/<name>.py, each with `check`)
HOOK_CHECKS: dict[str, list[str]] = {
    "impl-branch": ["branch"],
    "impl-plan": ["plan", "evidence"],
    "impl-structure": ["structure"],
    "impl-reports": ["reports"],
}
DETERMINISTIC = [name for names in HOOK_CHECKS.values() for name in names]
HOOK_CHECKS["impl-check"] = DETERMINISTIC


def run_checks(snapshot, names: Iterable[str], config=None) -> list[Finding]:
    """Findings of the named checks, ignores applied; ConfigError propagates."""
    if config is None:
        config = load_config(snapshot)
    contexts = Contexts(snapshot)
    findings: list[Finding] = []
    for name in names:
        module = importlib.import_module(f"impl_hooks.checks.{name}")
        findings.extend(module.check(snapshot, contexts, config))
    if snapshot.commit_label:
        findings = [f if f.commit else f.replace(commit=snapshot.commit_label) for f in findings]
    return filter_findings(findings, config["ignore"], snapshot.line_of)
