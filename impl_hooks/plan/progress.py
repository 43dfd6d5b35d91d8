"""What a commit does to its plans: the plan targets it answers to, each plan's
change (units before and after, what moved forward, what was added done) and
the units it completes.

Every check that asks (plan, evidence, reports, todos) calls these functions,
never another check. Each answer is computed on first use and kept for the run
in the snapshot's memo under this module's keys, so no check depends on
another having run, and none computes it twice.
"""
from __future__ import annotations

from .locate import plan_of, targets
from .model import Plan

_TARGETS = "progress.targets"
_CHANGE = "progress.change"  # (_CHANGE, plan path)


def plan_targets(snapshot, contexts, config) -> list:
    """The plan targets of this run (see `locate.targets`)."""
    if _TARGETS not in snapshot.memo:
        snapshot.memo[_TARGETS] = targets(snapshot, contexts, config)
    return snapshot.memo[_TARGETS]


def plan_change(snapshot, target, config) -> PlanChange | None:
    """The change to the target's plan; None when the plan is not in the commit."""
    key = (_CHANGE, target.path)
    if key not in snapshot.memo:
        after = plan_of(snapshot, target.path, config)
        before = plan_of(snapshot, target.path, config, before=True)
        before_text = snapshot.read_text(target.path, before=True) or ""
        snapshot.memo[key] = PlanChange(before, after, before_text, tuple(config["plan"]["completed"])) \
            if after is not None else None
    return snapshot.memo[key]


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


def rank(unit) -> int:
    """How far a unit has come: open 0, partial (features) 1, completed 2."""
    return 2 if unit.completed else 1 if unit.extra.get("status") == "partial" else 0


def progressed(unit) -> bool:
    """Completed, or (features) partial: both are progress."""
    return rank(unit) > 0


def unit_keys(plan: Plan, unchanged=frozenset()) -> tuple[dict, dict]:
    """Units by a key that survives edits elsewhere in the file (kind and id, or,
    for a task without id, its owner's key and its title), and each unit's owner.

    The tasks of a section in `unchanged` (ids of units) are not read: its text
    is the same in the plan's other version, so they cannot have changed.
    """
    keys: dict = {}
    owners: dict = {}
    repeats: dict = {}  # key -> how often seen: the nth same task is (*key, n), in constant time

    def visit(units, owner_key, owner):
        for unit in units:
            key = ((unit.kind, unit.id.casefold()) if unit.id
                   else (unit.kind, owner_key, " ".join(unit.title.split()).casefold()))
            if keys.setdefault(key, unit) is not unit:  # the same anonymous task twice
                seen = repeats.get(key, 1)
                repeats[key] = seen + 1
                key = (*key, seen)  # it ends in a count, as no first key does
                keys[key] = unit
            ident = id(unit)
            owners[ident] = owner
            below = unit.subsections if ident in unchanged else unit.children
            if below:
                visit(below, key, unit)

    visit(plan.units, None, None)
    return keys, owners


class PlanChange:
    """What the commit did to one plan: units by key before and after (see
    `unit_keys`), each new unit's owner, the units that were in the plan and
    moved forward (`newly`), and those the commit adds already done
    (`added_done`, topmost only). `baseline` is set when the commit adds the
    plan itself: there is nothing yet to move forward."""

    __slots__ = ("old", "new", "owners", "newly", "added_done", "baseline")
    old: dict
    new: dict
    owners: dict
    newly: list
    added_done: list
    baseline: bool

    def __init__(self, before: Plan | None, after: Plan, before_text: str = "",
                 markers: tuple = ("✅", "**COMPLETED**", "[x]")):
        self.baseline = before is None
        if before is None:
            before = Plan(after.path, [])
        if before is after:  # the plan is not in the commit
            self.old, self.new, self.owners, self.newly, self.added_done = {}, {}, {}, [], []
            return
        sections = _sections(before)
        unchanged: set = set()
        for key, unit in _sections(after).items():
            twin = sections.get(key)
            if unit is not None and twin is not None and unit.source == twin.source:
                unchanged.add(id(unit))
                unchanged.add(id(twin))
        self.old = old = unit_keys(before, unchanged)[0]
        self.new, self.owners = unit_keys(after, unchanged)
        self.newly, added = [], set()
        for key, unit in self.new.items():
            if not (unit.completed or unit.extra and rank(unit)):
                continue  # open: it moved nothing forward and adds nothing done
            was = old.get(key)
            if was is None:
                if self._was_prose(unit, before_text, markers):
                    self.newly.append(unit)
                else:
                    added.add(id(unit))
            elif not was.completed and rank(unit) > rank(was):  # nothing is past completed
                self.newly.append(unit)
        self.added_done = [u for u in self.new.values()
                           if id(u) in added and id(self.owners.get(id(u))) not in added] if added else []

    def _was_prose(self, unit, before_text: str, markers: tuple) -> bool:
        """A task that is new only as a task: its item was in the plan, open and
        read as prose until this commit marked it (the first ✅ in a plain list
        turns the whole list into tasks). Not one that was already marked (moved
        under a new heading) or commented out."""
        if unit.kind != "task" or not unit.title:
            return False
        owner = self.owners.get(id(unit))
        while owner is not None and owner.kind == "task":
            owner = self.owners.get(id(owner))
        old_owner = self.old.get((owner.kind, owner.id.casefold())) if owner is not None else None
        if old_owner is not None and old_owner.source is not None:
            before_text = "".join(chunk[0] for chunk in old_owner.source if chunk)
        from ..markdown import strip_html_comments
        from .markdown import has_marker

        in_comment = False
        for line in before_text.split("\n"):
            if in_comment or "<!--" in line:
                line, in_comment = strip_html_comments(line, in_comment)
            if unit.title in " ".join(line.split()) and not has_marker(line, markers):
                return True
        return False

    def within(self, unit, top) -> bool:
        """Whether `unit` is `top` or lies below it."""
        while unit is not None and unit is not top:
            unit = self.owners.get(id(unit))
        return unit is top


def _sections(plan: Plan) -> dict:
    """Markdown sections (units with a source) by kind and id; None for an id used twice.
    Sections are found through `subsections`: no task is looked at."""
    found: dict = {}

    def visit(units):
        for unit in units:
            if unit.source is not None:
                key = (unit.kind, unit.id.casefold())
                if found.setdefault(key, unit) is not unit:
                    found[key] = None
                if unit.subsections:
                    visit(unit.subsections)

    visit(plan.units)
    return found
