"""Step gates R001-R004, T001, X001-X002, Q001, H001: in-process through impl-reports'
checks (the whole finding list), one real commit under pre-commit for the wiring."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from impl_hooks.cli import main
from impl_hooks.hooks import check_main, reports_main

from conftest import check_findings, commit, features_json_repo, fixture, phased_plan_repo, spec_issue_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"
CONTEXT = "backend/app/domains/auth/Context.toml"
STEP = "docs/Phase2/Steps/2.2"
REPORT = f"{STEP}/6.2_implementation_report.md"
TESTING = f"{STEP}/6.2_testing_plan.md"
R001 = "{0}: R001 required report {0} is not in the commit (this commit completes step 2.2)"


def complete_step_2_2(repo):
    repo.files({"docs/auth.md": "# Sessions\n\nA session lasts 24 hours.\n"})  # what task 3 promises
    for task in ("2. Background job removes expired sessions", "3. Document the session lifetime in `docs/auth.md`"):
        repo.replace(PLAN, task, task + " ✅ **COMPLETED**")
    repo.replace(PLAN, "### Step 2.2: Logout and session expiry", "### Step 2.2: Logout and session expiry ✅ **COMPLETED**")


@pytest.fixture
def phased(repo):
    phased_plan_repo(repo, step="2.2").commit("base")
    return repo.branch("AUTH-12-logout")


def reports(repo) -> list:
    return check_findings(repo.root, "impl-reports")


def test_completing_a_step_without_reports_is_r001_for_each(phased, run_hook):
    complete_step_2_2(phased)
    phased.files({"backend/app/domains/auth/jobs.py": "def purge(sessions):\n    return [s for s in sessions if s]\n"})
    phased.stage()
    assert run_hook(reports_main, phased.root) == (1, "".join(
        f"{R001.format(path)}\n  hint: write the report and git add {path} (a file only on disk is not committed)\n"
        for path in (REPORT, TESTING)), "")


def test_report_only_in_the_work_tree_is_still_r001(phased):
    complete_step_2_2(phased)
    phased.stage()
    phased.files({REPORT: fixture("reports/6.2_implementation_report.md"), TESTING: "# Testing\n\nRan pytest.\n"})
    assert reports(phased) == [R001.format(REPORT), R001.format(TESTING)]


def test_filled_reports_let_the_step_complete(phased, run_hook):
    complete_step_2_2(phased)
    phased.files({REPORT: fixture("reports/6.2_implementation_report.md"),
                  TESTING: "# Testing plan\n\nUnit tests for purge(); manual logout check.\n"}).stage()
    assert run_hook(reports_main, phased.root) == (0, "", "")


def test_template_left_in_a_report_is_r002_at_its_line(phased):
    complete_step_2_2(phased)
    phased.files({REPORT: fixture("reports/template_unfilled.md"), TESTING: "# Testing\n\nDone by hand.\n"}).stage()
    assert reports(phased) == [f"{REPORT}:{line}: R002 report still holds template text '{text}'" for line, text in [
        (1, "{{step}}"), (3, "{{phase}}"), (8, "<describe what was built and why>"), (12, "<file path>"),
        (13, "[TODO]"), (17, "TBD"), (21, "<list the tests that were added and their results>"), (25, "TODO"),
        (29, "Lorem ipsum")]]


def test_required_section_missing_is_r003(phased):
    phased.files({".impl-hooks.toml": (
        "[[reports.require]]\npath = 'docs/Phase{phase}/Steps/{step}/6.2_implementation_report.md'\n"
        "sections = ['Summary', 'Risks']\n")})
    complete_step_2_2(phased)
    phased.files({REPORT: "# Report\n\n## Summary\n\nLogout works.\n"}).stage()
    assert reports(phased) == [f'{REPORT}:1: R003 required section "Risks" is missing']


def test_reports_are_not_required_while_the_step_is_open(phased):
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    assert reports(phased) == []


ALWAYS = "[[reports.require]]\npath = 'docs/Phase{phase}/Steps/{step}/notes.md'\nwhen = 'always'\n"


def test_an_always_report_is_required_by_every_commit_with_code(phased):
    phased.files({".impl-hooks.toml": ALWAYS}).commit("config")
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    assert reports(phased) == [
        f"{STEP}/notes.md: R001 required report {STEP}/notes.md is not in the commit (every commit with code)"]


def test_a_report_path_naming_an_unknown_value_is_not_required(phased):
    phased.files({".impl-hooks.toml": "[[reports.require]]\npath = 'docs/{issue}/{epic}-{dev_stage}-x.md'\n"
                                      "when = 'always'\n",
                  CONTEXT: '[context]\ncurrent_step = "2.2"\ncurrent_issue = "AUTH-12"\n'}).commit("config")
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    assert reports(phased) == []


def test_an_always_report_is_not_required_by_a_docs_only_commit(phased):
    phased.files({".impl-hooks.toml": ALWAYS}).commit("config")
    phased.files({"docs/auth.md": "# Sessions last 24 hours\n"}).stage()
    assert reports(phased) == []


def test_todo_for_the_completed_step_is_t001_but_a_later_step_todo_is_fine(phased):
    complete_step_2_2(phased)
    phased.files({
        REPORT: fixture("reports/6.2_implementation_report.md"), TESTING: "# Testing\n\nDone.\n",
        "backend/app/domains/auth/jobs.py": "def purge():\n    # TODO(step 2.2): batch deletes\n    return 0\n",
        "backend/app/domains/auth/reset.py": "def reset():\n    # TODO(step 2.3): send the email\n    return 1\n",
    }).stage()
    assert reports(phased) == [
        "backend/app/domains/auth/jobs.py:2: T001 TODO for step 2.2 left in a commit that completes step 2.2"]


def test_stub_function_is_x001_and_broken_python_is_x002(phased):
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({
        "backend/app/domains/auth/jobs.py": "import time\n\n\ndef purge(sessions):\n    return [s for s in sessions if s.expires > time.time()]\n\n\ndef notify(user):\n    pass\n",
        "backend/app/domains/auth/broken.py": "def f(:\n    return 1\n",
    }).stage()
    assert reports(phased) == [
        "backend/app/domains/auth/broken.py:1: X002 Python does not compile: invalid syntax",
        'backend/app/domains/auth/jobs.py:8: X001 stub function "notify": body is only pass']


def test_inline_ignore_lets_a_deliberate_stub_through(phased):
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({"backend/app/domains/auth/jobs.py":
                  "def purge(s):\n    return s\n\n\ndef hook(user):  # impl-hooks: ignore[X001]\n    pass\n"}).stage()
    assert reports(phased) == []


def test_features_contract_partial_without_reason_and_missing_feature_are_r004(repo):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    implement = {"features": [{"id": "F1", "name": "Cart", "status": "done"},
                              {"id": "F2", "name": "Discount", "status": "partial", "reason": " "}]}
    repo.files({"artifacts/checkout-v2-implement/features.json": json.dumps(implement, indent=2),
                "artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation.md")}).stage()
    assert reports(repo) == [
        "artifacts/checkout-v2-implement/features.json:1: R004 feature F3 (Saved payment methods) of "
        "artifacts/checkout-v2-design/features.json is missing from the implement list",
        "artifacts/checkout-v2-implement/features.json:9: R004 feature F2 is partial without a reason"]


def test_an_implement_list_without_a_design_is_judged_on_its_own(repo):
    repo.files({".impl-hooks.toml": "preset = 'features-json'\n", "src/cart.py": "def total():\n    return 0\n"})
    repo.commit("base").branch("CHK-2")
    implement = {"features": [{"id": "F1", "name": "Cart", "status": "partial"}]}
    repo.files({"artifacts/checkout-v2-implement/features.json": json.dumps(implement, indent=2),
                "artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation.md")}).stage()
    assert reports(repo) == [
        "artifacts/checkout-v2-implement/features.json:4: R004 feature F1 is partial without a reason"]


def test_every_feature_missing_from_the_implement_list_is_r004(repo):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"artifacts/checkout-v2-implement/features.json":
                json.dumps({"features": [{"id": "F1", "name": "Cart", "status": "done"}]}, indent=2),
                "artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation.md")}).stage()
    assert reports(repo) == [
        f"artifacts/checkout-v2-implement/features.json:1: R004 feature {feature} of "
        "artifacts/checkout-v2-design/features.json is missing from the implement list"
        for feature in ("F2 (Apply discount code)", "F3 (Saved payment methods)")]


def test_features_implementation_md_needs_its_sections(repo):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"artifacts/checkout-v2-implement/features.json": fixture("plans/implement_features.json"),
                "artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation_missing_section.md")}).stage()
    assert reports(repo) == [
        'artifacts/checkout-v2-implement/implementation.md:1: R003 required section "Deviations from Design" is missing']
    repo.files({"artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation.md")}).stage()
    assert reports(repo) == []


def test_malformed_features_json_is_one_line_with_line_and_column(repo, run_hook):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"artifacts/checkout-v2-implement/features.json": fixture("plans/malformed_features.json")}).stage()
    code, out, _ = run_hook(reports_main, repo.root)
    assert code == 1
    [line] = [text for text in out.splitlines() if "R004" in text]
    assert line.startswith("artifacts/checkout-v2-implement/features.json:") and "column" in line


def test_spec_issue_completion_requires_configured_report(repo):
    spec_issue_repo(repo)
    repo.files({".impl-hooks.toml": "preset = 'spec-issue'\n[[reports.require]]\npath = 'docs/reports/{issue}.md'\n"})
    repo.commit("base")
    repo.branch("AUTH-12")
    text = (repo.root / "docs/specs/auth.md").read_text()
    text = text.replace("- [ ] Five failures", "- [x] Five failures").replace("- [ ] Login emits", "- [x] Login emits")
    text = text.replace("## AUTH-12: Login with email and password", "## AUTH-12: Login with email and password ✅")
    repo.files({"docs/specs/auth.md": text}).stage()
    assert reports(repo) == [
        "docs/reports/AUTH-12.md: R001 required report docs/reports/AUTH-12.md is not in the commit "
        "(this commit completes issue AUTH-12)"]
    repo.files({"docs/reports/AUTH-12.md": "# AUTH-12\n\nLockout after five failures; audit event added.\n"}).stage()
    assert reports(repo) == []


def test_tests_required_q001(repo, run_hook):
    repo.files({".impl-hooks.toml": "[tests]\nrequired = true\n", "a.py": "x = 1\n"}).commit()
    repo.branch("AUTH-4")
    repo.files({"a.py": "x = 2\n"}).stage()
    assert reports(repo) == []  # a changed source is not a new one
    repo.files({"src/new_module.py": "def f():\n    return 1\n"}).stage()
    assert run_hook(reports_main, repo.root) == (1, (
        "src/new_module.py: Q001 1 source file(s) added without a test file in the commit (first: src/new_module.py)\n"
        "  hint: add tests matching one of tests/**, test/**, **/test_*.py… to the same commit\n"), "")
    repo.files({"tests/test_new_module.py": "def test_f():\n    assert True\n"}).stage()
    assert reports(repo) == []


def test_approval_gate_opens_only_for_the_approved_tree(repo, monkeypatch):
    repo.files({".impl-hooks.toml": "[approval]\nrequired = true\n", "a.py": "x = 1\n"}).commit("base")
    repo.branch("AUTH-3")
    repo.files({"a.py": "x = 2\n"}).stage()
    approved = repo.git("write-tree").strip()
    assert reports(repo) == [f": H001 the staged tree {approved[:12]} was not approved"]
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["approve"])
    assert result.exit_code == 0 and "approved staged tree" in result.output
    assert "Test" in CliRunner().invoke(main, ["approve", "--show"]).output
    repo.files({"a.py": "x = 3\n"}).stage()  # changed after the approval
    assert reports(repo) == [f": H001 the staged tree {repo.git('write-tree').strip()[:12]} was not approved"]
    repo.files({"a.py": "x = 2\n"}).stage()  # exactly what was approved
    assert reports(repo) == []


def test_the_approval_gate_does_not_apply_to_a_range(repo, run_hook):
    """Range mode checks commits that exist: there is no staged tree to approve."""
    phased_plan_repo(repo, step="2.2").files({".impl-hooks.toml": "[approval]\nrequired = true\n"}).commit("base")
    repo.branch("AUTH-12")
    repo.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    repo.files({"backend/app/domains/auth/jobs.py": "def purge(s):\n    return s\n"}).commit("AUTH-12: purge")
    assert run_hook(check_main, repo.root, "--range", "main..AUTH-12") == (0, "", "")


def test_impl_check_runs_the_step_gates_too(repo, run_hook):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    complete_step_2_2(repo)
    repo.stage()
    code, out, _ = run_hook(check_main, repo.root, "--format", "json")
    assert (code, sorted({f["code"] for f in json.loads(out)})) == (1, ["R001"])


def test_step_gates_through_a_real_commit(phased, precommit):
    precommit(["impl-reports"])
    complete_step_2_2(phased)
    phased.stage()
    refused = commit(phased)
    assert (refused.returncode, refused.lines) == (1, [
        "impl-hooks step gates....................................................Failed",
        "- hook id: impl-reports",
        "- exit code: 1",
        "",
        R001.format(REPORT),
        f"  hint: write the report and git add {REPORT} (a file only on disk is not committed)",
        R001.format(TESTING),
        f"  hint: write the report and git add {TESTING} (a file only on disk is not committed)",
        "",
    ])
    phased.files({REPORT: fixture("reports/6.2_implementation_report.md"),
                  TESTING: "# Testing plan\n\nUnit tests for purge(); manual logout check.\n"}).stage()
    assert commit(phased).returncode == 0
