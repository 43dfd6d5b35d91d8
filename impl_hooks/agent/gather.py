"""What the agent reviews, gathered from the staged snapshot: the current plan
unit with its open tasks, acceptance criteria, the design it implements, the
conventions, the diff."""
from __future__ import annotations

import json

from ..globs import match_git_glob
from ..plan.locate import PLACEHOLDER, code_paths, fill, read_plan, targets
from ..snapshot import decode_text
from .design import entities
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


def symlinks(snapshot, paths) -> set:
    """Those of `paths` the index holds as symlinks (mode 120000), in one git call.

    A symlink's blob is its target's path: the review shows it as `symlink to
    TARGET` and never reads (or parses as a plan) the file it points to."""
    from ..snapshot import decode_path

    paths = list(paths)
    if not paths:
        return set()
    found = set()
    for record in snapshot.repo.git(["--literal-pathspecs", "ls-files", "-s", "-z", "--", *paths]).split(b"\0"):
        meta, _, name = record.partition(b"\t")
        if meta.startswith(b"120000 "):
            found.add(decode_path(name))
    return found


def _link(path: str, target: str) -> str:
    return f"{path}: symlink to {target}\n"


def _criteria(snapshot, target, plan) -> str:
    """features-json: the design's feature entries (acceptance criteria live there)."""
    if not target.path.endswith(".json"):
        return ""
    design = target.path.replace("-implement/", "-design/")
    text = snapshot.read_text(design)
    if text is None:
        return ""
    if symlinks(snapshot, [design]):
        return _link(design, text)
    from ..plan.features import read_features
    features = read_features(text, design)
    return "\n".join(json.dumps({"id": u.id, "name": u.title, **u.extra}, ensure_ascii=False)
                     for u in features.units)


def _design(snapshot, values: dict, config) -> list:
    """[(path, text)] of the design documents `agent.design` names, from the index, in
    the order of its globs; a symlink as `symlink to TARGET`. A glob with a placeholder
    the plan does not fill (`{feature}` with no feature) names nothing."""
    globs = [fill(g, values) for g in config["agent"]["design"]
             if all(values.get(name) for name in PLACEHOLDER.findall(g))]
    listed = snapshot.list_paths(globs) if globs else []
    paths = list(dict.fromkeys(p for glob in globs for p in listed if match_git_glob(p, [glob])))
    blobs = snapshot.read_many(paths)
    links = symlinks(snapshot, [p for p in paths if p in blobs])
    return [(p, _link(p, decode_text(blobs[p])) if p in links else decode_text(blobs[p]))
            for p in paths if p in blobs]


def gather(snapshot, contexts, config) -> AgentInputs:
    inputs = AgentInputs()
    found = targets(snapshot, contexts, config)
    values = found[0].values if found else {}
    task_texts = []  # the unit's own title and tasks, whose entities rank the design's sections
    for target in found:
        text = snapshot.read_text(target.path)
        if text is None:
            continue
        values = target.values
        if symlinks(snapshot, [target.path]):
            inputs.unit_id, inputs.unit_text = target.current, _link(target.path, text)
            break
        plan = read_plan(target.path, text, config)
        unit = plan.find(target.current, target.kind or None) if target.current else None
        if unit is not None:
            inputs.unit_id, inputs.unit_title = unit.id, unit.title
            inputs.unit_text = unit_text(text, plan, unit)
            inputs.open_tasks = [t.title for t in unit.open_tasks()]
            task_texts = [unit.title] + [t.title for t in unit.iter() if t.kind == "task"]
            if unit.kind == "issue":  # spec-issue: the section is its acceptance criteria
                inputs.criteria = inputs.unit_text
        elif not inputs.unit_id:
            inputs.unit_id = target.values.get("task") or target.values.get("feature") or ""
            inputs.open_tasks = [u.title for u in plan.walk() if u.kind in ("task", "feature") and not u.completed]
        inputs.criteria = inputs.criteria or _criteria(snapshot, target, plan)
        break
    inputs.design = _design(snapshot, values, config)
    if inputs.design:
        inputs.design_terms = entities(task_texts or inputs.open_tasks, code_paths(snapshot, config))
    docs_paths = snapshot.list_paths(config["structure"]["files"])
    docs = snapshot.read_many(docs_paths)
    links = symlinks(snapshot, [p for p in docs_paths if p in docs])
    inputs.conventions = select_conventions(
        [(p, _link(p, decode_text(docs[p])) if p in links else decode_text(docs[p])) for p in docs_paths if p in docs],
        snapshot.staged_paths)
    inputs.diffs = staged_diffs(snapshot.root)
    return inputs
