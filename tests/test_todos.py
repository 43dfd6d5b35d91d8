"""T001: TODOs that name the step being completed."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.checks.todos import DEFAULT_TODO_PATTERN, step_todos
from impl_hooks.hooks import reports_main

from conftest import check_findings, features_json_repo, fixture, spec_issue_repo, spec_kit_repo


def lines_of(findings: list) -> list:
    return [f.line for f in findings]


@pytest.mark.parametrize(
    "line",
    [
        "# TODO(step 1.2): hash the password",
        "// TODO(1.2) wire the router",
        "# TODO: Step 1.2 add the lockout",
        "# TODO step 1.2: add the lockout",
        "<!-- TODO [1.2] screenshot -->",
        "/* TODO [Step 1.2] */",
        "# FIXME(step 1.2) off by one",
        "-- TODO(Step-1.2): index",
        "    x = 1  # TODO(step 1.2)",
    ],
)
def test_todo_naming_the_completed_step_is_t001(line):
    findings = step_todos("app/auth.py", f"import os\n{line}\n".encode(), [("step", "1.2")])
    assert [(f.code, f.path, f.line) for f in findings] == [("T001", "app/auth.py", 2)]
    assert findings[0].message == "TODO for step 1.2 left in a commit that completes step 1.2"
    assert findings[0].hint


@pytest.mark.parametrize(
    "line",
    [
        "# TODO(step 1.3): later step",
        "# TODO(step 1.20)",
        "# TODO(step 11.2)",
        "# TODO(step 1.2.1)",
        "# TODO: 1.2 retries is too few",  # a number, not a step
        "# TODO: tidy up",
        "# todo(step 1.2)",  # lower-case is prose, not a TODO marker
        "# Step 1.2 TODO list was done",
    ],
)
def test_other_todos_are_fine(line):
    assert step_todos("app/auth.py", f"{line}\n".encode(), [("step", "1.2")]) == []


def test_each_todo_is_reported_at_its_line():
    data = b"# TODO(step 2.1) a\r\nx = 1\r\n# TODO(step 2.2) b\r\n# TODO(step 2.1) c\r\n"
    assert lines_of(step_todos("a.py", data, [("step", "2.1")])) == [1, 4]


def test_task_ids_match_without_case():
    assert lines_of(step_todos("a.ts", b"// TODO(T001): x\n// TODO(T0012)\n", [("task", "t001")])) == [1]


def test_custom_pattern_with_step_group():
    pattern = r"@step\((?P<step>[\d.]+)\)\s+pending"
    data = b"x  # @step(3.1) pending\ny  # TODO(step 3.1)\n"
    assert lines_of(step_todos("a.py", data, [("step", "3.1")], pattern)) == [1]


def test_pattern_without_step_group_finds_nothing():
    assert step_todos("a.py", b"# TODO(step 1.2)\n", [("step", "1.2")], r"TODO") == []


def test_binary_and_empty_id_are_skipped():
    assert step_todos("img.png", b"\x89PNG\0TODO(step 1.2)", [("step", "1.2")]) == []
    assert step_todos("a.py", b"# TODO(step 1.2)\n", [("step", "")]) == []


def test_default_pattern_has_a_step_group():
    assert "step" in re.compile(DEFAULT_TODO_PATTERN).groupindex


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), unit=st.sampled_from([("step", "1.2"), ("task", "T001"), ("issue", "ALB-12")]))
def test_arbitrary_bytes_never_crash(data, unit):
    findings = step_todos("a.py", data, [unit])
    assert all(f.code == "T001" and f.line >= 1 for f in findings)


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.text(max_size=30).filter(lambda s: not set(s) & {"\n", "\0"}),
    step=st.from_regex(r"[1-9]\d?\.[1-9]\d?", fullmatch=True),
)
def test_a_step_todo_is_found_whatever_precedes_it(prefix, step):
    data = f"{prefix} TODO(step {step})\n".encode()
    assert len(step_todos("a.py", data, [("step", step)])) >= 1


# --- tasks and issues too (T005, 1.1.2, ALB-12) --------------------------------------

DONE = [("issue", "ALB-12"), ("task", "T005"), ("task", "1.1.2"), ("step", "2.4")]


@pytest.mark.parametrize(
    ("line", "unit"),
    [
        ("# TODO(ALB-12): retry on timeout", "issue ALB-12"),
        ("// TODO: ALB-12 drop the shim", "issue ALB-12"),
        ("# TODO ALB-12", "issue ALB-12"),
        ("# TODO(Issue ALB-12)", "issue ALB-12"),
        ("// TODO(T005) paginate", "task T005"),
        ("// TODO: T005 paginate", "task T005"),
        ("# TODO [task T005]", "task T005"),
        ("# TODO(task 1.1.2): cache", "task 1.1.2"),
        ("# TODO(1.1.2)", "task 1.1.2"),
        ("# TODO(step 2.4): wire it", "step 2.4"),
        ("# TODO: Step 2.4", "step 2.4"),
    ],
)
def test_todo_naming_a_completed_step_task_or_issue_is_t001(line, unit):
    assert [(f.code, f.line, f.message) for f in step_todos("app/jobs.py", f"x = 1\n{line}\n".encode(), DONE)] == [
        ("T001", 2, f"TODO for {unit} left in a commit that completes {unit}")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "# TODO(ALB-123)",
        "# TODO(ALB-1)",
        "# TODO(XALB-12)",
        "# TODO(T50)",
        "# TODO(T0050)",
        "# TODO(1.1.20)",
        "# TODO(11.1.2)",
        "# TODO(1.1.2.1)",
        "# TODO(1.1.2a)",
        "# TODO(step 2.40)",
        "# TODO(step 2.4.x)",
        "# TODO: 1.1.2 retries",  # a number without brackets or a word is not an id
        "# see ALB-12, TODO later",
        "# todo(ALB-12)",
    ],
)
def test_todos_for_other_work_are_fine(line):
    assert step_todos("app/jobs.py", f"{line}\n".encode(), [*DONE, ("task", "T5")]) == []


def test_a_todo_naming_two_completed_units_is_one_finding_each():
    data = b"# TODO(ALB-12) and TODO(T005)\n# TODO(T006)\n"
    assert [(f.line, f.message) for f in step_todos("a.py", data, DONE)] == [
        (1, "TODO for issue ALB-12 left in a commit that completes issue ALB-12"),
        (1, "TODO for task T005 left in a commit that completes task T005"),
    ]


def test_custom_pattern_step_group_reads_any_id():
    pattern = r"@pending\((?P<step>[^)]+)\)"
    data = b"x  # @pending(ALB-12)\ny  # @pending(T005)\nz  # TODO(T005)\n"
    assert lines_of(step_todos("a.py", data, DONE, pattern)) == [1, 2]


# --- end to end: what the commit completes, read from the plans --------------------

HINT = "  hint: finish the work and remove the TODO; if it belongs to later work, name that step, task or issue instead"
ACCOUNTS_PLAN = """\
# Implementation Plan - Accounts

## Phase 1: Sign-up

### Step 1.1: Sign-up form

- [ ] 1.1.1 Validate the email field
- [ ] 1.1.2 Send the welcome email

### Step 1.2: Login

- [ ] 1.2.1 Login route
"""


def test_a_task_completed_in_the_commit_flags_its_todos_in_staged_code_only(repo, run_hook):
    plan = "docs/Phase1/6.1_implementation_plan.md"
    repo.files({
        "app/Context.toml": 'current_phase = "1"\ncurrent_step = "1.1"\ncurrent_issue = "ACC-3"\n',
        plan: ACCOUNTS_PLAN,
        "app/mail.py": "def send(to):\n    return to\n",
        "app/old.py": "def old():\n    return 0  # TODO(1.1.2): committed before, not staged now\n",
        "app/draft.py": "def draft():\n    return 0\n",
    }).commit("base")
    repo.branch("ACC-3-welcome-mail")
    repo.replace(plan, "- [ ] 1.1.2", "- [x] 1.1.2")
    repo.files({"app/mail.py": "def send(to):\n    # TODO(1.1.2): retry on bounce\n"
                               "    # TODO(step 1.1): still open\n    # TODO(1.1.1) not done yet\n    return to\n"})
    repo.stage(plan, "app/mail.py")
    repo.write("app/draft.py", "def draft():\n    return 0  # TODO(1.1.2): only on disk\n")
    assert run_hook(reports_main, repo.root) == (1, "\n".join([
        "app/mail.py:2: T001 TODO for task 1.1.2 left in a commit that completes task 1.1.2", HINT]) + "\n", "")


def test_a_spec_kit_task_completed_flags_its_todo(repo, run_hook):
    spec_kit_repo(repo).commit("base")
    repo.branch("001-photo-albums")
    repo.replace("specs/001-photo-albums/tasks.md", "- [ ] T005", "- [X] T005")
    repo.files({"src/db/albums.ts": "// TODO(T005): paginate\n// TODO(T006): later\n"
                                    "export const albums = [];\n"}).stage()
    assert run_hook(reports_main, repo.root) == (1, "\n".join([
        "src/db/albums.ts:1: T001 TODO for task T005 left in a commit that completes task T005", HINT]) + "\n", "")


def test_an_issue_completed_in_the_spec_flags_its_todo(repo, run_hook):
    spec_issue_repo(repo).commit("base")
    repo.branch("AUTH-12")
    spec = "docs/specs/auth.md"
    for old, new in (("- [ ] Five failures", "- [x] Five failures"), ("- [ ] Login emits", "- [x] Login emits"),
                     ("## AUTH-12: Login with email and password", "## AUTH-12: Login with email and password ✅")):
        repo.replace(spec, old, new)
    repo.files({"src/auth/login.py": "def login():\n    # TODO(AUTH-12): audit event\n"
                                     "    # TODO(AUTH-14): rotate refresh tokens\n    return 1\n"}).stage()
    assert run_hook(reports_main, repo.root) == (1, "\n".join([
        "src/auth/login.py:2: T001 TODO for issue AUTH-12 left in a commit that completes issue AUTH-12",
        HINT]) + "\n", "")


def test_a_todo_naming_a_feature_is_not_t001_when_the_feature_is_done(repo):
    """Features are not TODO units: a step, a task or an issue is."""
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    repo.replace("artifacts/checkout-v2-implement/features.json", '"status": "planned"', '"status": "done"')
    repo.files({"src/discount.py": "def apply():\n    # TODO(F2): stacking rules\n    return 1\n",
                "artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation.md")}).stage()
    assert check_findings(repo.root, "impl-reports") == []
