"""R002/R003: report content, on real-shaped reports and edge cases."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.checks.reportdoc import report_findings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reports"
FEATURES_SECTIONS = ["Changes Made", "Deviations from Design", "Known Limitations"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def check(text: str, sections=()) -> list:
    findings = report_findings("r.md", textwrap.dedent(text).encode(), sections)
    return [(f.code, f.line, f.message) for f in findings]


# --- the fixtures -----------------------------------------------------------------


def test_filled_phased_plan_report_passes():
    assert report_findings("6.2_implementation_report.md", fixture("6.2_implementation_report.md"),
                           ["Summary", "Changes Made", "Known Limitations"]) == []


def test_filled_features_json_implementation_passes():
    assert report_findings("implementation.md", fixture("implementation.md"), FEATURES_SECTIONS) == []


def test_unfilled_template_reports_each_leftover_line():
    findings = report_findings("t.md", fixture("template_unfilled.md"), ["Changes Made"])
    assert {f.code for f in findings} == {"R002"}
    assert [f.line for f in findings] == [1, 3, 8, 12, 13, 17, 21, 25, 29]
    assert "{{step}}" in findings[0].message
    assert all(f.hint for f in findings)


def test_headings_only_report_is_r002_once():
    findings = report_findings("h.md", fixture("headings_only.md"), FEATURES_SECTIONS)
    assert [(f.code, f.line) for f in findings] == [("R002", 1)]
    assert "headings but no text" in findings[0].message


def test_missing_section_is_r003_at_line_one():
    findings = report_findings("i.md", fixture("implementation_missing_section.md"), FEATURES_SECTIONS)
    assert [(f.code, f.line, f.message) for f in findings] == [
        ("R003", 1, 'required section "Deviations from Design" is missing')
    ]
    assert "Deviations from Design" in findings[0].hint


# --- R002 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"   \n\n\t\n", b"\xef\xbb\xbf", b"\r\n\r\n", b"<!-- fill in later -->\n"]
)
def test_empty_report_is_one_r002(data):
    findings = report_findings("r.md", data, FEATURES_SECTIONS)
    assert [(f.code, f.line, f.message) for f in findings] == [("R002", 1, "report is empty")]


@pytest.mark.parametrize(
    "line",
    [
        "{{ summary }}",
        "Added the endpoint for {{feature}}.",
        "<fill in>",
        "<Describe what changed and why>",
        "- <file>: <what changed ...>",
        "[TODO]",
        "Tests: [TBD]",
        "TBD",
        "- TODO",
        "*TBD*",
        "...",
        "Lorem ipsum dolor sit amet.",
    ],
)
def test_template_text_is_r002_at_its_line(line):
    findings = check(f"# Report\n\n## Changes Made\n\nReal text.\n{line}\n", ["Changes Made"])
    assert [(code, number) for code, number, _ in findings] == [("R002", 6)]


def test_a_placeholder_after_a_check_box_is_template_text():
    assert check("# Report\n\n## Changes Made\n\nReal text.\n- [x] [Owner name]\n", ["Changes Made"]) == [
        ("R002", 6, "report still holds template text '[Owner name]'")]


@pytest.mark.parametrize(
    "line",
    [
        "N/A",
        "None.",
        "Uses `{{ template }}` syntax from Jinja.",
        "Returns Map<String, Object> to the caller.",
        "See <https://example.com/docs> or mail <dev@example.com>.",
        '<details><summary>Log</summary> <a href="x">link</a></details>',
        "TODO list from step 1.1 is now done.",
        "- [ ] manual check on staging",
        "x < y and y > z",
    ],
)
def test_real_content_is_not_template_text(line):
    assert check(f"# Report\n\n## Changes Made\n\n{line}\n", ["Changes Made"]) == []


def test_placeholders_inside_code_fences_are_content():
    report = """
    ## Changes Made

    ```jinja
    {{ user.name }}
    TODO
    ```
    """
    assert check(report, ["Changes Made"]) == []


# --- R003 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "## Changes Made",
        "# changes made",
        "### 2. Changes Made:",
        "#### 1) **Changes Made**",
        "## ✅ Changes Made",
        "## Changes Made (step 1.2)",
        "###### Changes Made ##",
    ],
)
def test_section_heading_forms_are_recognised(heading):
    assert check(f"# Report\n\n{heading}\n\n- did a thing\n", ["Changes Made"]) == []


def test_setext_headings_are_sections():
    report = """
    Changes Made
    ============

    - did a thing

    Known Limitations
    -----------------
    none known
    """
    assert check(report, ["Changes Made", "Known Limitations"]) == []


def test_empty_section_is_r003_at_its_heading():
    report = """
    # Report

    ## Changes Made

    <!-- list every file -->

    ## Known Limitations

    None.
    """
    assert check(report, ["Changes Made", "Known Limitations"]) == [
        ("R003", 4, 'required section "Changes Made" is empty')
    ]


def test_subsection_content_fills_its_parent_section():
    report = """
    ## Changes Made
    ### Backend
    - new route
    ## Known Limitations
    None.
    """
    assert check(report, ["Changes Made"]) == []


def test_a_section_ends_at_the_next_heading_of_its_level():
    report = """
    ## Changes Made
    ## Known Limitations
    - slow on large repos
    """
    assert check(report, ["Changes Made", "Known Limitations"]) == [
        ("R003", 2, 'required section "Changes Made" is empty')
    ]


def test_headings_in_code_fences_are_not_sections():
    report = """
    ## Notes

    ```markdown
    ## Changes Made
    ```
    """
    assert check(report, ["Changes Made"]) == [("R003", 1, 'required section "Changes Made" is missing')]


def test_front_matter_is_neither_content_nor_heading():
    report = "---\ntitle: Changes Made\n---\n## Changes Made\n"
    assert [code for code, _, _ in check(report, ["Changes Made"])] == ["R002"]


def test_crlf_and_bom_reports_read_the_same():
    original = fixture("implementation_missing_section.md")
    crlf = b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n")
    as_tuples = [(f.code, f.line, f.message) for f in report_findings("r.md", crlf, FEATURES_SECTIONS)]
    assert as_tuples == [("R003", 1, 'required section "Deviations from Design" is missing')]


def test_no_sections_required_checks_only_content():
    assert check("# Report\n\nAll done.\n") == []


# --- robustness ------------------------------------------------------------------

MD_ALPHABET = st.sampled_from(
    ["# ", "## ", "Changes Made", "\n", "```", "~~~", "<!--", "-->", "---", "===", "TBD", "{{x}}",
     "<a b>", " ", "-", "\r", "\ufeff", "`"]
)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data):
    findings = report_findings("r.md", data, FEATURES_SECTIONS)
    assert all(f.code in ("R002", "R003") and f.line >= 1 and f.hint for f in findings)


@settings(max_examples=60, deadline=None)
@given(st.lists(MD_ALPHABET, max_size=60).map("".join))
def test_markdown_shaped_text_never_crashes(text):
    findings = report_findings("r.md", text.encode(), ["Changes Made"])
    assert all(f.code in ("R002", "R003") for f in findings)


def test_bold_label_lines_count_as_sections():
    report = """
    # Report

    **Changes Made:**
    - new route

    **Deviations from Design:** None.

    __Known Limitations__
    """
    assert check(report, FEATURES_SECTIONS) == [("R003", 9, 'required section "Known Limitations" is empty')]


# --- SDD Flow template text: placeholders, numbering, choices --------------------


@pytest.mark.parametrize(
    ("line", "leftover"),
    [
        ("[Title]", "[Title]"),
        ("Project: [Project Name]", "[Project Name]"),
        ("Implementation Date: [YYYY-MM-DD]", "[YYYY-MM-DD]"),
        ("- `app/auth.py` - [short purpose]", "[short purpose]"),
        ("1. [Description]", "[Description]"),
        ("- ✅ [Action → Expected result]", "[Action → Expected result]"),
        ("*Step:* [Step ID, e.g., 1.2]", "[Step ID, e.g., 1.2]"),
        ("* **Objective:** [What is validated]", "[What is validated]"),
        ("* Username: \\[test user]", "[test user]"),
        ("| TC-001 | \\[Brief desc] | 200 |", "[Brief desc]"),
        ("Status: [✅ Done] or [⏳ In progress]", "[✅ Done] or [⏳ In progress]"),
        ("Step: X.Y - Login", "X.Y"),
        ("## Step X.Y: Login", "Step X.Y"),
        ("#### Task X.Y.1: Hash passwords", "Task X.Y.1"),
        ("Phase X: Accounts", "Phase X"),
        ("- docs/Phase2/Steps/X.Y/report.md", "X.Y"),
        ("| `app.py` | Created/Modified | login route |", "Created/Modified"),
        ("| `/login` | POST | Yes/No | sign in |", "Yes/No"),
        ("| `/login` | GET/POST/... | Yes | sign in |", "GET/POST/..."),
        ("Result: Passed / Failed", "Passed / Failed"),
        ("| TC-002 | ... | ... |", "..."),
        ("Deviations: TBD", "TBD"),
        ("[Unreleased]", "[Unreleased]"),
    ],
)
def test_sdd_template_text_is_r002_naming_it(line, leftover):
    assert check(f"# Report\n\nReal text.\n{line}\n") == [
        ("R002", 4, f"report still holds template text {leftover!r}")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "- [ ] T001 [P] [US1] Create project structure",
        "## [WIP] Login rate limit",
        "- [x86]",
        "- [US1]",
        "Platforms: [N/A]",
        "Builds on [x86] and arm64.",
        "Uses the [Strategy] pattern for hashing.",
        "See [the design](docs/design.md) and [the ADR][adr].",
        "![diagram](docs/flow.png)",
        "Hashing follows the RFC.[^1]",
        "> [!NOTE]",
        "- [x] Logout works",
        "## [1.2.0] - 2025-03-14",
        "Step: 2.2 - Logout and session expiry",
        "Phase: Phase 2 - Login flow",
        "| `/login` | POST | Yes | sign in |",
        "Uses read/write locks and/or a queue.",
        "Version 2.3 of the X.Yaml parser",
        "Date: 2025-03-14, 10:30",
    ],
)
def test_brackets_and_slashes_that_are_content_pass(line):
    assert check(f"# Report\n\nReal text.\n{line}\n") == []


def test_a_reference_definition_makes_its_shortcut_link_content():
    assert check("# Report\n\n## [Unreleased]\n\nLogout.\n\n[unreleased]: https://example.com/compare\n") == []


def test_first_template_text_on_a_line_is_named_once():
    assert check("# Report\n\nDone.\n\n## Step X.Y: [Title]\n") == [
        ("R002", 5, "report still holds template text '[Title]'")
    ]
