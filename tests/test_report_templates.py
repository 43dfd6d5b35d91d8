"""R002 for SDD Flow reports left as their template: placeholders, the template's
numbering and choices, bytes that are not text, and the `template` key that
compares each section with the template's (fixtures in the SDD Flow shape)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.checks.reportdoc import report_findings
from impl_hooks.hooks import check_main

from conftest import phased_plan_repo

SDD = Path(__file__).resolve().parent / "fixtures" / "sdd_reports"
REPORT_TEMPLATE = "templates/6.2_implementation_report.md"
TESTING_TEMPLATE = "templates/6.2_testing_plan.md"
PLAN = "docs/Phase2/6.1_implementation_plan.md"
REPORT = "docs/Phase2/Steps/2.2/6.2_implementation_report.md"
TESTING = "docs/Phase2/Steps/2.2/6.2_testing_plan.md"


def sdd(name: str) -> bytes:
    return (SDD / name).read_bytes()


def found(name: str, template: str = "") -> list:
    pair = None
    if template:
        pair = (template, sdd("template_testing_plan.md" if "testing" in template else
                              "template_implementation_report.md"))
    return [(f.code, f.path, f.line, f.message) for f in report_findings("r.md", sdd(name), [], pair)]


# --- without a template: what the lines themselves say ------------------------------


def test_the_implementation_report_template_is_unfilled_at_every_placeholder_line():
    leftovers = [(line, text) for _, _, line, text in found("template_implementation_report.md")]
    assert leftovers == [
        (1, "report still holds template text '[Title]'"),
        (3, "report still holds template text '[Project Name]'"),
        (4, "report still holds template text '[What this phase is about]'"),
        (5, "report still holds template text '[Step title]'"),
        (6, "report still holds template text '[YYYY-MM-DD]'"),
        (7, "report still holds template text '[Who did the work]'"),
        (24, "report still holds template text '[Task name]'"),
        (26, "report still holds template text '[short purpose]'"),
        (28, "report still holds template text '[decision and the reason for it]'"),
        (30, "report still holds template text '[Add one block per task]'"),
        (38, "report still holds template text 'Created/Modified'"),
        (39, "report still holds template text '...'"),
        (45, "report still holds template text 'GET/POST/...'"),
        (58, "report still holds template text '[What was done → What happened]'"),
        (64, "report still holds template text '[Limitation and what it affects]'"),
        (74, "report still holds template text '[✅ Step X.Y COMPLETED] or [⏳ In progress, open items listed above]'"),
    ]


def test_the_testing_plan_template_is_unfilled_escaped_brackets_too():
    leftovers = [(line, text) for _, _, line, text in found("template_testing_plan.md")]
    assert leftovers == [
        (3, "report still holds template text '[Project Name]'"),
        (4, "report still holds template text '[Step ID, e.g., 2.2]'"),
        (5, "report still holds template text '[Date the plan was written]'"),
        (19, "report still holds template text '[e.g., the API on localhost:8000]'"),
        (20, "report still holds template text '[test user]'"),
        (21, "report still holds template text '[test password]'"),
        (27, "report still holds template text '[Service/Class Name]'"),
        (31, "report still holds template text '[What the test proves]'"),
        (32, "report still holds template text '[What must come out]'"),
        (38, "report still holds template text '[Scenario Name]'"),
        (41, "report still holds template text '[User action]'"),
        (42, "report still holds template text '[What the system does]'"),
        (43, "report still holds template text '[What the user sees]'"),
        (58, "report still holds template text '[Brief desc]'"),
        (59, "report still holds template text '...'"),
    ]


@pytest.mark.parametrize("name", ["implementation_report_filled.md", "testing_plan_filled.md"])
def test_filled_sdd_reports_pass(name):
    assert found(name) == []


def test_a_partly_filled_report_names_each_leftover_line():
    assert found("implementation_report_partial.md") == [
        ("R002", "r.md", 5, "report still holds template text '[Step title]'"),
        ("R002", "r.md", 34, "report still holds template text 'Created/Modified'"),
        ("R002", "r.md", 49, "report still holds template text '[Limitation and what it affects]'"),
        ("R002", "r.md", 55, "report still holds template text '[✅ Step X.Y COMPLETED] or "
                             "[⏳ In progress, open items listed above]'"),
    ]


# --- with the template: sections left as they were -------------------------------


def test_a_report_that_is_the_template_is_one_r002():
    assert found("template_implementation_report.md", REPORT_TEMPLATE) == [
        ("R002", "r.md", 1, f"report is unchanged from {REPORT_TEMPLATE}")
    ]


def test_sections_unchanged_from_the_template_are_r002_at_their_heading():
    assert found("implementation_report_partial.md", REPORT_TEMPLATE) == [
        ("R002", "r.md", 11, f'section "Executive Summary" is unchanged from {REPORT_TEMPLATE}'),
        ("R002", "r.md", 38, f'section "Build Verification" is unchanged from {REPORT_TEMPLATE}'),
        ("R002", "r.md", 47, f'section "Known Limitations and Future Work" is unchanged from {REPORT_TEMPLATE}'),
        # line 49's placeholder is inside an unchanged section: said once, by the section
        ("R002", "r.md", 5, "report still holds template text '[Step title]'"),
        ("R002", "r.md", 34, "report still holds template text 'Created/Modified'"),
        ("R002", "r.md", 55, "report still holds template text '[✅ Step X.Y COMPLETED] or "
                             "[⏳ In progress, open items listed above]'"),
    ]


def test_a_filled_report_passes_against_its_template():
    assert found("implementation_report_filled.md", REPORT_TEMPLATE) == []


def test_one_kept_label_line_does_not_make_a_filled_section_unchanged():
    # Overview keeps the template's "Exclusions" line but fills in "Purpose";
    # Test Completion Criteria is kept word for word.
    assert found("testing_plan_filled.md", TESTING_TEMPLATE) == [
        ("R002", "r.md", 49, f'section "4. Test Completion Criteria" is unchanged from {TESTING_TEMPLATE}')
    ]


def test_sections_match_by_name_not_by_number_or_level():
    template = b"# T\n\n## 1. Summary\n\nSay what was done.\n\n## 2. Risks\n\nList the risks.\n"
    report = b"# Step 2.2\n\n### Summary\n\nSay what was done.\n\n## 3. Risks\n\nNone known.\n"
    findings = report_findings("r.md", report, [], ("t.md", template))
    assert [(f.line, f.message, f.hint) for f in findings] == [
        (3, 'section "Summary" is unchanged from t.md',
         'replace the template\'s text under "Summary" with what this step did')
    ]


def test_an_empty_template_section_is_not_a_match():
    template = b"# T\n\n## Summary\n\n## Risks\n\nList the risks.\n"
    report = b"# Step 2.2\n\n## Summary\n\n## Risks\n\nNone known.\n"
    assert report_findings("r.md", report, [], ("t.md", template)) == []


# --- bytes that are not text ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"# Report\n\nDone.\0\n", 3, "report is not text (it holds a NUL byte)"),
        (b"\0# Report\n\nDone.\n", 1, "report is not text (it holds a NUL byte)"),
        (b"# R\n\nok\n\xff\xfe\xfd\xfc done\n", 4,
         "report is not UTF-8 text (4 invalid byte sequences, the first on this line)"),
    ],
)
def test_bytes_that_are_not_text_are_one_r002(data, line, message):
    findings = report_findings("r.md", data, ["Summary"])
    assert [(f.code, f.line, f.message, f.hint) for f in findings] == [
        ("R002", line, message, "write the report as UTF-8 Markdown text" if "NUL" in message
         else "save the report as UTF-8 Markdown text")
    ]


def test_a_few_stray_bytes_are_still_text():
    assert report_findings("r.md", "# Report\n\nCaf\xe9 menu done.\n".encode("latin-1"), []) == []


# --- end to end: the `template` key through impl-check ----------------------------


CONFIG = f"""\
[[reports.require]]
path = "docs/Phase{{phase}}/Steps/{{step}}/6.2_implementation_report.md"
template = "{REPORT_TEMPLATE}"

[[reports.require]]
path = "docs/Phase{{phase}}/Steps/{{step}}/6.2_testing_plan.md"
template = "{TESTING_TEMPLATE}"
"""


def complete_step_2_2(repo):
    for task in ("2. Background job removes expired sessions", "3. Document the session lifetime in `docs/auth.md`"):
        repo.replace(PLAN, task, task + " ✅ **COMPLETED**")
    repo.replace(PLAN, "### Step 2.2: Logout and session expiry",
                 "### Step 2.2: Logout and session expiry ✅ **COMPLETED**")


@pytest.fixture
def sdd_repo(repo):
    phased_plan_repo(repo, step="2.2")
    repo.files({".impl-hooks.toml": CONFIG, REPORT_TEMPLATE: sdd("template_implementation_report.md"),
                TESTING_TEMPLATE: sdd("template_testing_plan.md"),
                "docs/auth.md": "# Sessions\n\nA session lasts 30 minutes.\n"}).commit("base")
    repo.branch("AUTH-12-logout")
    complete_step_2_2(repo)
    return repo


def test_template_key_flags_unchanged_sections_end_to_end(sdd_repo, run_hook):
    kept = sdd("testing_plan_filled.md").replace(
        b"## 4. Test Completion Criteria", b"## 4. Test Completion Criteria <!-- impl-hooks: ignore[R002] -->")
    sdd_repo.files({REPORT: sdd("implementation_report_partial.md"), TESTING: kept}).stage()
    code, out, err = run_hook(check_main, sdd_repo.root)
    hint = "  hint: replace the template text with what was actually done"
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"{REPORT}:5: R002 report still holds template text '[Step title]'", hint,
        f'{REPORT}:11: R002 section "Executive Summary" is unchanged from {REPORT_TEMPLATE}',
        '  hint: replace the template\'s text under "Executive Summary" with what this step did',
        f"{REPORT}:34: R002 report still holds template text 'Created/Modified'", hint,
        f'{REPORT}:38: R002 section "Build Verification" is unchanged from {REPORT_TEMPLATE}',
        '  hint: replace the template\'s text under "Build Verification" with what this step did',
        f'{REPORT}:47: R002 section "Known Limitations and Future Work" is unchanged from {REPORT_TEMPLATE}',
        '  hint: replace the template\'s text under "Known Limitations and Future Work" with what this step did',
        f"{REPORT}:55: R002 report still holds template text '[✅ Step X.Y COMPLETED] or "
        "[⏳ In progress, open items listed above]'", hint,
    ]
    sdd_repo.files({REPORT: sdd("implementation_report_filled.md")}).stage()
    assert run_hook(check_main, sdd_repo.root) == (0, "", "")


def test_a_template_that_is_not_in_the_commit_is_one_r002_at_its_path(sdd_repo, run_hook):
    sdd_repo.git("rm", "-q", "--cached", REPORT_TEMPLATE)
    sdd_repo.files({REPORT: sdd("implementation_report_filled.md"),
                    TESTING: sdd("testing_plan_filled.md")}).stage(REPORT, TESTING, PLAN)
    code, out, _ = run_hook(check_main, sdd_repo.root)
    assert code == 1
    assert out.splitlines() == [
        f'{TESTING}:49: R002 section "4. Test Completion Criteria" is unchanged from {TESTING_TEMPLATE}',
        '  hint: replace the template\'s text under "4. Test Completion Criteria" with what this step did',
        f"{REPORT_TEMPLATE}: R002 report template {REPORT_TEMPLATE} is not in the commit",
        f"  hint: git add {REPORT_TEMPLATE}, or point reports.require's template at the template file",
    ]


def test_template_must_be_a_string(repo, run_hook):
    repo.files({".impl-hooks.toml": "[[reports.require]]\npath = 'r.md'\ntemplate = 3\n", "a.py": "x = 1\n"})
    repo.commit("base")
    code, out, err = run_hook(check_main, repo.root)
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[0].startswith(".impl-hooks.toml:3: ")
    assert "'reports.require.template' must be a string" in err


# --- robustness ------------------------------------------------------------------

MD_PIECES = st.sampled_from(
    ["# ", "## ", "Summary", "Risks", "\n", "```", "<!--", "-->", "[Title]", "\\[x]", "[a](b)", "[^1]",
     "|", ": ", " - ", "Yes/No", "...", "Step X.Y", "**Label:**", "✅", "\r", "\ufeff", " ", "or"]
)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400), template=st.none() | st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_with_or_without_a_template(data, template):
    pair = None if template is None else ("t.md", template)
    findings = report_findings("r.md", data, ["Summary"], pair)
    assert all(f.code in ("R002", "R003") and f.line >= 1 and f.hint for f in findings)


@settings(max_examples=60, deadline=None)
@given(report=st.lists(MD_PIECES, max_size=60).map("".join),
       template=st.lists(MD_PIECES, max_size=60).map("".join))
def test_markdown_shaped_report_and_template_never_crash(report, template):
    findings = report_findings("r.md", report.encode(), ["Summary"], ("t.md", template.encode()))
    assert all(f.code in ("R002", "R003") and f.line >= 1 for f in findings)
