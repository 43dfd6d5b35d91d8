"""Whole-check robustness: whatever bytes a user stages as a plan, a Context.toml,
a CLAUDE.md, a features.json or a report, the checks answer with findings or one
C001 line, never a crash."""
from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impl_hooks.errors import ConfigError
from impl_hooks.runner import HOOK_CHECKS, run_checks
from impl_hooks.snapshot import Repo as GitRepo
from impl_hooks.snapshot import Snapshot

from conftest import Repo, git, phased_plan_repo

markdownish = st.lists(st.sampled_from([
    "# Phase 1", "## Phase 2", "### Step 2.2: x ✅", "### Step 2.2", "- [ ] task", "- [x] done", "1. item ✅",
    "Status: Done", "```", "~~~", "<!--", "-->", "├── app/", "│   └── x.py  # c", "- `src/`", "  - `a.py`",
    "...", "## Project Structure", "", "\t- [X] T001 thing", "{{fill}}", "TODO(step 2.2)",
]) | st.text(max_size=40), max_size=40).map("\n".join)
payloads = st.one_of(st.binary(max_size=300), markdownish.map(lambda t: t.encode("utf-8", "surrogatepass")))

TARGETS = ["docs/Phase2/6.1_implementation_plan.md", "backend/CLAUDE.md",
           "backend/app/domains/auth/Context.toml", "docs/Phase2/Steps/2.2/6.2_implementation_report.md",
           "artifacts/t-implement/features.json", "backend/app/domains/auth/code.py"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("robust") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    repo = Repo(root)
    phased_plan_repo(repo, step="2.2")
    repo.files({"backend/CLAUDE.md": "## Project Structure\n\n```\nbackend/\n└── app/\n```\n",
                "artifacts/t-design/features.json": '{"features": [{"id": "F1", "name": "x", "status": "planned"}]}'})
    repo.commit("base")
    repo.branch("AUTH-12")
    return repo


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(TARGETS), data=payloads)
def test_any_staged_bytes_give_findings_or_one_config_error(base, target, data):
    base.write(target, data)
    base.write("backend/app/domains/auth/new.py", "def f():\n    return 1\n")
    subprocess.run(["git", "add", "-A"], cwd=base.root, check=True)
    try:
        snapshot = Snapshot.staged(GitRepo.discover(str(base.root)))
        findings = run_checks(snapshot, HOOK_CHECKS["impl-check"])
    except ConfigError as exc:
        assert str(exc).count("\n") == 0 and "C001" in str(exc)
    else:
        assert all(f.code and f.message for f in findings)
    finally:
        subprocess.run(["git", "reset", "-q", "--hard"], cwd=base.root, check=True)
