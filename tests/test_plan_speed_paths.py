"""The markdown reader's short cuts read what a whole read reads: a version of a
plan read from the layout of the version read before it at the same path (a
commit's two versions differ in a line or two), and heading titles worked out
when first used."""
from __future__ import annotations

import marshal
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from impl_hooks.plan import markdown
from impl_hooks.plan.markdown import read_markdown_plan, render_markdown_plan
from impl_hooks.plan.model import Plan, Unit
from impl_hooks.plan.progress import PlanChange

from test_plan_readers import _MD_LINES, _trees

PATH = "docs/Phase1/6.1_implementation_plan.md"


def fresh(text: str, markers=markdown.DEFAULT_MARKERS) -> Plan:
    """The plan of a text read whole: no version read before it to follow."""
    markdown._LAYOUTS.clear()
    return read_markdown_plan(text, PATH, markers)


def after(first: str, then: str, markers=markdown.DEFAULT_MARKERS) -> Plan:
    """The plan of `then`, read right after `first` at the same path."""
    fresh(first, markers)
    return read_markdown_plan(then, PATH, markers)


def restored(first: str, then: str, markers=markdown.DEFAULT_MARKERS) -> Plan:
    """The plan of `then`, read in a new run from the layout of `first` that the
    last run kept (through marshal, as `plan.kept` stores it)."""
    fresh(first, markers)
    saved = marshal.loads(marshal.dumps(markdown.saved_layout(PATH)))
    markdown._LAYOUTS.clear()
    assert markdown.restore_layout(PATH, saved, markers)
    return read_markdown_plan(then, PATH, markers)


def told(plan: Plan) -> tuple:
    """Everything the plan's units tell, in file order: what the plan checks read."""
    return plan.path, plan.errors, [
        (u.kind, u.id, u.title, u.line, u.completed, u.extra, u.source,
         [(s.kind, s.id, s.line) for s in u.subsections]) for u in plan.walk()]


def seen(change: PlanChange) -> tuple:
    """What the plan rules act on, in the order they meet it."""
    def units(found):
        return [(u.kind, u.id, u.title, u.line, u.completed) for u in found]

    key_of = {id(u): key for key, u in change.new.items()}
    return (units(change.newly), units(change.added_done),
            [(key, *units([u])) for key, u in change.old.items()],
            [(key, *units([u]), key_of.get(id(change.owners.get(id(u))))) for key, u in change.new.items()])


# --- the property ----------------------------------------------------------

_texts = st.one_of(
    st.lists(st.sampled_from(_MD_LINES), max_size=40).map("\n".join),
    _trees.map(lambda units: render_markdown_plan(Plan("", units))),
)
# What a commit writes into a plan, and what would change how the lines after it read.
_NEW_LINES = ["- [ ] task", "- [x] task", "- [x] done ✅", "  - [ ] nested", "\t* [X] tabbed", "1. one ✅",
              "- T002 another", "- plain", "  detail", "text", "", "   ", "**Status:** Done", "Status: ✅",
              "**Notes:**", "✅ **COMPLETED**", "- [ ] fix #12 and `x`", "a ~ b", "### Step 1.9: new",
              "## Phase 3", "## 2.3 numbered", "#", "```", "~~~", "  ```py", "<!-- x -->", "<!--", "-->", "---"]
_SNIPPETS = ["x", " ", "\n", "\n\n", "#", "# ", "`", "```", "~", "<!--", "-->", "[x]", "[ ]", "✅", "- [ ] "]
_edit = st.tuples(st.integers(0, 60), st.sampled_from(["replace", "insert", "delete", "tick", "type"]),
                  st.sampled_from(_NEW_LINES), st.integers(0, 30), st.sampled_from(_SNIPPETS))


def _edited(text: str, edits: list) -> str:
    lines = text.split("\n")
    for index, how, line, at, snippet in edits:
        index = min(index, len(lines))
        if how == "insert" or index == len(lines):
            lines.insert(index, line)
        elif how == "replace":
            lines[index] = line
        elif how == "delete":
            del lines[index]
        elif how == "tick":
            old = lines[index]
            lines[index] = old.replace("[ ]", "[x]", 1) if "[ ]" in old else old.replace("[x]", "[ ]", 1)
        else:
            old = lines[index]
            lines[index] = old[:at] + snippet + old[at:]
    return "\n".join(lines)


@st.composite
def _versions(draw) -> tuple:
    """A plan at HEAD, staged (edited) and in the next commit (edited again),
    each with LF or CRLF newlines, some with a BOM."""
    head = draw(_texts)
    staged = _edited(head, draw(st.lists(_edit, min_size=1, max_size=2)))
    later = _edited(staged, draw(st.lists(_edit, max_size=2)))
    return tuple(draw(st.sampled_from(["", "\ufeff"])) + text.replace("\n", draw(st.sampled_from(["\n", "\r\n"])))
                 for text in (head, staged, later))


_markers = st.sampled_from([markdown.DEFAULT_MARKERS, ("[x]",), ("✅",), ("DONE", "[x]")])
# Edits at the edges of a chunk: lines added before a heading on the first line
# (after front matter too), at a chunk's end, after the last line.
_EDGES = [
    ("# Epic 1\n", "- [ ] task\n# Epic 1\n", "- [x] task\n# Epic 1\n"),
    ("---\n---\n#### Step 3\n1. one ✅\n", "---\n---\n- plain\n#### Step 3\n1. one ✅\n", "---\n---\n#### Step 3\n"),
    ("# Plan\n- [ ] a\n", "x\n# Plan\n- [ ] a\n", "x\n# Plan\n- [x] a"),
    ("## Phase 1\n- [ ] a\n## Phase 2\n", "## Phase 1\n- [ ] a\n- [ ] b\n## Phase 2\n", "## Phase 1\n\n## Phase 2\n"),
    ("## Phase 1\r\n- [ ] a", "\ufeff## Phase 1\n- [x] a\n", "## Phase 1\n- [x] a\n- [ ] b"),
]


def _with_edges(test):
    """The property's examples, and the edges above in every run."""
    for versions in _EDGES:
        test = example(versions, markdown.DEFAULT_MARKERS)(test)
    return test


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_versions(), _markers)
@_with_edges
def test_a_version_read_after_another_reads_as_a_whole_read(versions, markers):
    head, staged, later = versions
    for first, then in ((staged, head), (head, staged)):  # the hook reads the staged plan first
        followed = after(first, then, markers)
        whole = fresh(then, markers)
        assert followed == whole
        assert told(followed) == told(whole)
    # A new run, from the layout the last one kept.
    for first, then in ((staged, head), (head, staged), (staged, staged)):
        from_kept, whole = restored(first, then, markers), fresh(then, markers)
        assert from_kept == whole
        assert told(from_kept) == told(whole)
    # A range: each commit's plan read after the one before it.
    fresh(head, markers)
    read_markdown_plan(staged, PATH, markers)
    assert told(read_markdown_plan(later, PATH, markers)) == told(fresh(later, markers))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_versions(), _markers)
@_with_edges
def test_a_plan_change_from_a_followed_version_is_the_whole_reads_change(versions, markers):
    head, staged, _ = versions
    whole = PlanChange(fresh(head, markers), fresh(staged, markers), head, markers)
    staged_plan = fresh(staged, markers)  # as the hook reads them: the staged plan, then HEAD's
    head_plan = read_markdown_plan(head, PATH, markers)
    assert seen(PlanChange(head_plan, staged_plan, head, markers)) == seen(whole)
    head_plan = fresh(head, markers)
    staged_plan = read_markdown_plan(staged, PATH, markers)
    assert seen(PlanChange(head_plan, staged_plan, head, markers)) == seen(whole)


_marshalled = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 200) | st.text(max_size=8) | st.sampled_from(["\n# A\n", "step"]),
    lambda inner: st.lists(inner, max_size=5) | st.lists(inner, max_size=5).map(tuple), max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(_marshalled | st.tuples(st.sampled_from(["\n# A\n- [ ] a\n", "\n", "x"]), st.integers(0, 3), st.integers(-1, 3),
                               st.lists(st.integers(0, 12), max_size=3), st.lists(_marshalled, max_size=2)))
def test_a_kept_layout_of_any_shape_is_taken_or_refused_never_raises(saved):
    markdown._LAYOUTS.clear()
    if markdown.restore_layout(PATH, saved):
        assert markdown.has_layout(PATH)
        read_markdown_plan("# A\n- [x] a\n", PATH).walk()
    else:
        assert not markdown.has_layout(PATH)


# --- when the short cut is taken -------------------------------------------

PLAN = "# Plan\n\n## Phase 1\n\n" + "".join(
    f"### Step 1.{n}: Work item {n}\n\nStatus: open\n\n- [ ] task a\n- [ ] task b\n  detail\n\n" for n in range(1, 6)
) + "## Notes\n\n- a note\n"


@pytest.mark.parametrize("edit", [
    ("### Step 1.3: Work item 3\n\nStatus: open\n\n- [ ] task a", "### Step 1.3: Work item 3\n\nStatus: open\n\n- [x] task a"),
    ("- [ ] task b\n  detail\n\n### Step 1.5", "- [ ] task b\n  detail\n- [ ] task c ✅\n- [ ] fix #3 in `x`\n\n### Step 1.5"),
    ("Status: open\n\n- [ ] task a\n- [ ] task b\n  detail\n\n### Step 1.2", "Status: Done\n\n- [x] task a\n\n### Step 1.2"),
    ("- a note\n", "- a note\n- another\n"),
    ("# Plan\n\n", "# Plan\n\nAn overview.\n\n"),
])
def test_an_edit_inside_one_section_finds_no_heading_again(edit):
    staged = PLAN.replace(*edit, 1)
    assert staged != PLAN
    fresh(staged)
    with mock.patch.object(markdown, "_structure", side_effect=AssertionError("headings searched again")):
        head = read_markdown_plan(PLAN, PATH)
        staged_again = read_markdown_plan(staged.replace("\n", "\r\n"), PATH)  # the same text, in CRLF
    assert told(head) == told(fresh(PLAN))
    assert told(staged_again) == told(fresh(staged))


@pytest.mark.parametrize("edit", [
    ("### Step 1.3: Work item 3", "### Step 1.3: Work item 3 ✅"),  # a heading line
    ("- [ ] task a\n- [ ] task b\n  detail\n\n### Step 1.4", "- [ ] task a\n\n### Step 1.35\n\n### Step 1.4"),
    ("- [ ] task b\n  detail\n\n### Step 1.5", "- [ ] task b\n  ```\n  detail\n\n### Step 1.5"),  # a fence
    ("- [ ] task b\n  detail\n\n### Step 1.5", "- [ ] task b\n  <!-- detail\n\n### Step 1.5"),  # a comment
    ("  detail\n\n### Step 1.2", "  detail\n  # not a heading, but it might have been\n\n### Step 1.2"),
    ("- [ ] task a\n- [ ] task b\n  detail\n\n### Step 1.2: Work item 2\n\nStatus: open\n\n- [ ] task a",
     "- [x] task a\n- [ ] task b\n  detail\n\n### Step 1.2: Work item 2\n\nStatus: open\n\n- [x] task a"),  # two sections
])
def test_an_edit_that_could_move_headings_is_read_whole(edit):
    staged = PLAN.replace(*edit, 1)
    assert staged != PLAN
    fresh(staged)
    with mock.patch.object(markdown, "_structure", wraps=markdown._structure) as search:
        head = read_markdown_plan(PLAN, PATH)
    assert search.called
    assert told(head) == told(fresh(PLAN))


def test_front_matter_that_ends_elsewhere_is_read_whole():
    staged = "---\ntitle: x\n---\n" + PLAN
    fresh(staged)
    with mock.patch.object(markdown, "_structure", wraps=markdown._structure) as search:
        head = read_markdown_plan("---\ntitle: x\n\n---\n" + PLAN, PATH)
    assert search.called
    assert [(u.id, u.line) for u in head.units] == [("1", 7)]


def test_a_plan_read_again_gets_units_of_its_own():
    fresh(PLAN)
    first = read_markdown_plan(PLAN, PATH)
    again = read_markdown_plan(PLAN, PATH)
    assert first == again
    assert not {id(u) for u in first.walk()} & {id(u) for u in again.walk()}
    again.units[0].extra["role"] = "setup"
    assert first.units[0].extra == {}


# --- titles worked out when first used --------------------------------------

def test_a_title_given_as_a_function_is_worked_out_once_and_can_be_set():
    calls = []
    unit = Unit("step", "1.1", lambda: calls.append(1) or "Login", 3, False)
    assert (unit.title, unit.title, calls) == ("Login", "Login", [1])
    unit.title = "Logout"
    assert unit.title == "Logout"
    assert unit == Unit("step", "1.1", "Logout", 3, False)


def test_heading_titles_are_tidied_only_when_read():
    with mock.patch.object(markdown, "_tidy", wraps=markdown._tidy) as tidy:
        plan = fresh("## Phase 1 (history)\n\n### Step 1.1: Login ✅ **COMPLETED**\n\n- [ ] a\n")
        assert not tidy.called
        assert [u.title for u in plan.walk(read=False)] == ["(history)", "Login"]
