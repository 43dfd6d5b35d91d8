"""features.json (features-json preset): the design list and the implement list.

Accepted shapes: ``{"features": [...]}``, ``{"features": {"F1": {...}}}``, a
top-level list, and an object keyed by id (``{"F1": {...}}``). A feature has an
``id`` (or its key), a ``name`` (or ``title``), a ``status`` and, when partial,
a ``reason``. It becomes a unit of kind "feature", completed when its status is
exactly "done"; ``extra`` holds every other field of the entry (acceptance
criteria and the like) with ``status`` and ``reason`` always present.

Malformed JSON gives a plan with one error and no units; an entry of the wrong
shape is skipped with an error naming its line. Nothing here raises.
"""
from __future__ import annotations

import json
import re

from .model import Plan, Unit

STATUSES = ("done", "partial")  # what an implement list may say of a feature


def read_features(text: str, path: str = "") -> Plan:
    """Read a features.json text into feature units, in file order."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Plan(path, [], [(exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")])
    except (ValueError, RecursionError) as exc:  # huge numbers, absurd nesting
        return Plan(path, [], [(1, 1, f"invalid JSON: {exc}")])
    if isinstance(data, dict) and "features" in data:
        data = data["features"]
    if isinstance(data, list):
        entries: list[tuple[str | None, object]] = [(None, entry) for entry in data]
    elif isinstance(data, dict):
        entries = list(data.items())
    else:
        message = 'expected a list of features or an object with "features"'
        return Plan(path, [], [(1, 1, message)])
    lines = _LineFinder(text)
    plan = Plan(path, [])
    for key, entry in entries:
        line = lines.find(_needle(key, entry))
        unit_or_error = _feature(key, entry, line)
        if isinstance(unit_or_error, Unit):
            plan.units.append(unit_or_error)
        else:
            plan.errors.append((line, 1, unit_or_error))
    return plan


def _feature(key: str | None, entry: object, line: int):
    """A feature unit, or the message saying why the entry is not one."""
    if not isinstance(entry, dict):
        return "feature entry is not an object"
    feature_id = key if key is not None else entry.get("id")
    if isinstance(feature_id, bool) or not isinstance(feature_id, (str, int)):
        return 'feature has no "id" (a string or a number)'
    feature_id = str(feature_id).strip()
    if not feature_id:
        return 'feature has an empty "id"'
    name = entry.get("name", entry.get("title"))
    fields = {"name": name, "status": entry.get("status"), "reason": entry.get("reason")}
    for field_name, value in fields.items():
        if value is not None and not isinstance(value, str):
            return f'feature {feature_id}: "{field_name}" must be a string'
    status = fields["status"] or ""
    extra = {k: v for k, v in entry.items() if k not in ("id", "name", "title")}
    extra["status"] = status
    extra["reason"] = fields["reason"] or ""
    return Unit("feature", feature_id, (name or "").strip(), line, status == "done", extra=extra)


def _encodings(value: object) -> str:
    """A regex for a JSON value as it may be written: escaped or not."""
    forms = {json.dumps(value), json.dumps(value, ensure_ascii=False)}
    pattern = "|".join(re.escape(form) for form in sorted(forms))
    return f"(?:{pattern})" + ("" if isinstance(value, str) else r"(?![\w.])")


def _needle(key: str | None, entry: object) -> str:
    """A regex for where this entry starts to show in the text."""
    if key is not None:
        return _encodings(key) + r"\s*:"
    if isinstance(entry, dict):
        if isinstance(entry.get("id"), (str, int, float)):
            return r'"id"\s*:\s*' + _encodings(entry["id"])
        if entry:
            return _encodings(next(iter(entry))) + r"\s*:"
        return r"\{"
    if isinstance(entry, list):
        return r"\["
    return _encodings(entry)


class _LineFinder:
    """Finds needles in the text in order, counting lines as it goes (linear)."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1

    def find(self, needle: str) -> int:
        """Line of the next match after the last one; the last line if none."""
        match = re.compile(needle).search(self.text, self.pos)
        if not match:
            return self.line
        found = self.line + self.text.count("\n", self.pos, match.start())
        self.line = found + self.text.count("\n", match.start(), match.end())
        self.pos = match.end()
        return found
