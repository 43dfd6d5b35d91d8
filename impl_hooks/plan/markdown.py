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
- Not plan content: fenced code blocks, HTML comments, YAML/TOML front matter,
  as `impl_hooks.markdown` defines them (its heading and fence rules are the
  ones here too). CRLF, a BOM and tabs are normal input.

The reader never raises on odd text; it returns what it understood.

How it reads, because a hook reads a plan's two versions on every commit:
headings first, by a search that stops only at lines starting with ``#``,
a fence or (when the file has any) a comment mark; a fenced block is skipped
by one search for its closing line. The text between two headings is kept
with the unit it belongs to (`Unit.source`), and its list items are read
when that unit's `children` are first used; a heading's title is tidied when
first used. The plan check compares the two versions section by section and
reads only the sections whose text changed. The second version is read from
the first when they differ only inside one section's text and in no line
that could be a heading, a fence or a comment mark (a task ticked or added):
its headings are where they were, moved by the lines added (`_follow`).
A long plan's layout read from scratch is kept between runs (`plan.kept`,
`saved_layout`), so a run's first version can follow too.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import partial

from ..lazyre import lazy
from ..markdown import (FENCE_START, HEADING, HEADING_LINE, LIST_MARKER, closes_fence, fence_closer,
                        fence_opener, front_matter_end, heading_text, strip_html_comments)
from .model import SECTION_KINDS, Plan, Unit

DEFAULT_MARKERS = ("✅", "**COMPLETED**", "[x]")

# A list item: indent, checkbox, task id (three spellings), text.
# A dash after an id ("1.2 — Login") is left to `_tidy`, which strips every
# separator: a set mixing ASCII with "–—" costs 0.3 ms to compile.
_ITEM = re.compile(
    r"([ \t]*)" + LIST_MARKER + r"[ \t]+"
    r"(?:\[([ xX])\](?:[ \t]+|$))?"
    r"(?:[*_]*(?:(?i:task)[ \t]+(\d+(?:\.\d+)*)|(T\d+)|(\d+(?:\.\d+)+))(?!\.?\w)"
    r"[*_]*[ \t]*[:.)\-]?[ \t]*)?"
    r"(.*\S)?"
)
_NOTES_LABEL = lazy(r"(?:\*\*|__)[^*_\n]*\b(?i:notes?)\b[^*_\n]*(?:\*\*|__)[ \t]*:?[ \t]*$")
_STATUS = lazy(r"[ \t>]*(?:[-*+][ \t]+)?[*_]*status[*_]*[ \t]*:[*_]*[ \t]*(.*)", re.I)
_DONE_WORD = lazy(r"[\W_]*(?:done|complete|completed)\b", re.I)

# Heading ids. `lead` is the decoration before the id, `rest` the title after it.
_ID_TAIL = r"(?!\.?\w)[\])*_]*[ \t]*[:.)\-|]?[ \t]*(?P<rest>.*)"
_NAMED = re.compile(
    r"(?P<lead>[\W_]*?)(?:(?P<phase>(?i:phase))|(?P<step>(?i:step))|(?P<epic>(?i:epic))|(?i:task))"
    r"[ \t]*#?[ \t]*(?P<id>\d+(?:\.\d+)*)" + _ID_TAIL)
_NUMBERED = lazy(r"(?P<lead>[\W_]*?)(?P<id>\d+(?:\.\d+)+)" + _ID_TAIL)
_ISSUE = re.compile(
    r"(?P<lead>[\W_]*?)(?:(?i:issue)[ \t]*#?[ \t]*)?(?P<id>[A-Z][A-Z0-9]+-\d+)" + _ID_TAIL
)
_ISSUE_IN_BRACKETS = re.compile(r"[\[(]([A-Z][A-Z0-9]+-\d+)[\])]")
# Standards and versions that look like issue ids in section titles.
_NOT_ISSUES = frozenset({"UTF", "ISO", "SHA", "RFC", "CVE", "PEP", "ES", "TLS", "HTTP"})

_EMPTY_PAIRS = lazy(r"\(\s*\)|\[\s*\]|\*\*\s*\*\*|__\s*__")
_SEPARATORS = " \t:-–—|"


# A line that may be a heading or open a fence. One C-level search finds the
# next one; other lines are read only when a section's tasks are.
_STRUCTURE_LINE = re.compile(
    r"\n(?=[ \t#`~])"  # most lines fail here, at their first character
    r"(?:" + HEADING_LINE + "|" + FENCE_START + ")"  # a heading: level, text; a fence: its run, the rest
)
_STRUCTURE_OR_COMMENT = lazy(_STRUCTURE_LINE.pattern + "|<!--|-->")


def _content_start(text: str) -> tuple[str, int, int]:
    """The text (CRLF, CR and a BOM undone), and the offset and line number where
    content starts: after YAML (``---``) or TOML (``+++``) front matter."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    start, skipped = front_matter_end(text)
    return text, start, skipped + 1


class _Markers:
    """The configured completion markers, split into the checkbox and the rest,
    and the headings read with them so far."""

    def __init__(self, markers: Sequence[str]):
        self.box = any(m.lower() == "[x]" for m in markers)
        self.others = tuple(m for m in markers if m and m.lower() != "[x]")
        self.markers = self.others + (("[x]", "[X]") if self.box else ())  # each as it is written
        self.headings: dict = {}  # (heading, phase id) -> `_read_heading`'s answer

    @classmethod
    def of(cls, markers: Sequence[str]) -> "_Markers":
        """One instance per set of markers, so headings read once stay read."""
        key = tuple(markers)
        if key not in _MARKERS or len(_MARKERS[key].headings) > _HEADINGS_KEPT:
            _MARKERS[key] = cls(key)
        return _MARKERS[key]

    def in_text(self, text: str) -> bool:
        """Any marker other than the checkbox in the text."""
        for marker in self.others:
            if marker in text:
                return True
        return False

    def any_in(self, text: str) -> bool:
        for marker in self.markers:
            if marker in text:
                return True
        return False

    def strip(self, text: str) -> str:
        for marker in self.markers:
            text = text.replace(marker, " ")
        return text


_MARKERS: dict = {}
_HEADINGS_KEPT = 20_000  # past this many, start afresh: memory stays bounded


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


def _classify_heading(text: str, phase: str | None) -> tuple[str, str, str, str] | None:
    """(kind, id, lead, rest) for a heading that names a unit, else None;
    `phase` is the id of the phase directly above, if any."""
    m = _NAMED.match(text)
    if m:
        lead, phase_word, step_word, epic_word, unit_id, rest = m.groups()  # one call: every heading comes here
        kind = "phase" if phase_word else "step" if step_word else "epic" if epic_word else "task"
        return kind, unit_id, lead, rest
    m = _ISSUE.match(text)
    if m and m.group("id").split("-", 1)[0] not in _NOT_ISSUES:
        return "issue", m.group("id"), m.group("lead"), m.group("rest")
    m = _ISSUE_IN_BRACKETS.search(text)
    if m and m.group(1).split("-", 1)[0] not in _NOT_ISSUES:
        return "issue", m.group(1), "", text[: m.start()] + text[m.end():]
    if phase is not None:
        m = _NUMBERED.match(text)
        if m and m.group("id").startswith(phase + "."):
            return "step", m.group("id"), m.group("lead"), m.group("rest")
    return None


def _heading_read(heading: str, parent: tuple | None, marks: _Markers) -> tuple:
    """`_read_heading`'s answer for a heading under the unit `parent` read.

    A heading is read once per process: versions of a plan read whole (a
    heading edited, a section added) share most of them.
    """
    key = (heading, parent[1] if parent is not None and parent[0] == "phase" else None)
    read = marks.headings.get(key)
    if read is None:
        read = marks.headings[key] = _read_heading(heading, key[1], marks)
    return read


def _read_heading(heading: str, phase: str | None, marks: _Markers) -> tuple:
    """(kind, id, title, completed), or () for a plain section heading; the
    title as the function that works it out (see `Unit`)."""
    text = heading.strip()
    if text.endswith("#"):
        text = heading_text(text)  # a closing run of #
    found = _classify_heading(text, phase)
    if not found:
        return ()
    kind, unit_id, lead, rest = found
    completed = marks.any_in(text)
    return kind, unit_id, partial(_heading_title, rest, lead, completed, marks), completed


def _heading_title(rest: str, lead: str, completed: bool, marks: _Markers) -> str:
    """A heading unit's title, worked out when first used: most are never used."""
    return _tidy(marks.strip(rest) if completed else rest, lead, completed)


def _status_done(value: str, marks: _Markers) -> bool:
    return bool(_DONE_WORD.match(value)) or marks.any_in(value)


def _structure(text: str, start: int, number: int, has_comments: bool):
    """(offset, line number, level, heading text, in a comment at line start)
    for each heading that is plan content: not fenced, not commented out.

    `text[start - 1]` is a newline. Only the lines that can change the
    structure are looked at: those `_STRUCTURE_LINE` finds, lines holding a
    comment mark, and a fence's closing line, found by one search. One
    `finditer` goes on until a fence (or a line read past its comment mark)
    moves the place to go on from.
    """
    finditer = (_STRUCTURE_OR_COMMENT if has_comments else _STRUCTURE_LINE).finditer
    in_comment = False
    pos, previous = start - 1, start
    while pos >= 0:
        resume = -1
        for found in finditer(text, pos):
            level, heading, fence, rest = found.groups()
            begin, found_end = found.span()
            if level or fence:  # found by the newline before the line, up to its end
                offset, end = begin + 1, found_end
            else:  # a comment mark inside the line
                offset, end = text.rfind("\n", 0, begin) + 1, text.find("\n", found_end)
                if end < 0:
                    end = len(text)
            number += text.count("\n", previous, offset)
            previous = offset
            at_start = in_comment
            if has_comments:
                line = text[offset:end]
                if in_comment or "<!--" in line:
                    line, in_comment = strip_html_comments(line, in_comment)
                    stripped = line.lstrip() if line[:1] in (" ", "\t") else line
                    m = HEADING.match(line) if stripped[:1] == "#" else None
                    level, heading = m.groups() if m else (None, None)
                    fence, rest = (fence_opener(stripped), "") if stripped[:1] in ("`", "~") else ("", "")
            if level:
                yield offset, number, len(level), heading or "", at_start
            elif fence and not (fence[0] == "`" and "`" in rest):
                closer = fence_closer(fence).search(text, end)
                if closer is None:
                    return  # an unclosed fence runs to the end
                resume = closer.end()
                break
            if end != found_end:  # the rest of the line is read: go on after it
                resume = end
                break
        pos = resume


def _content_lines(chunk: str, chunk_line: int, in_comment: bool):
    """(line number, line, stripped line) of a chunk's plan content: blank lines
    and fenced code left out (the opening fence line is kept: it ends a list),
    HTML comments cut out."""
    has_comments = in_comment or "<!--" in chunk
    fence = ""
    for number, line in enumerate(chunk.split("\n"), chunk_line):
        if fence:
            if closes_fence(line, fence):
                fence = ""
            continue
        if has_comments and (in_comment or "<!--" in line):
            line, in_comment = strip_html_comments(line, in_comment)
        if not line:
            continue
        if line[0] == " " or line[0] == "\t":
            stripped = line.lstrip()
            if not stripped:
                continue
        else:
            stripped = line
        if stripped[0] == "`" or stripped[0] == "~":
            fence = fence_opener(stripped)
        yield number, line, stripped


class _Section:
    """The text a unit (or the file top) owns: its heading line and what follows
    up to the next heading, plus any stretch after a plain sub-heading.

    `read` is the unit's heading as `_read_heading` reads it (None for the file
    top), `line` its line and `parent` the index of the enclosing unit's section
    (-1: none). `chunks` holds (text, in a comment at its start), and None where
    a child unit's heading interrupts the section; `numbers` the line each chunk
    starts on. A section does not change once read (`settle`): the units of
    every read of the file, and of a version that differs elsewhere, share it.
    """

    __slots__ = ("read", "line", "parent", "chunks", "numbers", "marks", "source", "done")

    def __init__(self, read: tuple | None, line: int, parent: int, marks: "_Markers", chunks: list, numbers: list):
        self.read = read
        self.line = line
        self.parent = parent
        self.chunks = chunks
        self.numbers = numbers
        self.marks = marks
        self.source: tuple = ()
        self.done = False  # a Status line completes the unit

    def settle(self) -> None:
        """Once every chunk is in: the unit's source, and whether a Status line completes it."""
        self.source = tuple(self.chunks)
        self.done = self.read is not None and not self.read[3] and self.status_done()

    def moved(self, first: int, lines: int, index: int = -1, chunk: tuple | None = None) -> "_Section":
        """This section in another version of the text: what starts on line
        `first` or later moved by `lines`, but chunk `index` (if given), which
        is replaced and starts where it did. The file top starts where the
        content does."""
        line = self.line + lines if self.read is not None and self.line >= first else self.line
        numbers = [n + lines if n >= first else n for n in self.numbers] if lines else self.numbers
        if chunk is None:
            copy = _Section(self.read, line, self.parent, self.marks, self.chunks, numbers)
            copy.source, copy.done = self.source, self.done
        else:
            if lines:
                numbers[index] = self.numbers[index]
            copy = _Section(self.read, line, self.parent, self.marks,
                            self.chunks[:index] + [chunk] + self.chunks[index + 1:], numbers)
            copy.settle()
        return copy

    def status_done(self) -> bool:
        """A ``Status: Done`` line before the unit's first child unit."""
        for chunk, number in zip(self.chunks, self.numbers):
            if chunk is None:
                return False
            text, in_comment = chunk
            if "tatus" not in text and "TATUS" not in text:
                continue
            for _, line, stripped in _content_lines(text, number, in_comment):
                if "tatus" in stripped or "TATUS" in stripped:
                    m = _STATUS.match(line)
                    if m and _status_done(m.group(1), self.marks):
                        return True
        return False

    def tasks(self) -> list[Unit]:
        """The section's list items as task units, nested.

        Items are gathered as (line, `_ITEM` groups, parent item index, list
        key, whether the text holds a marker other than the checkbox); `marked`
        holds the list keys (run of the list, parent item) where some item
        carries a marker, which makes every item of that list a task.
        """
        marks = self.marks
        items: list = []
        marked: set = set()
        run = 0  # list runs: bumped by every line that ends a list
        notes_run = -1  # the run of a list under a notes label
        for chunk, chunk_line in zip(self.chunks, self.numbers):
            if chunk is None:
                continue
            text, in_comment = chunk
            find_marker = marks.in_text if marks.in_text(text) else None
            open_items: list = []  # (indent, item index) of the items still open for nesting
            for number, line, stripped in _content_lines(text, chunk_line, in_comment):
                if line is stripped:
                    run += 1  # a column-0 line ends the list, unless it is an item itself
                    if line[0] in "*_" and _NOTES_LABEL.match(line):
                        notes_run = run  # "**Implementation notes:**": its list is prose
                first = stripped[0]
                if first == "`" or first == "~":
                    continue
                if first == "#":
                    if HEADING.match(line):
                        run += 1
                        open_items.clear()  # a heading ends every list
                    continue
                if self.read is not None and ("tatus" in stripped or "TATUS" in stripped) \
                        and _STATUS.match(line):
                    continue
                if first in "-*+" or first.isdigit():
                    m = _ITEM.match(line)
                    if m and run - (line is stripped) == notes_run:
                        run -= line is stripped  # the notes list goes on
                        continue
                    if m:
                        groups = m.groups()
                        item_text = groups[5]
                        if item_text is None and not (groups[1] or groups[2] or groups[3] or groups[4]):
                            continue  # a bare bullet
                        if line is stripped:
                            run -= 1
                        indent = groups[0]
                        width = len(indent) + 3 * indent.count("\t") if indent else 0
                        while open_items and open_items[-1][0] >= width:
                            open_items.pop()
                        parent = open_items[-1][1] if open_items else -1
                        key = (run, parent)
                        has_marker = bool(find_marker and item_text and find_marker(item_text))
                        if has_marker:
                            marked.add(key)
                        open_items.append((width, len(items)))
                        items.append((number, groups, parent, key, has_marker))
        return _nest(items, marked, marks) if items else []

    __call__ = tasks  # a unit's `_pending`


MAX_TASK_DEPTH = 32  # a task nested deeper (by indent or by id) is read beside its owner


def _nest(items: list, marked: set, marks: "_Markers") -> list[Unit]:
    """Task units from gathered items; a non-task item passes its children to its own owner.

    Nesting stops at MAX_TASK_DEPTH, so whatever walks the tasks recursively
    stays far from Python's recursion limit however the text is indented."""
    tasks: list[Unit] = []
    owners: list = []  # per item: the task its nested items belong to, or None
    placed: dict = {}  # id(task) -> (its depth, the list it is in)
    box_marks = marks.box
    for number, (_, box, id1, id2, id3, text), parent, key, has_marker in items:
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
        depth, siblings = (placed[id(owner)][0] + 1, owner.children) if owner else (1, tasks)
        if depth > MAX_TASK_DEPTH:
            depth, siblings = placed[id(owner)]
        while depth < MAX_TASK_DEPTH and task.id and siblings and siblings[-1].id \
                and task.id.startswith(siblings[-1].id + "."):
            siblings = siblings[-1].children  # task 1.1.1.1 written flat below task 1.1.1
            depth += 1
        siblings.append(task)
        placed[id(task)] = (depth, siblings)
        owners.append(task)
    return tasks


def has_marker(text: str, markers: Sequence[str] = DEFAULT_MARKERS) -> bool:
    """Whether the text carries a completion marker (`[x]` included when configured)."""
    return _Markers.of(markers).any_in(text)


def read_markdown_plan(
    text: str, path: str = "", markers: Sequence[str] = DEFAULT_MARKERS
) -> Plan:
    """Read a markdown plan into units; see the module docstring for the rules.

    Headings are found by one scan over the text, unless the text differs from
    the version last read at `path` only inside one section (`_follow`); a
    section's tasks are read when its unit's `children` are first used (those
    of the file top at once).
    """
    marks = _Markers.of(markers)
    text, start, start_line = _content_start(text)
    text = "\n" + text  # `_structure` finds lines by the newline before them
    last = _LAYOUTS.get(path)
    layout = _follow(last, text, start + 1) if last is not None and last.marks is marks else None
    if layout is None:
        layout = _layout(text, start + 1, start_line, marks)
    _remember(path, layout)
    return _plan(layout, path)


def has_layout(path: str) -> bool:
    """Whether this process has read a version at `path` to follow from."""
    return path in _LAYOUTS


def _remember(path: str, layout: "_Layout") -> None:
    if len(_LAYOUTS) >= _LAYOUTS_KEPT and path not in _LAYOUTS:
        _LAYOUTS.clear()
    _LAYOUTS[path] = layout


class _Layout:
    """What reading a text found, kept to read its next version from: the text,
    the offset each chunk starts at, the sections of the units in file order
    and the file top's."""

    __slots__ = ("marks", "text", "start", "starts", "sections", "root", "headings", "whole")

    def __init__(self, marks: _Markers, text: str, start: int, starts: list, sections: list, root: _Section,
                 headings: list, whole: bool):
        self.marks = marks
        self.text = text
        self.start = start
        self.starts = starts
        self.sections = sections
        self.root = root
        self.headings = headings  # (level, read, in a comment) of the heading each chunk after the first starts at
        self.whole = whole  # read from scratch, not followed from another version's or a saved layout

    def owner(self, i: int, line: int) -> tuple[int, _Section, int]:
        """The section owning chunk `i`, which starts on `line` (its index, -1
        for the file top), and the chunk's place in it. The file top owns the
        first chunk; a later one, which starts at a heading, is that heading's
        unit's or the innermost unit's open there: the last one opened before
        it or one of that one's parents."""
        if i == 0:
            return -1, self.root, 0
        k = bisect_right(self.sections, line, key=_line) - 1
        while k >= 0 and line not in self.sections[k].numbers:
            k = self.sections[k].parent
        section = self.sections[k] if k >= 0 else self.root
        return k, section, max(j for j, number in enumerate(section.numbers) if number == line)


def _line(section: _Section) -> int:
    return section.line


_LAYOUTS: dict = {}  # plan path -> the layout of the version last read there
_LAYOUTS_KEPT = 16  # paths; past this many, start afresh


def _layout(text: str, start: int, start_line: int, marks: _Markers, kept: tuple | None = None) -> _Layout:
    """The layout of a text, read from scratch; `text[start - 1]` is a newline.
    With `kept`, a saved layout's chunk starts and headings (`saved_layout`),
    its headings are not searched for and read again."""
    root = _Section(None, start_line, -1, marks, [], [])
    sections: list = []
    starts = [start]
    headings: list = []
    stack: list = []  # open units: (level, section index, section)
    section, chunk_start, chunk_number, chunk_comment = root, start, start_line, False
    if kept is None:
        found = _structure(text, start, start_line, "<!--" in text)
    else:
        found = _kept(text, start_line, marks, *kept)
    for offset, number, level, heading, in_comment in found:
        section.chunks.append((text[chunk_start:offset], chunk_comment))
        section.numbers.append(chunk_number)
        chunk_start, chunk_number, chunk_comment = offset, number, in_comment
        starts.append(offset)
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack:
            _, parent, above = stack[-1]
            read = _heading_read(heading, above.read, marks) if kept is None else heading
            if read:
                above.chunks.append(None)
                above.numbers.append(0)
        else:
            parent, read = -1, _heading_read(heading, None, marks) if kept is None else heading
        headings.append((level, read, in_comment))
        if read:
            section = _Section(read, number, parent, marks, [], [])
            stack.append((level, len(sections), section))
            sections.append(section)
        else:
            section = stack[-1][2] if stack else root
    section.chunks.append((text[chunk_start:], chunk_comment))
    section.numbers.append(chunk_number)
    for section in sections:
        section.settle()
    root.settle()
    return _Layout(marks, text, start, starts, sections, root, headings, kept is None)


def _kept(text: str, number: int, marks: _Markers, starts: list, headings: list):
    """`_structure`'s answer from a saved layout of this text (`saved_layout`):
    (offset, line, level, the heading as read, in a comment) for each chunk
    after the first. ValueError when it is not a saved layout's."""
    previous = starts[0]
    for offset, (level, read, in_comment) in zip(starts[1:], headings, strict=True):
        if read:
            kind, unit_id, rest, lead, completed = read
            if not (type(kind) is type(unit_id) is type(rest) is type(lead) is str and type(completed) is bool):
                raise ValueError("not a heading as read")
            read = kind, unit_id, partial(_heading_title, rest, lead, completed, marks), completed
        elif read != ():
            raise ValueError("not a heading as read")
        if type(level) is not int or type(in_comment) is not bool or type(offset) is not int or offset < previous:
            raise ValueError("not a heading")
        number += text.count("\n", previous, offset)
        previous = offset
        yield offset, number, level, read, in_comment


def saved_layout(path: str) -> tuple | None:
    """The layout last read at `path` as `marshal` keeps it (text, where its
    content starts, its first line, chunk starts, and the headings as read),
    for `restore_layout` in another process; None unless it was read whole."""
    layout = _LAYOUTS.get(path)
    if layout is None or not layout.whole:
        return None
    headings = [(level, read and (read[0], read[1], *read[2].args[:3]), in_comment)
                for level, read, in_comment in layout.headings]
    return layout.text, layout.start, layout.root.line, layout.starts, headings


def restore_layout(path: str, saved, markers: Sequence[str] = DEFAULT_MARKERS) -> bool:
    """Make `saved` (`saved_layout`, from a run with the same markers) the layout
    last read at `path`, so the next version read there follows from it.
    False, and nothing changed, when it is not a layout's shape."""
    try:
        text, start, start_line, starts, headings = saved
        if not (type(text) is str and type(start) is int and type(start_line) is int and 0 < start <= len(text)
                and type(starts) is list and type(headings) is list and starts and starts[0] == start
                and type(starts[-1]) is int and starts[-1] <= len(text)):
            return False
        layout = _layout(text, start, start_line, _Markers.of(markers), (starts, headings))
    except (TypeError, ValueError):  # not a sequence of the right length, or of the right things
        return False
    _remember(path, layout)
    return True


def _inert(lines: str) -> bool:
    """Whether none of these lines could be a heading, a fence or hold a comment
    mark (at any indentation, to be safe): then no other line reads otherwise."""
    if "<!--" in lines or "-->" in lines:
        return False
    if "#" not in lines and "`" not in lines and "~" not in lines:
        return True
    return not any(line.lstrip()[:1] in ("#", "`", "~") for line in lines.split("\n"))


def _follow(last: _Layout, text: str, start: int) -> _Layout | None:
    """The layout of `text` from `last`, the layout of another version of it,
    when the lines where the two differ lie inside one chunk and are `_inert`
    in both versions: then every heading, fence and comment is where it was,
    moved by the lines the edit adds, and only that chunk's text is new. Else
    None: read it whole.

    The versions in a commit, or in consecutive commits, mostly differ so (a
    task ticked, a line added), and the unchanged text is compared in C.
    """
    old = last.text
    if start != last.start:  # front matter that ends elsewhere
        return None
    if text == old:
        return last
    same = _common_prefix(old, text)
    tail = _common_suffix(old, text, min(len(old), len(text)) - same)
    # The lines that differ: from the line the first difference is on, in
    # each version up to `hi`, after which the versions are the same lines.
    lo = old.rfind("\n", 0, same) + 1
    old_hi, new_hi = len(old) - tail, len(text) - tail
    if old[old_hi - 1] != "\n" or text[new_hi - 1] != "\n":  # the rest of the line differs too
        old_hi, new_hi = old.find("\n", old_hi), text.find("\n", new_hi)
        old_hi, new_hi = len(old) if old_hi < 0 else old_hi, len(text) if new_hi < 0 else new_hi
    starts = last.starts
    i = max(bisect_left(starts, lo) - 1, 0)  # the chunk they are in (lines added at a chunk's end: that one)
    if lo < start or (i + 1 < len(starts) and old_hi > starts[i + 1]) \
            or not _inert(old[lo:old_hi]) or not _inert(text[lo:new_hi]):
        return None
    number = last.root.line + old.count("\n", start, starts[i])  # the chunk's first line
    owner, section, index = last.owner(i, number)
    first = number + old.count("\n", starts[i], lo)  # the first line that differs: it and those after move
    lines = text.count("\n", lo, new_hi) - old.count("\n", lo, old_hi)
    grow = len(text) - len(old)
    end = starts[i + 1] + grow if i + 1 < len(starts) else len(text)
    sections, root = list(last.sections), last.root
    if lines:  # the units still open at that chunk move, and those after it
        k = section.parent if owner >= 0 else -1
        while k >= 0:
            sections[k] = sections[k].moved(first, lines)
            k = sections[k].parent
        later = bisect_left(sections, first, key=_line)
        sections[later:] = [moving.moved(first, lines) for moving in sections[later:]]
        if owner >= 0:
            root = root.moved(first, lines)
    changed = section.moved(first, lines, index, (text[starts[i]:end], section.chunks[index][1]))
    if owner >= 0:
        sections[owner] = changed
    else:
        root = changed
    if grow:
        starts = starts[:i + 1] + [s + grow for s in starts[i + 1:]]
    return _Layout(last.marks, text, start, starts, sections, root, last.headings, False)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by halving: slices compared in C."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most `limit`."""
    lo, hi, la, lb = 0, limit, len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid:la - lo] == b[lb - mid:lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _plan(layout: _Layout, path: str) -> Plan:
    """Units for a layout, new ones each time: a caller may change its plan's units."""
    units: list = []
    top: list = []
    for section in layout.sections:
        kind, unit_id, title, completed = section.read
        unit = Unit(kind, unit_id, title, section.line, completed or section.done)
        unit.source = section.source
        unit.subsections = unit._children
        unit._pending = section  # called, it reads the tasks: no bound method for each unit
        (units[section.parent].subsections if section.parent >= 0 else top).append(unit)
        units.append(unit)
    # Outside every unit (an overview, notes, an appendix) list items are
    # prose, unless the file is a bare checklist with no unit at all.
    return Plan(path, top or layout.root.tasks())


_HEADING_PREFIX = {"phase": "Phase ", "epic": "Epic ", "step": "Step "}


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
            if unit.kind in SECTION_KINDS:
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
