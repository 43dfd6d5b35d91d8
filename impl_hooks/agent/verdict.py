"""The `verdict` tool: the only shape in which a review can decide anything."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional, Union

# The review questions a finding answers (the system prompt asks each one).
QUESTIONS = ("task-implemented", "entity-not-in-design", "deviation-unrecorded", "other")
OTHER = "other"

VERDICT_TOOL = {
    "name": "verdict",
    "description": (
        "Report the review of the staged change: approve it, or block it with "
        "findings that name the file and line."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "decision": {"type": "string", "enum": ["approve", "block"]},
            "summary": {"type": "string", "description": "One paragraph."},
            "findings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string"},
                        "line": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "Line in the staged file; omit for the whole file.",
                        },
                        "severity": {"type": "string", "enum": ["error", "warning"]},
                        "message": {"type": "string"},
                        "question": {
                            "type": "string",
                            "enum": list(QUESTIONS),
                            "description": "The review question the finding answers.",
                        },
                    },
                    "required": ["path", "severity", "message"],
                },
            },
        },
        "required": ["decision", "summary", "findings"],
    },
}


@dataclass
class VerdictFinding:
    path: str
    severity: str
    message: str
    line: Optional[int] = None
    question: str = OTHER


@dataclass
class Verdict:
    decision: str
    summary: str
    findings: list = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_finding(index: int, item: Any) -> Union[VerdictFinding, str]:
    where = f"findings[{index}]"
    if not isinstance(item, dict):
        return f"{where} is not an object"
    for key in ("path", "message"):
        if not isinstance(item.get(key), str):
            return f"{where}.{key} is missing or not a string"
    if item.get("severity") not in ("error", "warning"):
        return f"{where}.severity is not 'error' or 'warning'"
    line = item.get("line")
    if line is not None and not (_is_int(line) and line >= 1):
        return f"{where}.line is not a positive integer"
    # No question, or one the schema does not know, is "other": a mislabelled finding still counts.
    question = item.get("question")
    return VerdictFinding(item["path"], item["severity"], item["message"], line,
                          question if question in QUESTIONS else OTHER)


def parse_verdict(tool_input: Any) -> Union[Verdict, str]:
    """A Verdict when tool_input matches VERDICT_TOOL's schema, else why not (one line)."""
    if not isinstance(tool_input, dict):
        return "verdict input is not an object"
    if tool_input.get("decision") not in ("approve", "block"):
        return "verdict decision is not 'approve' or 'block'"
    if not isinstance(tool_input.get("summary"), str):
        return "verdict summary is missing or not a string"
    items = tool_input.get("findings")
    if not isinstance(items, list):
        return "verdict findings is missing or not a list"
    findings = []
    for index, item in enumerate(items):
        parsed = _parse_finding(index, item)
        if isinstance(parsed, str):
            return f"verdict {parsed}"
        findings.append(parsed)
    return Verdict(tool_input["decision"], tool_input["summary"], findings)
