"""The features contract (R004, features-json): every feature of the design
list is in the staged implement list, "done", or "partial" with a reason."""
from __future__ import annotations

from ..findings import Finding
from ..plan.locate import design_of, plan_of
from ..plan.progress import plan_targets

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    findings = []
    changed = {c.path for c in snapshot.changes}
    for target in plan_targets(snapshot, contexts, config):
        if not target.path.endswith(".json") or target.path not in changed:
            continue
        from ..plan.features import STATUSES

        implement = plan_of(snapshot, target.path, config)
        design_path = design_of(target.path)
        design = plan_of(snapshot, design_path, config) if design_path != target.path else None
        for path, plan in ((target.path, implement), (design_path, design)):
            for line, col, message in (plan.errors if plan is not None else []):
                findings.append(Finding("R004", f"{message} (line {line}, column {col})", path=path, line=line,
                                        hint="fix the JSON so the feature contract can be read"))
        if implement is None or implement.errors:
            continue
        built = {u.id: u for u in implement.units}
        for feature in (design.units if design is not None and not design.errors else implement.units):
            unit = built.get(feature.id)
            if unit is None:
                findings.append(Finding(
                    "R004", f"feature {feature.id} ({feature.title}) of {design_path} is missing from the "
                    "implement list", path=target.path, line=1,
                    hint=f'add {{"id": "{feature.id}", "status": "done"}} (or "partial" with a "reason")'))
                continue
            status = unit.extra.get("status", "")
            if status not in STATUSES:
                findings.append(Finding(
                    "R004", f"feature {unit.id} has status \"{status}\", not done or partial",
                    path=target.path, line=unit.line,
                    hint='set "status": "done", or "partial" with a "reason" that says what is missing'))
            elif status == "partial" and not str(unit.extra.get("reason", "")).strip():
                findings.append(Finding(
                    "R004", f"feature {unit.id} is partial without a reason", path=target.path, line=unit.line,
                    hint='add a "reason" that says what is missing and why'))
    return findings
