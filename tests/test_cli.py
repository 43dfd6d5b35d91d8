"""The `impl-hooks` command: check, config, start."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from impl_hooks.cli import main

from conftest import PROJECT, phased_plan_repo


def invoke(repo, monkeypatch, *args):
    monkeypatch.chdir(repo.root)
    return CliRunner().invoke(main, list(args))


def test_check_runs_the_hooks_checks(repo, monkeypatch):
    repo.files({"README.md": "# app\n"}).commit("first")
    repo.files({"a.py": "x\n"}).stage()
    result = invoke(repo, monkeypatch, "check", "--format", "json")
    assert result.exit_code == 1
    assert '"code": "B002"' in result.output


def test_check_with_unknown_hook_is_a_usage_error(repo, monkeypatch):
    result = invoke(repo, monkeypatch, "check", "--hook", "impl-nope")
    assert result.exit_code == 2 and "Invalid value for '--hook': 'impl-nope' is not one of" in result.output


def test_check_hook_takes_every_manifest_hook_that_judges_the_snapshot(repo, monkeypatch):
    import yaml

    from impl_hooks.cli import SNAPSHOT_HOOKS

    manifest = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    snapshot_hooks = [h["id"] for h in manifest if h.get("pass_filenames") is False
                      and set(h["stages"]) & {"pre-commit", "pre-push"}]
    assert sorted(snapshot_hooks) == sorted(SNAPSHOT_HOOKS)
    help_text = invoke(repo, monkeypatch, "check", "--help").output
    assert all(hook in help_text for hook in SNAPSHOT_HOOKS)


def test_check_hook_impl_agent_runs_the_agent_pass(repo, monkeypatch):
    repo.files({"README.md": "# app\n"}).commit("first")
    repo.branch("APP-1-x")
    repo.files({"a.py": "x = 1\n"}).stage()
    result = invoke(repo, monkeypatch, "check", "--hook", "impl-agent")
    assert result.exit_code == 0
    assert "A002 (warning) agent pass could not run: no ANTHROPIC_API_KEY set" in result.output.splitlines()


def test_config_prints_the_effective_toml(repo, monkeypatch):
    phased_plan_repo(repo).stage()
    result = invoke(repo, monkeypatch, "config")
    assert result.exit_code == 0
    assert "preset = 'phased-plan'" in result.output
    assert "[[tool.impl-hooks.reports.require]]" in result.output


def test_start_creates_the_issue_branch_and_records_the_issue_keeping_comments(repo, monkeypatch):
    phased_plan_repo(repo, issue="AUTH-1").commit()
    result = invoke(repo, monkeypatch, "start", "AUTH-42", "--title", "Reset password!")
    assert result.exit_code == 0, result.output
    assert repo.git("branch", "--show-current").strip() == "AUTH-42-reset-password"
    text = (repo.root / "backend/app/domains/auth/Context.toml").read_text()
    assert text == ("# what the agent works on\n[context]\n"
                    'current_epic = "E1"\ncurrent_step = "2.2"  # keep in sync\n'
                    'current_domain = "auth"\ncurrent_dev_stage = "implement"\ncurrent_issue = "AUTH-42"\n')


TWO_DOMAINS = {"backend/auth/Context.toml": 'current_step = "1.1"\n',
               "backend/billing/Context.toml": 'current_step = "2.1"\n'}


def test_start_with_several_contexts_and_no_context_option_edits_none(repo, monkeypatch):
    repo.files(TWO_DOMAINS).commit()
    result = invoke(repo, monkeypatch, "start", "AUTH-7")
    assert (result.exit_code, result.output) == (
        2, "impl-hooks: several Context.toml files: name one with --context PATH\n")
    assert repo.git("branch", "--show-current").strip() == "main"
    assert {p: (repo.root / p).read_text() for p in TWO_DOMAINS} == TWO_DOMAINS


def test_start_with_several_contexts_records_the_issue_in_the_root_one(repo, monkeypatch):
    repo.files({**TWO_DOMAINS, "Context.toml": 'current_step = "1.1"\n'}).commit()
    result = invoke(repo, monkeypatch, "start", "AUTH-7")
    assert (result.exit_code, result.output) == (0, (
        "Switched to a new branch 'AUTH-7'\n"
        'Recorded current_issue = "AUTH-7" in Context.toml (commit it with your work)\n'))
    assert (repo.root / "Context.toml").read_text() == 'current_step = "1.1"\ncurrent_issue = "AUTH-7"\n'
    assert {p: (repo.root / p).read_text() for p in TWO_DOMAINS} == TWO_DOMAINS


def test_start_refuses_when_local_changes_would_be_carried(repo, monkeypatch):
    repo.files({"a.py": "x\n"}).commit()
    repo.write("a.py", "changed\n")
    result = invoke(repo, monkeypatch, "start", "AUTH-9")
    assert result.exit_code == 2
    assert "local changes would be carried" in result.output
    assert repo.git("branch", "--show-current").strip() == "main"
    assert (repo.root / "a.py").read_text() == "changed\n"


def test_start_refuses_an_id_the_pattern_does_not_accept(repo, monkeypatch):
    repo.files({"a.py": "x\n"}).commit()
    result = invoke(repo, monkeypatch, "start", "login")
    assert result.exit_code == 2 and "would not match the branch pattern" in result.output


def test_start_refuses_an_existing_branch(repo, monkeypatch):
    repo.files({"a.py": "x\n"}).commit()
    repo.git("branch", "AUTH-3")
    result = invoke(repo, monkeypatch, "start", "AUTH-3")
    assert result.exit_code == 2 and "exists already" in result.output


def test_start_from_a_named_base(repo, monkeypatch):
    repo.files({"a.py": "1\n"}).commit().branch("develop").files({"b.py": "2\n"}).commit()
    repo.git("checkout", "-q", "main")
    result = invoke(repo, monkeypatch, "start", "AUTH-4", "--base", "develop")
    assert result.exit_code == 0, result.output
    assert (repo.root / "b.py").exists()


HOOK_MAINS = ["check_main", "branch_main", "branch_created_main", "commit_msg_main", "prepare_msg_main"]


def test_hook_entry_points_import_neither_click_gitpython_nor_anthropic(repo):
    phased_plan_repo(repo).commit()
    repo.git("checkout", "-q", "-b", "AUTH-12")
    msg = repo.write(".git/MSG", "AUTH-12: x\n")
    code = (
        "import sys\n"
        "from impl_hooks import hooks\n"
        f"for name in {HOOK_MAINS!r}:\n"
        "    argv = [sys.argv[1]] if 'msg' in name else []\n"
        "    getattr(hooks, name)(argv)\n"
        "heavy = sorted(m for m in ('click', 'git', 'anthropic', 'httpx', 'tomlkit') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(msg)], cwd=repo.root, capture_output=True, text=True)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


def test_impl_check_starts_git_before_importing_collections_typing_or_its_checks(repo):
    """Whatever impl-check imports before its first git process delays git: at
    100k files git reading the index is the run's longest wait. (-S: no site
    packages, whose .pth files may import collections themselves.)"""
    phased_plan_repo(repo).commit()
    code = (
        "import os, sys\n"
        "def first(*args, **kwargs):\n"
        "    print(sorted(m for m in ('collections', 'typing', 'subprocess', 'impl_hooks.config',\n"
        "                             'impl_hooks.checks.plan') if m in sys.modules), flush=True)\n"
        "    os._exit(0)\n"
        "os.posix_spawnp = first\n"
        "from impl_hooks.hooks import check_main\n"
        "check_main([])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    out = subprocess.run([sys.executable, "-S", "-c", code], cwd=repo.root, capture_output=True, text=True, env=env)
    assert out.stdout == "[]\n", out.stdout + out.stderr


def test_check_all_files_audits_the_whole_index(repo, monkeypatch):
    repo.files({"CLAUDE.md": "## Project Structure\n\n- `src/`\n  - `api.py`\n  - `gone.py`\n",
                "src/api.py": "def handler():\n    pass\n"}).commit()
    repo.branch("AUTH-1")
    result = invoke(repo, monkeypatch, "check", "--all-files", "--format", "json")
    codes = sorted(f["code"] for f in json.loads(result.output))
    assert result.exit_code == 1
    assert codes == ["S003", "X001"]  # nothing is staged, yet the drift and the stub are found
    assert invoke(repo, monkeypatch, "check").exit_code == 0
