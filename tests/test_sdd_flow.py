"""SDD Flow plans (phased-plan in its upstream layout): epics, per-epic steps,
a Status field, indented `task N.M.K` items, and which phase's plan holds the step."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.plan.markdown import read_markdown_plan

from conftest import check_findings, commit, fixture, hook_failed, sdd_flow_repo

PLAN = "docs/Phase1/6.1_implementation_plan.md"
CONTEXT = "backend/app/domains/albums/Context.toml"
CODE = {"backend/app/domains/albums/api.py": "def list_albums(owner):\n    return owner.albums\n"}
SDD_TEXT = fixture("sdd_flow/6.1_implementation_plan.md").decode()


def line_of(needle: str, text: str = SDD_TEXT) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def outline(plan) -> list:
    return [(u.kind, u.id, u.completed) for u in plan.walk()]


def test_epics_hold_their_steps_and_steps_their_numbered_tasks():
    plan = read_markdown_plan(SDD_TEXT, PLAN)
    assert outline(plan) == [
        ("epic", "1", False),
        ("step", "1.1", True), ("task", "1.1.1", True), ("task", "1.1.1.1", True), ("task", "1.1.2", True),
        ("step", "1.2", True), ("task", "1.2.1", True), ("task", "1.2.2", True),
        ("epic", "2", False),
        ("step", "2.1", False), ("task", "2.1.1", True), ("task", "2.1.2", False), ("task", "2.1.3", False),
        ("step", "2.2", False), ("task", "2.2.1", False), ("task", "2.2.2", False),
        ("epic", "3", False),
    ]


def test_a_subtask_written_flat_nests_under_its_task():
    step = read_markdown_plan(SDD_TEXT, PLAN).find("1.1", "step")
    assert [(t.id, [c.id for c in t.children]) for t in step.children] == [
        ("1.1.1", ["1.1.1.1"]), ("1.1.2", [])]


def test_status_field_done_completes_the_step_and_the_template_alternatives_do_not():
    text = SDD_TEXT.replace("- **Status:** In Progress", "- **Status:** Done")
    plan = read_markdown_plan(text, PLAN)
    assert [(s.id, s.completed) for s in plan.walk() if s.kind == "step"] == [
        ("1.1", True), ("1.2", True), ("2.1", True), ("2.2", False)]


def test_overview_notes_and_appendix_bullets_are_not_tasks_even_when_ticked():
    plan = read_markdown_plan(SDD_TEXT, PLAN)
    titles = [u.title for u in plan.walk() if u.kind == "task"]
    assert not any("Storage layer" in t or "case-folded" in t or "out of scope" in t for t in titles)
    assert len(titles) == 10


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SDD_TEXT.split("\n")), max_size=60), st.sampled_from(["", "    ", "\t", "  "]))
def test_any_reshuffle_of_sdd_lines_reads_without_error(lines, indent):
    plan = read_markdown_plan("\n".join(indent + line if i % 3 == 0 else line for i, line in enumerate(lines)))
    for unit in plan.walk():
        assert unit.kind in ("epic", "step", "task", "phase", "issue")


# -- the commit ------------------------------------------------------------

@pytest.fixture
def sdd(repo):
    sdd_flow_repo(repo).commit("base")
    repo.branch("ALB-7-album-list")
    return repo


def tick(repo, task: str, plan: str = PLAN) -> None:
    repo.replace(plan, f"- [ ] task {task} ", f"- [x] task {task} ")


def test_step_2_1_is_looked_for_in_the_phase_plan_that_holds_it(sdd):
    sdd.files(CODE)
    tick(sdd, "2.1.2")
    sdd.stage()
    assert check_findings(sdd.root) == []


def test_code_without_a_tick_is_p001_at_the_step_in_phase_1(sdd):
    sdd.files(CODE).stage()
    assert check_findings(sdd.root) == [
        f"{PLAN}:{line_of('Step 2.1:')}: P001 code staged for step 2.1 but the plan was not updated"]


@pytest.mark.parametrize("edit", [
    ("- Epic 2: Album API", "- Epic 2: Album API ✅"),
    ("- Reuse the owner check from the photos API", "- Reuse the owner check from the photos API ✅"),
    ("- Sharing links are out of scope", "- [x] Album covers decided\n- Sharing links are out of scope"),
])
def test_a_marker_outside_the_steps_work_is_not_progress(sdd, edit):
    sdd.files(CODE).replace(PLAN, *edit).stage()
    assert check_findings(sdd.root) == [
        f"{PLAN}:{line_of('Step 2.1:')}: P001 code staged for step 2.1 but the plan was not updated"]


def test_a_task_added_already_complete_is_p006_and_no_progress(sdd):
    sdd.files(CODE).replace(PLAN, "    - [ ] task 2.1.3 Pagination of the album list",
                            "    - [ ] task 2.1.3 Pagination of the album list\n    - [x] task 2.1.4 Sort by title")
    sdd.stage()
    text = (sdd.root / PLAN).read_text()
    assert check_findings(sdd.root) == [
        f"{PLAN}:{line_of('Step 2.1:')}: P001 code staged for step 2.1 but the plan was not updated",
        f"{PLAN}:{line_of('task 2.1.4', text)}: P006 task 2.1.4 added already complete"]


def test_a_tick_in_a_later_step_is_not_progress_on_the_current_one(sdd):
    sdd.files(CODE)
    tick(sdd, "2.2.1")
    sdd.stage()
    assert check_findings(sdd.root) == [
        f"{PLAN}:{line_of('Step 2.1:')}: P001 code staged for step 2.1 but the plan was not updated",
        f"{PLAN}:{line_of('task 2.2.1')}: P005 task 2.2.1 completed, but the current step is 2.1"]


def test_status_done_with_open_tasks_is_p004(sdd):
    sdd.replace(PLAN, "- **Status:** In Progress", "- **Status:** Done").stage()
    assert check_findings(sdd.root, "impl-plan") == [
        f"{PLAN}:{line_of('Step 2.1:')}: P004 step 2.1 marked completed with 2 open tasks "
        f"(first: \"`GET /albums` lists the owner's albums\" at line {line_of('task 2.1.2')})"]


def test_two_phase_plans_with_the_step_open_is_p002_naming_both(sdd):
    sdd.files({"docs/Phase2/6.1_implementation_plan.md":
               "# Plan\n\n#### Epic 2: Later\n\n##### Step 2.1: Other\n- **Status:** Not Started\n\n"
               "    - [ ] task 2.1.1 Something\n"}).commit("phase 2 plan")
    sdd.files(CODE).stage()
    assert check_findings(sdd.root, "impl-plan") == [
        f"{CONTEXT}:3: P002 step 2.1 is open in 2 plans: {PLAN}, docs/Phase2/6.1_implementation_plan.md"]


def test_a_step_this_commit_completes_still_counts_as_open_in_its_plan(sdd):
    sdd.files({"docs/Phase2/6.1_implementation_plan.md":
               "# Plan\n\n#### Epic 2: Later\n\n##### Step 2.1: Other\n- **Status:** Not Started\n\n"
               "    - [ ] task 2.1.1 Something\n"}).commit("phase 2 plan")
    for task in ("2.1.2", "2.1.3"):
        tick(sdd, task)
    sdd.replace(PLAN, "- **Status:** In Progress", "- **Status:** Done").files(CODE).stage()
    assert check_findings(sdd.root, "impl-plan") == [
        f"{CONTEXT}:3: P002 step 2.1 is open in 2 plans: {PLAN}, docs/Phase2/6.1_implementation_plan.md"]


def test_current_phase_settles_which_plan_holds_the_step(repo):
    sdd_flow_repo(repo, phase="2").files({
        "docs/Phase2/6.1_implementation_plan.md":
            "# Plan\n\n##### Step 2.1: Other\n\n    - [ ] task 2.1.1 Something\n"}).commit("base")
    repo.branch("ALB-7-x")
    repo.files(CODE)
    tick(repo, "2.1.2")  # Phase 1's step: not the one being worked on
    repo.stage()
    assert check_findings(repo.root, "impl-plan") == [
        "docs/Phase2/6.1_implementation_plan.md:3: P001 code staged for step 2.1 but the plan was not updated"]


def test_a_step_no_plan_holds_takes_its_phase_from_its_first_number(repo):
    sdd_flow_repo(repo, step="3.1").commit("base")
    repo.branch("ALB-7-x")
    repo.files(CODE).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "docs/Phase3/6.1_implementation_plan.md: P002 plan docs/Phase3/6.1_implementation_plan.md is not in the commit"]


def test_completing_the_step_asks_for_the_phase_1_reports(sdd):
    for task in ("2.1.2", "2.1.3"):
        tick(sdd, task)
    sdd.replace(PLAN, "- **Status:** In Progress", "- **Status:** Done").files(CODE).stage()
    assert check_findings(sdd.root, "impl-reports") == [
        "docs/Phase1/Steps/2.1/6.2_implementation_report.md: R001 required report "
        "docs/Phase1/Steps/2.1/6.2_implementation_report.md is not in the commit (this commit completes step 2.1)",
        "docs/Phase1/Steps/2.1/6.2_testing_plan.md: R001 required report "
        "docs/Phase1/Steps/2.1/6.2_testing_plan.md is not in the commit (this commit completes step 2.1)"]


def test_sdd_plan_through_a_real_commit(sdd, precommit):
    precommit(["impl-plan"])
    sdd.files(CODE).stage()
    refused = commit(sdd)
    assert (refused.returncode, refused.lines) == (1, hook_failed(
        "impl-hooks plan progress", "impl-plan",
        f"{PLAN}:{line_of('Step 2.1:')}: P001 code staged for step 2.1 but the plan was not updated",
        f"  hint: mark the finished task of step 2.1 done, e.g. \"`GET /albums` lists the owner's albums\" at line "
        f"{line_of('task 2.1.2 ')} (`- [x]` or `✅ **COMPLETED**`), then git add {PLAN}"))
    tick(sdd, "2.1.2")
    sdd.stage()
    assert commit(sdd).returncode == 0


@pytest.mark.parametrize("before, after", [
    ("- Reuse the owner check from the photos API", "- [x] Reuse the owner check from the photos API"),
])
def test_a_notes_bullet_ticked_is_still_not_progress(sdd, before, after):
    sdd.files(CODE).replace(PLAN, before, after).stage()
    assert check_findings(sdd.root) == [
        f"{PLAN}:{line_of('Step 2.1:')}: P001 code staged for step 2.1 but the plan was not updated"]


def test_an_uncommented_done_task_is_added_complete_not_progress(repo):
    sdd_flow_repo(repo)
    repo.replace(PLAN, "    - [ ] task 2.1.3 Pagination of the album list",
                 "    - [ ] task 2.1.3 Pagination of the album list\n<!--\n    - [x] task 2.1.9 Sort by date\n-->")
    repo.commit("base")
    repo.branch("ALB-7-x")
    repo.replace(PLAN, "<!--\n    - [x] task 2.1.9 Sort by date\n-->", "    - [x] task 2.1.9 Sort by date")
    repo.files(CODE).stage()
    text = (repo.root / PLAN).read_text()
    assert check_findings(repo.root) == [
        f"{PLAN}:{line_of('Step 2.1:')}: P001 code staged for step 2.1 but the plan was not updated",
        f"{PLAN}:{line_of('task 2.1.9', text)}: P006 task 2.1.9 added already complete"]


def test_ticking_a_plain_item_in_an_unmarked_list_is_progress(repo):
    plan = ("# Plan\n\n## Phase 1\n\n### Step 1.1: Setup\n\n1. Create the `cli` entry point\n"
            "2. Read the config\n")
    repo.files({"docs/Phase1/6.1_implementation_plan.md": plan,
                "app/Context.toml": 'current_step = "1.1"\n', "app/cli.py": "x = 1\n"}).commit("base")
    repo.branch("APP-1-setup")
    repo.replace("docs/Phase1/6.1_implementation_plan.md", "2. Read the config", "2. Read the config ✅")
    repo.files({"app/config.py": "y = 2\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == []
