"""Plan rules P001-P005 through real `git commit` with impl-plan installed by pre-commit."""
from __future__ import annotations

import json
import re

import pytest

from impl_hooks.hooks import check_main, plan_main

from conftest import commit, features_json_repo, phased_plan_repo, spec_issue_repo, spec_kit_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"


@pytest.fixture
def phased(repo, precommit):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12-logout")
    precommit(["impl-plan"])
    return repo


def test_code_without_plan_update_is_p001_at_the_current_step(phased):
    phased.files({"backend/app/domains/auth/logout.py": "def logout():\n    return True\n"}).stage()
    refused = commit(phased)
    assert refused.returncode == 1
    assert f"{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated" in refused.out
    assert 'e.g. "Background job removes expired sessions" at line 57' in refused.out


def test_marking_a_task_done_lets_the_code_through(phased):
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"})
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.stage()
    assert commit(phased).returncode == 0


def test_plan_update_left_in_the_work_tree_is_still_p001(phased):
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    refused = commit(phased)
    assert refused.returncode == 1 and "P001" in refused.out


def test_docs_only_commit_needs_no_plan_progress(phased):
    phased.files({"docs/auth.md": "# Sessions last 24 hours\n"}).stage()
    assert commit(phased).returncode == 0


def test_current_step_missing_from_the_plan_is_p002(repo, precommit):
    phased_plan_repo(repo, step="2.9").commit("base")
    repo.branch("AUTH-12")
    precommit(["impl-plan"])
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    refused = commit(repo)
    assert f"{PLAN}:1: P002 current step 2.9 is not in the plan" in refused.out
    assert "current_step is set in backend/app/domains/auth/Context.toml:4" in refused.out


def test_plan_file_missing_for_the_phase_is_p002(repo, precommit):
    phased_plan_repo(repo, step="3.1")
    (repo.root / "docs/Phase3/6.1_implementation_plan.md").unlink()
    repo.commit("base")
    repo.branch("AUTH-12")
    precommit(["impl-plan"])
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    refused = commit(repo)
    assert "docs/Phase3/6.1_implementation_plan.md: P002 plan docs/Phase3/6.1_implementation_plan.md is not in the commit" in refused.out


def test_removing_a_completed_marker_is_p003(phased):
    phased.replace(PLAN, "1. `POST /auth/logout` invalidates the session ✅ **COMPLETED**",
         "1. `POST /auth/logout` invalidates the session")
    phased.stage()
    refused = commit(phased)
    assert refused.returncode == 1
    assert f'{PLAN}:56: P003 completed marker removed from task "`POST /auth/logout` invalidates the session"' in refused.out


def test_completing_a_step_with_open_tasks_is_p004(phased):
    phased.replace(PLAN, "### Step 2.2: Logout and session expiry", "### Step 2.2: Logout and session expiry ✅ **COMPLETED**")
    phased.stage()
    refused = commit(phased)
    assert f"{PLAN}:53: P004 step 2.2 marked completed with 2 open tasks" in refused.out


def test_completing_a_later_step_is_p005(phased):
    phased.replace(PLAN, "1. Reset token model and email template", "1. Reset token model and email template ✅")
    phased.stage()
    refused = commit(phased)
    assert refused.returncode == 1
    assert f'{PLAN}:68: P005 task "Reset token model and email template" completed, but the current step is 2.2' in refused.out


def test_step_complete_requires_the_current_step_marked(phased):
    phased.files({".impl-hooks.toml": "[plan]\nrequire = 'step-complete'\n",
                  "backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"})
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.stage()
    refused = commit(phased)
    assert "P001 code staged for step 2.2 but the step is not marked completed" in refused.out


def test_require_off_disables_the_plan_rules(phased):
    phased.files({".impl-hooks.toml": "[plan]\nrequire = 'off'\n",
                  "backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    assert commit(phased).returncode == 0


def test_checkbox_plan_with_crlf_and_front_matter(repo, run_hook):
    from conftest import fixture
    repo.files({"Context.toml": 'current_step = "1.2"\n',
                "docs/Phase1/6.1_implementation_plan.md": fixture("plans/checkbox_plan_crlf.md")}).commit()
    repo.branch("PAY-1")
    repo.files({"src/billing.py": "x = 1\n"}).stage()
    code, out, _ = run_hook(plan_main, repo.root)
    assert code == 1 and "P001 code staged for step 1.2" in out
    repo.replace("docs/Phase1/6.1_implementation_plan.md", "- [ ] E2E test against the Stripe CLI",
         "- [x] E2E test against the Stripe CLI")
    repo.stage()
    assert run_hook(plan_main, repo.root)[0] == 0


def test_spec_issue_branch_must_tick_its_issue(repo, precommit):
    spec_issue_repo(repo).commit("base")
    repo.branch("AUTH-12-login")
    precommit(["impl-plan"])
    repo.files({"src/auth/lockout.py": "LIMIT = 5\n"}).stage()
    refused = commit(repo)
    assert "docs/specs/auth.md:29: P001 code staged for issue AUTH-12 but the plan was not updated" in refused.out
    repo.replace("docs/specs/auth.md", "- [ ] Five failures lock", "- [x] Five failures lock")
    repo.stage()
    assert commit(repo).returncode == 0


def test_spec_issue_branch_for_an_issue_no_spec_holds_is_p002(repo, precommit):
    spec_issue_repo(repo).commit("base")
    repo.branch("AUTH-99")
    precommit(["impl-plan"])
    repo.files({"src/auth/x.py": "x = 1\n"}).stage()
    refused = commit(repo)
    assert "P002 current issue AUTH-99 is not in the plan" in refused.out


def test_features_json_needs_a_feature_moved_to_done_or_partial(repo, precommit):
    features_json_repo(repo).commit("base")
    repo.branch("CHK-2")
    precommit(["impl-plan"])
    repo.files({"src/discount.py": "def apply():\n    return 1\n"}).stage()
    refused = commit(repo)
    assert "artifacts/checkout-v2-implement/features.json:1: P001 code staged but the plan was not updated" in refused.out
    repo.replace("artifacts/checkout-v2-implement/features.json", '"status": "planned"', '"status": "done"')
    repo.stage()
    assert commit(repo).returncode == 0


def test_spec_kit_feature_branch_ticks_its_tasks(repo, precommit):
    spec_kit_repo(repo).commit("base")
    repo.branch("001-photo-albums")
    precommit(["impl-plan"])
    repo.files({"src/db/albums.ts": "export const albums = [1];\n"}).stage()
    refused = commit(repo)
    assert "specs/001-photo-albums/tasks.md:1: P001 code staged but the plan was not updated" in refused.out
    repo.replace("specs/001-photo-albums/tasks.md", "- [ ] T005", "- [X] T005")
    repo.stage()
    assert commit(repo).returncode == 0


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
    assert [f["code"] for f in json.loads(out)] == ["P001"]


def test_context_without_a_step_judges_progress_in_every_phase_plan(repo, run_hook):
    phased_plan_repo(repo, step="2.2")
    repo.files({"backend/app/domains/auth/Context.toml": '[context]\ncurrent_issue = "AUTH-12"\n'}).commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/x.py": "x = 1\n"}).stage()
    code, out, _ = run_hook(plan_main, repo.root)
    assert code == 1 and f"{PLAN}:1: P001 code staged but the plan was not updated" in out
    repo.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    repo.stage()
    assert run_hook(plan_main, repo.root)[0] == 0


def test_plan_current_in_config_names_the_step_without_a_context(repo, run_hook):
    from conftest import fixture
    repo.files({".impl-hooks.toml": "preset = 'none'\n[plan]\npaths = ['PLAN.md']\ncurrent = '2.3'\n",
                "PLAN.md": fixture("plans/6.1_implementation_plan.md")}).commit("base")
    repo.branch("AUTH-1")
    repo.files({"src/reset.py": "def reset():\n    return 1\n"}).stage()
    code, out, _ = run_hook(plan_main, repo.root)
    assert code == 1 and "PLAN.md:65: P001 code staged for step 2.3 but the plan was not updated" in out
