"""Rewrite structure sections in place: insert missing entries, delete gone ones.

Only lines of the listing change: new lines are inserted, deleted entries'
lines (with their subtree, and a `│` spacer line right above them) are
dropped, and in box trees the branch glyph of the sibling that stops or
starts being the last one is swapped (`└──` <-> `├──`) together with the
vertical bar below it. Every other byte stays: comments and their columns,
indentation, markup, CRLF line endings, text around the listing.

A new entry copies its nearest sibling: the prefix (indent, glyphs, bullet
marker), the name markup (backticks, bold; a name that does not read as a
path goes in backticks, as bold it would read as a label), the way folders
are written (trailing slash or not, full path or name only). It goes before
the first sibling that sorts after it (case-insensitive name; folders first
unless a file is listed before a folder there), else after the last
sibling's subtree.
Inserting happens before deleting, so a rename inside a folder listed with
one file keeps that folder enumerated.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from impl_hooks.structure.compare import missing_entries
from impl_hooks.structure.parse import Entry, Section, path_like, read_sections

_LAST_TO_MID = {"└": "├", "┗": "┣", "╚": "╠", "╙": "╟", "┖": "┠", "╰": "├", "`": "|", "\\": "+"}
_VERTICAL = {"└": "│", "┗": "┃", "╚": "║", "╙": "║", "┖": "┃", "╰": "│", "`": "|", "\\": "|"}
_BRANCHES = frozenset("├└┣┗╠╚╟╙┠┖╰")
_ASCII_BRANCHES = frozenset("|+`\\")
_DASHES = frozenset("─━═-")
_SPACER = frozenset("│┃║| \t\u00a0\r")


class _Line:
    """A mutable line, so inserts do not shift the lines entries point at."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _last_line(entry: Entry) -> int:
    """The last line of an entry's subtree, trailing elisions and comment lines included."""
    last, stack = entry.end, [entry]
    while stack:
        node = stack.pop()
        last = max(last, node.end)
        stack.extend(node.children)
    return last


def _branch_index(text: str, end: int) -> int | None:
    """Index of the rightmost branch glyph (`├`, `└`, `|--`, `` `-- ``) before `end`."""
    for index in range(min(end, len(text)) - 1, -1, -1):
        char = text[index]
        if char in _BRANCHES:
            return index
        if char in _ASCII_BRANCHES and text[index + 1:index + 2] in _DASHES:
            return index
    return None


def _set_char(text: str, index: int, char: str) -> str:
    return text[:index] + char + text[index + 1:]


def _families(section: Section):
    """Sibling lists: the top level split by block, then each folder's children."""
    for start, end in section.blocks:
        top = [entry for entry in section.entries if start <= entry.line <= end]
        if top:
            yield top
    stack = list(section.entries)
    while stack:
        entry = stack.pop()
        if entry.children:
            yield entry.children
            stack.extend(entry.children)


def _token_text(text: str, entry: Entry) -> str:
    return text[entry.span[0]:entry.span[1]]


def _written_with_slash(lines: list[_Line], section: Section) -> bool:
    """Whether the section writes folders with a trailing slash (yes when unknown)."""
    folders = [entry for entry in section.listed().values() if entry.children]
    if not folders:
        return True
    return any(e.name + "/" in _token_text(lines[e.line - 1].text, e) for e in folders)


def _format(token: str, name: str) -> str:
    """Write `name` with the markup of a sibling's token; bold only for a name that
    reads as a path (a bold `Makefile` is a label), else in backticks."""
    if len(token) > 4 and token[:2] in ("**", "__") and token.endswith(token[:2]):
        if not path_like(name.rstrip("/"), name.endswith("/")):
            return f"`{name}`"
        inner = f"`{name}`" if token[2:3] == "`" else name
        return token[:2] + inner + token[:2]
    if token.startswith(("`", "[")):
        return f"`{name}`"
    return name


def _new_line(template: str, entry: Entry, name: str, glyph: str | None) -> str:
    """A line like the sibling's `template`, holding `name`, no comment."""
    prefix = template[:entry.span[0]]
    index = _branch_index(prefix, len(prefix))
    if glyph is not None and index is not None:
        prefix = _set_char(prefix, index, glyph)
    ending = "\r" if template.endswith("\r") else ""
    return prefix + _format(_token_text(template, entry), name) + ending


def _index_of(lines: list[_Line], line: _Line) -> int:
    return next(index for index, item in enumerate(lines) if item is line)


def _insert_family(lines: list[_Line], by_line: list[_Line], section: Section,
                   parent: Entry | None, news: list, slash: bool) -> None:
    siblings = parent.children if parent else section.entries
    base = parent.path + "/" if parent else section.root
    kinds = [entry.is_dir for entry in siblings]
    dirs_first = kinds == sorted(kinds, reverse=True)  # no file listed before a folder

    def key(name: str, is_dir: bool):
        return (dirs_first and not is_dir, name.casefold(), name)

    keys = [key(entry.path[len(base):], entry.is_dir) for entry in siblings]
    full = any(e.depth > 0 and "/" in e.name and e.path == section.root + e.name for e in siblings)
    placed: dict = {}
    for target, is_dir in news:
        new_key = key(target[len(base):], is_dir)
        written = target[len(section.root):] if full else target[len(base):]
        written += "/" if is_dir and slash else ""
        at = next((i for i, other in enumerate(keys) if other > new_key), len(siblings))
        placed.setdefault(at, []).append((new_key, written))
    for at, group in placed.items():
        names = [written for _key, written in sorted(group)]
        if at < len(siblings):
            _insert_before(lines, by_line, siblings[at], names)
        else:
            _append_after(lines, by_line, siblings[-1], names)


def _insert_before(lines: list[_Line], by_line: list[_Line], anchor: Entry, names: list) -> None:
    line = by_line[anchor.line - 1]
    index = _branch_index(line.text, anchor.span[0])
    glyph = _LAST_TO_MID.get(line.text[index]) if index is not None else None
    position = _index_of(lines, line)
    lines[position:position] = [_Line(_new_line(line.text, anchor, name, glyph)) for name in names]


def _append_after(lines: list[_Line], by_line: list[_Line], last: Entry, names: list) -> None:
    line = by_line[last.line - 1]
    index = _branch_index(line.text, last.span[0])
    glyph = line.text[index] if index is not None else ""
    mid = _LAST_TO_MID.get(glyph)
    new = [_Line(_new_line(line.text, last, name, mid)) for name in names[:-1]]
    new.append(_Line(_new_line(line.text, last, names[-1], None)))
    end = _index_of(lines, by_line[_last_line(last) - 1])
    if mid is not None and index is not None:
        start = _index_of(lines, line)
        line.text = _set_char(line.text, index, mid)
        for below in lines[start + 1:end + 1]:
            if below.text[index:index + 1] == " ":
                below.text = _set_char(below.text, index, _VERTICAL[glyph])
    lines[end + 1:end + 1] = new


def _insert(text: str, file: str, heading: str, add: list, ignore: Sequence[str],
            is_folder: Callable[[str], bool] | None) -> str:
    sections = read_sections(text, file, heading, is_folder)
    by_line = [_Line(part) for part in text.split("\n")]
    lines = list(by_line)
    changed = False
    for section in sections:
        missing = missing_entries(section, add, ignore)
        if not missing:
            continue
        groups: dict = {}
        for target, (parent, is_dir) in missing.items():
            groups.setdefault(id(parent), (parent, []))[1].append((target, is_dir))
        slash = _written_with_slash(by_line, section)
        # Outer folders first: their glyph fixes must reach the lines nested ones copy.
        for parent, news in sorted(groups.values(), key=lambda g: g[0].depth if g[0] else -1):
            _insert_family(lines, by_line, section, parent, news, slash)
        changed = True
    return "\n".join(line.text for line in lines) if changed else text


def _retarget_last(texts: list[str], kept: Entry, gone: Entry, edits: dict) -> None:
    """`kept` becomes the last sibling: give it `gone`'s last glyph, clear the bar below it."""
    old_index = _branch_index(texts[gone.line - 1], gone.span[0])
    index = _branch_index(texts[kept.line - 1], kept.span[0])
    if old_index is None or index is None:
        return
    glyph = texts[gone.line - 1][old_index]
    if _LAST_TO_MID.get(glyph) != texts[kept.line - 1][index]:
        return
    edits.setdefault(kept.line - 1, {})[index] = glyph
    for below in range(kept.line, _last_line(kept)):
        if texts[below][index:index + 1] == _VERTICAL[glyph]:
            edits.setdefault(below, {})[index] = " "


def _delete(text: str, file: str, heading: str, remove: set,
            is_folder: Callable[[str], bool] | None) -> str:
    texts = text.split("\n")
    deleted: set = set()
    edits: dict = {}
    for section in read_sections(text, file, heading, is_folder):
        for siblings in _families(section):
            gone = [entry for entry in siblings if entry.path in remove and not entry.pattern]
            if not gone:
                continue
            gone_ids = {id(entry) for entry in gone}
            for entry in gone:
                first = entry.line - 1
                deleted.update(range(first, _last_line(entry)))
                if first > 0 and texts[first - 1].strip() and set(texts[first - 1]) <= _SPACER:
                    deleted.add(first - 1)
            kept = [entry for entry in siblings if id(entry) not in gone_ids]
            if kept and id(siblings[-1]) in gone_ids:
                _retarget_last(texts, kept[-1], siblings[-1], edits)
    if not deleted:
        return text
    for index, chars in edits.items():
        for column, char in chars.items():
            texts[index] = _set_char(texts[index], column, char)
    return "\n".join(line for index, line in enumerate(texts) if index not in deleted)


def fix_text(text: str, file: str, heading: str = "Project Structure", add: Iterable[str] = (),
             remove: Iterable[str] = (), ignore: Sequence[str] = (),
             is_folder: Callable[[str], bool] | None = None) -> str:
    """The file's text with every structure section fixed.

    `add`: paths the index holds that may need listing (the commit's added
    paths); the S001 rule decides which are missing. `remove`: listed paths
    to delete with their subtree (the paths of the entries `stale_entries`
    returns, S002 and S003); pattern entries are never deleted.
    `is_folder`: as for `read_sections`. Returns `text` itself when nothing
    changes; fixing the result again changes nothing.
    """
    text = _insert(text, file, heading, list(add), ignore, is_folder)
    remove = {path.strip("/") for path in remove}
    return _delete(text, file, heading, remove, is_folder) if remove else text


def render_tree(paths: Iterable[str], style: str = "tree") -> str:
    """A listing block for `paths` (scope-relative; a trailing `/` marks a folder).

    Folders first, then names case-insensitively. "tree" (box glyphs) and
    "indent" (two spaces a level) come fenced, "bullets" as a nested list
    with names in backticks. Ends with a newline.
    """
    tree: dict = {}
    folders = set()
    for path in paths:
        parts = [part for part in path.strip("/").split("/") if part]
        node = tree
        for depth, part in enumerate(parts):
            node = node.setdefault(part, {})
            if depth < len(parts) - 1 or path.endswith("/"):
                folders.add("/".join(parts[:depth + 1]))

    def children(node: dict, path: str, bars: str, depth: int) -> list:
        names = sorted(node, key=lambda n: (path + n not in folders, n.casefold(), n))
        return [(node[n], path + n, n, bars, depth, i == len(names) - 1)
                for i, n in enumerate(names)]

    out = []
    work = list(reversed(children(tree, "", "", 0)))
    while work:
        node, full, name, bars, depth, last = work.pop()
        shown = name + ("/" if full in folders else "")
        if style == "tree":
            out.append(f"{bars}{'└── ' if last else '├── '}{shown}")
        elif style == "bullets":
            out.append(f"{'  ' * depth}- `{shown}`")
        else:
            out.append(f"{'  ' * depth}{shown}")
        below = bars + ("    " if last else "│   ")
        work.extend(reversed(children(node, full + "/", below, depth + 1)))
    body = "".join(line + "\n" for line in out)
    return body if style == "bullets" else f"```\n{body}```\n"
