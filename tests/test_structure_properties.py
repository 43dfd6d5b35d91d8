"""Property tests: the reader never crashes, render -> read round-trips, fix converges."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from impl_hooks.structure.compare import compare_section, missing_entries, stale_entries
from impl_hooks.structure.parse import _prefix_end, read_sections
from impl_hooks.structure.rewrite import fix_text, render_tree

STYLES = ("tree", "indent", "bullets")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def oracle(index):
    folders = {path.rsplit("/", i)[0] for path in index for i in range(1, path.count("/") + 1)}
    return lambda paths: {p for p in paths if p in index or p in folders}


# -- arbitrary text -------------------------------------------------------------

NAMES = st.sampled_from(["src", "app", "a.py", "__init__.py", "docs/", "<domain>/", "...", "…",
                         "(more)", "(auth)/", "`b.md`", "**c/**", "[d](d/)", "*.py", ".", "/",
                         "./", "backend/", "x y", "", "#", "etc."])
PREFIXES = st.sampled_from(["", "  ", "    ", "\t", "├── ", "└── ", "│   ├── ", "│   └── ", "|-- ",
                            "`-- ", "- ", "  - ", "* ", "1. ", "│", "├─", "   │ "])
COMMENTS = st.sampled_from(["", "  # note", " — why", " - what", " <- here", ": label", " (x)",
                            " text", "  two"])
STRUCTURAL = st.sampled_from(["## Project Structure", "### project structure", "# Other", "```",
                              "```text", "~~~", "````", "", "---", "## Project Structure (x)"])
LINES = st.one_of(STRUCTURAL, st.builds(lambda p, n, c: p + n + c, PREFIXES, NAMES, COMMENTS),
                  st.text(max_size=20))
MARKDOWN = st.builds(lambda lines, sep: sep.join(lines), st.lists(LINES, max_size=30),
                     st.sampled_from(["\n", "\r\n"]))
PATHS = st.lists(st.sampled_from(["src/a.py", "src/new/x.py", "app/b.py", "c.md", "docs/d.md",
                                  "src", "backend/app/x.py", "z/y/x.py"]), max_size=5)


@FAST
@given(st.text())
def test_reader_never_raises_on_any_text(text):
    for body in (text, "## Project Structure\n" + text, "## Project Structure\n```\n" + text):
        last = body.count("\n") + 1
        for section in read_sections(body, "backend/CLAUDE.md"):
            assert section.heading_line < section.start <= section.end <= last
            for path, entry in section.listed().items():
                assert path.startswith("backend/") and section.start <= entry.line <= section.end


@FAST
@given(MARKDOWN)
def test_reader_never_raises_on_markdownish_text(text):
    for section in read_sections(text, "CLAUDE.md", is_folder={"backend", "src"}.__contains__):
        for path, entry in section.listed().items():
            assert path and 1 <= entry.line <= text.count("\n") + 1


@FAST
@given(st.text(), PATHS, PATHS)
def test_fix_never_raises_on_any_text(text, add, remove):
    for body in (text, "## Project Structure\n```\n" + text):
        once = fix_text(body, "CLAUDE.md", add=add, remove=remove)
        assert fix_text(once, "CLAUDE.md", add=add, remove=remove) == once


@FAST
@given(MARKDOWN, PATHS, PATHS)
@example("## Project Structure\n```\ndocs/\n 0\n├...", ["src/a.py", "docs/d.md"], [])  # `├...` is docs/'s
@example("## Project Structure\n- **0/**", ["src"], [])  # a bold `src` would read as a label
def test_fix_never_raises_and_is_idempotent_on_markdownish_text(text, add, remove):
    once = fix_text(text, "CLAUDE.md", add=add, remove=remove, ignore=["__pycache__"])
    assert fix_text(once, "CLAUDE.md", add=add, remove=remove, ignore=["__pycache__"]) == once


# -- generated trees ------------------------------------------------------------

NAME = st.from_regex(r"[a-z0-9_][a-z0-9_-]{0,6}", fullmatch=True)
FILE = st.builds(lambda n, ext: n + ext, NAME, st.sampled_from([".py", ".md", ".ts", ".json"]))
FILE_PATH = st.builds(lambda dirs, f: "/".join([*dirs, f]), st.lists(NAME, max_size=3), FILE)
EMPTY_DIR = st.builds(lambda dirs: "/".join(dirs) + "/", st.lists(NAME, min_size=1, max_size=3))
TREES = st.lists(st.one_of(FILE_PATH, FILE_PATH, EMPTY_DIR), min_size=1, max_size=25)


def expected_listing(paths):
    out = {}
    for path in paths:
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):
            out["/".join(parts[:depth])] = True
        out.setdefault("/".join(parts), path.endswith("/"))
    return out


def document(paths, style, crlf=False):
    text = f"# Guide\n\nIntro.\n\n## Project Structure\n\n{render_tree(paths, style)}\n## Next\n\nText.\n"
    return text.replace("\n", "\r\n") if crlf else text


@FAST
@given(TREES, st.sampled_from(STYLES))
def test_render_then_read_gives_the_same_tree(paths, style):
    sections = read_sections(document(paths, style), "CLAUDE.md")
    assert len(sections) == 1 and sections[0].style == style
    assert {p: e.is_dir for p, e in sections[0].listed().items()} == expected_listing(paths)


def index_of(paths):
    """Files for the listed tree: every file, and a `.keep` in each empty folder."""
    return {p.rstrip("/") + "/.keep" if p.endswith("/") else p for p in paths}


def findings(text, index, added, removed):
    out = []
    for section in read_sections(text, "CLAUDE.md"):
        out += compare_section(section, added, removed, oracle(index), ["__pycache__"])
    return out


@st.composite
def changes(draw):
    paths = draw(TREES)
    files = sorted(p for p in paths if not p.endswith("/"))
    removed = draw(st.lists(st.sampled_from(files), unique=True)) if files else []
    folders = sorted({p.rsplit("/", 1)[0] for p in paths if "/" in p.rstrip("/")} | {""})
    added = []
    for folder, rel in draw(st.lists(st.tuples(st.sampled_from(folders), FILE_PATH), max_size=6)):
        added.append(f"{folder}/{rel}" if folder else rel)
    return paths, removed, added


@FAST
@given(changes(), st.sampled_from(STYLES), st.booleans())
def test_fix_on_a_random_change_leaves_no_S001_S002_and_is_idempotent(change, style, crlf):
    paths, removed, added = change
    text = document(paths, style, crlf)
    index = (index_of(paths) - set(removed)) | set(added)
    stale = [entry.path for section in read_sections(text, "CLAUDE.md")
             for _code, entry in stale_entries(section, removed, oracle(index), ["__pycache__"])]
    fixed = fix_text(text, "CLAUDE.md", add=added, remove=stale, ignore=["__pycache__"])
    assert [f for f in findings(fixed, index, added, removed) if f.code in ("S001", "S002")] == []
    assert fix_text(fixed, "CLAUDE.md", add=added, remove=stale, ignore=["__pycache__"]) == fixed
    head, tail = text.split("## Project Structure")[0], text.split("## Next")[1]
    assert fixed.startswith(head) and fixed.endswith(tail)
    assert all(section.style == style for section in read_sections(fixed, "CLAUDE.md"))


# -- decorated trees: root lines, comment-only lines, elisions, comments after names --------

NOTE = st.sampled_from(["# more later", "# generated files"])
AFTER_NAME = st.sampled_from(["", "", "  # note", "   — why", "  <- here", "  - what"])


@st.composite
def listing(draw, depth=0):
    """One folder's lines: ("entry", name, children or None, comment) | ("note", text, shape)
    | ("elision", comment)."""
    items, names = [], set()
    # the top level stays enumerated (no elision) so that additions land there too
    kinds = ["file", "dir", "dir", "note"] if depth == 0 else \
        ["file", "file", "dir", "note", "elision"] if depth < 3 else ["file", "note"]
    for _ in range(draw(st.integers(1 if depth == 0 else 0, 4))):
        kind = draw(st.sampled_from(kinds))
        if kind == "note":
            items.append(("note", draw(NOTE), draw(st.integers(0, 3))))
        elif kind == "elision":
            items.append(("elision", draw(st.sampled_from(["", "  # and more", " (generated)"]))))
        else:
            name = draw(NAME) + (draw(st.sampled_from([".py", ".md", ".ts"])) if kind == "file" else "")
            if name.lower() not in names:
                names.add(name.lower())
                items.append(("entry", name, draw(listing(depth + 1)) if kind == "dir" else None,
                              draw(AFTER_NAME)))
    return items


def draw_tree(items, style, root_line):
    """The section body: box tree (in a ```text fence), plain indent, or bullets."""
    out = [f"- `{root_line}/`" if style == "bullets" else root_line + "/"] if root_line else []

    def walk(items, bars, depth):
        pad = "  " * (depth + bool(root_line))
        lead = "- " if style == "bullets" else ""
        for i, item in enumerate(items):
            last = i == len(items) - 1
            branch = "└── " if last else "├── "
            if item[0] == "note":  # `└── # x`, `# x` at its level, `│   # x` hanging, `│` spacer
                if style == "tree":
                    out.append([f"{bars}{branch}{item[1]}", f"{bars}{item[1]}", f"{bars}│   {item[1]}",
                                f"{bars}│"][item[2]])
                else:
                    out.append(pad + ("  " + item[1].lstrip("# ") if style == "bullets" else item[1]))
            elif item[0] == "elision":
                out.append((f"{bars}{branch}" if style == "tree" else pad + lead) + "..." + item[1])
            else:
                shown = item[1] + ("/" if item[2] is not None else "")
                if style == "tree":
                    out.append(f"{bars}{branch}{shown}{item[3]}")
                elif style == "bullets":
                    out.append(f"{pad}- `{shown}`{' — why' if item[3] else ''}")
                else:
                    out.append(f"{pad}{shown}{item[3]}")
                if item[2]:
                    walk(item[2], bars + ("    " if last else "│   "), depth + 1)
    walk(items, "", 0)
    body = "".join(line + "\n" for line in out)
    return body if style == "bullets" else f"```{'text' if style == 'tree' else ''}\n{body}```\n"


def entries_of(items, base=""):
    """path -> is a folder, for the entries the drawing lists."""
    out = {}
    for item in items:
        if item[0] == "entry":
            out[base + item[1]] = item[2] is not None
            out.update(entries_of(item[2] or [], base + item[1] + "/"))
    return out


def under(path, paths):
    return any(path == p or path.startswith(p + "/") for p in paths)


def remarks_kept(items, style, remove, base=""):
    """How many comment and elision lines a fix must keep: all but those drawn below a
    removed entry. A comment hangs below the entry before it when drawn further right
    (`│   # x` after `├── a.py`, an indented line after a bullet); else it is its folder's."""
    count, owner = 0, None
    for item in items:
        if item[0] == "entry":
            owner = base + item[1]
            if not under(owner, remove):
                count += remarks_kept(item[2] or [], style, remove, owner + "/")
            continue
        hangs = item[0] == "note" and (style == "bullets" or (style == "tree" and item[2] == 2))
        if not hangs:
            owner = None
        if not (item[0] == "note" and style == "tree" and item[2] == 3) and \
                not (hangs and owner is not None and under(owner, remove)):
            count += 1
    return count


def remarks_in(text):
    return sum(1 for line in text.split("\n")
               if "more later" in line or "generated files" in line or "..." in line)


@st.composite
def decorated_changes(draw):
    items = draw(listing())
    listed = entries_of(items)
    remove = draw(st.lists(st.sampled_from(sorted(listed)), max_size=4, unique=True)) if listed else []
    folders = [""] + sorted(p + "/" for p, is_dir in listed.items() if is_dir)
    add = [folder + name + ext for folder, name, ext in
           draw(st.lists(st.tuples(st.sampled_from(folders), NAME, st.sampled_from([".py", ".md"])),
                         max_size=4))]
    add = [p for p in add if p not in listed and not under(p, remove)]
    root_line = draw(st.sampled_from([None, "photoshare", "."]))
    return items, draw(st.sampled_from(STYLES)), root_line, remove, add


@FAST
@given(decorated_changes())
def test_fix_twice_is_fix_once_and_keeps_every_entry_it_was_not_told_to_remove(change):
    items, style, root_line, remove, add = change
    text = f"# Guide\n\n## Project Structure\n\n{draw_tree(items, style, root_line)}\n## Next\n\nText.\n"
    listed = entries_of(items)
    folders = {p for p, is_dir in listed.items() if is_dir} | {p.rpartition("/")[0] for p in add}
    is_folder = folders.__contains__

    def listing_of(body):
        return {p: e for s in read_sections(body, "CLAUDE.md", is_folder=is_folder)
                for p, e in s.listed().items()}
    before = listing_of(text)
    assert set(before) == set(listed)
    once = fix_text(text, "CLAUDE.md", add=add, remove=remove, is_folder=is_folder)
    assert fix_text(once, "CLAUDE.md", add=add, remove=remove, is_folder=is_folder) == once
    after = listing_of(once)
    kept = {p for p in listed if not under(p, remove)}
    assert kept <= set(after) and not set(after) & (set(listed) - kept)
    # comments and elisions stay with their entries: nothing orphaned, nothing moved
    assert remarks_in(once) == remarks_kept(items, style, remove)
    assert {p: after[p].elided for p in kept} == {p: before[p].elided for p in kept}
    for section in read_sections(once, "CLAUDE.md", is_folder=is_folder):
        assert missing_entries(section, add, ()) == {}


# The tree drawing `_prefix_end` scans, as the regex it replaced.
TREE_PREFIX = re.compile(
    "(?:[ \t\u00a0]|[│┃║]|\\|(?=[ \t\u00a0]|$)|[├└┣┗╠╚╟╙┠┖╰┬┼][─━═-]*|[|+`\\\\][─━-]+)*")


@settings(max_examples=300)
@given(st.text(alphabet=" \t\u00a0│┃║├└┣┗╠╚╟╙┠┖╰┬┼─━═-|+`\\\nab/", max_size=12))
@example("│ |\n")
@example("|\nx")
def test_the_tree_prefix_scan_ends_where_the_regex_does(line):
    assert _prefix_end(line) == TREE_PREFIX.match(line).end()
