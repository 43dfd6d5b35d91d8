"""Plan rules P001-P006: code moves the plan forward, and the plan moves only forward.

The plan in HEAD is compared with the plan in the index, unit by unit
(`plan.progress.PlanChange`).
"""
from __future__ import annotations

import bisect

from ..findings import Finding
from ..lazyre import lazy
from ..markdown import LIST_MARKER
from ..plan.locate import design_of, plan_of
from ..plan.model import Plan
from ..plan.progress import PlanChange, plan_change, plan_targets, progressed, rank

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot

HEADS = ("phase", "epic", "step", "issue")
MARKER_HINT = "mark it done (`- [x]`, or `✅ **COMPLETED**` on the heading or task line)"


def label(unit) -> str:
    return f"{unit.kind} {unit.id}".strip() if unit.id else f"task \"{unit.title}\""


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    if config["plan"]["require"] == "off":
        return []
    findings = []
    progress_by_group: dict = {}
    for target in plan_targets(snapshot, contexts, config):
        group = target.context.path if target.context is not None else ""
        progress_by_group.setdefault(group, [target, False, None])
        if target.ambiguous:
            findings.append(_ambiguous_step(target))
            progress_by_group[group][1] = True  # which plan to update is the question
            continue
        if target.problem is not None:  # no plan could be named (spec-kit: no feature)
            if target.code:
                findings.append(target.problem)
                progress_by_group[group][1] = True
            continue
        after = plan_of(snapshot, target.path, config)
        if after is None:
            if target.code:
                findings += _missing_plan(snapshot, target, config)
                progress_by_group[group][1] = True  # P001 would say the same again
            continue
        if progress_by_group[group][0] is target:
            progress_by_group[group][2] = after
        if after.errors:
            continue  # unreadable (malformed JSON): the reports check names the line
        if _unknown_statuses(snapshot, target, after):
            progress_by_group[group][1] = True  # R004 (reports) names each: that alone is the finding
        change = plan_change(snapshot, target, config)
        assert change is not None  # the plan is in the commit: `after` above
        newly = change.newly
        current = after.find(target.current, target.kind or None) if target.current else None
        # Progress is on the plan's own work: in the current unit when there is one.
        if change.baseline or any(current is None or change.within(u, current) for u in newly):
            progress_by_group[group][1] = True
        findings += _added_done(target, change)
        if target.current and current is None:
            findings.append(Finding(
                "P002", f"current {target.kind or 'unit'} {target.current} is not in the plan", path=target.path,
                line=1, hint=_where_current(target) + f"add a heading for {target.current} or fix the context"))
        findings += _removed_markers(target, change.old, change.new, snapshot.read_text(target.path) or "")
        findings += _completed_with_open_tasks(target, newly + change.added_done)
        findings += _stories_before_foundation(target, after, change)
        if current is not None:
            findings += _out_of_order(target, after, current, change)
        if current is not None and config["plan"]["require"] == "step-complete" and target.code \
                and not current.completed:
            findings.append(Finding(
                "P001", f"code staged for {label(current)} but the {current.kind} is not marked completed",
                path=target.path, line=current.line,
                hint=f"finish {label(current)} and {MARKER_HINT}, then git add {target.path}"))
            progress_by_group[group][1] = True
    for target, moved, plan in progress_by_group.values():
        if target.code and not moved:
            findings.append(_no_progress(target, plan))
    return findings


def _ambiguous_step(target) -> Finding:
    context = target.context
    return Finding(
        "P002", f"step {target.current} is open in {len(target.ambiguous)} plans: {', '.join(target.ambiguous)}",
        path=context.path, line=context.lines.get("current_step") or 1,
        hint=f"set current_phase in {context.path} to the phase you are working on")


def _added_done(target, change: PlanChange) -> list:
    """P006: work the commit adds to the plan already marked done is no progress; show it."""
    if change.baseline:
        return []
    return [Finding("P006", f"{label(unit)} added already complete", path=target.path, line=unit.line,
                    hint="add new work open and mark it done in the commit that does it")
            for unit in change.added_done]


def _where_current(target) -> str:
    if target.context is not None and target.context.lines.get("current_step"):
        return f"current_step is set in {target.context.path}:{target.context.lines['current_step']}; "
    return ""


def _no_progress(target, plan) -> Finding:
    current = plan.find(target.current, target.kind or None) if target.current and plan else None
    what = f" for {label(current)}" if current is not None else ""
    line = current.line if current is not None else 1
    open_tasks = current.open_tasks() if current is not None else []
    todo = f"mark the finished task of {label(current)} done, e.g. \"{open_tasks[0].title}\" at line " \
           f"{open_tasks[0].line}" if open_tasks else \
        f"mark the finished work{what} done"
    hint = f"{todo} (`- [x]` or `✅ **COMPLETED**`), then git add {target.path}"
    if plan is not None and target.path.endswith(".json"):
        hint = _features_todo(target.path, plan)
    elif plan is not None and current is None and "feature" in target.values:
        hint = _spec_kit_todo(target, plan)
    return Finding("P001", f"code staged{what} but the plan was not updated", path=target.path, line=line,
                   hint=hint)


def _features_todo(path: str, plan) -> str:
    """The P001 hint for a features list, in its own terms: JSON, not check boxes."""
    waiting = [u for u in plan.units if rank(u) < 2]
    if not waiting:
        return f'add the feature this code builds to {path} with its "status", then git add {path}'
    partly = '' if rank(waiting[0]) else ' (or "partial" with a "reason")'
    return f'set "status": "done" for {waiting[0].id} in {path}{partly}, then git add {path}'


def _spec_kit_todo(target, plan) -> str:
    """The P001 hint for a spec-kit tasks.md: the open task that names a staged file, else the first."""
    from ..plan.tasks import task_naming

    waiting = [u for u in plan.walk() if u.kind == "task" and not u.completed]
    if not waiting:
        return (f"every task in {target.path} is done: add the task this code is for, and mark it "
                f"`- [X]` in the commit that finishes it")
    task = task_naming(waiting, target.code) or waiting[0]
    box = f"- [X] {task.id}".rstrip()
    return (f'mark {task.id or "the task"} done ("{task.title}", line {task.line}) as `{box}`, '
            f"then git add {target.path}")


def _missing_plan(snapshot, target, config) -> list:
    """P002: the plan is not in the commit. An implement features.json beside a
    design that lists features is P001 instead: the code recorded no progress."""
    design_path = design_of(target.path)
    design = plan_of(snapshot, design_path, config) if design_path != target.path else None
    if design is None:
        return [Finding("P002", f"plan {target.path} is not in the commit", path=target.path,
                        hint=_where_current(target) + "add the plan (or set plan.paths in the config)")]
    if not design.units and not design.errors:
        return []  # nothing designed, nothing to record
    first = design.units[0].id if design.units else "F1"
    return [Finding(
        "P001", f"code staged but {target.path} does not record the features' status", path=target.path,
        hint=f'create it with the status of each feature of {design_path}: {{"features": [{{"id": "{first}", '
             f'"status": "done"}}, …]}} ("partial" with a "reason"), then git add {target.path}')]


def _unknown_statuses(snapshot, target, plan) -> bool:
    """A staged features list with a status other than done/partial: R004 (reports) names it."""
    if not target.path.endswith(".json") or not any(c.path == target.path for c in snapshot.changes):
        return False
    from ..plan.features import STATUSES

    return any(u.extra.get("status") not in STATUSES for u in plan.units if u.kind == "feature")


def _feature_moved_back(target, unit, now) -> Finding:
    """P003 for a feature: its status went back, or it left the list."""
    was = unit.extra.get("status", "")
    if now is None:
        return Finding("P003", f'feature {unit.id} ("{was}") was removed from {target.path}',
                       path=target.path, line=1,
                       hint=f'restore {{"id": "{unit.id}", "status": "{was}"}} in {target.path}')
    return Finding("P003", f'feature {unit.id} went back from "{was}" to "{now.extra.get("status", "")}"',
                   path=target.path, line=now.line,
                   hint=f'set "status": "{was}" for {unit.id} again; record what is still missing as a new feature')


def _stories_before_foundation(target, after, change) -> list:
    """P005 (spec-kit): the Setup and Foundational phases block every user story,
    so a story task completed while one of their tasks is open came too early."""
    if not change.newly:
        return []
    blocking = [p for p in after.units if p.extra.get("role") in ("setup", "foundational")]
    waiting = next(((p, t) for p in blocking for t in p.open_tasks()), None)
    if waiting is None:
        return []
    from ..plan.tasks import is_story_task

    phase, task = waiting
    role = phase.extra["role"].capitalize()
    findings = []
    for unit in change.newly:
        owner = change.owners.get(id(unit))
        while owner is not None and owner.kind != "phase":
            owner = change.owners.get(id(owner))
        if unit.kind == "task" and is_story_task(unit, owner):
            findings.append(Finding(
                "P005", f"{unit.id or label(unit)} completed, but {role} task {task.id or task.title} is still open",
                path=target.path, line=unit.line,
                hint=f"finish the {role} phase first ({task.id or 'its task'} at line {task.line}): "
                     "no user story starts before Setup and Foundational are done"))
    return findings


_ITEM_LEAD = lazy(r"[ \t>]*(?:" + LIST_MARKER + r"[ \t]+)?(?:\[[ xX]\][ \t]*)?")
SEARCH_BUDGET = 64  # whole-file searches for titles that are not a whole line, per file


def _line_finder(text: str):
    """title -> the line holding it (0: none), the file split once: a line that
    is the title (as a list item) is found by its text; a title inside a longer
    line by a search, at most SEARCH_BUDGET files' worth in all (linear time)."""
    lines = text.splitlines()
    whole: dict = {}
    for number, line in enumerate(lines, 1):
        whole.setdefault(" ".join(_ITEM_LEAD.sub("", line, count=1).split()), number)
    joined = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    budget = [SEARCH_BUDGET * (len(joined) + 1)]

    def holding(title: str) -> int:
        if not title:
            return 0
        if title in whole:
            return whole[title]
        if budget[0] <= 0:
            return 0
        at = joined.find(title)
        budget[0] -= len(joined) if at < 0 else at + len(title)
        return bisect.bisect_right(starts, at) if at >= 0 else 0

    return holding


def _removed_markers(target, old: dict, new: dict, after_text: str) -> list:
    findings = []
    holding = None
    for key, unit in old.items():
        if not progressed(unit):
            continue
        now = new.get(key)
        if now is None and unit.kind == "task":
            holding = holding or _line_finder(after_text)
            line = holding(unit.title)
            if line:  # still there, no longer marked (and so no longer read as a task)
                findings.append(Finding(
                    "P003", f"completed marker removed from {label(unit)}", path=target.path, line=line,
                    hint="restore the marker, or reopen the work in a new task instead of unmarking done work"))
                continue
        if unit.kind == "feature" and (now is None or rank(now) < rank(unit)):
            findings.append(_feature_moved_back(target, unit, now))
        elif now is None:
            findings.append(Finding(
                "P003", f"completed {label(unit)} was removed from the plan", path=target.path, line=1,
                hint="keep completed work in the plan; restore it with its completed marker"))
        elif rank(now) < rank(unit):
            findings.append(Finding(
                "P003", f"completed marker removed from {label(now)}", path=target.path, line=now.line,
                hint="restore the marker, or reopen the work in a new task instead of unmarking done work"))
    return findings


def _completed_with_open_tasks(target, newly: list) -> list:
    findings = []
    for unit in newly:
        if unit.kind not in HEADS:
            continue
        open_tasks = unit.open_tasks()
        if open_tasks:
            first = open_tasks[0]
            findings.append(Finding(
                "P004", f"{label(unit)} marked completed with {len(open_tasks)} open task"
                f"{'s' if len(open_tasks) > 1 else ''} (first: \"{first.title}\" at line {first.line})",
                path=target.path, line=unit.line,
                hint="finish and mark its tasks done, or remove the completed marker from the heading"))
    return findings


def _out_of_order(target, after: Plan, current, change: PlanChange) -> list:
    """Units after the current one, newly completed: scope creep."""
    order = [u for u in after.walk(read=False) if u.kind == current.kind]
    try:
        position = next(i for i, u in enumerate(order) if u is current)
    except StopIteration:
        return []
    later = {id(u) for u in order[position + 1:]}
    findings = []
    for unit in change.newly:
        owner = unit
        while owner is not None and id(owner) not in later:
            owner = change.owners.get(id(owner))
        if owner is None:
            continue
        findings.append(Finding(
            "P005", f"{label(unit)} completed, but the current {current.kind} is {current.id}",
            path=target.path, line=unit.line,
            hint=f"finish {label(current)} first, or move current_step on in the context"
            if current.kind == "step" else f"work on {owner.id} on its own branch"))
    return findings
