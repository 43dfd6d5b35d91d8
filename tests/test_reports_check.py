"""Step gates R001-R004, T001, X001-X002, Q001, H001 through real commits under pre-commit."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from impl_hooks.cli import main
from impl_hooks.hooks import check_main, reports_main

from conftest import commit, features_json_repo, fixture, phased_plan_repo, spec_issue_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"
STEP = "docs/Phase2/Steps/2.2"
REPORT = f"{STEP}/6.2_implementation_report.md"
TESTING = f"{STEP}/6.2_testing_plan.md"


def complete_step_2_2(repo):
    repo.files({"docs/auth.md": "# Sessions\n\nA session lasts 24 hours.\n"})  # what task 3 promises
    for task in ("2. Background job removes expired sessions", "3. Document the session lifetime in `docs/auth.md`"):
        repo.replace(PLAN, task, task + " ✅ **COMPLETED**")
    repo.replace(PLAN, "### Step 2.2: Logout and session expiry", "### Step 2.2: Logout and session expiry ✅ **COMPLETED**")


@pytest.fixture
def phased(repo, precommit):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12-logout")
    precommit(["impl-reports"])
    return repo


def test_completing_a_step_without_reports_is_r001_for_each(phased):
    complete_step_2_2(phased)
    phased.files({"backend/app/domains/auth/jobs.py": "def purge(sessions):\n    return [s for s in sessions if s]\n"})
    phased.stage()
    refused = commit(phased)
    assert refused.returncode == 1
    assert f"{REPORT}: R001 required report {REPORT} is not in the commit (this commit completes step 2.2)" in refused.out
    assert f"{TESTING}: R001" in refused.out


def test_report_only_in_the_work_tree_is_still_r001(phased):
    complete_step_2_2(phased)
    phased.stage()
    phased.files({REPORT: fixture("reports/6.2_implementation_report.md"), TESTING: "# Testing\n\nRan pytest.\n"})
    refused = commit(phased)
    assert f"{REPORT}: R001" in refused.out


def test_filled_reports_let_the_step_complete(phased):
    complete_step_2_2(phased)
    phased.files({REPORT: fixture("reports/6.2_implementation_report.md"),
                  TESTING: "# Testing plan\n\nUnit tests for purge(); manual logout check.\n"}).stage()
    assert commit(phased).returncode == 0


def test_template_left_in_a_report_is_r002_at_its_line(phased):
    complete_step_2_2(phased)
    phased.files({REPORT: fixture("reports/template_unfilled.md"), TESTING: "# Testing\n\nDone by hand.\n"}).stage()
    refused = commit(phased)
    assert f"{REPORT}:" in refused.out and "R002" in refused.out


def test_required_section_missing_is_r003(phased):
    phased.files({".impl-hooks.toml": (
        "[[reports.require]]\npath = 'docs/Phase{phase}/Steps/{step}/6.2_implementation_report.md'\n"
        "sections = ['Summary', 'Risks']\n")})
    complete_step_2_2(phased)
    phased.files({REPORT: "# Report\n\n## Summary\n\nLogout works.\n"}).stage()
    refused = commit(phased)
    assert f"{REPORT}:1: R003" in refused.out and "Risks" in refused.out


def test_reports_are_not_required_while_the_step_is_open(phased):
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    assert commit(phased).returncode == 0


def test_todo_for_the_completed_step_is_t001_but_a_later_step_todo_is_fine(phased):
    complete_step_2_2(phased)
    phased.files({
        REPORT: fixture("reports/6.2_implementation_report.md"), TESTING: "# Testing\n\nDone.\n",
        "backend/app/domains/auth/jobs.py": "def purge():\n    # TODO(step 2.2): batch deletes\n    return 0\n",
        "backend/app/domains/auth/reset.py": "def reset():\n    # TODO(step 2.3): send the email\n    return 1\n",
    }).stage()
    refused = commit(phased)
    assert "backend/app/domains/auth/jobs.py:2: T001 TODO for step 2.2 left in a commit that completes step 2.2" in refused.out
    assert "reset.py" not in refused.out


def test_stub_function_is_x001_and_broken_python_is_x002(phased):
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({
        "backend/app/domains/auth/jobs.py": "import time\n\n\ndef purge(sessions):\n    return [s for s in sessions if s.expires > time.time()]\n\n\ndef notify(user):\n    pass\n",
        "backend/app/domains/auth/broken.py": "def f(:\n    return 1\n",
    }).stage()
    refused = commit(phased)
    assert 'backend/app/domains/auth/jobs.py:8: X001 stub function "notify"' in refused.out
    assert "backend/app/domains/auth/broken.py:1: X002" in refused.out


def test_inline_ignore_lets_a_deliberate_stub_through(phased):
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.files({"backend/app/domains/auth/jobs.py":
                  "def purge(s):\n    return s\n\n\ndef hook(user):  # impl-hooks: ignore[X001]\n    pass\n"}).stage()
    assert commit(phased).returncode == 0


def test_features_contract_partial_without_reason_and_missing_feature_are_r004(repo, precommit):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    precommit(["impl-reports"])
    implement = {"features": [{"id": "F1", "name": "Cart", "status": "done"},
                              {"id": "F2", "name": "Discount", "status": "partial", "reason": " "}]}
    repo.files({"artifacts/checkout-v2-implement/features.json": json.dumps(implement, indent=2),
                "artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation.md")}).stage()
    refused = commit(repo)
    assert "artifacts/checkout-v2-implement/features.json:9: R004 feature F2 is partial without a reason" in refused.out
    assert "R004 feature F3 (Saved payment methods) of artifacts/checkout-v2-design/features.json is missing" in refused.out


def test_features_implementation_md_needs_its_sections(repo, precommit):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    precommit(["impl-reports"])
    repo.files({"artifacts/checkout-v2-implement/features.json": fixture("plans/implement_features.json"),
                "artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation_missing_section.md")}).stage()
    refused = commit(repo)
    assert "artifacts/checkout-v2-implement/implementation.md:1: R003" in refused.out
    repo.files({"artifacts/checkout-v2-implement/implementation.md": fixture("reports/implementation.md")}).stage()
    assert commit(repo).returncode == 0


def test_malformed_features_json_is_one_line_with_line_and_column(repo, run_hook):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"artifacts/checkout-v2-implement/features.json": fixture("plans/malformed_features.json")}).stage()
    code, out, _ = run_hook(reports_main, repo.root)
    assert code == 1
    [line] = [l for l in out.splitlines() if "R004" in l]
    assert line.startswith("artifacts/checkout-v2-implement/features.json:") and "column" in line


def test_spec_issue_completion_requires_configured_report(repo, precommit):
    spec_issue_repo(repo)
    repo.files({".impl-hooks.toml": "preset = 'spec-issue'\n[[reports.require]]\npath = 'docs/reports/{issue}.md'\n"})
    repo.commit("base")
    repo.branch("AUTH-12")
    precommit(["impl-reports"])
    text = (repo.root / "docs/specs/auth.md").read_text()
    text = text.replace("- [ ] Five failures", "- [x] Five failures").replace("- [ ] Login emits", "- [x] Login emits")
    text = text.replace("## AUTH-12: Login with email and password", "## AUTH-12: Login with email and password ✅")
    repo.files({"docs/specs/auth.md": text}).stage()
    refused = commit(repo)
    assert "docs/reports/AUTH-12.md: R001" in refused.out
    repo.files({"docs/reports/AUTH-12.md": "# AUTH-12\n\nLockout after five failures; audit event added.\n"}).stage()
    assert commit(repo).returncode == 0


def test_tests_required_q001(repo, precommit):
    repo.files({".impl-hooks.toml": "[tests]\nrequired = true\n", "a.py": "x = 1\n"}).commit()
    repo.branch("AUTH-4")
    precommit(["impl-reports"])
    repo.files({"src/new_module.py": "def f():\n    return 1\n"}).stage()
    refused = commit(repo)
    assert "src/new_module.py: Q001 1 source file(s) added without a test file" in refused.out
    repo.files({"tests/test_new_module.py": "def test_f():\n    assert True\n"}).stage()
    assert commit(repo).returncode == 0


def test_approval_gate_opens_only_for_the_approved_tree(repo, precommit, monkeypatch):
    repo.files({".impl-hooks.toml": "[approval]\nrequired = true\n", "a.py": "x = 1\n"}).commit("base")
    repo.branch("AUTH-3")
    precommit(["impl-reports"])
    repo.files({"a.py": "x = 2\n"}).stage()
    refused = commit(repo)
    assert "H001 the staged tree" in refused.out
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["approve"])
    assert result.exit_code == 0 and "approved staged tree" in result.output
    assert "Test" in CliRunner().invoke(main, ["approve", "--show"]).output
    repo.files({"a.py": "x = 3\n"}).stage()  # changed after the approval
    assert "H001" in commit(repo).out
    repo.files({"a.py": "x = 2\n"}).stage()  # exactly what was approved
    assert commit(repo).returncode == 0


def test_impl_check_runs_the_step_gates_too(repo, run_hook):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    complete_step_2_2(repo)
    repo.stage()
    code, out, _ = run_hook(check_main, repo.root, "--format", "json")
    assert code == 1
    assert sorted({f["code"] for f in json.loads(out)}) == ["R001"]
