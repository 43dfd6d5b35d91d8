"""Every hook id of .pre-commit-hooks.yaml, through real pre-commit and real git: the
whole output of each refusal, and only the hooks' own lines on each pass."""
from __future__ import annotations

import subprocess

from conftest import commit, hook_failed, hook_lines, phased_plan_repo

PATTERN = r"^(?:[a-z]+/)?(?P<issue>[A-Z][A-Z0-9]+-\d+)(?:[-_/].+)?$"


def passed(*titles: str) -> list:
    return [title.ljust(73, ".") + "Passed" for title in titles]


def hooks_said(proc) -> list:
    """The hooks' status lines of a commit that went through (git's own summary left out)."""
    return [line for line in proc.lines if line.endswith(("Passed", "Failed", "Skipped"))]


def test_impl_check_refuses_a_commit_on_main_then_allows_it_on_an_issue_branch(repo, precommit):
    repo.files({"README.md": "# app\n"}).commit("first")
    precommit(["impl-check"])
    repo.files({"a.py": "x = 1\n"}).stage()
    refused = commit(repo)
    assert (refused.returncode, refused.lines) == (1, hook_failed(
        "impl-hooks (all checks)", "impl-check",
        "B002 commit on protected branch 'main'",
        "  hint: commit on a branch named after the issue: impl-hooks start ISSUE-ID, or git switch -c ISSUE-ID "
        "to take the staged changes along"))
    repo.git("checkout", "-q", "-b", "AUTH-1-start")
    done = commit(repo)
    assert (done.returncode, hooks_said(done)) == (0, passed("impl-hooks (all checks)"))


def test_impl_branch_on_pre_commit_and_pre_push(repo, precommit, tmp_path):
    precommit(["impl-branch"], hook_types=["pre-commit", "pre-push"])
    repo.files({"a.py": "x = 1\n"}).stage()
    repo.git("checkout", "-q", "-b", "wip")
    said = hook_failed("impl-hooks branch name", "impl-branch",
                  "B001 branch 'wip' does not match the branch pattern",
                  f"  hint: rename it after the issue, matching {PATTERN}")
    refused = commit(repo)
    assert (refused.returncode, refused.lines) == (1, said)
    repo.git("commit", "-q", "--no-verify", "-m", "skip the hook")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    push = subprocess.run(["git", "push", str(remote), "wip"], cwd=repo.root, capture_output=True, text=True)
    assert (push.returncode, hook_lines(push.stdout + push.stderr)) == (
        1, [*said, f"error: failed to push some refs to '{remote}'"])


def test_impl_branch_created_warns_with_the_rename_command(repo, precommit):
    phased_plan_repo(repo).commit()
    precommit(["impl-branch-created"], hook_types=["post-checkout"])
    proc = subprocess.run(["git", "checkout", "-b", "login-work"], cwd=repo.root, capture_output=True, text=True)
    assert (proc.returncode, hook_lines(proc.stdout + proc.stderr)) == (1, [
        "Switched to a new branch 'login-work'",
        *hook_failed("impl-hooks new branch name", "impl-branch-created",
                "B001 branch 'login-work' was created, but does not match the branch pattern",
                "  hint: rename it: git branch -m login-work AUTH-12-login-work")])
    assert repo.git("branch", "--show-current").strip() == "login-work"  # git made the branch anyway
    ok = subprocess.run(["git", "checkout", "-b", "AUTH-12-logout"], cwd=repo.root, capture_output=True, text=True)
    assert (ok.returncode, hook_lines(ok.stdout + ok.stderr)) == (0, [
        "Switched to a new branch 'AUTH-12-logout'", *passed("impl-hooks new branch name")])


def test_impl_commit_msg_refuses_a_message_without_the_issue(repo, precommit):
    repo.files({"a.py": "x\n"}).commit()
    repo.git("checkout", "-q", "-b", "AUTH-5-msg")
    precommit(["impl-commit-msg"], hook_types=["commit-msg"])
    repo.files({"b.py": "y\n"}).stage()
    refused = commit(repo, "add b")
    assert (refused.returncode, refused.lines) == (1, hook_failed(
        "impl-hooks message names the issue", "impl-commit-msg",
        ".git/COMMIT_EDITMSG:1: M001 commit message does not name the issue AUTH-5",
        '  hint: start the subject with "AUTH-5: "'))
    done = commit(repo, "AUTH-5: add b")
    assert (done.returncode, hooks_said(done)) == (0, passed("impl-hooks message names the issue"))


def test_impl_prepare_msg_inserts_the_issue_once(repo, precommit):
    repo.files({"a.py": "x\n"}).commit()
    repo.git("checkout", "-q", "-b", "AUTH-6-prep")
    precommit(["impl-prepare-msg", "impl-commit-msg"], hook_types=["prepare-commit-msg", "commit-msg"])
    both = passed("impl-hooks put the issue id in the message", "impl-hooks message names the issue")
    for path, content, message, subject in [("b.py", "y\n", "add b", "AUTH-6: add b"),
                                            ("c.py", "z\n", "AUTH-6: add c", "AUTH-6: add c"),
                                            ("c.py", "zz\n", "fixup! AUTH-6: add c", "fixup! AUTH-6: add c")]:
        repo.files({path: content}).stage()
        done = commit(repo, message)
        assert (done.returncode, hooks_said(done)) == (0, both)
        assert repo.git("log", "-1", "--format=%s").strip() == subject
