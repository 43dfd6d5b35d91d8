"""Compare a structure section with the paths a commit adds and removes.

S001 (added path missing): for an added file `p` in the section's scope,
find the deepest listed ancestor of `p` (the scope root when none is
listed). If that directory is *enumerated* (listed with children, none of
them an elision or pattern; the root level: the section lists anything at
top level and has no elision there) and the next path component below it
is not listed, that component must be listed: one finding per missing
component (a new folder with 50 files asks for the folder once), on the
directory's line (the heading line for the root level). A name listed as a
multi-part path (`src/api/`) makes `src` known but not enumerated. A
structure file never has to list itself.

S002 (removed path still listed) and S003 (listed path absent, a warning:
drift from earlier commits): every listed, non-pattern, non-ignored path is
asked of `exists` in one batch; an absent one is S002 when the commit
removed it or something below it, else S003. Only the topmost absent entry
of a subtree is reported (a gone folder is one finding, not one per file).

Ignore globs match a path component (`__pycache__`, `*.pyc`) or, when they
hold a `/`, the whole path (`**/__pycache__/**` also matches at the top
level and the folder itself). Ignored paths are never required nor reported.
Cost is linear: a dict/set lookup per path component.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from impl_hooks.findings import Finding
from impl_hooks.globs import match_path
from impl_hooks.structure.parse import Entry, Section, scope_root

FIX = "impl-hooks structure --fix"


def in_scope(file: str, path: str) -> bool:
    """A structure file `D/CLAUDE.md` describes `D/**`; a root one the whole repo."""
    return path.startswith(scope_root(file))


def ignore_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """A test for ignored repo-relative paths (see `impl_hooks.globs.match_path`)."""
    patterns = [p for p in patterns if p.strip()]
    return lambda path: bool(patterns) and match_path(path, patterns)


def _implied(listed: dict) -> set:
    """Folders named only inside a multi-part listed name (`src` of `src/api/`)."""
    implied = set()
    for path, entry in listed.items():
        for _ in range(entry.name.count("/")):
            path = path.rpartition("/")[0]
            implied.add(path)
    return implied


def _enumerated(section: Section, entry: Entry | None) -> bool:
    """Whether a directory (None: the section's top level) lists all it holds."""
    if entry is None:
        return bool(section.entries) and not section.elided
    return bool(entry.children) and not entry.elided and not entry.pattern


def missing_entries(section: Section, added: Iterable[str], ignore: Sequence[str]) -> dict:
    """Paths that must be listed: path -> (parent Entry or None for the top level, is_dir)."""
    ignored = ignore_matcher(ignore)
    listed = section.listed()
    implied = _implied(listed)
    root = section.root
    missing: dict = {}
    for path in added:
        path = path.strip("/")
        if not path.startswith(root) or path in (root.rstrip("/"), section.file) \
                or path in listed or path in implied or ignored(path):
            continue
        parts = path[len(root):].split("/")
        parent, depth = None, 0
        for depth in range(len(parts) - 1, 0, -1):
            ancestor = root + "/".join(parts[:depth])
            if ancestor in listed or ancestor in implied:
                parent = listed.get(ancestor, False)
                break
        else:
            depth = 0
        if parent is False or not _enumerated(section, parent):
            continue
        target = root + "/".join(parts[:depth + 1])
        if target not in missing and not ignored(target):
            missing[target] = (parent, depth + 1 < len(parts))
    return missing


def _gone_by_commit(section: Section, removed: Iterable[str]) -> set:
    """Removed paths in scope and their folders up to the scope root."""
    root = section.root
    gone = set()
    for path in removed:
        path = path.strip("/")
        while path.startswith(root) and path and path + "/" != root and path not in gone:
            gone.add(path)
            path = path.rpartition("/")[0]
    return gone


def _where(section: Section, entry: Entry | None) -> str:
    if entry is None:
        return "at the top level"
    return f'under "{entry.path[len(section.root):]}/"'


def stale_entries(section: Section, removed: Iterable[str], exists: Callable[[Iterable[str]], set],
                  ignore: Sequence[str] = ()) -> list:
    """Topmost listed entries absent from the index: [(code, Entry)], code S002 or S003.

    The paths to hand to `fix_text(remove=...)`. Calls `exists` at most once.
    """
    ignored = ignore_matcher(ignore)
    asked = [path for path, entry in section.listed().items()
             if not entry.pattern and not ignored(path)]
    present = set(exists(asked)) if asked else set()
    gone = _gone_by_commit(section, removed)
    stale = []
    stack = list(reversed(section.entries))
    while stack:
        entry = stack.pop()
        if entry.pattern or ignored(entry.path):
            continue
        if entry.path in present:
            stack.extend(reversed(entry.children))
        else:
            stale.append(("S002" if entry.path in gone else "S003", entry))
    return stale


def compare_section(section: Section, added: Iterable[str], removed: Iterable[str],
                    exists: Callable[[Iterable[str]], set],
                    ignore: Sequence[str] = ()) -> list:
    """S001/S002/S003 findings for one section; `exists` is called at most once."""
    file = section.file
    findings = []
    for target, (parent, is_dir) in missing_entries(section, added, ignore).items():
        name = target.rpartition("/")[2] + ("/" if is_dir else "")
        where = _where(section, parent)
        findings.append(Finding(
            "S001", f'"{target}{"/" if is_dir else ""}" was added but {file} does not list it {where}',
            path=file, line=parent.line if parent else section.heading_line,
            hint=f'add "{name}" {where} in {file} or run {FIX}'))
    for code, entry in stale_entries(section, removed, exists, ignore):
        shown = entry.name + ("/" if entry.is_dir else "")
        if code == "S002":
            message = f'"{entry.path}" was removed but {file} still lists it'
            hint = f'delete "{shown}" (line {entry.line}) from {file} or run {FIX}'
        else:
            message = f'{file} lists "{entry.path}", which does not exist'
            hint = f'delete or correct "{shown}" (line {entry.line}) in {file} or run {FIX}'
        findings.append(Finding(code, message, path=file, line=entry.line, hint=hint))
    return findings
