"""Plan rules P001-P005: code moves the plan forward, and the plan moves only forward.

The plan in HEAD is compared with the plan in the index, unit by unit.
"""
from __future__ import annotations

from ..findings import Finding
from ..plan.locate import plan_of, targets
from ..plan.model import Plan

HEADS = ("phase", "step", "issue")
MARKER_HINT = "mark it done (`- [x]`, or `✅ **COMPLETED**` on the heading or task line)"


def unit_keys(plan: Plan, unchanged=frozenset()) -> tuple[dict, dict]:
    """Units by a key that survives edits elsewhere in the file (kind and id, or,
    for a task without id, its owner's key and its title), and each unit's owner.

    The tasks of a section in `unchanged` (ids of units) are not read: its text
    is the same in the plan's other version, so they cannot have changed.
    """
    keys: dict = {}
    owners: dict = {}

    def visit(units, owner_key, owner):
        for unit in units:
            key = (unit.kind, unit.id.casefold()) if unit.id else (unit.kind, owner_key, " ".join(unit.title.split()).casefold())
            while key in keys:  # the same anonymous task twice
                key = key + ("again",)
            keys[key] = unit
            owners[id(unit)] = owner
            visit(unit.subsections if id(unit) in unchanged else unit.children, key, unit)

    visit(plan.units, None, None)
    return keys, owners


class PlanChange:
    """What the commit did to one plan: units by key before and after (see
    `unit_keys`), the units newly progressed, and each new unit's owner."""

    __slots__ = ("old", "new", "owners", "newly")

    def __init__(self, before: Plan, after: Plan):
        if before is after:  # the plan is not in the commit
            self.old, self.new, self.owners, self.newly = {}, {}, {}, []
            return
        sections = _sections(before)
        unchanged = set()
        for key, unit in _sections(after).items():
            twin = sections.get(key)
            if unit is not None and twin is not None and unit.source == twin.source:
                unchanged.update((id(unit), id(twin)))
        self.old = unit_keys(before, unchanged)[0]
        self.new, self.owners = unit_keys(after, unchanged)
        self.newly = [u for k, u in self.new.items()
                      if progressed(u) and not (k in self.old and progressed(self.old[k]))]


def _sections(plan: Plan) -> dict:
    """Markdown sections (units with a source) by kind and id; None for an id used twice."""
    found: dict = {}
    for unit in plan.walk(read=False):
        if unit.source is not None:
            key = (unit.kind, unit.id.casefold())
            found[key] = None if key in found else unit
    return found


def plan_change(snapshot, target, config) -> PlanChange | None:
    """The change to the target's plan, computed once a run; None when the plan is not in the commit."""
    key = ("plan-change", target.path)
    if key not in snapshot.memo:
        after = plan_of(snapshot, target.path, config)
        before = plan_of(snapshot, target.path, config, before=True) or Plan(target.path, [])
        snapshot.memo[key] = PlanChange(before, after) if after is not None else None
    return snapshot.memo[key]


def progressed(unit) -> bool:
    """Completed, or (features) partial with its reason: both are progress."""
    return unit.completed or unit.extra.get("status") == "partial"


def label(unit) -> str:
    return f"{unit.kind} {unit.id}".strip() if unit.id else f"task \"{unit.title}\""


def plan_targets(snapshot, contexts, config) -> list:
    """The plan targets of this run, computed once and shared by the checks."""
    if "targets" not in snapshot.memo:
        snapshot.memo["targets"] = targets(snapshot, contexts, config)
    return snapshot.memo["targets"]


def newly_progressed(snapshot, target, config) -> list:
    """Units completed (or partial) in the index that were not in HEAD."""
    change = plan_change(snapshot, target, config)
    return change.newly if change is not None else []


def completions(snapshot, contexts, config) -> list:
    """(target, unit) for each plan unit this commit completes; unit is None when the
    preset has no current unit and the whole plan (a task's features, a feature's
    tasks) is declared done by this commit."""
    done = []
    for target in plan_targets(snapshot, contexts, config):
        after = plan_of(snapshot, target.path, config)
        if after is None or after.errors:
            continue
        if target.current:
            current = after.find(target.current, target.kind or None)
            if current is not None and any(u is current for u in newly_progressed(snapshot, target, config)):
                done.append((target, current))
        elif target.path.endswith(".json"):
            if target.path in {c.path for c in snapshot.changes}:
                done.append((target, None))
        else:
            before = plan_of(snapshot, target.path, config, before=True)
            units = [u for u in after.walk() if u.kind in ("task", "feature")]
            if units and all(u.completed for u in units) and before is not after and not (
                    before is not None and all(u.completed for u in before.walk() if u.kind in ("task", "feature"))):
                done.append((target, None))
    return done


def check(snapshot, contexts, config) -> list:
    if config["plan"]["require"] == "off":
        return []
    findings = []
    progress_by_group: dict = {}
    for target in plan_targets(snapshot, contexts, config):
        group = target.context.path if target.context is not None else ""
        progress_by_group.setdefault(group, [target, False, None])
        after = plan_of(snapshot, target.path, config)
        if after is None:
            if target.code:
                findings.append(Finding(
                    "P002", f"plan {target.path} is not in the commit", path=target.path,
                    hint=_where_current(target) + "add the plan (or set plan.paths in the config)"))
                progress_by_group[group][1] = True  # P001 would say the same again
            continue
        if progress_by_group[group][0] is target:
            progress_by_group[group][2] = after
        if after.errors:
            continue  # unreadable (malformed JSON): the reports check names the line
        change = plan_change(snapshot, target, config)
        newly = change.newly
        if newly:
            progress_by_group[group][1] = True
        current = after.find(target.current, target.kind or None) if target.current else None
        if target.current and current is None:
            findings.append(Finding(
                "P002", f"current {target.kind or 'unit'} {target.current} is not in the plan", path=target.path,
                line=1, hint=_where_current(target) + f"add a heading for {target.current} or fix the context"))
        findings += _removed_markers(target, change.old, change.new, snapshot.read_text(target.path) or "")
        findings += _completed_with_open_tasks(target, newly)
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
    return Finding("P001", f"code staged{what} but the plan was not updated", path=target.path, line=line,
                   hint=f"{todo} (`- [x]` or `✅ **COMPLETED**`), then git add {target.path}")


def _line_holding(text: str, title: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if title and title in line:
            return number
    return 0


def _removed_markers(target, old: dict, new: dict, after_text: str) -> list:
    findings = []
    for key, unit in old.items():
        if not progressed(unit):
            continue
        now = new.get(key)
        if now is None and unit.kind == "task":
            line = _line_holding(after_text, unit.title)
            if line:  # still there, no longer marked (and so no longer read as a task)
                findings.append(Finding(
                    "P003", f"completed marker removed from {label(unit)}", path=target.path, line=line,
                    hint="restore the marker, or reopen the work in a new task instead of unmarking done work"))
                continue
        if now is None:
            findings.append(Finding(
                "P003", f"completed {label(unit)} was removed from the plan", path=target.path, line=1,
                hint="keep completed work in the plan; restore it with its completed marker"))
        elif not progressed(now):
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
