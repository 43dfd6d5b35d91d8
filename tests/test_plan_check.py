"""Plan rules P001-P005, in-process through impl-plan's main (the whole output) or
its checks (the whole finding list); one real `git commit` per layout under pre-commit."""
from __future__ import annotations

import json
import re

import pytest

from impl_hooks.hooks import check_main, plan_main

from conftest import (check_findings, commit, features_json_repo, fixture, phased_plan_repo, spec_issue_repo,
                      spec_kit_repo)

PLAN = "docs/Phase2/6.1_implementation_plan.md"
CONTEXT = "backend/app/domains/auth/Context.toml"
CHECKBOX_PLAN = "docs/Phase1/6.1_implementation_plan.md"
P003_HINT = "  hint: restore the marker, or reopen the work in a new task instead of unmarking done work"


@pytest.fixture
def phased(repo):
    phased_plan_repo(repo, step="2.2").commit("base")
    return repo.branch("AUTH-12-logout")


def plan(run_hook, repo):
    """impl-plan in-process: (exit code, output lines, stderr)."""
    code, out, err = run_hook(plan_main, repo.root)
    return code, out.splitlines(), err


def test_code_without_plan_update_is_p001_at_the_current_step(phased, run_hook):
    phased.files({"backend/app/domains/auth/logout.py": "def logout():\n    return True\n"}).stage()
    assert plan(run_hook, phased) == (1, [
        f"{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated",
        '  hint: mark the finished task of step 2.2 done, e.g. "Background job removes expired sessions" at '
        f"line 57 (`- [x]` or `✅ **COMPLETED**`), then git add {PLAN}",
    ], "")


def test_marking_a_task_done_lets_the_code_through(phased, run_hook):
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"})
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.stage()
    assert plan(run_hook, phased) == (0, [], "")


def test_plan_update_left_in_the_work_tree_is_still_p001(phased):
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    assert check_findings(phased.root, "impl-plan") == [
        f"{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated"]


def test_docs_only_commit_needs_no_plan_progress(phased):
    phased.files({"docs/auth.md": "# Sessions last 24 hours\n"}).stage()
    assert check_findings(phased.root, "impl-plan") == []


def test_current_step_missing_from_the_plan_is_p002(repo, run_hook):
    phased_plan_repo(repo, step="2.9").commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert plan(run_hook, repo) == (1, [
        f"{PLAN}:1: P001 code staged but the plan was not updated",
        f"  hint: mark the finished work done (`- [x]` or `✅ **COMPLETED**`), then git add {PLAN}",
        f"{PLAN}:1: P002 current step 2.9 is not in the plan",
        f"  hint: current_step is set in {CONTEXT}:4; add a heading for 2.9 or fix the context",
    ], "")


def test_plan_file_missing_for_the_phase_is_p002(repo):
    phased_plan_repo(repo, step="3.1")
    (repo.root / "docs/Phase3/6.1_implementation_plan.md").unlink()
    repo.commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "docs/Phase3/6.1_implementation_plan.md: P002 plan docs/Phase3/6.1_implementation_plan.md "
        "is not in the commit"]


def test_removing_a_completed_marker_is_p003(phased, run_hook):
    phased.replace(PLAN, "1. `POST /auth/logout` invalidates the session ✅ **COMPLETED**",
                   "1. `POST /auth/logout` invalidates the session")
    phased.stage()
    assert plan(run_hook, phased) == (1, [
        f'{PLAN}:56: P003 completed marker removed from task "`POST /auth/logout` invalidates the session"',
        P003_HINT,
    ], "")


def test_unticking_a_checked_box_is_p003_at_its_line(repo, run_hook):
    repo.files({"Context.toml": 'current_step = "1.2"\n', CHECKBOX_PLAN: fixture("plans/checkbox_plan_crlf.md")})
    repo.commit("base").branch("PAY-1")
    repo.replace(CHECKBOX_PLAN, "- [x] `POST /billing/checkout`", "- [ ] `POST /billing/checkout`").stage()
    assert plan(run_hook, repo) == (1, [
        f'{CHECKBOX_PLAN}:27: P003 completed marker removed from task "`POST /billing/checkout` creates a Stripe '
        'checkout session"',
        P003_HINT,
    ], "")


def test_completing_a_step_with_open_tasks_is_p004(phased, run_hook):
    phased.replace(PLAN, "### Step 2.2: Logout and session expiry",
                   "### Step 2.2: Logout and session expiry ✅ **COMPLETED**")
    phased.stage()
    assert plan(run_hook, phased) == (1, [
        f'{PLAN}:53: P004 step 2.2 marked completed with 2 open tasks (first: "Background job removes expired '
        'sessions" at line 57)',
        "  hint: finish and mark its tasks done, or remove the completed marker from the heading",
    ], "")
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.stage()
    assert check_findings(phased.root, "impl-plan") == [
        f'{PLAN}:53: P004 step 2.2 marked completed with 1 open task (first: "Document the session lifetime in '
        '`docs/auth.md`" at line 58)']


def test_completing_a_later_step_is_p005(phased, run_hook):
    phased.replace(PLAN, "1. Reset token model and email template", "1. Reset token model and email template ✅")
    phased.stage()
    assert plan(run_hook, phased) == (1, [
        f'{PLAN}:68: P005 task "Reset token model and email template" completed, but the current step is 2.2',
        "  hint: finish step 2.2 first, or move current_step on in the context",
    ], "")


def test_step_complete_requires_the_current_step_marked(phased):
    phased.files({".impl-hooks.toml": "[plan]\nrequire = 'step-complete'\n",
                  "backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"})
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.stage()
    assert check_findings(phased.root, "impl-plan") == [
        f"{PLAN}:53: P001 code staged for step 2.2 but the step is not marked completed"]


def test_require_off_disables_the_plan_rules(phased):
    phased.files({".impl-hooks.toml": "[plan]\nrequire = 'off'\n",
                  "backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert check_findings(phased.root, "impl-plan") == []


def test_a_step_prefix_in_the_context_is_read_as_the_step_number(repo):
    phased_plan_repo(repo, step="2.2").replace(CONTEXT, 'current_step = "2.2"', 'current_step = "Step 2.2"')
    repo.commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        f"{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated"]


def test_a_step_whose_phase_is_not_a_number_is_looked_for_in_every_phase_plan(repo):
    phased_plan_repo(repo, step="2.2").replace(CONTEXT, 'current_step = "2.2"', 'current_step = "A.1"')
    repo.commit("base").branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        f"{PLAN}:1: P001 code staged but the plan was not updated",
        f"{PLAN}:1: P002 current step A.1 is not in the plan"]


def test_checkbox_plan_with_crlf_and_front_matter(repo, run_hook):
    repo.files({"Context.toml": 'current_step = "1.2"\n', CHECKBOX_PLAN: fixture("plans/checkbox_plan_crlf.md")})
    repo.commit().branch("PAY-1")
    repo.files({"src/billing.py": "x = 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        f"{CHECKBOX_PLAN}:25: P001 code staged for step 1.2 but the plan was not updated"]
    repo.replace(CHECKBOX_PLAN, "- [ ] E2E test against the Stripe CLI", "- [x] E2E test against the Stripe CLI")
    repo.stage()
    assert plan(run_hook, repo) == (0, [], "")


def test_spec_issue_branch_for_an_issue_no_spec_holds_is_p002(repo):
    spec_issue_repo(repo).commit("base")
    repo.branch("AUTH-99")
    repo.files({"src/auth/x.py": "x = 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "docs/specs/auth.md:1: P001 code staged but the plan was not updated",
        "docs/specs/auth.md:1: P002 current issue AUTH-99 is not in the plan"]


def test_features_json_needs_a_feature_moved_to_done_or_partial(repo):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"src/discount.py": "def apply():\n    return 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "artifacts/checkout-v2-implement/features.json:1: P001 code staged but the plan was not updated"]
    repo.replace("artifacts/checkout-v2-implement/features.json", '"status": "planned"', '"status": "partial", '
                 '"reason": "expiry only"')
    repo.stage()
    assert check_findings(repo.root, "impl-plan") == []


def test_a_partial_feature_going_back_to_planned_is_p003(repo):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    repo.replace("artifacts/checkout-v2-implement/features.json", '"status": "partial"', '"status": "planned"')
    repo.stage()
    assert check_findings(repo.root, "impl-plan") == [
        'artifacts/checkout-v2-implement/features.json:7: P003 feature F3 went back from "partial" to "planned"']


def test_spec_kit_feature_branch_ticks_its_tasks(repo):
    spec_kit_repo(repo).commit("base")
    repo.branch("001-photo-albums")
    repo.files({"src/db/albums.ts": "export const albums = [1];\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "specs/001-photo-albums/tasks.md:1: P001 code staged but the plan was not updated"]
    repo.replace("specs/001-photo-albums/tasks.md", "- [ ] T005", "- [X] T005")
    repo.stage()
    assert check_findings(repo.root, "impl-plan") == []


def test_status_shows_context_tasks_progress_and_blockers(repo, monkeypatch):
    from click.testing import CliRunner

    from impl_hooks.cli import main
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    monkeypatch.chdir(repo.root)
    text = CliRunner().invoke(main, ["status"]).output
    assert "step 2.2 · domain auth · dev stage implement · issue AUTH-12 · branch AUTH-12" in text
    assert "  ✓ `POST /auth/logout` invalidates the session" in text
    assert "  ✗ Background job removes expired sessions" in text
    assert re.search(r"^  Phase 1 +██████████  5/5 tasks$", text, re.M)
    assert re.search(r"^    Step 2.2 +███░░░░░░░  1/3 tasks$", text, re.M)
    assert "P001 code staged for step 2.2" in text
    data = json.loads(CliRunner().invoke(main, ["status", "--format", "json"]).output)
    assert data["plans"][0]["current"]["id"] == "2.2"
    assert [f["code"] for f in data["blocking"]] == ["P001"]


def test_impl_check_includes_the_plan_rules(repo, run_hook):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    code, out, _ = run_hook(check_main, repo.root, "--format", "json")
    assert (code, [f["code"] for f in json.loads(out)]) == (1, ["P001"])


def test_context_without_a_step_judges_progress_in_every_phase_plan(repo):
    phased_plan_repo(repo, step="2.2")
    repo.files({CONTEXT: '[context]\ncurrent_issue = "AUTH-12"\n'}).commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [f"{PLAN}:1: P001 code staged but the plan was not updated"]
    repo.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    repo.stage()
    assert check_findings(repo.root, "impl-plan") == []


def test_a_plan_path_named_by_the_context_s_domain(repo):
    phased_plan_repo(repo, step="2.2")
    repo.files({".impl-hooks.toml": "[plan]\npaths = ['docs/{domain}/plan.md']\n",
                "docs/auth/plan.md": fixture("plans/6.1_implementation_plan.md")}).commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "docs/auth/plan.md:53: P001 code staged for step 2.2 but the plan was not updated"]


def test_plan_current_in_config_names_the_step_without_a_context(repo):
    repo.files({".impl-hooks.toml": "preset = 'none'\n[plan]\npaths = ['PLAN.md']\ncurrent = '2.3'\n",
                "PLAN.md": fixture("plans/6.1_implementation_plan.md")}).commit("base")
    repo.branch("AUTH-1")
    repo.files({"src/reset.py": "def reset():\n    return 1\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "PLAN.md:65: P001 code staged for step 2.3 but the plan was not updated"]


# -- through real pre-commit: one commit per layout --------------------------------


def test_phased_plan_through_a_real_commit(phased, precommit):
    precommit(["impl-plan"])
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    refused = commit(phased)
    assert (refused.returncode, refused.lines) == (1, [
        "impl-hooks plan progress.................................................Failed",
        "- hook id: impl-plan",
        "- exit code: 1",
        "",
        f"{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated",
        '  hint: mark the finished task of step 2.2 done, e.g. "Background job removes expired sessions" at '
        f"line 57 (`- [x]` or `✅ **COMPLETED**`), then git add {PLAN}",
        "",
    ])
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.stage()
    assert commit(phased).returncode == 0


def test_spec_issue_branch_must_tick_its_issue(repo, precommit):
    spec_issue_repo(repo).commit("base")
    repo.branch("AUTH-12-login")
    precommit(["impl-plan"])
    repo.files({"src/auth/lockout.py": "LIMIT = 5\n"}).stage()
    refused = commit(repo)
    assert (refused.returncode, refused.lines) == (1, [
        "impl-hooks plan progress.................................................Failed",
        "- hook id: impl-plan",
        "- exit code: 1",
        "",
        "docs/specs/auth.md:29: P001 code staged for issue AUTH-12 but the plan was not updated",
        '  hint: mark the finished task of issue AUTH-12 done, e.g. "Five failures lock the account for 15 '
        'minutes" at line 35 (`- [x]` or `✅ **COMPLETED**`), then git add docs/specs/auth.md',
        "",
    ])
    repo.replace("docs/specs/auth.md", "- [ ] Five failures lock", "- [x] Five failures lock")
    repo.stage()
    assert commit(repo).returncode == 0
