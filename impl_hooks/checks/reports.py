"""Step-completion gates: reports (R001-R004), step TODOs (T001), stubs
(X001-X002), tests with code (Q001) and the approval gate (H001)."""
from __future__ import annotations

import os

from ..findings import Finding
from ..globs import match_path
from ..plan.locate import PLACEHOLDER, code_paths, design_of, plan_of
from .plan import completions, newly_progressed, plan_targets

STUB_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")


def check(snapshot, contexts, config) -> list:
    done = completions(snapshot, contexts, config)
    code = code_paths(snapshot, config)
    findings = []
    findings += _reports(snapshot, contexts, config, done, code)
    findings += _features_contract(snapshot, contexts, config)
    findings += _step_todos(snapshot, contexts, config, code)
    findings += _stubs(snapshot, code)
    findings += _tests_with_code(snapshot, config, code)
    findings += _approval(snapshot, config)
    return findings


def _reports(snapshot, contexts, config, done, code) -> list:
    wanted = {}  # report path -> (its entry, why)
    for entry in config["reports"]["require"]:
        if entry.get("when", "step-completed") == "always":
            if code:
                for target in plan_targets(snapshot, contexts, config) or [None]:
                    values = target.values if target is not None else {}
                    path = _fill(entry["path"], values)
                    if path:
                        wanted.setdefault(path, (entry, "every commit with code"))
        else:
            for target, unit in done:
                path = _fill(entry["path"], target.values)
                what = f"{unit.kind} {unit.id}" if unit is not None else target.path
                if path:
                    wanted.setdefault(path, (entry, f"this commit completes {what}"))
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


def _fill(template: str, values: dict) -> str:
    """The template with its values; '' when one is unknown (nothing to require)."""
    missing = [m for m in PLACEHOLDER.findall(template) if not values.get(m)]
    return "" if missing else PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def _features_contract(snapshot, contexts, config) -> list:
    """R004: every design feature is done, or partial with a reason, in the implement list."""
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


def _step_todos(snapshot, contexts, config, code) -> list:
    """T001: TODOs naming a step, task or issue this commit completes, in the code it stages.

    Only staged files are read: cost follows the change, never the repository
    (a range or CI run sees every commit's own files the same way).
    """
    from .todos import DEFAULT_TODO_PATTERN, TODO_KINDS, step_todos

    staged = set(snapshot.staged_paths)
    candidates = [p for p in code if p in staged]
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


def _stubs(snapshot, code) -> list:
    """X001/X002 on the staged source files (a deleted file has nothing to check)."""
    staged = set(snapshot.staged_paths)
    sources = [p for p in code if p in staged and p.endswith(STUB_SUFFIXES)]
    if not sources:
        return []
    from .stubs import stub_findings

    blobs = snapshot.read_many(sources)
    findings = []
    for path in sources:
        if path in blobs:
            findings += stub_findings(path, blobs[path])
    return findings


def _tests_with_code(snapshot, config, code) -> list:
    """Q001 (opt-in): new source files come with at least one test file."""
    if not config["tests"]["required"]:
        return []
    patterns = config["tests"]["patterns"]
    added = set(snapshot.added_paths)
    tests = [p for p in snapshot.staged_paths if match_path(p, patterns)]
    sources = [p for p in code if p in added and not match_path(p, patterns)]
    if not sources or tests:
        return []
    return [Finding("Q001", f"{len(sources)} source file(s) added without a test file in the commit "
                    f"(first: {sources[0]})", path=sources[0],
                    hint=f"add tests matching one of {', '.join(patterns[:3])}… to the same commit")]


def _approval(snapshot, config) -> list:
    if not config["approval"]["required"] or snapshot.after is not None:
        return []
    from ..approval import is_approved, staged_tree

    tree = staged_tree(snapshot.repo)
    if is_approved(snapshot.repo, tree):
        return []
    if os.environ.get("CLAUDECODE"):  # an agent reads this: approval stays a person's
        hint = ("ask the person to test this change and approve it (they run `impl-hooks approve` "
                "in their own terminal); do not run it yourself")
    else:
        hint = "a person tests the change, then runs: impl-hooks approve (it records exactly what is staged)"
    return [Finding("H001", f"the staged tree {tree[:12]} was not approved", hint=hint)]
