"""Read the "Project Structure" sections of CLAUDE.md / AGENTS.md into path trees.

A section is the body of every heading (any level, ATX `#`..`######`) whose
text starts with the configured heading, case-insensitively (leading
numbers, emoji and emphasis are ignored: `## 📁 2. **Project Structure**`
matches; so does `Project Structure (backend)`). The body runs to the next
heading of the same or a higher level. Inside it, the listing is:

- every fenced block that reads as a listing: a tree drawn with box glyphs
  (`├──`, `└──`, `│`, or ASCII `|--`, `` `-- ``), or a plain indented list of
  names (style "tree" / "indent");
- only when no fenced listing exists: the nested bullet lists (style
  "bullets"), names in backticks, bold, links or plain.

Nesting comes from the column where a name starts, so any indent width and
any glyph width work. After the name, the rest of the line is its comment,
as written (`# …`, `— …`, `- …`, `<- …`, `: …`). A line whose name is `...`,
`…`, `etc.`, ends with `...`, or is a parenthesised remark ("(more)", "(12
more files)"; not "(auth)/", a real Next.js folder) is an elision: its directory asks
nothing of what is below it. A name holding `<>`, `{}`, `*` or `?` (or a
`..` component) is a pattern: it and everything under it cover anything and
are never required nor reported; its directory counts as elided too.

Paths are repository-relative: a structure file `D/CLAUDE.md` describes
`D/**` and its listed names get the prefix `D/`. A single top line with
everything else below it (or a lone folder line) is a root line, dropped,
when it names the scope itself: `.`, `./`, `/`, `project-root`, a
placeholder (`<project>/`), the folder `D` (its last component or its full
path; so `backend/` in `backend/CLAUDE.md` even beside a Django
`backend/backend/`), or any name that is not a folder of the scope in the
tree being committed (`photoshare/`, `my-app/`: a project name). Text alone
cannot tell a project name from a real folder, so the caller answers
`is_folder(path)` for that one line from the committed tree; a folder
(`src/`, `backend/app/`) is listed as itself. The clone's folder name plays
no part: a CI checkout, a worktree and a fork read the same.
A nested name that repeats its parent's path (`src/` > `src/api/`) is read
as written from the scope root.

Headings and fences follow `impl_hooks.markdown`. Not read: setext headings
(`===` underlines), HTML blocks. The reader never raises: text it does not
understand is skipped.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ..markdown import LIST_ITEM, atx_heading, closes_fence, fence_opener


class Entry:
    """One listed file or directory."""

    __slots__ = ("path", "is_dir", "line", "comment", "depth", "children", "elided",
                 "name", "span", "pattern", "end")

    def __init__(self, path: str, is_dir: bool, line: int, comment: str = "", depth: int = 0,
                 children: list | None = None, elided: bool = False, name: str = "",
                 span: tuple = (0, 0), pattern: bool = False):
        self.path = path          # repo-relative, no trailing slash
        self.is_dir = is_dir      # written with a trailing slash, or listed with children
        self.line = line          # 1-based line in the whole file
        self.comment = comment    # trailing comment text as written ("" if none)
        self.depth = depth        # 0 = top level of the section (after the root line)
        self.children = children if children is not None else []  # Entry
        self.elided = elided      # its listing holds an elision or pattern entry
        self.name = name          # as listed, cleaned (no markup, no trailing slash)
        self.span = span          # [start, end) of the name token in the line, markup included
        self.pattern = pattern    # placeholder / glob: covers anything, never required or reported
        self.end = line           # last line drawn under it: children, elisions, comment lines

    def __repr__(self) -> str:
        return f"Entry({self.path!r}{'/' if self.is_dir else ''} line {self.line})"


class Section:
    """One structure heading's listing (all its blocks merged)."""

    __slots__ = ("file", "heading_line", "start", "end", "style", "root", "entries", "elided",
                 "blocks")

    def __init__(self, file: str, heading_line: int, start: int, end: int, style: str,
                 root: str, entries: list | None = None, elided: bool = False,
                 blocks: list | None = None):
        self.file = file                  # the structure file's repo path
        self.heading_line = heading_line
        self.start = start                # 1-based first line of the first listing block
        self.end = end                    # 1-based last line of the last listing block
        self.style = style                # "tree" | "indent" | "bullets" (of the first block)
        self.root = root                  # scope prefix ("backend/" or "")
        self.entries = entries if entries is not None else []  # top-level Entry
        self.elided = elided              # the top level holds an elision or pattern entry
        self.blocks = blocks if blocks is not None else []     # (start, end) lines of each block

    def __repr__(self) -> str:
        return f"Section({self.file}:{self.heading_line} {self.style}, {len(self.entries)} top entries)"

    def listed(self) -> dict:
        """path -> Entry over all levels, in listing order (first listing of a path wins)."""
        out: dict = {}
        stack = list(reversed(self.entries))
        while stack:
            entry = stack.pop()
            out.setdefault(entry.path, entry)
            stack.extend(reversed(entry.children))
        return out


def scope_root(file: str) -> str:
    """The prefix of the paths a structure file describes: "backend/" or ""."""
    folder = file.rpartition("/")[0]
    return folder + "/" if folder else ""


# -- lines ------------------------------------------------------------------

# Tree drawing before a name: spaces, vertical bars, branch glyphs with their
# dashes (`_prefix_end`).
_BLANKS = " \t\u00a0"
_BARS = "│┃║"
_ASCII_BRANCHES = "|+`\\"
_ASCII_DASHES = "─━-"
_GLYPHS = frozenset("│┃║├└┣┗╠╚╟╙┠┖╰┬┼─━═|+`\\")
_BRANCH_GLYPHS = frozenset("├└┣┗╠╚╟╙┠┖╰┬┼")
_DASHES = frozenset("─━═-")
# `(?=)` keeps the compiler from merging • into the set: a set that mixes ASCII
# with other characters costs 0.3 ms to compile.
_FENCE_MARKER = re.compile(r"(?:[-*+]|•(?=))[ \t]+")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_WORD = re.compile(r"\w")
_NAME_CHAR = re.compile(r"[\w.\-/]")
_PLAIN = re.compile(r"(\S+?)(:?)(?=\s|$)")
_SEPARATOR = re.compile(r"[ \t]*(?:#|//|—|–|-|<-|<=|←|->|→|=>|\(|\||:)")
_PATTERN = re.compile(r"[<>{}*?]")
# "...", "…", "etc.", "(more)", "(12 more files)"; not "(auth)/" or "[...slug]/" (Next.js folders).
_ELISION = re.compile(r"(?:\.{3}|…|etc\.(?:\s|$)|\((?:[^)]*\s[^)]*|more|etc\.?|others?)\))",
                      re.IGNORECASE)
_HERE = ("", ".", "~")
_ROOT_WORDS = {*_HERE, "project-root", "project_root"}


class _Item:
    """A recognised line before nesting: an entry or an elision marker."""

    __slots__ = ("col", "line", "name", "slash", "comment", "span", "marked", "elision", "glyph",
                 "lead")

    def __init__(self, col: int, line: int, name: str = "", slash: bool = False,
                 comment: str = "", span: tuple = (0, 0), marked: bool = False,
                 elision: bool = False, glyph: bool = False, lead: int = 0):
        self.col = col
        self.lead = lead          # column of its branch glyph or bullet marker (see `_lead`)
        self.line = line
        self.name = name
        self.slash = slash
        self.comment = comment
        self.span = span
        self.marked = marked      # name in backticks, bold or a link
        self.elision = elision
        self.glyph = glyph        # the line draws tree glyphs


def _clean_name(raw: str) -> tuple[str, bool]:
    """Strip markup and `./`; return (name, written with a trailing slash)."""
    name = raw.strip().strip("`").strip()
    name = name.replace("\\/", "/")
    slash = name.endswith("/")
    while name.startswith("./"):
        name = name[2:]
    if name not in ("/", "./") and name.startswith("/"):
        name = name.lstrip("/")
    if "//" in name:
        name = re.sub("/{2,}", "/", name)
    name = name.rstrip("/")
    return name, slash


def _token(rest: str) -> tuple[str, int, str] | None:
    """The name token at the start of `rest`: (raw name, end offset, kind)."""
    if rest.startswith("`"):
        end = rest.find("`", 1)
        return (rest[1:end], end + 1, "code") if end > 1 else None
    for mark in ("**", "__"):
        end = rest.find(mark, 2) if rest.startswith(mark) else -1
        # `__init__.py` is a name, not bold: the closing mark must end the word.
        if end > 2 and not _NAME_CHAR.match(rest, end + 2):
            return rest[2:end].strip("`"), end + 2, "bold"
    link = _LINK.match(rest)
    if link:
        return link.group(1).strip("`* "), link.end(), "link"
    plain = _PLAIN.match(rest)
    return (plain.group(1), plain.end(1), "plain") if plain else None


def path_like(name: str, slash: bool) -> bool:
    """A name that reads as a path in any markup: a folder, a nested path, a file with an extension."""
    return slash or "/" in name or "." in name.strip(".")


def _name_accepted(name: str, slash: bool, kind: str, after: str, fenced: bool) -> bool:
    """Tell a listed name from prose on a line without tree glyphs.

    Bold is a label unless it looks like a path (`**Language**: Python`);
    a backticked or linked path may be followed by any text; otherwise the
    text after the name must start with a comment marker (or, in a fence,
    two spaces), and a bare word followed by `:` is a label (`Note: …`).
    """
    looks_like_path = path_like(name, slash)
    if kind == "bold" and not looks_like_path:
        return False
    if not after.strip() or (kind in ("code", "link") and looks_like_path):
        return True
    if kind == "plain" and not looks_like_path and after.lstrip().startswith(":"):
        return False
    return bool(_SEPARATOR.match(after)) or (fenced and after.startswith(("  ", "\t")))


def _read_line(text: str, number: int, fenced: bool) -> _Item | None:
    """Recognise one listing line; None when it is prose, a comment or blank."""
    if fenced:
        pos = _prefix_end(text)
        glyph = not _GLYPHS.isdisjoint(text[:pos])
        lead = _lead(text[:pos])
        marker = _FENCE_MARKER.match(text, pos)
        if marker:
            pos = marker.end()
    else:
        bullet = LIST_ITEM.match(text)
        if not bullet:
            return None
        pos, glyph = bullet.end(), False
        lead = _lead(text[:len(text) - len(text.lstrip())])
    rest = text[pos:]
    stripped = rest.strip()
    if not stripped or stripped.startswith(("#", "//", "<!--")):
        return None
    col = len(text[:pos].expandtabs(4))
    if _ELISION.match(stripped):
        return _Item(col=col, line=number, elision=True, lead=lead)
    token = _token(rest)
    if token is None:
        return None
    raw, end, kind = token
    if raw.rstrip("/").endswith(("...", "…")):  # "more..."
        return _Item(col=col, line=number, elision=True, lead=lead)
    name, slash = _clean_name(raw)
    if not _WORD.search(name) and name not in _HERE:
        return None
    after = rest[end:]
    if not glyph and not _name_accepted(name, slash, kind, after, fenced):
        return None
    comment = after.strip()
    return _Item(col=col, line=number, name=name, slash=slash, comment=comment,
                 span=(pos, pos + end), marked=kind != "plain", glyph=glyph, lead=lead)


def _prefix_end(text: str) -> int:
    """Where a fenced line's indent and tree drawing end: blanks, bars (`|` only
    before a blank or the end), a branch glyph with its dashes (`├──`), an ASCII
    one with at least one (`` `-- ``, `+--`). A scan, not a regex: a set of box
    glyphs costs most of a millisecond to compile."""
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char in _BLANKS or char in _BARS:
            pos += 1
        elif char == "|" and (pos + 1 == end or text[pos + 1] in _BLANKS or text[pos + 1:] == "\n"):
            pos += 1
        elif char in _BRANCH_GLYPHS:
            pos += 1
            while pos < end and text[pos] in _DASHES:
                pos += 1
        elif char in _ASCII_BRANCHES and pos + 1 < end and text[pos + 1] in _ASCII_DASHES:
            pos += 2
            while pos < end and text[pos] in _ASCII_DASHES:
                pos += 1
        else:
            break
    return pos


def _lead(head: str) -> int:
    """The column where a line's own drawing starts: its branch glyph (`├──`,
    `` `-- ``), else the end of `head`, its bars and indent.

    A line belongs below an entry when its lead is further right than the
    entry's: `│   # more later` (lead 4) is under `├── src/` (lead 0),
    `└── # generated files` (lead 0) is beside it.
    """
    end = len(head.rstrip(" \t\u00a0"))
    start = end
    while start and head[start - 1] in _DASHES:
        start -= 1
    if start and (head[start - 1] in _BRANCH_GLYPHS or (start < end and head[start - 1] in "|+`\\")):
        return len(head[:start - 1].expandtabs(4))
    return len(head.expandtabs(4))


def _spacer_lead(text: str) -> int | None:
    """The column of the last bar of a line drawn with bars alone (`│   │`), else None.
    Such a spacer ends what is drawn right of that bar: `│   # later` below
    `├── a.py`, a spacer, is its folder's remark, not a.py's."""
    drawn = text.rstrip()
    if not drawn or drawn[-1] not in _BARS + "|" or drawn.strip(_BLANKS + _BARS + "|"):
        return None
    return len(drawn[:-1].expandtabs(4))


def _note_lead(text: str, fenced: bool) -> int | None:
    """The lead of a line that is not an entry but holds text (a comment, a remark); None if blank."""
    pos = _prefix_end(text) if fenced else len(text) - len(text.lstrip())
    return _lead(text[:pos]) if text[pos:].strip() else None


# -- sections ---------------------------------------------------------------

def _heading_key(text: str) -> str:
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"^[\W\d_]+", "", text)
    return " ".join(text.lower().split()).rstrip(" :")


def _heading_matches(text: str, wanted: str) -> bool:
    key = _heading_key(text)
    if not wanted or not key.startswith(wanted):
        return False
    return len(key) == len(wanted) or not key[len(wanted)].isalnum()


def _scan(lines: list[str]):
    """Headings (index, level, text) and fenced blocks (content start, end) outside fences."""
    headings, fences = [], []
    i, n = 0, len(lines)
    while i < n:
        fence = fence_opener(lines[i])
        if fence:
            j = i + 1
            while j < n and not closes_fence(lines[j], fence):
                j += 1
            fences.append((i + 1, j))
            i = j + 1
            continue
        found = atx_heading(lines[i])
        if found:
            headings.append((i, *found))
        i += 1
    return headings, fences


def _nest(items: list[_Item]):
    """Build the tree from columns: (top-level nodes, top level elided)."""
    top: list = []
    top_elided = False
    stack: list = []  # (col, node)
    for item in items:
        while stack and stack[-1][0] >= item.col:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if item.elision:
            if parent is None:
                top_elided = True
            else:
                parent["elided"] = item.line  # the folder's listing ends no sooner
            continue
        node = {"item": item, "children": [], "elided": 0}
        (parent["children"] if parent else top).append(node)
        stack.append((item.col, node))
    return top, top_elided


def _is_root_line(name: str, root: str, is_folder) -> bool:
    """Whether a lone top line names the scope: a root word, the scope's folder, a project name."""
    key = name.lower()
    folder = root.rstrip("/").lower()
    if key in _ROOT_WORDS or _PATTERN.search(key):
        return True
    if folder and key in (folder, folder.rpartition("/")[2]):
        return True
    return is_folder is not None and not is_folder(root + name)


MAX_PATH = 4096  # PATH_MAX: a path nested past it is in no tree, and its children would only grow


def _to_entries(top, root: str) -> list:
    """Give nested nodes their repo paths (iterative: nesting depth is unbounded)."""
    entries: list = []
    work: list = [(node, root.rstrip("/"), "", 0, None) for node in reversed(top)]
    while work:
        node, base, parent_rel, depth, parent = work.pop()
        item = node["item"]
        name = item.name
        if name in _HERE:  # a `.` or `/` line that is not the root line: its children are here
            work.extend((child, base, parent_rel, depth, parent)
                        for child in reversed(node["children"]))
            continue
        if parent_rel and name.startswith(parent_rel + "/"):
            path = root + name
        else:
            path = f"{base}/{name}" if base else name
        covered = parent is not None and parent.pattern
        pattern = covered or bool(_PATTERN.search(name)) or (".." in name and ".." in name.split("/"))
        entry = Entry(path=path, is_dir=item.slash or bool(node["children"]), line=item.line,
                      comment=item.comment, depth=depth, elided=bool(node["elided"]), name=name,
                      span=item.span, pattern=pattern)
        entry.end = max(entry.end, node["elided"])  # `└── ...` drawn left of its name column
        if parent is None:
            entries.append(entry)
        else:
            parent.children.append(entry)
            parent.elided = parent.elided or (pattern and not covered)
        rel = path[len(root):]
        if len(path) > MAX_PATH:  # no file system holds it: listed (S003), its children not read
            entry.elided = True
            continue
        work.extend((child, path, rel, depth + 1, entry) for child in reversed(node["children"]))
    return entries


def _set_ends(entries: list, marks: list) -> None:
    """Each entry's `end`: the last line drawn under it (lead further right), before
    the next line at its own lead or left of it. `marks`: (line, lead) in order."""
    by_line, stack = {}, list(entries)
    while stack:
        entry = stack.pop()
        by_line[entry.line] = entry
        stack.extend(entry.children)
    drawn: list = []  # (lead, entry) of the entries whose drawing is still open

    def close():
        _lead, done = drawn.pop()
        if drawn:
            drawn[-1][1].end = max(drawn[-1][1].end, done.end)

    for line, lead in marks:
        while drawn and drawn[-1][0] >= lead:
            close()
        if drawn:
            drawn[-1][1].end = max(drawn[-1][1].end, line)
        entry = by_line.get(line)
        if entry is not None:
            drawn.append((lead, entry))
    while drawn:
        close()


def _block_entries(items: list[_Item], notes: list, root: str, is_folder):
    """Nest one block, drop its root line: (top-level entries, top level elided).

    `notes`: (line, lead) of the block's other lines that hold text (comments).
    """
    top, elided = _nest(items)
    if len(top) == 1 and (top[0]["children"] or top[0]["elided"] or top[0]["item"].slash) \
            and _is_root_line(top[0]["item"].name, root, is_folder):
        elided = bool(top[0]["elided"])
        top = top[0]["children"]
    entries = _to_entries(top, root)
    if any(entry.pattern for entry in entries):
        elided = True
    _set_ends(entries, sorted([(item.line, item.lead) for item in items] + notes))
    return entries, elided


def _fenced_blocks(lines, fences, lo, hi):
    """Fenced blocks in [lo, hi) that read as listings: (style, items, notes, start, end)."""
    blocks = []
    for start, end in fences:
        if start <= lo or start > hi:
            continue
        items, notes, unknown = [], [], 0
        for index in range(start, min(end, hi)):
            item = _read_line(lines[index], index + 1, True)
            if item is not None:
                items.append(item)
                continue
            lead = _note_lead(lines[index], True)
            if lead is None:
                lead = _spacer_lead(lines[index])
            if lead is not None:
                notes.append((index + 1, lead))
            if lines[index].strip().strip("│┃║|").strip() and \
                    not lines[index].strip().startswith(("#", "//", "<!--")):
                unknown += 1
        names = [item for item in items if not item.elision]
        if not names:
            continue
        style = "tree" if any(item.glyph for item in items) else "indent"
        if style == "indent" and (unknown or not any(path_like(i.name, i.slash) for i in names)):
            continue
        blocks.append((style, items, notes, start + 1, min(end, hi)))
    return blocks


def _bullet_blocks(lines, fences, lo, hi):
    """Runs of list items in [lo, hi) outside fences, with the indented lines that
    continue them: (style, items, notes, start, end)."""
    inside = set()
    for start, end in fences:
        inside.update(range(start - 1, end + 1))
    blocks, items, notes, first, last = [], [], [], 0, 0

    def close():
        names = [item for item in items if not item.elision]
        if any(item.marked or path_like(item.name, item.slash) for item in names):
            blocks.append(("bullets", list(items), list(notes), first, last))

    for index in range(lo, hi):
        text = lines[index]
        if index in inside or (text.strip() and not text[:1].isspace() and not LIST_ITEM.match(text)):
            if items:
                close()
            items, notes = [], []
            continue
        item = _read_line(text, index + 1, False)
        if item is not None:
            if not items:
                first = index + 1
            items.append(item)
            last = index + 1
        elif items:
            lead = _note_lead(text, False)
            if lead is not None:  # an indented line continues the item above it
                notes.append((index + 1, lead))
                last = index + 1
    if items:
        close()
    return blocks


def read_sections(text: str, file: str, heading: str = "Project Structure",
                  is_folder: Callable[[str], bool] | None = None) -> list[Section]:
    """Every structure section of one file, in file order. Never raises.

    `is_folder(path)`: whether a repo path is a folder of the tree being
    committed, asked only of a lone top line that is not a root word nor the
    scope's folder; None (no tree at hand): such a line is read as a folder.
    """
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    root = scope_root(file)
    wanted = _heading_key(heading)
    headings, fences = _scan(lines)
    sections, covered = [], 0
    for number, (index, level, title) in enumerate(headings):
        if index < covered or not _heading_matches(title, wanted):
            continue  # a matching sub-heading belongs to the section around it
        hi = next((h[0] for h in headings[number + 1:] if h[1] <= level), len(lines))
        covered = hi
        blocks = _fenced_blocks(lines, fences, index + 1, hi) or \
            _bullet_blocks(lines, fences, index + 1, hi)
        if not blocks:
            continue
        section = Section(file=file, heading_line=index + 1, start=blocks[0][3],
                          end=blocks[-1][4], style=blocks[0][0], root=root)
        for _style, items, notes, start, end in blocks:
            entries, elided = _block_entries(items, notes, root, is_folder)
            section.entries.extend(entries)
            section.elided = section.elided or elided
            section.blocks.append((start, end))
        sections.append(section)
    return sections
