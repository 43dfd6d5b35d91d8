"""`impl-hooks install`: plain git hooks, tested with real commits, pushes and checkouts."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from impl_hooks.cli import main
from impl_hooks.install import HOOKS, LEGACY, MARK

from conftest import commit, git, phased_plan_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"


def install(root, monkeypatch, *args: str):
    monkeypatch.chdir(root)
    return CliRunner().invoke(main, ["install", *args])


@pytest.fixture
def phased(repo, monkeypatch):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12-logout")
    result = install(repo.root, monkeypatch)
    assert result.exit_code == 0, result.output
    return repo


def test_installed_hooks_refuse_a_commit_that_skips_the_plan_and_pass_an_honest_one(phased):
    phased.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    refused = commit(phased)
    assert refused.returncode == 1 and f"{PLAN}:53: P001 code staged for step 2.2" in refused.out
    phased.replace(PLAN, "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    phased.stage()
    assert commit(phased, "purge sessions").returncode == 0
    assert git(phased.root, "log", "-1", "--format=%s").strip() == "AUTH-12: purge sessions"  # prepare-commit-msg


def test_hooks_run_with_a_path_that_lacks_the_environment(phased):
    phased.files({"backend/app/domains/auth/jobs.py": "x = 1\n"}).stage()
    proc = subprocess.run(["git", "commit", "-m", "x"], cwd=phased.root, capture_output=True, text=True,
                          env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1 and "P001" in proc.stdout + proc.stderr


def test_post_checkout_names_a_badly_named_new_branch(phased):
    proc = subprocess.run(["git", "checkout", "-b", "feature-x"], cwd=phased.root, capture_output=True, text=True)
    assert "B001 branch 'feature-x' was created, but does not match" in proc.stdout + proc.stderr


def test_pre_push_checks_the_pushed_commits(phased, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    phased.git("remote", "add", "origin", str(remote))
    phased.files({"backend/app/domains/auth/jobs.py": "x = 1\n"}).commit("skips the plan")
    proc = subprocess.run(["git", "push", "-q", "origin", "AUTH-12-logout"], cwd=phased.root,
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "P001" in proc.stdout + proc.stderr
    assert git(remote, "branch", "--list").strip() == ""


def test_an_existing_hook_runs_first_and_uninstall_restores_it(repo, monkeypatch):
    hooks = repo.root / ".git" / "hooks"
    (hooks / "commit-msg").write_text("#!/bin/sh\necho mine >> \"$(git rev-parse --git-dir)/ran\"\n")
    (hooks / "commit-msg").chmod(0o755)
    result = install(repo.root, monkeypatch)
    assert f"installed commit-msg (the hook that was there runs first: commit-msg{LEGACY})" in result.output
    repo.files({"a.txt": "a\n"}).stage()
    assert commit(repo, "first").returncode == 0
    assert (repo.root / ".git" / "ran").read_text() == "mine\n"
    result = install(repo.root, monkeypatch, "--uninstall")
    assert "removed commit-msg, restored the hook that was there" in result.output
    assert (hooks / "commit-msg").read_text().startswith("#!/bin/sh\necho mine")
    assert sorted(p.name for p in hooks.iterdir() if not p.name.endswith(".sample")) == ["commit-msg"]


def test_core_hooks_path_is_honoured(repo, monkeypatch):
    repo.git("config", "core.hooksPath", ".githooks")
    install(repo.root, monkeypatch)
    assert sorted(os.listdir(repo.root / ".githooks")) == sorted(HOOKS)
    assert not (repo.root / ".git" / "hooks" / "pre-commit").exists()


def test_a_linked_worktree_uses_the_shared_hooks(phased, tmp_path, monkeypatch):
    worktree = tmp_path / "wt"
    phased.git("worktree", "add", "-q", "-b", "AUTH-13-other", str(worktree))
    install(worktree, monkeypatch, "--uninstall")
    assert not (phased.root / ".git" / "hooks" / "pre-commit").exists()
    install(worktree, monkeypatch)
    assert MARK in (phased.root / ".git" / "hooks" / "pre-commit").read_text()
    (worktree / "backend/app/domains/auth/jobs.py").write_text("x = 1\n")
    git(worktree, "add", "-A")
    proc = subprocess.run(["git", "commit", "-m", "x"], cwd=worktree, capture_output=True, text=True)
    assert proc.returncode == 1 and "P001" in proc.stdout + proc.stderr


def test_pre_commit_hooks_are_kept_unless_forced(repo, monkeypatch):
    repo.files({".pre-commit-config.yaml": (
        "repos:\n-   repo: local\n    hooks:\n    -   id: mark\n        name: mark\n"
        "        entry: touch pre-commit-ran\n        language: system\n        pass_filenames: false\n"
        "        always_run: true\n")}).commit("config")
    repo.branch("AUTH-1-both")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo.root, check=True, capture_output=True)
    result = install(repo.root, monkeypatch)
    assert result.exit_code == 2
    assert "pre-commit's hook: run 'pre-commit uninstall' first, or 'impl-hooks install --force'" in result.output
    assert MARK not in (repo.root / ".git" / "hooks" / "pre-commit").read_text()
    assert install(repo.root, monkeypatch, "--force").exit_code == 0
    repo.files({"a.txt": "a\n"}).stage()
    done = commit(repo, "with both")
    assert done.returncode == 0, done.out
    assert (repo.root / "pre-commit-ran").exists()  # pre-commit's script still runs, before ours


def test_a_hook_whose_environment_is_gone_says_what_to_do(phased):
    hook = phased.root / ".git" / "hooks" / "pre-commit"
    hook.write_text(hook.read_text().replace("exe=", "exe=/nonexistent/venv/bin/impl-check #", 1))
    phased.files({"a.txt": "a\n"}).stage()
    refused = commit(phased)
    assert refused.returncode == 1
    assert "impl-hooks: /nonexistent/venv/bin/impl-check is gone" in refused.out
    assert "run 'impl-hooks install' from the environment you use now" in refused.out
