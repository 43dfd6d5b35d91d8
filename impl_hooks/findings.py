"""Findings: what every check returns, how they are filtered and shown."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

ERROR = "error"
WARNING = "warning"

# code -> (default severity, short title). The table in README.md mirrors it.
RULES = {
    "B001": (ERROR, "branch name does not match the pattern"),
    "B002": (ERROR, "commit on a protected branch"),
    "B003": (ERROR, "branch issue differs from the context issue"),
    "B004": (WARNING, "detached HEAD, branch rules skipped"),
    "P001": (ERROR, "code committed, plan not updated"),
    "P002": (ERROR, "current step not found in plan"),
    "P003": (ERROR, "completed marker removed"),
    "P004": (ERROR, "step completed with open tasks"),
    "P005": (ERROR, "later step completed out of order"),
    "S001": (ERROR, "added path missing from the structure"),
    "S002": (ERROR, "removed or renamed path still listed"),
    "S003": (WARNING, "listed path does not exist"),
    "R001": (ERROR, "required report missing"),
    "R002": (ERROR, "report empty or template left unfilled"),
    "R003": (ERROR, "required section missing"),
    "R004": (ERROR, "feature status not done/partial, or partial without reason"),
    "T001": (ERROR, "TODO for the completed step left"),
    "X001": (ERROR, "stub module or function"),
    "X002": (ERROR, "staged Python does not compile"),
    "Q001": (ERROR, "source added without tests"),
    "M001": (ERROR, "message does not name the issue"),
    "H001": (ERROR, "staged tree not approved"),
    "A001": (ERROR, "agent blocked the change"),
    "A002": (WARNING, "agent pass could not run"),
    "C001": (ERROR, "config or context file invalid"),
}

INLINE_IGNORE = re.compile(r"impl-hooks:\s*ignore\[([A-Za-z0-9,\s]+)\]")


class Finding:
    """One problem: a rule code, where it is, what is wrong and how to fix it.

    A plain class, not a dataclass: `dataclasses` imports `inspect`, which
    costs more start-up than every hook's own code.
    """

    __slots__ = ("code", "message", "path", "line", "hint", "severity", "commit")
    FIELDS = __slots__

    def __init__(self, code: str, message: str, path: str = "", line: int | None = None,
                 hint: str = "", severity: str = "", commit: str = ""):
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        self.severity = severity or RULES.get(code, (ERROR, ""))[0]
        self.commit = commit

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Finding) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        return f"Finding({self.location() or '-'}: {self.code} {self.message!r})"

    @property
    def blocks(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        where = self.path
        if where and self.line:
            where = f"{where}:{self.line}"
        if self.commit:
            where = f"{self.commit}:{where}" if where else self.commit
        return where


def inline_ignored_codes(line_text: str) -> set:
    """Codes named by an `impl-hooks: ignore[...]` comment on one line."""
    match = INLINE_IGNORE.search(line_text)
    if not match:
        return set()
    return {c.strip().upper() for c in match.group(1).split(",") if c.strip()}


def filter_findings(
    findings: Iterable[Finding],
    ignore: Iterable[str],
    line_of: Callable[[str, int], str | None],
) -> list:
    """Drop findings ignored in config (code or prefix) or by a comment on their line."""
    ignored = {c.upper() for c in ignore}
    kept = []
    for finding in findings:
        if finding.code in ignored or finding.code[:1] in ignored:
            continue
        if finding.path and finding.line:
            text = line_of(finding.path, finding.line)
            if text is not None and finding.code in inline_ignored_codes(text):
                continue
        kept.append(finding)
    return sorted(kept, key=lambda f: (f.commit, f.path, f.line or 0, f.code))


def exit_code(findings: Iterable[Finding]) -> int:
    return 1 if any(f.blocks for f in findings) else 0


def render_text(findings: list) -> str:
    lines = []
    for f in findings:
        where = f.location()
        prefix = f"{where}: " if where else ""
        tag = "" if f.blocks else " (warning)"
        lines.append(f"{prefix}{f.code}{tag} {f.message}")
        if f.hint:
            lines.append(f"  hint: {f.hint}")
    return "\n".join(lines)


def render_json(findings: list) -> str:
    import json

    rows = [f.as_dict() for f in findings]
    text = json.dumps(rows, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a path that is not UTF-8: escapes keep the JSON valid
        text = json.dumps(rows, indent=2)
    return text


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(findings: list) -> str:
    lines = []
    for f in findings:
        kind = "error" if f.blocks else "warning"
        props = []
        if f.path:
            props.append(f"file={_github_escape(f.path, True)}")
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_github_escape(f.code + ' ' + RULES.get(f.code, ('', ''))[1], True)}")
        body = (f"commit {f.commit}: " if f.commit else "") + f.message + (f"\nhint: {f.hint}" if f.hint else "")
        lines.append(f"::{kind} {','.join(props)}::{_github_escape(body)}")
    return "\n".join(lines)


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
