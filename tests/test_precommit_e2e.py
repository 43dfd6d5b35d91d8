"""Every hook id of .pre-commit-hooks.yaml, through real pre-commit and real git."""
from __future__ import annotations

import subprocess

from conftest import commit, phased_plan_repo


def test_impl_check_refuses_a_commit_on_main_then_allows_it_on_an_issue_branch(repo, precommit):
    repo.files({"README.md": "# app\n"}).commit("first")
    precommit(["impl-check"])
    repo.files({"a.py": "x = 1\n"}).stage()
    refused = commit(repo)
    assert refused.returncode == 1
    assert "B002 commit on protected branch 'main'" in refused.out
    repo.git("checkout", "-q", "-b", "AUTH-1-start")
    assert commit(repo).returncode == 0


def test_impl_branch_on_pre_commit_and_pre_push(repo, precommit, tmp_path):
    precommit(["impl-branch"], hook_types=["pre-commit", "pre-push"])
    repo.files({"a.py": "x = 1\n"}).stage()
    repo.git("checkout", "-q", "-b", "wip")
    refused = commit(repo)
    assert refused.returncode == 1 and "B001 branch 'wip'" in refused.out
    repo.git("commit", "-q", "--no-verify", "-m", "skip the hook")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    push = subprocess.run(["git", "push", str(remote), "wip"], cwd=repo.root, capture_output=True, text=True)
    assert push.returncode != 0
    assert "B001 branch 'wip'" in push.stdout + push.stderr


def test_impl_branch_created_warns_with_the_rename_command(repo, precommit):
    phased_plan_repo(repo).commit()
    precommit(["impl-branch-created"], hook_types=["post-checkout"])
    proc = subprocess.run(["git", "checkout", "-b", "login-work"], cwd=repo.root, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "git branch -m login-work AUTH-12-login-work" in proc.stdout + proc.stderr
    assert repo.git("branch", "--show-current").strip() == "login-work"  # git made the branch anyway
    ok = subprocess.run(["git", "checkout", "-b", "AUTH-12-logout"], cwd=repo.root, capture_output=True, text=True)
    assert ok.returncode == 0 and "B001" not in ok.stdout + ok.stderr


def test_impl_commit_msg_refuses_a_message_without_the_issue(repo, precommit):
    repo.files({"a.py": "x\n"}).commit()
    repo.git("checkout", "-q", "-b", "AUTH-5-msg")
    precommit(["impl-commit-msg"], hook_types=["commit-msg"])
    repo.files({"b.py": "y\n"}).stage()
    refused = commit(repo, "add b")
    assert refused.returncode == 1
    assert "M001 commit message does not name the issue AUTH-5" in refused.out
    assert commit(repo, "AUTH-5: add b").returncode == 0


def test_impl_prepare_msg_inserts_the_issue_once(repo, precommit):
    repo.files({"a.py": "x\n"}).commit()
    repo.git("checkout", "-q", "-b", "AUTH-6-prep")
    precommit(["impl-prepare-msg", "impl-commit-msg"], hook_types=["prepare-commit-msg", "commit-msg"])
    repo.files({"b.py": "y\n"}).stage()
    assert commit(repo, "add b").returncode == 0
    assert repo.git("log", "-1", "--format=%s").strip() == "AUTH-6: add b"
    repo.files({"c.py": "z\n"}).stage()
    assert commit(repo, "AUTH-6: add c").returncode == 0
    assert repo.git("log", "-1", "--format=%s").strip() == "AUTH-6: add c"
    repo.files({"c.py": "zz\n"}).stage()
    assert commit(repo, "fixup! AUTH-6: add c").returncode == 0
    assert repo.git("log", "-1", "--format=%s").strip() == "fixup! AUTH-6: add c"
