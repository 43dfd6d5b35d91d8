"""Findings: what every check returns, how they are filtered and shown."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .lazyre import lazy
from .rules import ERROR, RULES, WARNING  # noqa: F401 (re-exported: severities)

INLINE_IGNORE = lazy(r"impl-hooks:\s*ignore\[([A-Za-z0-9,\s]+)\]")
# Control characters (C0, DEL, C1, and C1 bytes of a path that is not UTF-8,
# which Python keeps as surrogates): a terminal acts on them, so text output
# shows them escaped and a file name cannot move the cursor or forge a line.
CONTROL = lazy("[\x00-\x1f\x7f-\x9f\udc80-\udc9f]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class Finding:
    """One problem: a rule code, where it is, what is wrong and how to fix it.

    An immutable value (hashable, compared by its fields): what a check
    reports nothing downstream rewrites; `replace` makes a changed copy.
    A plain class, not a dataclass: `dataclasses` imports `inspect`, which
    costs more start-up than every hook's own code.
    """

    __slots__ = ("code", "message", "path", "line", "hint", "severity", "commit")
    FIELDS = __slots__
    code: str
    message: str
    path: str
    line: int | None
    hint: str
    severity: str
    commit: str

    def __init__(self, code: str, message: str, path: str = "", line: int | None = None,
                 hint: str = "", severity: str = "", commit: str = ""):
        rule = RULES.get(code)
        for name, value in zip(self.FIELDS, (code, message, path, line, hint,
                                             severity or (rule.severity if rule is not None else ERROR), commit)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Finding is immutable: use replace({name}=...)")

    def replace(self, **changes: object) -> "Finding":
        return Finding(**{**self.as_dict(), **changes})

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}

    def _key(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Finding) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

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


def _escape_control(match: "re.Match[str]") -> str:
    char = match.group()
    code = ord(char)
    return _ESCAPES.get(char) or f"\\x{code - 0xDC00 if code >= 0xDC00 else code:02x}"


def printable(text: str) -> str:
    """Text with control characters escaped (`\\n`, `\\x1b`), safe on one terminal line."""
    if text.isprintable():  # no control character: most texts, and no regex to compile
        return text
    return CONTROL.sub(_escape_control, text)


def render_text(findings: list) -> str:
    lines = []
    for f in findings:
        where = f.location()
        prefix = f"{where}: " if where else ""
        tag = "" if f.blocks else " (warning)"
        lines.append(printable(f"{prefix}{f.code}{tag} {f.message}"))
        if f.hint:
            lines.append(f"  hint: {printable(f.hint)}")
    return "\n".join(lines)


def render_json(findings: list) -> str:
    import json

    rows = [f.as_dict() for f in findings]
    text = json.dumps(rows, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a path that is not UTF-8: escapes keep the JSON valid
        text = json.dumps(rows, indent=2)
    # json escapes C0 itself; DEL and C1 (valid JSON, acted on by terminals) as \u escapes too
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _github_escape(text: str, prop: bool = False) -> str:
    """The workflow-command escapes (`%`, CR, LF; `:` and `,` in properties);
    other control characters as in text output."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return printable(text)


def render_github(findings: list) -> str:
    lines = []
    for f in findings:
        kind = "error" if f.blocks else "warning"
        props = []
        if f.path:
            props.append(f"file={_github_escape(f.path, True)}")
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_github_escape(f.code + ' ' + (RULES[f.code].summary if f.code in RULES else ''), True)}")
        body = (f"commit {f.commit}: " if f.commit else "") + f.message + (f"\nhint: {f.hint}" if f.hint else "")
        lines.append(f"::{kind} {','.join(props)}::{_github_escape(body)}")
    return "\n".join(lines)


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
