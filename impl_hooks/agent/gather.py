"""What the agent reviews, gathered from the staged snapshot: the current plan
unit with its open tasks, acceptance criteria, the conventions, the diff."""
from __future__ import annotations

import json

from ..plan.locate import read_plan, targets
from ..snapshot import decode_text
from .diffs import staged_diffs
from .prompt import AgentInputs, select_conventions


def unit_text(text: str, plan, unit) -> str:
    """The unit's own lines: from its heading to the next unit that is not inside it."""
    inside = {id(u) for u in unit.iter()}
    end = None
    seen = False
    for other in plan.walk():
        if other is unit:
            seen = True
        elif seen and id(other) not in inside and other.kind != "task":
            end = other.line
            break
    lines = text.splitlines()
    return "\n".join(lines[unit.line - 1:(end - 1) if end else None]).strip()


def _criteria(snapshot, target, plan) -> str:
    """features-json: the design's feature entries (acceptance criteria live there)."""
    if not target.path.endswith(".json"):
        return ""
    design = target.path.replace("-implement/", "-design/")
    text = snapshot.read_text(design)
    if text is None:
        return ""
    from ..plan.features import read_features
    features = read_features(text, design)
    return "\n".join(json.dumps({"id": u.id, "name": u.title, **u.extra}, ensure_ascii=False)
                     for u in features.units)


def gather(snapshot, contexts, config) -> AgentInputs:
    inputs = AgentInputs()
    for target in targets(snapshot, contexts, config):
        text = snapshot.read_text(target.path)
        if text is None:
            continue
        plan = read_plan(target.path, text, config)
        unit = plan.find(target.current, target.kind or None) if target.current else None
        if unit is not None:
            inputs.unit_id, inputs.unit_title = unit.id, unit.title
            inputs.unit_text = unit_text(text, plan, unit)
            inputs.open_tasks = [t.title for t in unit.open_tasks()]
            if unit.kind == "issue":  # spec-issue: the section is its acceptance criteria
                inputs.criteria = inputs.unit_text
        elif not inputs.unit_id:
            inputs.unit_id = target.values.get("task") or target.values.get("feature") or ""
            inputs.open_tasks = [u.title for u in plan.walk() if u.kind in ("task", "feature") and not u.completed]
        inputs.criteria = inputs.criteria or _criteria(snapshot, target, plan)
        break
    docs_paths = snapshot.list_paths(config["structure"]["files"])
    docs = snapshot.read_many(docs_paths)
    inputs.conventions = select_conventions([(p, decode_text(docs[p])) for p in docs_paths if p in docs],
                                            snapshot.staged_paths)
    inputs.diffs = staged_diffs(snapshot.root)
    return inputs
