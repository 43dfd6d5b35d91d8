"""One plan model for every plan format: a tree of units in file order.

Readers (markdown, features.json, spec-kit tasks.md) all return a `Plan`, so
the plan checks never care which format a repository uses.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

# Kinds only a markdown heading carries: finding one reads no section's tasks.
SECTION_KINDS = ("phase", "epic", "step", "issue")


class Unit:
    """A phase, step, issue, feature or task, with its children in file order.

    Plain classes, not dataclasses: `dataclasses` imports `inspect`, a cost
    every hook would pay at start-up.

    A markdown section (a heading unit) reads its tasks only when `children`
    is first used: a hook that compares two versions of a 10,000-line plan
    reads the tasks of the sections whose text changed, not all of them.
    `source` is that section's own text (None for other units): two units with
    the same source have the same tasks and the same completion. `subsections`
    are its child heading units, known without reading the tasks. A reader
    may give `title` as a function, called when the title is first read:
    tidying every heading's title is a good part of reading a plan, and a hook
    matches units by id and reads few titles.
    """

    __slots__ = ("kind", "id", "_title", "line", "completed", "_children", "extra",
                 "source", "subsections", "_pending")

    def __init__(self, kind: str, id: str, title: str | Callable[[], str], line: int, completed: bool,
                 children: list | None = None, extra: dict | None = None):
        self.kind = kind  # "phase" | "epic" | "step" | "issue" | "feature" | "task"
        self.id = id  # "2", "2.3", "AUTH-12", "T001", "F1"; "" for an anonymous task
        self._title = title  # text without markers, ids, checkboxes (or the function giving it)
        self.line = line  # 1-based line in the file
        self.completed = completed
        self._children = children if children is not None else []
        self.extra = extra if extra is not None else {}
        self.source = None
        self.subsections: list | tuple = ()
        self._pending = None  # reads the section's tasks, until `children` is used

    @property
    def title(self) -> str:
        title = self._title
        if not isinstance(title, str):
            title = self._title = title()
        return title

    @title.setter
    def title(self, value: str) -> None:
        self._title = value

    @property
    def children(self) -> list:
        if self._pending is not None:
            read_tasks, self._pending = self._pending, None
            tasks = read_tasks()
            if tasks:
                self._children = sorted(self._children + tasks, key=_line) if self._children else tasks
        return self._children

    def _fields(self) -> tuple:
        return (self.kind, self.id, self.title, self.line, self.completed, self.children, self.extra)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unit) and self._fields() == other._fields()

    def __repr__(self) -> str:
        return (f"Unit({self.kind!r}, {self.id!r}, {self.title!r}, line={self.line}, "
                f"completed={self.completed}, children={self.children!r})")

    def iter(self, read: bool = True) -> Iterator["Unit"]:
        """This unit, then its descendants, depth-first in file order.

        With `read=False` no task is read that was not read already: every
        phase, step and issue is still there.
        """
        stack = [self]
        while stack:
            unit = stack.pop()
            yield unit
            below = unit.children if read else unit._children
            if below:
                stack.extend(reversed(below))

    def open_tasks(self) -> list:
        """Task descendants (at any depth) that are not completed."""
        return [u for u in self.iter() if u is not self and u.kind == "task" and not u.completed]


def _line(unit: Unit) -> int:
    return unit.line


class Plan:
    """A plan file's units; `errors` holds (line, col, message) for what could not be read."""

    __slots__ = ("path", "units", "errors")

    def __init__(self, path: str, units: list, errors: list | None = None):
        self.path = path
        self.units = units
        self.errors = errors if errors is not None else []

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plan) and (self.path, self.units, self.errors) == (
            other.path, other.units, other.errors)

    def __repr__(self) -> str:
        return f"Plan({self.path!r}, {len(self.units)} units, errors={self.errors!r})"

    def walk(self, read: bool = True) -> Iterator[Unit]:
        """All units depth-first, in file order; `read` as in `Unit.iter`."""
        for unit in self.units:
            yield from unit.iter(read)

    def find(self, unit_id: str, kind: str | None = None) -> Unit | None:
        """The first unit with this id (case-insensitive), optionally of one kind.

        `kind` settles the clash of `## Phase 2` and `### Step 2`, which share
        the id "2"; without it the first one in the file wins.
        """
        wanted = unit_id.strip().casefold()
        for unit in self.walk(read=kind not in SECTION_KINDS):
            if unit.id.casefold() == wanted and (kind is None or unit.kind == kind):
                return unit
        return None

    def completed_ids(self) -> set:
        """Ids of completed units; anonymous tasks have no id and are left out."""
        return {u.id for u in self.walk() if u.completed and u.id}
