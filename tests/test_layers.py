"""Data flows one way: checks read the plan layer (plan.progress), never another
check; each answer is computed once a run; defaults are defined once."""
from __future__ import annotations

import ast
import dataclasses
import sys

from conftest import PROJECT, phased_plan_repo
from impl_hooks.agent.settings import AgentSettings
from impl_hooks.checks import sources, stubs
from impl_hooks.config import BASE
from impl_hooks.plan import progress
from impl_hooks.runner import DETERMINISTIC, run_checks
from impl_hooks.snapshot import Repo as GitRepo
from impl_hooks.snapshot import Snapshot

PLAN = "docs/Phase2/6.1_implementation_plan.md"
CHECKS = PROJECT / "impl_hooks" / "checks"


def staged(repo) -> Snapshot:
    return Snapshot.staged(GitRepo.discover(str(repo.root)))


def test_no_check_imports_another_check():
    imports: set = set()
    for path in sorted(CHECKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [alias.name for alias in node.names]
                imports.update({(path.stem, name) for name in names if name in DETERMINISTIC})
    assert imports == set()


def complete_step_2_2(repo):
    for task in ("2. Background job removes expired sessions", "3. Document the session lifetime in `docs/auth.md`",
                 "### Step 2.2: Logout and session expiry"):
        repo.replace(PLAN, task, task + " ✅ **COMPLETED**")
    repo.files({"docs/auth.md": "# Sessions\n",
                "backend/app/domains/auth/jobs.py": "def purge(s):\n    return s  # TODO(step 2.2): batch\n"})
    return repo.stage()


def test_each_check_alone_reports_what_it_reports_beside_the_others(repo):
    phased_plan_repo(repo).commit("base").branch("AUTH-12")
    complete_step_2_2(repo)
    together = run_checks(staged(repo), DETERMINISTIC)
    alone = [f for name in reversed(DETERMINISTIC) for f in run_checks(staged(repo), [name])]
    assert sorted(alone, key=repr) == sorted(together, key=repr)
    assert sorted(f.code for f in together) == ["R001", "R001", "T001"]


def test_the_plan_change_is_computed_once_a_run_for_every_check_that_asks(repo, monkeypatch):
    phased_plan_repo(repo).commit("base").branch("AUTH-12")
    complete_step_2_2(repo)
    made = []
    monkeypatch.setattr(progress, "PlanChange", _counting(progress.PlanChange, made))
    run_checks(staged(repo), DETERMINISTIC)
    assert [args[1].path for args in made] == [PLAN]


def _counting(cls, made: list):
    def make(*args):
        made.append(args)
        return cls(*args)
    return make


def test_the_stub_detector_is_not_loaded_for_a_commit_without_source_files(repo, monkeypatch):
    repo.files({"README.md": "# x\n"}).commit("base").branch("AUTH-12")
    repo.files({"docs/notes.md": "def f():\n    pass\n"}).stage()
    monkeypatch.delitem(sys.modules, "impl_hooks.checks.stubs")
    assert run_checks(staged(repo), ["sources"]) == []
    assert "impl_hooks.checks.stubs" not in sys.modules
    assert sources.STUB_SUFFIXES == stubs.PYTHON_SUFFIXES + stubs.JS_SUFFIXES


def test_agent_settings_default_to_the_config_defaults():
    assert dataclasses.asdict(AgentSettings()) == BASE["agent"]
    assert AgentSettings.from_config({}) == AgentSettings()
