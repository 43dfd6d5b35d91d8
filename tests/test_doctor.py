"""`impl-hooks doctor`: one line per item checked, exit 1 when something is off."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from impl_hooks.cli import main
from impl_hooks.doctor import BARE_PATH, FAIL, OK, WARN, diagnose
from impl_hooks.install import LAUNCHER, LAUNCHER_PATH, install, record_environment
from impl_hooks.snapshot import Repo as GitRepo

from conftest import phased_plan_repo

NO_CLAUDE = (WARN, "Claude Code", "no impl-hooks hook in .claude/settings.json (impl-hooks init --claude wires one)")
PHASED = [(OK, "config", "none (defaults) parses"), (OK, "preset", "phased-plan (detected from the files)")]


def items(repo, only: str = ""):
    found = diagnose(GitRepo.discover(str(repo.root)))
    return [i for i in found if i[1].startswith(only)] if only else found


def hook_items(repo):
    return [i for i in items(repo) if i[1].endswith(" hook")]


@pytest.fixture
def phased(repo):
    phased_plan_repo(repo).commit("base")
    return repo


def test_a_repository_with_nothing_installed_fails_each_stage(phased):
    assert items(phased) == PHASED + [
        (FAIL, f"{stage} hook", f"none in {phased.root / '.git' / 'hooks'}: run 'pre-commit install --hook-type "
         f"{stage}' or 'impl-hooks install'") for stage in ("pre-commit", "commit-msg", "prepare-commit-msg")
    ] + [NO_CLAUDE]


def test_installed_plain_hooks_run(phased):
    install(GitRepo.discover(str(phased.root)))
    assert [(s, i) for s, i, _ in hook_items(phased)] == [
        (OK, "pre-commit hook"), (OK, "commit-msg hook"), (OK, "prepare-commit-msg hook")]


def test_a_plain_hook_whose_environment_is_gone_fails(phased):
    install(GitRepo.discover(str(phased.root)))
    hook = phased.root / ".git/hooks/commit-msg"
    hook.write_text(hook.read_text().replace("exe=", "exe=/gone/bin/impl-commit-msg #", 1))
    assert hook_items(phased)[1][:2] == (FAIL, "commit-msg hook")
    assert "run 'impl-hooks install' again" in hook_items(phased)[1][2]


def test_another_tools_hook_is_a_warning(phased):
    hook = phased.root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    assert hook_items(phased)[0] == (WARN, "pre-commit hook", "another tool's hook: impl-hooks does not run at this "
                                     "stage (impl-hooks install keeps it and runs it first)")


def test_broken_config_fails_and_unstaged_config_warns(phased):
    phased.files({".impl-hooks.toml": "ignore = 3\n"}).stage()
    assert items(phased, "config") == [(FAIL, "config", ".impl-hooks.toml:1: C001 'ignore' must be a list of strings")]
    phased.files({".impl-hooks.toml": 'preset = "spec-kit"\n'}).stage()
    phased.files({".impl-hooks.toml": 'preset = "none"\n'})
    assert items(phased, "config") + items(phased, "preset") == [
        (OK, "config", ".impl-hooks.toml parses"),
        (WARN, "config", ".impl-hooks.toml has unstaged changes: git add .impl-hooks.toml (checks read the staged one)"),
        (OK, "preset", "spec-kit (set in .impl-hooks.toml)")]


def test_no_preset_is_a_warning(repo):
    repo.files({"a.py": "x = 1\n"}).commit("base")
    assert items(repo, "preset") == [
        (WARN, "preset", "none (detected from the files): no plan files found; only explicit config is checked")]


def write_launcher_config(repo, entry: str):
    repo.files({LAUNCHER_PATH: LAUNCHER, ".pre-commit-config.yaml": (
        "repos:\n-   repo: local\n    hooks:\n    -   id: impl-check\n        name: impl-hooks\n"
        f"        entry: {entry}\n        language: system\n")})
    os.chmod(repo.root / LAUNCHER_PATH, 0o755)


def test_launcher_entries_run_once_the_environment_is_recorded(phased):
    write_launcher_config(phased, ".impl-hooks/run impl-check")
    found = items(phased, "hook impl-check")
    assert found[0][:2] == (FAIL, "hook impl-check")
    assert found[0][2].endswith("(run 'impl-hooks init' to record this machine's environment)")
    record_environment(GitRepo.discover(str(phased.root)))
    assert items(phased, "hook impl-check") == [(OK, "hook impl-check", "runs through the launcher")]


def test_a_bare_entry_not_on_a_bare_path_fails(phased):
    write_launcher_config(phased, "impl-check")
    assert items(phased, "hook impl-check") == [
        (FAIL, "hook impl-check", f"not found on PATH={BARE_PATH} (GUI git clients, Claude Code): run "
         "'impl-hooks init --force' to use the launcher")]


def claude_settings(repo, command: str):
    repo.files({".claude/settings.json": json.dumps({"hooks": {"PreToolUse": [
        {"matcher": "Bash", "hooks": [{"type": "command", "command": command}]}]}})})


def test_claude_code_hook_that_runs_is_ok_and_one_that_does_not_fails(phased):
    record_environment(GitRepo.discover(str(phased.root)))
    write_launcher_config(phased, ".impl-hooks/run impl-check")
    claude_settings(phased, '"$CLAUDE_PROJECT_DIR"/.impl-hooks/run impl-claude-hook')
    assert items(phased, "Claude") == [
        (OK, "Claude Code", '.claude/settings.json: "$CLAUDE_PROJECT_DIR"/.impl-hooks/run impl-claude-hook runs')]
    claude_settings(phased, "impl-claude-hook")
    status, _, detail = items(phased, "Claude")[0]
    assert status == FAIL and detail.startswith(f".claude/settings.json: impl-claude-hook fails with PATH={BARE_PATH}")


def test_doctor_exits_1_when_something_fails(phased, monkeypatch):
    monkeypatch.chdir(phased.root)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1 and "FAIL  pre-commit hook: none in" in result.output
