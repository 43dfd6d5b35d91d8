"""Property tests: the reader never crashes, render -> read round-trips, fix converges."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impl_hooks.structure.compare import compare_section, stale_entries
from impl_hooks.structure.parse import read_sections
from impl_hooks.structure.rewrite import fix_text, render_tree

STYLES = ("tree", "indent", "bullets")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
        for section in read_sections(body, "backend/CLAUDE.md"):
            assert section.listed() is not None


@FAST
@given(MARKDOWN)
def test_reader_never_raises_on_markdownish_text(text):
    for section in read_sections(text, "CLAUDE.md", root_names=["backend"]):
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
