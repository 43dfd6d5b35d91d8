"""Which plan a commit answers to, and which unit of it is current.

Plan paths are templates (`docs/Phase{phase}/6.1_implementation_plan.md`,
`artifacts/{task}-implement/features.json`, `specs/{feature}/tasks.md`).
Placeholders are filled from the governing Context.toml, from the branch,
and from the staged paths that sit in a folder the template names; what is
still unknown becomes a glob over the tree being committed.
"""
from __future__ import annotations

import re

from ..globs import match_path

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
    for path in staged if regex is not None else ():
        found = regex.match(path)
        if found:
            return found.groupdict()
    return {}


def issue_of(snapshot, contexts, config):
    from ..checks.branch import branch_issue

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
            values = dict(context.values())
            for template in templates:
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
        local = {"issue": issue, **_from_staged(template, staged)}
        if "feature" in names and "feature" not in local and snapshot.branch:
            # spec-kit: branch `001-login` works in specs/001-login/
            own = fill(template, {**local, "feature": snapshot.branch})
            if snapshot.exists([own]):
                local["feature"] = snapshot.branch
        path = fill(template, local)
        candidates = snapshot.list_paths([path]) if "*" in path or "?" in path else [path]
        if kind and len(candidates) > 1:
            holding = [p for p in candidates if _mentions(snapshot, p, issue)]
            candidates = holding or candidates[:1]
        for candidate in candidates:
            values = {**local, **_values_of(template, candidate)}
            result.append(Target(candidate, issue if kind else "", kind, values, code))
    return result


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
    if path.endswith(".json"):
        from .features import read_features
        return read_features(text, path)
    if config["preset"] == "spec-kit" and path.rpartition("/")[2] == "tasks.md":
        from .tasks import read_tasks_md
        return read_tasks_md(text, path)
    from .markdown import read_markdown_plan
    return read_markdown_plan(text, path, config["plan"]["completed"])


def plan_of(snapshot, path: str, config, before: bool = False):
    """The parsed plan at `path` after (or before) the change, or None; parsed once a run."""
    key = ("plan", path, before)
    if key not in snapshot.memo:
        text = snapshot.read_text(path, before=before)
        if before and text is not None and text == snapshot.read_text(path):
            snapshot.memo[key] = plan_of(snapshot, path, config)
        else:
            snapshot.memo[key] = read_plan(path, text, config) if text is not None else None
    return snapshot.memo[key]
