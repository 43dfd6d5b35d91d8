"""The plan readers: markdown plans, features.json, spec-kit tasks.md."""
from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from impl_hooks.plan import progress
from impl_hooks.plan.features import read_features
from impl_hooks.plan.markdown import read_markdown_plan, render_markdown_plan
from impl_hooks.plan.model import Plan, Unit
from impl_hooks.plan.progress import PlanChange, progressed
from impl_hooks.plan.tasks import read_tasks_md

FIXTURES = Path(__file__).parent / "fixtures" / "plans"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def shape(units):
    """(kind, id, title, completed, children) of a unit tree, for comparing trees."""
    return [(u.kind, u.id, u.title, u.completed, shape(u.children)) for u in units]


def ids(plan: Plan, kind: str):
    return [u.id for u in plan.walk() if u.kind == kind]


def titles(units):
    return [u.title for u in units]


# --- headings -------------------------------------------------------------


def test_phase_heading_becomes_phase_unit():
    plan = read_markdown_plan("## Phase 2: Login flow\n")
    assert shape(plan.units) == [("phase", "2", "Login flow", False, [])]


def test_step_heading_nests_under_phase_of_higher_level():
    plan = read_markdown_plan("## Phase 2\n### Step 2.3: Login endpoint\n")
    phase = plan.units[0]
    assert [(u.kind, u.id, u.title) for u in phase.children] == [("step", "2.3", "Login endpoint")]


def test_step_heading_at_same_level_as_phase_is_top_level():
    plan = read_markdown_plan("## Phase 1\n## Step 1.1: Models\n")
    assert [(u.kind, u.id) for u in plan.units] == [("phase", "1"), ("step", "1.1")]


def test_step_without_minor_number_and_dash_title():
    plan = read_markdown_plan("### Step 3\n### Step 2.3 - Password reset\n")
    assert [(u.id, u.title) for u in plan.units] == [("3", ""), ("2.3", "Password reset")]


def test_step_id_followed_by_letters_is_not_a_step():
    assert read_markdown_plan("### Step 2.3a: odd\n").units == []


def test_bold_emphasis_around_heading_id_is_dropped_from_title():
    plan = read_markdown_plan("### **Step 1.2: API**\n### **Step 1.3**: Docs\n")
    assert [(u.id, u.title) for u in plan.units] == [("1.2", "API"), ("1.3", "Docs")]


def test_numbered_heading_is_a_step_inside_its_phase():
    plan = read_markdown_plan("## Phase 2\n### 2.3 Login endpoint\n")
    assert shape(plan.units[0].children) == [("step", "2.3", "Login endpoint", False, [])]


def test_numbered_heading_outside_its_phase_is_a_section():
    text = "## 1.1 Overview\n## Phase 2\n### 3.1 Not this phase\n"
    assert [(u.kind, u.id) for u in read_markdown_plan(text).walk()] == [("phase", "2")]


def test_bold_pseudo_heading_is_not_a_unit():
    assert read_markdown_plan("**Step 1.2**: Add the API\n- [ ] task\n").find("1.2") is None


def test_issue_heading_variants():
    text = (
        "## AUTH-12: Login\n"
        "### [ISSUE-3] Title in brackets\n"
        "## Session refresh (AUTH-14)\n"
        "## Issue PROJ-7 - Prefixed\n"
    )
    plan = read_markdown_plan(text)
    assert [(u.id, u.title) for u in plan.walk()] == [
        ("AUTH-12", "Login"),
        ("ISSUE-3", "Title in brackets"),
        ("AUTH-14", "Session refresh"),
        ("PROJ-7", "Prefixed"),
    ]
    assert {u.kind for u in plan.walk()} == {"issue"}


def test_standard_names_are_not_issue_ids():
    assert read_markdown_plan("## UTF-8 handling\n## ISO-8601 dates\n").units == []


def test_task_heading_is_a_task_unit_with_its_items():
    plan = read_markdown_plan("### Step 1.1\n#### Task 1.1.1: Model\n- [ ] fields\n")
    task = plan.find("1.1.1")
    assert (task.kind, task.title, titles(task.children)) == ("task", "Model", ["fields"])


def test_heading_without_id_is_a_subsection_of_the_enclosing_unit():
    text = "### Step 1.1\n#### Acceptance\n- [ ] works\n"
    assert titles(read_markdown_plan(text).find("1.1").children) == ["works"]


def test_heading_of_same_level_closes_the_unit():
    text = "### Step 1.1\n- [ ] inside\n### Notes\n- [ ] outside\n"
    plan = read_markdown_plan(text)
    assert titles(plan.find("1.1").children) == ["inside"]
    assert [u.kind for u in plan.units] == ["step"]  # outside every unit: prose, not a task


def test_section_after_child_units_returns_items_to_the_parent_in_file_order():
    text = "## Phase 1\n- [ ] first\n### Step 1.1\n- [ ] a\n### Leftovers\n- [ ] last\n"
    phase = read_markdown_plan(text).units[0]
    assert [(u.kind, u.title or u.id) for u in phase.children] == [
        ("task", "first"),
        ("step", "1.1"),
        ("task", "last"),
    ]


def test_odd_heading_levels_are_normal():
    text = "#### Phase 1\n# Step 1.1: Top\n- [x] done\n"
    plan = read_markdown_plan(text)
    assert [(u.kind, u.id) for u in plan.units] == [("phase", "1"), ("step", "1.1")]
    assert plan.find("1.1").children[0].completed


def test_document_title_naming_the_phase_holds_its_steps():
    plan = read_markdown_plan("# Phase 2 Implementation Plan\n\n### Step 2.1: Login\n")
    assert (plan.units[0].kind, plan.units[0].id, ids(plan, "step")) == ("phase", "2", ["2.1"])


def test_closing_hashes_are_not_part_of_the_title():
    assert read_markdown_plan("## Phase 1: Setup ##\n").units[0].title == "Setup"


# --- completion -----------------------------------------------------------


def test_heading_marker_completes_step():
    text = (
        "### Step 1.1: Models ✅ **COMPLETED**\n"
        "### ✅ Step 1.2: API\n"
        "### Step 1.3: Docs **COMPLETED**\n"
        "### Step 1.4: Tests\n"
    )
    plan = read_markdown_plan(text)
    assert [(u.id, u.title, u.completed) for u in plan.units] == [
        ("1.1", "Models", True),
        ("1.2", "API", True),
        ("1.3", "Docs", True),
        ("1.4", "Tests", False),
    ]


def test_bare_completed_word_is_not_a_marker():
    assert not read_markdown_plan("### Step 1.1: Models COMPLETED\n").units[0].completed


def test_status_line_completes_unit():
    variants = [
        "Status: Done",
        "Status: complete",
        "**Status:** ✅ Completed",
        "Status: ✅",
        "- Status: Completed (2025-01-02)",
        "*Status*: Done",
    ]
    for line in variants:
        assert read_markdown_plan(f"### Step 1.1\n\n{line}\n").units[0].completed, line


def test_status_not_done_leaves_unit_open():
    for line in ["Status: In progress", "Status: Not done", "**Status:** ❌ Not completed"]:
        assert not read_markdown_plan(f"### Step 1.1\n{line}\n").units[0].completed, line


def test_status_line_after_child_unit_does_not_complete_parent():
    text = (
        "## Phase 1\n### Step 1.1\n### Leftovers\nStatus: Done\n"
        "## Phase 2\n### Other\nStatus: Done\n"
    )
    plan = read_markdown_plan(text)
    assert not plan.find("1", kind="phase").completed
    assert not plan.find("1.1").completed
    assert plan.find("2", kind="phase").completed  # a sub-section is not a child unit


def test_custom_markers_replace_defaults():
    text = "### Step 1.1 DONE!\n- [x] ticked\n- [ ] open DONE!\n"
    plan = read_markdown_plan(text, markers=("DONE!",))
    step = plan.find("1.1")
    assert step.completed
    assert [(t.title, t.completed) for t in step.children] == [("ticked", False), ("open", True)]


# --- tasks ----------------------------------------------------------------


def test_checkbox_items_are_tasks_and_plain_bullets_are_not():
    text = "### Step 1.1\n- [ ] write code\n- a note about it\n- [x] ship\n"
    tasks = read_markdown_plan(text).find("1.1").children
    assert [(t.title, t.completed) for t in tasks] == [("write code", False), ("ship", True)]


def test_plain_bullets_without_marks_are_description():
    text = "### Step 1.1\n1. Reset token model\n2. Reset endpoint\n"
    assert read_markdown_plan(text).find("1.1").children == []


def test_marked_list_makes_every_sibling_a_task():
    text = "### Step 1.1\n1. Create model ✅\n2. Add migration\n3) Seed data **COMPLETED**\n"
    tasks = read_markdown_plan(text).find("1.1").children
    assert [(t.title, t.completed) for t in tasks] == [
        ("Create model", True),
        ("Add migration", False),
        ("Seed data", True),
    ]


def test_details_nested_under_marked_task_are_not_tasks():
    text = "### Step 1.1\n1. Create model ✅\n   - email is unique\n   - hash with argon2\n"
    task = read_markdown_plan(text).find("1.1").children[0]
    assert task.children == []


def test_list_after_a_paragraph_is_another_list():
    text = "### Step 1.1\n**Tasks:**\n1. Model ✅\n2. API\n\n**Files:**\n- models.py\n"
    assert titles(read_markdown_plan(text).find("1.1").children) == ["Model", "API"]


def test_blank_lines_do_not_end_a_list():
    text = "### Step 1.1\n1. Model ✅\n\n2. API\n"
    assert titles(read_markdown_plan(text).find("1.1").children) == ["Model", "API"]


def test_nested_tasks_follow_indentation_with_tabs():
    text = "### Step 1.1\n- [ ] parent\n\t- [x] child\n\t\t- [ ] grandchild\n- [ ] sibling\n"
    step = read_markdown_plan(text).find("1.1")
    assert shape(step.children) == [
        ("task", "", "parent", False, [
            ("task", "", "child", True, [("task", "", "grandchild", False, [])]),
        ]),
        ("task", "", "sibling", False, []),
    ]


def test_a_tab_counts_four_spaces():
    text = "- [ ] a\n\t- [ ] b\n  - [ ] c\n"
    assert shape(read_markdown_plan(text).units) == [
        ("task", "", "a", False, [("task", "", "b", False, []), ("task", "", "c", False, [])]),
    ]


def test_a_heading_ends_the_list():
    text = "### Step 1.1\n- [ ] a\n#### Details\n  - [ ] b\n"
    assert titles(read_markdown_plan(text).find("1.1").children) == ["a", "b"]


def test_task_under_a_plain_bullet_belongs_to_the_unit():
    text = "### Step 1.1\n- [ ] first\n- a note\n  - [ ] under the note\n"
    assert titles(read_markdown_plan(text).find("1.1").children) == ["first", "under the note"]


def test_all_list_markers_are_read():
    text = "- [ ] dash\n* [ ] star\n+ [ ] plus\n1. [ ] dot\n2) [ ] paren\n"
    assert titles(read_markdown_plan(text).units) == ["dash", "star", "plus", "dot", "paren"]


def test_task_ids_are_taken_when_present():
    text = (
        "- [ ] T001 spec-kit style\n- [ ] 1.2.3 dotted\n- [ ] Task 1.2.1: named\n"
        "- [ ] **T002**: bold\n- [ ] no id\n"
    )
    assert [(t.id, t.title) for t in read_markdown_plan(text).units] == [
        ("T001", "spec-kit style"),
        ("1.2.3", "dotted"),
        ("1.2.1", "named"),
        ("T002", "bold"),
        ("", "no id"),
    ]


def test_uppercase_checkbox_completes_task():
    assert read_markdown_plan("- [X] done\n").units[0].completed


def test_markers_and_status_words_leave_the_task_title():
    text = "1. Create model ✅ **COMPLETED**\n2. Add API (✅ DONE)\n3. Keep UNDONE ✅\n"
    assert titles(read_markdown_plan(text).units) == ["Create model", "Add API", "Keep UNDONE"]


# --- not plan content -------------------------------------------------------


def test_code_fences_are_not_plan_content():
    text = (
        "```python\n## Phase 9\n```\n"
        "~~~\n### Step 9.1\n~~~\n"
        "````md\n```\n- [ ] inner fence is text\n```\n````\n"
        "  ```\n  - [ ] indented fence inside a list\n  ```\n"
        "## Phase 1\n"
        "```\n### Step 1.9: unclosed to the end\n- [ ] nope\n"
    )
    plan = read_markdown_plan(text)
    assert shape(plan.units) == [("phase", "1", "", False, [])]


def test_inline_code_line_is_not_a_fence():
    text = "```x``` is inline code\n### Step 1.1\n"
    assert ids(read_markdown_plan(text), "step") == ["1.1"]


def test_html_comments_are_not_plan_content():
    text = (
        "<!--\n## Phase 9\n- [ ] template task\n-->\n"
        "### Step 1.1 <!-- ✅ -->\n"
        "- [ ] real <!-- - [x] fake --> task\n"
    )
    plan = read_markdown_plan(text)
    step = plan.find("1.1")
    assert (plan.find("9"), step.completed) == (None, False)
    assert [(t.title, t.completed) for t in step.children] == [("real task", False)]


def test_front_matter_is_not_plan_content():
    text = "---\ntitle: x\n# Phase 9\n---\n## Phase 1\n"
    plan = read_markdown_plan(text)
    assert [(u.id, u.line) for u in plan.units] == [("1", 5)]


def test_unclosed_front_matter_is_a_rule():
    assert ids(read_markdown_plan("---\n## Phase 1\n"), "phase") == ["1"]


def test_crlf_bom_and_cr_keep_line_numbers():
    for newline in ("\r\n", "\r", "\n"):
        text = "\ufeff" + newline.join(["# Plan", "", "### Step 1.1 ✅", "- [x] t"]) + newline
        plan = read_markdown_plan(text)
        step = plan.find("1.1")
        assert (step.line, step.completed, step.children[0].line) == (3, True, 4), repr(newline)


def test_emoji_in_titles_are_kept():
    plan = read_markdown_plan("### Step 1.1: Deploy 🚀 ✅\n- [ ] ship 📦\n")
    assert (plan.units[0].title, plan.units[0].children[0].title) == ("Deploy 🚀", "ship 📦")


# --- the model ------------------------------------------------------------


def test_find_is_case_insensitive_for_issue_ids():
    assert read_markdown_plan("## AUTH-12: Login\n").find("auth-12").title == "Login"


def test_find_by_kind_separates_phase_and_step():
    plan = read_markdown_plan("## Phase 2\n### Step 2\n")
    assert (plan.find("2").kind, plan.find("2", kind="step").kind) == ("phase", "step")
    assert plan.find("3") is None


def test_completed_ids_include_units_and_tasks_with_ids():
    text = (
        "## Phase 1 ✅\n### Step 1.1 ✅\n"
        "- [x] T001 a\n- [x] anonymous\n- [ ] T002 b\n### Step 1.2\n"
    )
    assert read_markdown_plan(text).completed_ids() == {"1", "1.1", "T001"}


def test_open_tasks_lists_unfinished_descendants():
    text = "## Phase 1\n- [ ] p\n### Step 1.1 ✅\n- [x] a\n  - [ ] a.1\n- [ ] b\n"
    plan = read_markdown_plan(text)
    assert titles(plan.find("1.1").open_tasks()) == ["a.1", "b"]
    assert titles(plan.find("1", kind="phase").open_tasks()) == ["p", "a.1", "b"]


def test_walk_is_depth_first_in_file_order():
    text = "## Phase 1\n### Step 1.1\n- [ ] t\n### Step 1.2\n## Phase 2\n"
    assert [u.line for u in read_markdown_plan(text).walk()] == [1, 2, 3, 4, 5]


def test_render_writes_headings_and_checkboxes():
    task = Unit("task", "T001", "init", 2, False)
    plan = Plan("p", [Unit("phase", "1", "Setup", 1, True, [task])])
    assert render_markdown_plan(plan) == "# Phase 1: Setup ✅\n\n- [ ] T001: init\n"


# --- fixtures as users write them -------------------------------------------


def test_phased_plan_fixture():
    plan = read_markdown_plan(fixture("6.1_implementation_plan.md"), "6.1_implementation_plan.md")
    assert ids(plan, "phase") == ["1", "2"]
    assert ids(plan, "step") == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    assert plan.completed_ids() == {"1", "1.1", "1.2", "2.1"}
    step = plan.find("2.2")
    assert (step.title, step.line) == ("Logout and session expiry", 53)
    assert titles(step.open_tasks()) == [
        "Background job removes expired sessions",
        "Document the session lifetime in `docs/auth.md`",
    ]
    assert plan.find("1.1").open_tasks() == []  # details and file lists are not tasks
    assert plan.find("2.3").children == []  # no marks yet: a description list
    assert plan.find("9.9") is None and plan.find("7") is None  # fenced


def test_checkbox_plan_fixture_with_crlf_and_front_matter():
    raw = (FIXTURES / "checkbox_plan_crlf.md").read_bytes()
    assert b"\r\n" in raw
    plan = read_markdown_plan(raw.decode("utf-8"))
    assert plan.completed_ids() == {"1", "1.1"}
    step = plan.find("1.2")
    assert step.line == 25
    assert titles(step.open_tasks()) == [
        "Handle `checkout.session.expired`",
        "log the expiry",
        "E2E test against the Stripe CLI",
    ]
    assert titles(step.children[1].children) == ["log the expiry", "release the reserved seat"]
    assert len(plan.find("1.1").children[1].children) == 2
    assert titles(plan.find("2.1").children) == [
        "Render invoice with WeasyPrint 🧾",
        "Store PDFs in S3",
    ]


def test_spec_issue_fixture():
    plan = read_markdown_plan(fixture("auth_spec.md"))
    assert ids(plan, "issue") == ["AUTH-11", "AUTH-12", "AUTH-13", "AUTH-14", "AUTH-15"]
    assert plan.completed_ids() == {"AUTH-11", "AUTH-13"}
    assert titles(plan.find("AUTH-12").open_tasks()) == [
        "Five failures lock the account for 15 minutes",
        "Login emits an `auth.login` audit event",
    ]
    assert plan.find("TEMPLATE-1") is None  # inside an HTML comment
    assert plan.find("auth-14").children[0].kind == "issue"  # odd level nests


def test_features_design_and_implement_fixtures():
    design = read_features(fixture("design_features.json"))
    implement = read_features(fixture("implement_features.json"))
    assert [u.id for u in design.units] == [u.id for u in implement.units] == ["F1", "F2", "F3"]
    assert not any(u.completed for u in design.units)
    assert design.units[0].extra["acceptance_criteria"][0] == "returns totals with tax"
    assert [(u.id, u.line) for u in design.units] == [("F1", 5), ("F2", 11), ("F3", 17)]
    assert [u.completed for u in implement.units] == [True, True, False]
    partial = implement.find("F3")
    assert partial.extra["status"] == "partial"
    assert partial.extra["reason"].startswith("Card vaulting")
    assert (partial.title, partial.line) == ("Saved payment methods", 7)


def test_malformed_features_fixture_reports_where():
    plan = read_features(fixture("malformed_features.json"))
    assert plan.units == []
    assert [(line, col) for line, col, _ in plan.errors] == [(4, 66)]


def test_spec_kit_tasks_fixture():
    plan = read_tasks_md(fixture("tasks.md"))
    assert ids(plan, "phase") == ["1", "2", "3"]
    assert ids(plan, "task") == ["T001", "T002", "T003", "T004", "T005", "T006", "T007", "T008"]
    assert plan.completed_ids() == {"T001", "T002", "T003", "T004"}
    t006 = plan.find("T006")
    assert (t006.title, t006.extra["tags"]) == (
        "Contract test for drag-and-drop in `tests/contract/test_dnd.ts`",
        ["P", "US1"],
    )
    assert plan.find("T007").extra == {"tags": ["US1"]}
    assert plan.find("T001").extra == {}


# --- features.json shapes ---------------------------------------------------


def test_features_as_top_level_list():
    plan = read_features('[{"id": "F1", "title": "A", "status": "done"}]')
    assert shape(plan.units) == [("feature", "F1", "A", True, [])]


def test_features_keyed_by_id():
    text = (
        '{\n  "F1": {"name": "A", "status": "partial", "reason": "later"},\n'
        '  "F2": {"name": "B"}\n}'
    )
    plan = read_features(text)
    assert [(u.id, u.line, u.extra["status"], u.extra["reason"]) for u in plan.units] == [
        ("F1", 2, "partial", "later"),
        ("F2", 3, "", ""),
    ]


def test_feature_status_must_be_exactly_done():
    assert not read_features('[{"id": "F1", "status": "Done"}]').units[0].completed


def test_feature_entries_of_wrong_shape_are_skipped_with_their_line():
    text = (
        '[\n  {"id": "F1", "status": "done"},\n  "F2",\n'
        '  {"name": "no id"},\n  {"id": "F4", "status": 3}\n]'
    )
    plan = read_features(text)
    assert [u.id for u in plan.units] == ["F1"]
    assert [line for line, _, _ in plan.errors] == [3, 4, 5]


def test_features_json_of_another_shape_is_an_error():
    assert read_features('"just a string"').errors[0][:2] == (1, 1)
    assert read_features('{"features": 3}').errors


def test_a_checkbox_marker_on_a_heading_completes_it_and_leaves_its_title(marker="[x]"):
    for written in ("[x]", "[X]"):
        plan = read_markdown_plan(f"### Step 1.1: Login {written}\n\n- [x] form\n", markers=("✅", marker))
        assert [(u.kind, u.id, u.title, u.completed) for u in plan.walk()] == [
            ("step", "1.1", "Login", True), ("task", "", "form", True)]


def test_lines_of_spaces_between_tasks_do_not_end_the_list():
    plan = read_markdown_plan("## Step 1.1: A\n\n- [x] one\n   \n- [ ] two\n\t\n- [ ] three\n", markers=("[x]",))
    assert [(u.kind, u.title, u.completed) for u in plan.walk()] == [
        ("step", "A", False), ("task", "one", True), ("task", "two", False), ("task", "three", False)]


def test_features_lines_count_an_id_written_on_the_next_line():
    text = '{"features": [\n  {"id":\n    "F1", "status": "done"},\n  {"id": "F2", "status": "partial"}\n]}\n'
    assert [(u.id, u.line) for u in read_features(text).units] == [("F1", 2), ("F2", 4)]


def test_features_with_bom_and_numeric_ids():
    plan = read_features('\ufeff[{"id": 7, "status": "done"}]')
    assert (plan.units[0].id, plan.units[0].title, plan.units[0].line) == ("7", "", 1)


# --- properties -------------------------------------------------------------

_MD_LINES = [
    "# Plan", "## Phase 1", "### Step 1.2: x", "#### Step 3", "## AUTH-12: y", "### [ISSUE-3] z",
    "##### Task 1.2.1", "## 2.3 numbered", "- [ ] task", "- [x] done", "  - [X] nested", "\t* item",
    "1. one ✅", "2) two", "- T001 id", "**Status:** Done", "Status: ✅", "```", "~~~~", "```py",
    "<!--", "-->", "<!-- x -->", "---", "+++", "✅ **COMPLETED**", "[x]", "", "   ", "#", "-",
    "- [ ]", "* [x]", ">", "Step 1.1", "#Phase 1", "\ufeff",
]
_markdownish = st.lists(
    st.one_of(st.sampled_from(_MD_LINES), st.text(max_size=12)), max_size=40
).flatmap(lambda lines: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda nl: nl.join(lines)))


def _lines_in_range(plan: Plan, text: str) -> bool:
    last = max(1, len(text.splitlines()) + 1)
    return all(1 <= u.line <= last for u in plan.walk())


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(), _markdownish))
def test_markdown_reader_never_raises(text):
    plan = read_markdown_plan(text, markers=("✅", "**COMPLETED**", "[x]"))
    assert _lines_in_range(plan, text)
    plan.completed_ids()


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(), _markdownish), st.lists(st.text(max_size=3), max_size=3))
def test_markdown_reader_never_raises_with_any_markers(text, markers):
    plan = read_markdown_plan(text, markers=markers)
    assert _lines_in_range(plan, text)
    assert all(unit.kind in ("phase", "epic", "step", "issue", "task") for unit in plan.walk())


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(), _markdownish))
def test_tasks_md_reader_never_raises(text):
    assert _lines_in_range(read_tasks_md(text), text)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=15,
)
_feature_like = st.fixed_dictionaries(
    {"id": _json_values, "status": st.sampled_from(["done", "partial", "x"]) | _json_values},
    optional={"name": _json_values, "title": _json_values, "reason": _json_values},
)
_features_docs = st.one_of(
    _json_values,
    st.lists(_feature_like, max_size=5),
    st.lists(_feature_like, max_size=5).map(lambda f: {"features": f}),
    st.dictionaries(st.text(max_size=5), _feature_like, max_size=4),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.tuples(_features_docs, st.sampled_from([None, 2])).map(
    lambda doc: json.dumps(doc[0], indent=doc[1])
)))
def test_features_reader_never_raises(text):
    plan = read_features(text)
    last = text.count("\n") + 1
    assert all(1 <= u.line <= last for u in plan.units)
    assert all(1 <= line <= last for line, _, _ in plan.errors)


# Generated plan trees: a unit's tasks come before its child headings.
_words = st.lists(
    st.sampled_from(["login", "model", "api", "cache", "schema", "émoji", "🚀", "x"]), max_size=3
).map(" ".join)
_task_ids = st.one_of(
    st.just(""),
    st.integers(1, 999).map(lambda n: f"T{n:03d}"),
    st.lists(st.integers(1, 12), min_size=2, max_size=3).map(lambda p: ".".join(map(str, p))),
)
_tasks = st.recursive(
    st.builds(lambda i, t, c: Unit("task", i, t, 0, c), _task_ids, _words, st.booleans()),
    lambda inner: st.builds(
        lambda i, t, c, kids: Unit("task", i, t, 0, c, kids),
        _task_ids, _words, st.booleans(), st.lists(inner, max_size=3),
    ),
    max_leaves=6,
)
_heading_ids = {
    "phase": st.integers(1, 20).map(str),
    "epic": st.integers(1, 20).map(str),
    "step": st.lists(st.integers(1, 12), min_size=1, max_size=3).map(
        lambda p: ".".join(map(str, p))
    ),
    "issue": st.tuples(st.sampled_from(["AUTH", "PROJ", "X1"]), st.integers(1, 999)).map(
        lambda p: f"{p[0]}-{p[1]}"
    ),
}


def _headings(depth: int):
    kids = st.lists(_headings(depth - 1), max_size=3) if depth > 1 else st.just([])
    return st.sampled_from(sorted(_heading_ids)).flatmap(
        lambda kind: st.builds(
            lambda i, t, c, tasks, units: Unit(kind, i, t, 0, c, tasks + units),
            _heading_ids[kind], _words, st.booleans(),
            st.lists(_tasks, max_size=3), kids,
        )
    )


def _no_flat_subtask_ids(units: list) -> bool:
    """No task id extends its previous sibling's (`1.2` then `1.2.3`): the reader
    nests such a pair, as SDD Flow writes sub-tasks flat."""
    for before, after in zip(units, units[1:]):
        if before.kind == after.kind == "task" and before.id and after.id.startswith(before.id + "."):
            return False
    return all(_no_flat_subtask_ids(u.children) for u in units)


# Top-level tasks only in a bare checklist: beside units they are prose.
_trees = st.one_of(st.lists(_tasks, max_size=3), st.lists(_headings(3), max_size=3)).filter(
    _no_flat_subtask_ids)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees)
def test_rendered_plan_reads_back_to_the_same_tree(units):
    text = render_markdown_plan(Plan("", units))
    assert shape(read_markdown_plan(text).units) == shape(units), text


def _progress_seen(change) -> tuple:
    """What the plan rules act on: the units newly progressed, and those no longer progressed."""
    newly = sorted((u.kind, u.id, u.title, u.line) for u in change.newly)
    undone = sorted((key for key, u in change.old.items() if progressed(u)
                     and not (key in change.new and progressed(change.new[key]))), key=repr)
    return newly, undone


def _headings_unique(plan: Plan) -> bool:
    keys = [(u.kind, u.id.casefold()) for u in plan.walk(read=False) if u.source is not None]
    return len(keys) == len(set(keys))


_edits = st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["replace", "insert", "delete"]),
                            st.sampled_from(_MD_LINES)), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_MD_LINES), max_size=40), _edits)
def test_comparing_only_changed_sections_sees_what_a_full_comparison_sees(lines, edits):
    edited = list(lines)
    for index, how, line in edits:
        index = min(index, len(edited))
        if how == "insert" or index == len(edited):
            edited.insert(index, line)
        elif how == "replace":
            edited[index] = line
        else:
            del edited[index]
    before, after = "\n".join(lines), "\n".join(edited)
    # A heading id used twice makes keys ambiguous, for a full comparison too.
    assume(_headings_unique(read_markdown_plan(before)) and _headings_unique(read_markdown_plan(after)))
    lazy = PlanChange(read_markdown_plan(before), read_markdown_plan(after))
    with mock.patch.object(progress, "_sections", lambda plan: {}):  # no section known unchanged: all read
        full = PlanChange(read_markdown_plan(before), read_markdown_plan(after))
    assert _progress_seen(lazy) == _progress_seen(full)


def test_a_plan_edit_reads_only_the_sections_it_touched():
    sections = [f"### Step 1.{n}\n\n- [ ] task a\n- [ ] task b\n" for n in range(1, 6)]
    before = "## Phase 1\n\n" + "\n".join(sections)
    after = before.replace("### Step 1.3\n\n- [ ] task a", "### Step 1.3\n\n- [x] task a")
    change = PlanChange(read_markdown_plan(before), read_markdown_plan(after))
    assert [(u.title, u.line) for u in change.newly] == [("task a", 15)]
    assert sorted(k[1] for k in change.new if k[0] == "task") == [("step", "1.3"), ("step", "1.3")]


def test_finding_a_step_reads_no_section_tasks_until_they_are_used():
    plan = read_markdown_plan("## Phase 1\n\n### Step 1.1\n\n- [ ] a\n\n### Step 1.2\n\n- [x] b\n")
    step = plan.find("1.2", kind="step")
    assert [u.kind for u in plan.walk(read=False)] == ["phase", "step", "step"]
    assert [(t.title, t.completed) for t in step.children] == [("b", True)]
    assert [u.kind for u in plan.walk(read=False)] == ["phase", "step", "step", "task"]


def test_dashes_after_ids_are_separators_not_title():
    plan = read_markdown_plan("## Phase 1\n\n### Step 1.1 — Login\n\n- [ ] task 1.1.1 – hash the password\n"
                              "- [x] 1.1.2 — lock out ✅\n\n### Step 1.2 – Logout\n")
    assert [(u.kind, u.id, u.title, u.completed) for u in plan.walk()] == [
        ("phase", "1", "", False),
        ("step", "1.1", "Login", False),
        ("task", "1.1.1", "hash the password", False),
        ("task", "1.1.2", "lock out", True),
        ("step", "1.2", "Logout", False),
    ]
