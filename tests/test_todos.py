"""T001: TODOs that name the step being completed."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.checks.todos import DEFAULT_TODO_PATTERN, step_todos


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
    findings = step_todos("app/auth.py", f"import os\n{line}\n".encode(), "1.2")
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
    assert step_todos("app/auth.py", f"{line}\n".encode(), "1.2") == []


def test_each_todo_is_reported_at_its_line():
    data = b"# TODO(step 2.1) a\r\nx = 1\r\n# TODO(step 2.2) b\r\n# TODO(step 2.1) c\r\n"
    assert lines_of(step_todos("a.py", data, "2.1")) == [1, 4]


def test_task_ids_as_steps_match_without_case():
    assert lines_of(step_todos("a.ts", b"// TODO(T001): x\n// TODO(T0012)\n", "t001")) == [1]


def test_custom_pattern_with_step_group():
    pattern = r"@step\((?P<step>[\d.]+)\)\s+pending"
    data = b"x  # @step(3.1) pending\ny  # TODO(step 3.1)\n"
    assert lines_of(step_todos("a.py", data, "3.1", pattern)) == [1]


def test_pattern_without_step_group_finds_nothing():
    assert step_todos("a.py", b"# TODO(step 1.2)\n", "1.2", r"TODO") == []


def test_binary_and_empty_step_are_skipped():
    assert step_todos("img.png", b"\x89PNG\0TODO(step 1.2)", "1.2") == []
    assert step_todos("a.py", b"# TODO(step 1.2)\n", "") == []


def test_default_pattern_has_a_step_group():
    assert "step" in re.compile(DEFAULT_TODO_PATTERN).groupindex


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), step=st.sampled_from(["1.2", "T001", "3"]))
def test_arbitrary_bytes_never_crash(data, step):
    findings = step_todos("a.py", data, step)
    assert all(f.code == "T001" and f.line >= 1 for f in findings)


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.text(max_size=30).filter(lambda s: not set(s) & {"\n", "\0"}),
    step=st.from_regex(r"[1-9]\d?\.[1-9]\d?", fullmatch=True),
)
def test_a_step_todo_is_found_whatever_precedes_it(prefix, step):
    data = f"{prefix} TODO(step {step})\n".encode()
    assert len(step_todos("a.py", data, step)) >= 1
