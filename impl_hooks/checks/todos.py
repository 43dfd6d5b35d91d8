"""TODOs for finished work (T001): a TODO that names a step, task or issue
must be gone by the commit that completes it; a TODO for later work may stay."""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..findings import Finding
from ..plan.locate import code_paths
from ..plan.progress import newly_progressed, plan_targets

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot

# TODO(step 1.2), TODO(1.2), TODO [Step 1.2], TODO: Step 1.2, TODO step 1.2:,
# FIXME(step 1.2), TODO(task 1.1.2), TODO(T005), TODO(ALB-12), TODO: ALB-12,
# TODO T005; in any comment syntax. The keyword is upper case, as TODO tools
# expect; "step", "task" and "issue" are any case. A bare number after
# "TODO:" is not a unit ("TODO: 3 retries"), so outside brackets a number
# needs one of those words; an issue id (ALB-12) or a task id (T005) does not.
# The group is named `step` for every kind of id: a `todos.pattern` from the
# config names the id it reads with `(?P<step>...)` too.
DEFAULT_TODO_PATTERN = (
    r"\b(?:TODO|FIXME)\b"
    r"(?:\s*[(\[]\s*(?:(?i:step|task|issue)[\s:_#-]*)?"
    r"|\s*[:-]?\s*(?i:step|task|issue)[\s:_#-]*"
    r"|\s*[:-]?\s*(?=[A-Z][A-Z0-9]+-\d|T\d))"
    r"(?P<step>[A-Z][A-Z0-9]+-\d+|[A-Za-z]?\d+(?:\.\d+)*)(?!\.?\w)"
)
TODO_KINDS = ("step", "task", "issue")


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    """T001 in the code the commit stages, for the units it completes.

    Only staged files are read: cost follows the change, never the repository
    (a range or CI run sees every commit's own files the same way).
    """
    staged = set(snapshot.staged_paths)
    candidates = [p for p in code_paths(snapshot, config) if p in staged]
    if not candidates:
        return []
    units = [(unit.kind, unit.id) for target in plan_targets(snapshot, contexts, config)
             for unit in newly_progressed(snapshot, target, config)
             if unit.completed and unit.id and unit.kind in TODO_KINDS]
    if not units:
        return []
    pattern = config["todos"]["pattern"] or DEFAULT_TODO_PATTERN
    blobs = snapshot.read_many(candidates)
    findings = []
    for path in candidates:
        if path in blobs:
            findings += step_todos(path, blobs[path], units, pattern)
    return findings


def step_todos(path: str, data: bytes, units: Iterable[tuple], pattern: str = DEFAULT_TODO_PATTERN) -> list[Finding]:
    """T001 for each TODO naming exactly one of `units`, (kind, id) pairs of
    the work this commit completes (1.2 is not 1.20 nor 11.2, T5 is not T50).

    `pattern` needs a named group `step` (config validates it); lines are
    matched one by one, so a match never spans lines. Binary data is skipped.
    """
    completed: dict[str, str] = {}
    for kind, unit_id in units:
        if unit_id.strip():
            completed.setdefault(unit_id.strip().casefold(), f"{kind} {unit_id.strip()}")
    if b"\0" in data or not completed:
        return []
    regex = re.compile(pattern)
    text = data.decode("utf-8", errors="replace")
    findings = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in regex.finditer(line):
            named = match.groupdict().get("step")
            unit = completed.get(named.strip().casefold()) if named else None
            if unit is None:
                continue
            findings.append(
                Finding(
                    "T001",
                    f"TODO for {unit} left in a commit that completes {unit}",
                    path=path,
                    line=number,
                    hint="finish the work and remove the TODO; if it belongs to later work, "
                    "name that step, task or issue instead",
                )
            )
    return findings
