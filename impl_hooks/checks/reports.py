"""Reports (R001-R003): the commit that completes a step (or, for an
`always` entry, every commit with code) carries each report the config
requires, filled in (`reportdoc` reads one report)."""
from __future__ import annotations

from ..findings import Finding
from ..plan.locate import PLACEHOLDER, code_paths
from ..plan.progress import completions, plan_targets

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    wanted = _wanted(snapshot, contexts, config)
    if not wanted:
        return []
    from .reportdoc import missing_template, report_findings

    templates = {entry.get("template", "") for entry, _ in wanted.values()} - {""}
    blobs = snapshot.read_many([*wanted, *sorted(templates)])
    findings = [missing_template(t) for t in sorted(templates) if t not in blobs]
    for path, (entry, why) in wanted.items():
        if path not in blobs:
            findings.append(Finding("R001", f"required report {path} is not in the commit ({why})", path=path,
                                    hint=f"write the report and git add {path} (a file only on disk is not committed)"))
            continue
        template = entry.get("template", "")
        findings += report_findings(path, blobs[path], entry.get("sections", []),
                                    (template, blobs[template]) if template in blobs else None)
    return findings


def _wanted(snapshot, contexts, config) -> dict:
    """Report path -> (its `reports.require` entry, why this commit needs it)."""
    wanted: dict = {}
    for entry in config["reports"]["require"]:
        if entry.get("when", "step-completed") == "always":
            if code_paths(snapshot, config):
                for target in plan_targets(snapshot, contexts, config) or [None]:
                    values = target.values if target is not None else {}
                    path = _fill(entry["path"], values)
                    if path:
                        wanted.setdefault(path, (entry, "every commit with code"))
        else:
            for target, unit in completions(snapshot, contexts, config):
                path = _fill(entry["path"], target.values)
                what = f"{unit.kind} {unit.id}" if unit is not None else target.path
                if path:
                    wanted.setdefault(path, (entry, f"this commit completes {what}"))
    return wanted


def _fill(template: str, values: dict) -> str:
    """The template with its values; '' when one is unknown (nothing to require)."""
    missing = [m for m in PLACEHOLDER.findall(template) if not values.get(m)]
    return "" if missing else PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)
