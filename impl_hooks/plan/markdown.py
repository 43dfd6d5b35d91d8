"""Markdown plans (phased-plan, spec-issue): headings carry ids, list items are tasks.

What counts as what, in one place:

- Units are ATX headings (``#`` .. ``######``) whose text starts with an id,
  after any decoration (emoji, ``**``, ``[``): ``Phase 2`` -> phase "2";
  ``Step 2.3`` / ``Step 3`` -> step; ``Task 1.2.1`` -> task; an issue id
  ``AUTH-12`` (also ``Issue AUTH-12``, ``[ISSUE-3]``, or ``(AUTH-12)`` anywhere
  in the heading; not ``UTF-8``, ``ISO-8601`` and such) -> issue.
  ``### 2.3 Title`` is a step only directly inside ``Phase 2``: elsewhere
  numbered headings are ordinary document sections. ``**Step 1.2**: ...``
  lines are bold text, not headings. Setext headings (``===``) are not read.
- A unit nests under the nearest open unit of a higher heading level; a heading
  of the same or higher level closes it. Headings without an id are
  sub-sections: their list items belong to the enclosing unit.
- List items (``-``, ``*``, ``+``, ``1.``, ``1)``) in a unit's section are its
  tasks, nested by indentation (a tab counts 4). An item with a checkbox is a
  task. An item without one is a task when a sibling in its list (same parent
  item, no paragraph line at column 0 or heading in between) carries a
  completion marker other than the checkbox (``✅``, ``**COMPLETED**``): that
  list is written in marker style. Other plain bullets are description: file
  lists, notes, the details nested under a ``✅`` task. Deciding per list
  rather than per section keeps them from turning into open tasks.
- Task ids at the start of an item: ``T001``, ``1.2.3``, ``Task 1.2.1:``.
- Completion: a configured marker on the heading or task line (``[x]`` matches
  ``[x]``/``[X]``; without ``[x]`` among the markers a ticked box is not
  completion), or a ``Status: Done|Complete|Completed`` line (or a status
  carrying a marker) in the unit's own section, before its first child unit.
- Not plan content: fenced code blocks (``` or ~~~, any indentation, unclosed
  ones run to the end), HTML comments, YAML/TOML front matter. CRLF, a BOM and
  tabs are normal input.

The reader never raises on odd text; it returns what it understood.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Plan, Unit

DEFAULT_MARKERS = ("✅", "**COMPLETED**", "[x]")

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*)|$)")
# A list item: indent, checkbox, task id (three spellings), text.
_ITEM = re.compile(
    r"([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+"
    r"(?:\[([ xX])\](?:[ \t]+|$))?"
    r"(?:[*_]*(?:(?i:task)[ \t]+(\d+(?:\.\d+)*)|(T\d+)|(\d+(?:\.\d+)+))(?!\.?\w)"
    r"[*_]*[ \t]*[:.)\-–—]?[ \t]*)?"
    r"(.*\S)?"
)
_STATUS = re.compile(r"[ \t>]*(?:[-*+][ \t]+)?[*_]*status[*_]*[ \t]*:[*_]*[ \t]*(.*)", re.I)
_DONE_WORD = re.compile(r"[\W_]*(?:done|complete|completed)\b", re.I)

# Heading ids. `lead` is the decoration before the id, `rest` the title after it.
_ID_TAIL = r"(?!\.?\w)[\])*_]*[ \t]*[:.)\-–—|]?[ \t]*(?P<rest>.*)"
_PHASE = re.compile(r"(?P<lead>[\W_]*?)(?i:phase)[ \t]*#?[ \t]*(?P<id>\d+(?:\.\d+)*)" + _ID_TAIL)
_STEP = re.compile(r"(?P<lead>[\W_]*?)(?i:step)[ \t]*#?[ \t]*(?P<id>\d+(?:\.\d+)*)" + _ID_TAIL)
_TASK = re.compile(r"(?P<lead>[\W_]*?)(?i:task)[ \t]*#?[ \t]*(?P<id>\d+(?:\.\d+)*)" + _ID_TAIL)
_NUMBERED = re.compile(r"(?P<lead>[\W_]*?)(?P<id>\d+(?:\.\d+)+)" + _ID_TAIL)
_ISSUE = re.compile(
    r"(?P<lead>[\W_]*?)(?:(?i:issue)[ \t]*#?[ \t]*)?(?P<id>[A-Z][A-Z0-9]+-\d+)" + _ID_TAIL
)
_ISSUE_IN_BRACKETS = re.compile(r"[\[(]([A-Z][A-Z0-9]+-\d+)[\])]")
# Standards and versions that look like issue ids in section titles.
_NOT_ISSUES = frozenset({"UTF", "ISO", "SHA", "RFC", "CVE", "PEP", "ES", "TLS", "HTTP"})

_EMPTY_PAIRS = re.compile(r"\(\s*\)|\[\s*\]|\*\*\s*\*\*|__\s*__")
_SEPARATORS = " \t:-–—|"


def _split_lines(text: str) -> tuple[list[str], int]:
    """The text's lines (CRLF, CR and a BOM undone) and the index where content starts.

    Content starts after YAML (``---``) or TOML (``+++``) front matter.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    return lines, _front_matter_end(lines)


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after front matter (0 when there is none)."""
    opener = lines[0].rstrip()
    if opener not in ("---", "+++"):
        return 0
    closers = ("---", "...") if opener == "---" else ("+++",)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            return index + 1
    return 0  # never closed: a horizontal rule, not front matter


def _fence_opener(stripped: str) -> str:
    """The fence (e.g. "````") when this stripped line opens a code block, else ""."""
    if not stripped.startswith(("```", "~~~")):
        return ""
    char = stripped[0]
    run = len(stripped) - len(stripped.lstrip(char))
    if char == "`" and "`" in stripped[run:]:
        return ""  # inline code on its own line, not a fence
    return char * run


def strip_html_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line with HTML comment parts cut out, and whether a comment stays open."""
    kept = []
    pos = 0
    while True:
        if in_comment:
            end = line.find("-->", pos)
            if end < 0:
                return "".join(kept), True
            pos, in_comment = end + 3, False
        else:
            begin = line.find("<!--", pos)
            if begin < 0:
                kept.append(line[pos:])
                return "".join(kept), False
            kept.append(line[pos:begin])
            pos, in_comment = begin + 4, True


class _Markers:
    """The configured completion markers, split into the checkbox and the rest."""

    def __init__(self, markers: Sequence[str]):
        self.box = any(m.lower() == "[x]" for m in markers)
        self.others = tuple(m for m in markers if m and m.lower() != "[x]")
        self.find_other = (re.compile("|".join(map(re.escape, self.others))).search
                           if self.others else None)

    def in_text(self, text: str) -> bool:
        """Any marker other than the checkbox in the text."""
        return self.find_other is not None and self.find_other(text) is not None

    def any_in(self, text: str) -> bool:
        return self.in_text(text) or (self.box and ("[x]" in text or "[X]" in text))

    def strip(self, text: str) -> str:
        for marker in self.others:
            text = text.replace(marker, " ")
        if self.box:
            text = text.replace("[x]", " ").replace("[X]", " ")
        return text


def _tidy(title: str, lead: str, completed: bool) -> str:
    """A title without leftover emphasis, empty brackets, status words, separators."""
    emphasis = lead[len(lead.rstrip("*_")):]
    title = title.strip()
    if emphasis and title.endswith(emphasis):
        title = title[: -len(emphasis)]
    if "(" in title or "[" in title or "**" in title or "__" in title:
        title = _EMPTY_PAIRS.sub(" ", title)
    if completed:
        title = _drop_status_word(title)
    return " ".join(title.split()).strip(_SEPARATORS)


def _drop_status_word(title: str) -> str:
    """"Login (DONE)" -> "Login": the word that often follows a marker."""
    if "DONE" not in title and "COMPLETE" not in title:
        return title
    head = title.rstrip(" \t)]*_")
    for word in ("COMPLETED", "COMPLETE", "DONE"):
        before = head[: -len(word)]
        if head.endswith(word) and not (before[-1:].isalnum() or before.endswith("_")):
            return before.rstrip(" \t([*_" + _SEPARATORS)
    return title


def _classify_heading(text: str, parent: Unit | None) -> tuple[str, str, str, str] | None:
    """(kind, id, lead, rest) for a heading that names a unit, else None."""
    for kind, pattern in (("phase", _PHASE), ("step", _STEP), ("task", _TASK)):
        m = pattern.match(text)
        if m:
            return kind, m.group("id"), m.group("lead"), m.group("rest")
    m = _ISSUE.match(text)
    if m and m.group("id").split("-", 1)[0] not in _NOT_ISSUES:
        return "issue", m.group("id"), m.group("lead"), m.group("rest")
    m = _ISSUE_IN_BRACKETS.search(text)
    if m and m.group(1).split("-", 1)[0] not in _NOT_ISSUES:
        return "issue", m.group(1), "", text[: m.start()] + text[m.end():]
    if parent is not None and parent.kind == "phase":
        m = _NUMBERED.match(text)
        if m and m.group("id").startswith(parent.id + "."):
            return "step", m.group("id"), m.group("lead"), m.group("rest")
    return None


def _heading_text(text: str | None) -> str:
    """A heading's text without the optional closing ``#`` sequence."""
    text = (text or "").strip()
    if text.endswith("#"):
        body = text.rstrip("#")
        if not body or body[-1] in " \t":
            return body.rstrip()
    return text


def _heading_unit(heading: str, parent: Unit | None, number: int, marks: _Markers):
    """The unit a heading names, or None for a plain section heading."""
    found = _classify_heading(heading, parent)
    if not found:
        return None
    kind, unit_id, lead, rest = found
    completed = marks.any_in(heading)
    if completed:
        rest = marks.strip(rest)
    return Unit(kind, unit_id, _tidy(rest, lead, completed), number, completed)


def _status_done(value: str, marks: _Markers) -> bool:
    return bool(_DONE_WORD.match(value)) or marks.any_in(value)


class _Section:
    """A unit's (or the file top's) list items, gathered until the file ends.

    Items are kept as tuples (line, `_ITEM` groups, parent item index, list key,
    whether the text holds a marker other than the checkbox);
    `marked` holds the list keys (run of the list, parent item) where some item
    carries a marker, which makes every item of that list a task.
    """

    __slots__ = ("unit", "items", "open", "marked")

    def __init__(self, unit: Unit | None):
        self.unit = unit
        self.items: list = []
        self.open: list = []  # (indent, item index) of the items still open for nesting
        self.marked: set = set()

    def tasks(self, marks: _Markers) -> list[Unit]:
        """Task units, nested; a non-task item passes its children to its own owner."""
        tasks: list[Unit] = []
        owners: list = []  # per item: the task its nested items belong to, or None
        marked = self.marked
        box_marks = marks.box
        for number, (_, box, id1, id2, id3, text), parent, key, has_marker in self.items:
            owner = owners[parent] if parent >= 0 else None
            if not box and key not in marked:
                owners.append(owner)
                continue
            text = text or ""
            completed = has_marker or (box_marks and (
                box == "x" or box == "X" or "[x]" in text or "[X]" in text))
            if completed:
                title = _tidy(marks.strip(text), "", True)
            else:
                title = " ".join(text.split()).strip(_SEPARATORS)
            task = Unit("task", id1 or id2 or id3 or "", title, number, completed)
            (owner.children if owner else tasks).append(task)
            owners.append(task)
        return tasks


def read_markdown_plan(
    text: str, path: str = "", markers: Sequence[str] = DEFAULT_MARKERS
) -> Plan:
    """Read a markdown plan into units; see the module docstring for the rules.

    One pass over the lines; a line is sorted by its first character before
    any regex runs, so prose and blank lines cost next to nothing.
    """
    marks = _Markers(markers)
    lines, start = _split_lines(text)
    has_comments = "<!--" in text
    # Bound once: a method call per list item is a measurable share of the parse.
    find_marker = marks.find_other if marks.in_text(text) else None
    top_units: list = []
    root = _Section(None)
    sections = [root]
    stack: list = []  # open heading units: (level, unit, section)
    section = root
    run = 0  # list runs: bumped by every line that ends a list
    fence = ""
    in_comment = False
    for number, line in enumerate(lines[start:], start + 1):
        if fence:
            closer = line.strip()
            if closer.startswith(fence) and not closer.strip(fence[0]):
                fence = ""
            continue
        if has_comments and (in_comment or "<!--" in line):
            line, in_comment = strip_html_comments(line, in_comment)
        if not line:
            continue
        first = line[0]
        if first == " " or first == "\t":
            stripped = line.lstrip()
            if not stripped:
                continue
            first = stripped[0]
        else:
            run += 1  # a column-0 line ends the list, unless it is an item itself
            stripped = line
        if first == "#":
            m = _HEADING.match(line)
            if m:
                run += 1
                level = len(m.group(1))
                while stack and stack[-1][0] >= level:
                    stack.pop()
                parent = stack[-1][1] if stack else None
                unit = _heading_unit(_heading_text(m.group(2)), parent, number, marks)
                if unit:
                    (parent.children if parent else top_units).append(unit)
                    sections.append(_Section(unit))
                    stack.append((level, unit, sections[-1]))
                section = stack[-1][2] if stack else root
                section.open.clear()  # a heading ends every list
                continue
        elif first == "`" or first == "~":
            fence = _fence_opener(stripped)
            continue
        if stack and ("tatus" in stripped or "TATUS" in stripped):
            m = _STATUS.match(line)
            if m:
                unit = stack[-1][1]
                if not unit.children and _status_done(m.group(1), marks):
                    unit.completed = True
                continue
        if first in "-*+" or first.isdigit():
            m = _ITEM.match(line)
            if m:
                groups = m.groups()
                item_text = groups[5]
                if item_text is None and not (groups[1] or groups[2] or groups[3] or groups[4]):
                    continue  # a bare bullet
                if line is stripped:
                    run -= 1
                indent = groups[0]
                width = len(indent) + 3 * indent.count("\t") if indent else 0
                open_items = section.open
                while open_items and open_items[-1][0] >= width:
                    open_items.pop()
                parent = open_items[-1][1] if open_items else -1
                key = (run, parent)
                marked = bool(find_marker and item_text and find_marker(item_text))
                if marked:
                    section.marked.add(key)
                open_items.append((width, len(section.items)))
                section.items.append((number, groups, parent, key, marked))
    for section in sections:
        if section.items:
            tasks = section.tasks(marks)
            if tasks:
                siblings = section.unit.children if section.unit else top_units
                had_units = bool(siblings)
                siblings.extend(tasks)
                if had_units:
                    siblings.sort(key=_line)
    return Plan(path, top_units)


def _line(unit: Unit) -> int:
    return unit.line


_HEADING_PREFIX = {"phase": "Phase ", "step": "Step "}


def render_markdown_plan(plan: Plan) -> str:
    """Markdown that reads back to the same tree.

    Phases, steps and issues become headings one level deeper than their
    parent (top level ``#``), completed ones end in ``✅``; every other unit
    becomes a checkbox list item. A unit's tasks must come before its child
    headings, as a section's list items do in markdown.
    """
    out: list[str] = []

    def emit(units: list, level: int, indent: str) -> None:
        for unit in units:
            if unit.kind in ("phase", "step", "issue"):
                label = _HEADING_PREFIX.get(unit.kind, "") + unit.id
                if unit.title:
                    label += ": " + unit.title
                if unit.completed:
                    label += " ✅"
                if out and out[-1]:
                    out.append("")
                out.extend(("#" * min(level, 6) + " " + label, ""))
                emit(unit.children, level + 1, "")
            else:
                label = ": ".join(part for part in (unit.id, unit.title) if part)
                box = "[x]" if unit.completed else "[ ]"
                out.append(f"{indent}- {box} {label}".rstrip())
                emit(unit.children, level, indent + "  ")

    emit(plan.units, 1, "")
    return "\n".join(out).rstrip("\n") + "\n"
