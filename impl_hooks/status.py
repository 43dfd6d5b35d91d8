"""`impl-hooks status`: where the work stands and what blocks the next commit."""
from __future__ import annotations

BAR_WIDTH = 10
OPEN_SHOWN = 10  # open tasks listed for a plan without a current unit


def bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _count(unit) -> tuple:
    """(done, total, what): tasks below the unit, or its sub-units when it has no tasks."""
    tasks = [u for u in unit.iter() if u is not unit and u.kind == "task"]
    if tasks:
        return sum(t.completed for t in tasks), len(tasks), "tasks"
    subs = [u for u in unit.children if u.kind != "task"]
    if subs:
        return sum(u.completed for u in subs), len(subs), f"{subs[0].kind}s"
    return int(unit.completed), 1, unit.kind


def progress_rows(plan) -> list:
    rows = []

    def visit(units, depth):
        for unit in units:
            if unit.kind == "task":
                continue
            done, total, what = _count(unit)
            row = {"kind": unit.kind, "id": unit.id, "title": unit.title, "line": unit.line,
                   "depth": depth, "done": done, "total": total, "counts": what,
                   "completed": unit.completed}
            if unit.kind == "feature":
                row["status"] = unit.extra.get("status", "")
                row["reason"] = unit.extra.get("reason", "")
            rows.append(row)
            visit(unit.children, depth + 1)

    visit(plan.units, 0)
    return rows


def build_status(snapshot, config) -> dict:
    """Everything `status` shows, as plain data (the JSON output)."""
    from .context import Contexts
    from .plan.locate import read_plan, targets
    from .runner import HOOK_CHECKS, run_checks

    contexts = Contexts(snapshot)
    context = contexts.current()
    status = {
        "branch": snapshot.branch,
        "preset": config["preset"],
        "context": dict(path=context.path, **context.values()) if context is not None else None,
        "plans": [],
    }
    seen = set()
    for target in targets(snapshot, contexts, config):
        if target.path in seen:
            continue
        seen.add(target.path)
        text = snapshot.read_text(target.path)
        entry = {"path": target.path, "found": text is not None, "current": None, "progress": [],
                 "feature": target.values.get("feature") or "", "open": [], "next": ""}
        if target.ambiguous:
            entry["next"] = f"set current_phase in {target.context.path}: step {target.current} is open in " \
                            + ", ".join(target.ambiguous)
        if text is not None:
            plan = read_plan(target.path, text, config)
            entry["progress"] = progress_rows(plan)
            unit = plan.find(target.current, target.kind or None) if target.current else None
            if unit is not None:
                tasks = [t for t in unit.iter() if t is not unit and t.kind == "task"]
                entry["current"] = {
                    "kind": unit.kind, "id": unit.id, "title": unit.title, "line": unit.line,
                    "completed": unit.completed,
                    "tasks": [{"id": t.id, "title": t.title, "line": t.line, "completed": t.completed}
                              for t in tasks],
                }
                entry["next"] = _next_move(unit, tasks, target, config)
            elif not target.current:
                entry["open"] = [{"id": u.id, "title": u.title, "line": u.line}
                                 for u in plan.walk() if u.kind == "task" and not u.completed][:OPEN_SHOWN]
        status["plans"].append(entry)
    findings = run_checks(snapshot, HOOK_CHECKS["impl-check"], config)
    status["blocking"] = [f.as_dict() for f in findings if f.blocks]
    status["warnings"] = [f.as_dict() for f in findings if not f.blocks]
    return status


def _next_move(unit, tasks: list, target, config) -> str:
    """What the person (or agent) does next on the current unit."""
    name = f"{unit.kind} {unit.id}"
    if unit.completed:
        return f"{name} is complete: move current_step on in the context" if unit.kind == "step" else ""
    if tasks and all(t.completed for t in tasks):
        from .checks.reports import _fill

        reports = [p for p in (_fill(e["path"], target.values) for e in config["reports"]["require"]
                               if e.get("when", "step-completed") == "step-completed") if p]
        return f"mark {name} complete" + (f" and write its reports ({', '.join(reports)})" if reports else "")
    return ""


def render_status(status: dict) -> str:
    out = []
    context = status["context"]
    if context:
        facts = [f"{k.replace('_', ' ')} {context[k]}" for k in ("epic", "step", "domain", "dev_stage", "issue")
                 if context.get(k)]
        out.append(f"Context  {context['path']}")
        out.append("  " + " · ".join(facts + [f"branch {status['branch'] or '(detached)'}"]))
    else:
        out.append(f"Context  none (preset {status['preset']}) · branch {status['branch'] or '(detached)'}")
    for plan in status["plans"]:
        out.append("")
        if not plan["found"]:
            out.append(f"Plan     {plan['path']} (not in the index)")
            continue
        out.append(f"Plan     {plan['path']}")
        if plan["feature"]:
            out.append(f"Feature  {plan['feature']}")
        current = plan["current"]
        if current:
            out.append("")
            mark = " ✅" if current["completed"] else ""
            out.append(f"{current['kind'].capitalize()} {current['id']}: {current['title']}{mark}"
                       f"  ({plan['path']}:{current['line']})")
            for task in current["tasks"]:
                out.append(f"  {'✓' if task['completed'] else '✗'} "
                           + " ".join(p for p in (task["id"], task["title"]) if p))
            if not current["tasks"]:
                out.append("  (no tasks listed)")
        if plan["next"]:
            out.append(f"Next     {plan['next']}")
        if plan["progress"]:
            out.append("")
            width = max(len(_row_name(r)) + 2 * r["depth"] for r in plan["progress"])
            for row in plan["progress"]:
                name = "  " * row["depth"] + _row_name(row)
                if row["kind"] == "feature":
                    reason = f" — {row['reason']}" if row["status"] == "partial" and row["reason"] else ""
                    out.append(f"  {name:<{width}}  {row['status'] or 'no status':<8}  {row['title']}{reason}")
                    continue
                out.append(f"  {name:<{width}}  {bar(row['done'], row['total'])}  "
                           f"{row['done']}/{row['total']} {row['counts']}")
        if plan["open"]:
            out.append("")
            out.append("Open tasks")
            for task in plan["open"]:
                out.append(f"  ✗ {' '.join(p for p in (task['id'], task['title']) if p)}  (line {task['line']})")
    out.append("")
    if status["blocking"]:
        out.append("Next commit is blocked by:")
        for f in status["blocking"]:
            where = f"{f['path']}:{f['line']}: " if f["path"] and f["line"] else (f"{f['path']}: " if f["path"] else "")
            out.append(f"  ✗ {where}{f['code']} {f['message']}")
            if f["hint"]:
                out.append(f"      hint: {f['hint']}")
    else:
        out.append("Next commit: nothing blocks the staged change")
    for f in status["warnings"]:
        out.append(f"  ! {f['code']} {f['message']}")
    return "\n".join(out)


def _row_name(row: dict) -> str:
    return f"{row['kind'].capitalize()} {row['id']}" if row["id"] else row["title"][:30]
