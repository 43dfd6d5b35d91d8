"""Context.toml: which epic, step and issue the work in a domain folder is on.

A staged path belongs to the nearest Context.toml above it. Files are read
from the tree being committed, like everything else a check sees.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from .diskcache import cached
from .errors import ConfigError
from .lazyre import lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .snapshot import Snapshot

CONTEXT_FILE = "Context.toml"
KEYS = ("current_epic", "current_step", "current_domain", "current_dev_stage",
        "current_phase", "current_issue")
STEP_PREFIX = lazy(r"^\s*step\s*", re.I)


class Context:
    """The work in progress a Context.toml names; `lines` maps each key to its line."""

    def __init__(self, path: str, epic: str = "", step: str = "", domain: str = "",
                 dev_stage: str = "", phase: str = "", issue: str = "",
                 lines: dict[str, int] | None = None):
        self.path = path
        self.epic = epic
        self.step = step
        self.domain = domain
        self.dev_stage = dev_stage
        self.phase = phase
        self.issue = issue
        self.lines = lines or {}

    def __repr__(self) -> str:
        return f"Context({self.path!r}, {self.values()!r})"

    @property
    def folder(self) -> str:
        """The domain folder ('' for the repository root), with a trailing slash."""
        head = self.path.rpartition("/")[0]
        return head + "/" if head else ""

    def governs(self, path: str) -> bool:
        return path.startswith(self.folder)

    def values(self) -> dict[str, str]:
        return {"epic": self.epic, "step": self.step, "domain": self.domain,
                "dev_stage": self.dev_stage, "phase": self.phase, "issue": self.issue}


def _scalar(value) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value).strip()
    return ""


def phase_of(step: str) -> str:
    """`2.3` is step 3 of phase 2."""
    head = step.split(".", 1)[0].strip()
    return head if head.isdigit() else ""


def read_context(text: str, path: str) -> Context:
    """Parse one Context.toml; broken TOML or wrong types are C001 with the line."""
    from .config import load_toml

    data = load_toml(text, path)
    table = data.get("context")
    source = dict(data)
    if isinstance(table, dict):
        source.update(table)
    elif table is not None:
        raise ConfigError(path, "[context] must be a table", _line_of(text, "context"))
    found: dict[str, str] = {}
    for key in KEYS:
        if key not in source:
            continue
        value = source[key]
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(path, f"'{key}' must be a string", _line_of(text, key))
        found[key] = _scalar(value)
    step = STEP_PREFIX.sub("", found.get("current_step", ""))
    # Without current_phase the phase is the plan that holds the step (plan.locate).
    phase = re.sub(r"^\s*phase\s*", "", found.get("current_phase", ""), flags=re.I)
    return Context(
        path=path,
        epic=found.get("current_epic", ""),
        step=step,
        domain=found.get("current_domain", ""),
        dev_stage=found.get("current_dev_stage", ""),
        phase=phase,
        issue=found.get("current_issue", ""),
        lines={k: _line_of(text, k) or 1 for k in found},
    )


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*(?:\[\s*)?{re.escape(key)}\b", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _fields(snapshot, path: str) -> dict:
    """What a Context.toml says, as Context's keyword arguments (kept by blob id)."""
    from .snapshot import decode_text

    context = read_context(decode_text(snapshot.read(path)), path)
    return {**context.values(), "lines": context.lines}


class Contexts:
    """Every Context.toml of the tree being committed, and which path each governs."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        paths = [p for p in snapshot.list_paths(["**/" + CONTEXT_FILE])
                 if p.rpartition("/")[2] == CONTEXT_FILE]
        ids = snapshot.blob_ids(paths)
        self.all: list[Context] = [Context(p, **cached(snapshot.repo, "toml", f"{CONTEXT_FILE} {ids[p]}",
                                                       lambda: _fields(snapshot, p))) for p in paths if p in ids]
        # deepest folder first, so the nearest one wins
        self.all.sort(key=lambda c: (-c.folder.count("/"), c.path))

    def for_path(self, path: str) -> Context | None:
        for context in self.all:
            if context.governs(path):
                return context
        return None

    def governing(self, paths: Iterable[str]) -> list[Context]:
        """The contexts that govern `paths`, most-governing first."""
        counts: dict[str, int] = {}
        by_path: dict[str, Context] = {}
        for p in paths:
            context = self.for_path(p)
            if context is not None:
                counts[context.path] = counts.get(context.path, 0) + 1
                by_path[context.path] = context
        return [by_path[k] for k in sorted(counts, key=lambda k: (-counts[k], k))]

    def current(self) -> Context | None:
        """The context the staged work is on; the diff is read only when
        several contexts compete."""
        if len(self.all) <= 1:
            return self.all[0] if self.all else None
        return self.primary(self.snapshot.staged_paths)

    def primary(self, paths: Iterable[str] = ()) -> Context | None:
        """The context governing most of `paths`, else the root one, else the only one."""
        governing = self.governing(paths)
        if governing:
            return governing[0]
        root = [c for c in self.all if not c.folder]
        if root:
            return root[0]
        return self.all[0] if len(self.all) == 1 else None
