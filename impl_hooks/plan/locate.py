"""Which plan a commit answers to, and which unit of it is current.

Plan paths are templates (`docs/Phase{phase}/6.1_implementation_plan.md`,
`artifacts/{task}-implement/features.json`, `specs/{feature}/tasks.md`).
Placeholders are filled from the governing Context.toml, from the branch,
and from the staged paths that sit in a folder the template names; what is
still unknown becomes a glob over the tree being committed. Two exceptions:
spec-kit's `{feature}` is only ever the one feature the branch (or
SPECIFY_FEATURE) names, and a features-json `{task}` also counts the tasks
that have a design list but no implement list yet.
"""
from __future__ import annotations

import os
import re

from ..findings import Finding
from ..globs import match_path
from .markdown import read_markdown_plan  # most plans are markdown: imported with the checks, while git reads the index

PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Target:
    """One plan file the commit answers to."""

    def __init__(self, path: str, current: str = "", kind: str = "", values=None,
                 code=(), context=None):
        self.path = path
        self.current = current      # id of the current unit ("" when the preset has none)
        self.kind = kind            # "step" | "issue" | ""
        self.values = values or {}  # placeholder values, reused for report paths
        self.code = list(code)      # staged code paths this plan answers for
        self.context = context
        self.ambiguous: list = []   # the plans that all hold the current step, open
        self.problem: Finding | None = None  # when no plan could be named (spec-kit: no feature)

    def __repr__(self) -> str:
        return f"Target({self.path!r}, current={self.current!r}, code={len(self.code)})"


def code_paths(snapshot, config) -> list:
    """Staged paths (deleted ones too) that are implementation, not docs or plans."""
    if "code" in snapshot.memo:
        return snapshot.memo["code"]
    not_code = config["plan"]["not_code"]
    paths = []
    for change in snapshot.changes:
        for path in (change.path, change.old_path):
            if path and not match_path(path, not_code):
                paths.append(path)
    snapshot.memo["code"] = list(dict.fromkeys(paths))
    return snapshot.memo["code"]


def design_of(path: str) -> str:
    """features-json: the design list beside an implement list (`x-implement/` ->
    `x-design/`); the path itself when it is no implement list."""
    return path.replace("-implement/", "-design/")


def fill(template: str, values: dict) -> str:
    """The template with known values put in and unknown placeholders as `*`."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1)) or "*"), template)


def _template_regex(template: str, end: str):
    """A regex whose named groups read the placeholders off a path; None if unusable."""
    pattern = "^"
    pos = 0
    for match in PLACEHOLDER.finditer(template):
        pattern += re.escape(template[pos:match.start()]) + f"(?P<{match.group(1)}>[^/]+?)"
        pos = match.end()
    try:
        return re.compile(pattern + re.escape(template[pos:]) + end)
    except re.error:  # a placeholder named twice
        return None


def _from_staged(template: str, staged: list) -> dict:
    """Placeholder values read off staged paths that lie in the template's folders."""
    folder = template.rpartition("/")[0]
    regex = _template_regex(folder, "/") if PLACEHOLDER.search(folder) else None
    if regex is None:
        return {}
    for path in staged:
        found = regex.match(path)
        if found:
            return found.groupdict()
    return {}


def issue_of(snapshot, contexts, config):
    from ..config import branch_issue

    issue = branch_issue(snapshot.branch, config)
    if issue:
        return issue
    context = contexts.current()
    return context.issue if context is not None and context.issue else ""


def targets(snapshot, contexts, config) -> list:
    """The plan files this commit answers to, each with its current unit and code.

    `plan.current` in the config names the current unit outright (a step like
    "2.3" or an issue like "AUTH-12"), for repositories without a context.
    """
    result = _targets(snapshot, contexts, config)
    current = config["plan"]["current"].strip()
    if current:
        kind = "step" if re.fullmatch(r"\d+(?:\.\d+)*", current) else "issue"
        for target in result:
            target.current, target.kind = current, kind
    return result


def _targets(snapshot, contexts, config) -> list:
    templates = config["plan"]["paths"]
    if not templates:
        return []
    code = code_paths(snapshot, config)
    preset = config["preset"]
    names = {m for t in templates for m in PLACEHOLDER.findall(t)}
    result = []
    if names & {"phase", "step", "epic", "domain", "dev_stage"}:
        groups: dict = {}
        fallback = contexts.current()
        for path in code:
            context = contexts.for_path(path) or fallback
            if context is not None:
                groups.setdefault(context.path, (context, []))[1].append(path)
        if not groups and fallback is not None:
            groups[fallback.path] = (fallback, [])
        for context, paths in groups.values():
            for template in templates:
                values = dict(context.values())
                ambiguous: list = []
                if "phase" in PLACEHOLDER.findall(template) and not values["phase"] and context.step:
                    values["phase"], ambiguous = _phase_holding(snapshot, template, values, context.step, config)
                if ambiguous:
                    target = Target(fill(template, values), context.step, "step", values, paths, context)
                    target.ambiguous = ambiguous
                    result.append(target)
                    continue
                path = fill(template, values)
                # a context without current_step: every plan the template can name answers
                for candidate in snapshot.list_paths([path]) if "*" in path else [path]:
                    result.append(Target(candidate, context.step, "step" if context.step else "",
                                         {**values, **_values_of(template, candidate)}, paths, context))
        return result

    staged = snapshot.staged_paths + snapshot.removed_paths
    issue = issue_of(snapshot, contexts, config)
    kind = "issue" if preset == "spec-issue" else ""
    for template in templates:
        if "feature" in PLACEHOLDER.findall(template):
            result.append(_feature_target(snapshot, template, code))
            continue
        local = {"issue": issue, **_from_staged(template, staged)}
        path = fill(template, local)
        if design_of(template) != template and "*" in path:
            candidates = _task_lists(snapshot, template, local, staged)
        else:
            candidates = snapshot.list_paths([path]) if "*" in path or "?" in path else [path]
        if kind and len(candidates) > 1:
            holding = [p for p in candidates if _mentions(snapshot, p, issue)]
            candidates = holding or candidates[:1]
        for candidate in candidates:
            values = {**local, **_values_of(template, candidate)}
            result.append(Target(candidate, issue if kind else "", kind, values, code))
    return result


def _feature_target(snapshot, template: str, code: list) -> Target:
    """spec-kit: the plan of the one feature being worked on, found as spec-kit's
    scripts find it. Its name is SPECIFY_FEATURE, else the branch (`feat/001-x`
    counts as `001-x`); a `NNN-` (or `YYYYMMDD-HHMMSS-`) prefix finds the one
    feature folder with that prefix, else the name is the folder. A tick in
    another feature's tasks.md is no progress, so a name that finds no feature
    gives a target whose `problem` says so, never every feature's plan.
    """
    env = os.environ.get("SPECIFY_FEATURE", "")
    raw = env or snapshot.branch or ""
    name = raw.rpartition("/")[2] if raw.count("/") == 1 else raw
    features = [_values_of(template, p).get("feature", "")
                for p in snapshot.list_paths([fill(template, {})])]
    prefix = re.match(r"(\d{8}-\d{6}|\d{3,})-", name)
    number = prefix.group(1) if prefix else ""
    same = [f for f in features if number and f.startswith(number + "-")]
    feature = same[0] if len(same) == 1 else name
    target = Target(fill(template, {"feature": feature}), values={"feature": feature}, code=code)
    folder = fill(template.rpartition("/")[0], {"feature": feature})
    if feature in features or (feature and snapshot.exists([folder])):
        return target  # a feature folder without tasks.md: its plan "is not in the commit"
    specs = template[:template.find("{feature}")]
    source = f'SPECIFY_FEATURE "{env}"' if env else f'branch "{raw}"' if raw else ""
    example = features[0] if features else "001-name"
    if len(same) > 1:
        message = f"{source} matches several spec-kit features by its prefix {number}: {', '.join(same)}"
        hint = f"give each feature folder in {specs} its own number: spec-kit takes one folder per prefix"
    else:
        held = (f"{specs} holds {', '.join(features[:5])}{', …' if len(features) > 5 else ''}" if features
                else f"no {fill(template, {})} in the commit")
        message = (f"{source} names no spec-kit feature ({held})" if source
                   else f"HEAD is detached and SPECIFY_FEATURE is not set: no spec-kit feature to judge ({held})")
        hint = (f"set SPECIFY_FEATURE to a feature folder of {specs} (e.g. {example}), or unset it to use the branch"
                if env else f"name the branch NNN-name after its feature (git branch -m {example}) "
                f"or set SPECIFY_FEATURE={example}")
    if not feature:
        target.path = specs.rstrip("/")
    target.problem = Finding("P002", message, path=target.path, hint=hint)
    return target


def _task_lists(snapshot, template: str, values: dict, staged: list) -> list:
    """features-json: the implement lists of the tasks whose design or implement
    folder the commit touches; when it touches none, of every task that has a
    design or an implement list (each is judged). A list need not exist yet:
    code staged beside a design and no implement list has recorded nothing."""
    twins = (template, design_of(template))
    touched = []
    for twin in twins:
        regex = _template_regex(twin.rpartition("/")[0], "/")
        for path in staged if regex is not None else ():
            found = regex.match(path)
            if found:
                touched.append(fill(template, {**values, **found.groupdict()}))
    if touched:
        return list(dict.fromkeys(touched))
    lists = set()
    for path in snapshot.list_paths([fill(twin, values) for twin in twins]):
        for twin in twins:
            found = _values_of(twin, path)
            if found:
                lists.add(fill(template, {**values, **found}))
    return sorted(lists)


def _phase_holding(snapshot, template: str, values: dict, step: str, config) -> tuple[str, list]:
    """(phase, []) for the phase plan that holds `step`, or ("", plans) when several
    hold it open.

    SDD Flow numbers steps per epic inside one phase's plan (`Step 2.1` of
    Epic 2 in Phase 1), so the step's first number says nothing about the
    phase until no plan holds the step. A step is open when it is not
    completed before or after the commit (the commit completing it is still
    working on it).
    """
    from ..context import phase_of

    plans = snapshot.list_paths([fill(template, {**values, "phase": None})])
    holding, open_in = [], []
    for path in plans:
        phase = _values_of(template, path).get("phase")
        after = plan_of(snapshot, path, config)
        unit = after.find(step, "step") if after is not None else None
        if not phase or unit is None:
            continue
        holding.append(phase)
        before = plan_of(snapshot, path, config, before=True)
        was = before.find(step, "step") if before is not None else None
        if not unit.completed or (was is not None and not was.completed):
            open_in.append((phase, path))
    if len(open_in) == 1:
        return open_in[0][0], []
    if len(open_in) > 1:
        return "", [path for _, path in open_in]
    return (holding[0] if len(holding) == 1 else phase_of(step)), []


def _mentions(snapshot, path: str, issue: str) -> bool:
    text = snapshot.read_text(path) or ""
    return bool(issue) and re.search(rf"^#+.*\b{re.escape(issue)}\b", text, re.M | re.I) is not None


def _values_of(template: str, path: str) -> dict:
    """Placeholder values that turn `template` into `path`."""
    regex = _template_regex(template, "$")
    found = regex.match(path) if regex is not None else None
    return found.groupdict() if found else {}


def read_plan(path: str, text: str, config):
    """The plan model of one file, by its format."""
    if _markdown_plan(path, config):
        return read_markdown_plan(text, path, config["plan"]["completed"])
    if path.endswith(".json"):
        from .features import read_features
        return read_features(text, path)
    from .tasks import read_tasks_md
    return read_tasks_md(text, path)


def _markdown_plan(path: str, config) -> bool:
    return not path.endswith(".json") and not (config["preset"] == "spec-kit" and path.rpartition("/")[2] == "tasks.md")


# A markdown plan under 64 KB (about 5,000 lines) is read from scratch in a few
# ms; restoring a kept layout (`kept`) takes about half of that, so below this
# the file to load and write saves next to nothing.
KEPT_CHARS = 65_536


def _read_kept(snapshot, path: str, text: str, sha: str, config, before: bool):
    """`read_plan`; a long markdown plan from the layout kept from the last run,
    and its staged version's layout kept for the next (`kept`)."""
    if len(text) < KEPT_CHARS or not _markdown_plan(path, config):
        return read_plan(path, text, config)
    from . import kept

    markers = tuple(config["plan"]["completed"])
    kept.restore(snapshot.repo, path, markers)
    plan = read_plan(path, text, config)
    if not before and snapshot.after is None:  # the index: the next commit's HEAD
        kept.save(snapshot.repo, path, sha, markers)
    return plan


def plan_of(snapshot, path: str, config, before: bool = False):
    """The parsed plan at `path` after (or before) the change, or None. Parsed once a
    blob: the snapshots of a range share their blob reader, and a commit's plan is
    the next commit's before-state."""
    key = ("plan", path, before)
    if key not in snapshot.memo:
        sha = snapshot.blob_ids([path], before=before).get(path)
        parsed = snapshot.blobs.parsed
        blob_key = ("plan", path, sha, config["preset"], tuple(config["plan"]["completed"]))
        if sha is not None and blob_key not in parsed:
            text = snapshot.read_text(path, before=before)
            parsed[blob_key] = _read_kept(snapshot, path, text, sha, config, before) if text is not None else None
        snapshot.memo[key] = parsed.get(blob_key)
    return snapshot.memo[key]
