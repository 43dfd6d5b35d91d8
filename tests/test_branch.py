"""Branch rules B001-B004 and the post-checkout warning, through the hook mains."""
from __future__ import annotations

import json

from impl_hooks.hooks import branch_created_main, branch_main, check_main

from conftest import phased_plan_repo


def findings_of(run_hook, main, repo, *argv, env=None):
    code, out, err = run_hook(main, repo.root, "--format", "json", *argv, env=env)
    return code, [f["code"] for f in json.loads(out)] if out.strip() else [], err


def test_commit_on_protected_branch_is_b002(repo, run_hook):
    repo.files({"README.md": "# app\n"}).commit("first")
    repo.files({"a.py": "x = 1\n"}).stage()
    code, codes, _ = findings_of(run_hook, branch_main, repo)
    assert (code, codes) == (1, ["B002"])


def test_protected_patterns_cover_release_branches(repo, run_hook):
    repo.files({"a.py": "x\n"}).commit().branch("release/2.0")
    assert findings_of(run_hook, branch_main, repo)[:2] == (1, ["B002"])


def test_branch_named_after_issue_passes(repo, run_hook):
    repo.files({"a.py": "x\n"}).commit().branch("feat/AUTH-12-login")
    assert findings_of(run_hook, branch_main, repo)[:2] == (0, [])


def test_branch_not_matching_pattern_is_b001_with_rename_hint(repo, run_hook):
    phased_plan_repo(repo).commit().branch("login-work")
    code, out, _ = run_hook(branch_main, repo.root)
    assert code == 1
    assert "B001 branch 'login-work' does not match" in out
    assert "hint: rename it: git branch -m login-work AUTH-12-login-work" in out


def test_exempt_branch_is_not_checked(repo, run_hook):
    repo.files({"a.py": "x\n"}).commit().branch("dependabot/pip/click-8")
    assert findings_of(run_hook, branch_main, repo)[:2] == (0, [])


def test_branch_issue_differing_from_context_issue_is_b003_at_the_context_line(repo, run_hook):
    phased_plan_repo(repo, issue="AUTH-12").commit().branch("AUTH-13-other")
    repo.write("backend/app/domains/auth/models.py", "class User:\n    name = 'y'\n")
    repo.stage()
    code, out, _ = run_hook(branch_main, repo.root)
    assert code == 1
    assert out.startswith("backend/app/domains/auth/Context.toml:7: B003 branch 'AUTH-13-other' is for AUTH-13")


def test_context_issue_comparison_ignores_case(repo, run_hook):
    phased_plan_repo(repo, issue="auth-12").commit().branch("AUTH-12-x")
    assert findings_of(run_hook, branch_main, repo)[:2] == (0, [])


def test_detached_head_during_rebase_uses_the_rebased_branch(repo, run_hook):
    repo.files({"a.txt": "base\n"}).commit()
    repo.branch("bad-name").files({"a.txt": "ours\n"}).commit("ours")
    repo.git("checkout", "-q", "main")
    repo.files({"a.txt": "theirs\n"}).commit("theirs")
    repo.git("checkout", "-q", "bad-name")
    repo.git("rebase", "main", check=False)
    code, codes, _ = findings_of(run_hook, branch_main, repo)
    assert (code, codes) == (1, ["B001"])


def test_detached_head_without_rebase_is_a_b004_warning_not_a_block(repo, run_hook):
    repo.files({"a": "1\n"}).commit().files({"a": "2\n"}).commit()
    repo.git("checkout", "-q", "HEAD~1")
    code, out, _ = run_hook(branch_main, repo.root)
    assert code == 0
    assert "B004 (warning) HEAD is detached" in out


def test_pre_push_checks_the_pushed_branch_and_allows_protected(repo, run_hook):
    repo.files({"a": "1\n"}).commit()
    head = repo.git("rev-parse", "HEAD").strip()
    push = {"PRE_COMMIT_FROM_REF": "0" * 40, "PRE_COMMIT_TO_REF": head,
            "PRE_COMMIT_REMOTE_NAME": "origin", "PRE_COMMIT_REMOTE_URL": "/tmp/x"}
    env = {**push, "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/bad", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/bad"}
    assert findings_of(run_hook, branch_main, repo, env=env)[:2] == (1, ["B001"])
    env = {**push, "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main"}
    assert findings_of(run_hook, branch_main, repo, env=env)[:2] == (0, [])


def test_ignore_in_config_silences_a_code(repo, run_hook):
    repo.files({".impl-hooks.toml": 'ignore = ["B002"]\n', "a.py": "x\n"}).stage()
    assert findings_of(run_hook, check_main, repo)[:2] == (0, [])


def test_custom_pattern_from_pyproject(repo, run_hook):
    repo.files({"pyproject.toml": "[tool.impl-hooks.branch]\npattern = '^(?P<issue>\\d+)-.+$'\n"}).commit()
    repo.branch("42-fix")
    assert findings_of(run_hook, branch_main, repo)[:2] == (0, [])
    repo.branch("AUTH-1-fix")
    assert findings_of(run_hook, branch_main, repo)[:2] == (1, ["B001"])


def test_new_badly_named_branch_prints_the_rename_command(repo, run_hook):
    phased_plan_repo(repo).commit()
    repo.git("checkout", "-q", "-b", "fix-login")
    code, out, _ = run_hook(branch_created_main, repo.root, env={"PRE_COMMIT_CHECKOUT_TYPE": "1"})
    assert code == 1
    assert "B001 branch 'fix-login' was created, but does not match the branch pattern" in out
    assert "git branch -m fix-login AUTH-12-fix-login" in out


def test_switching_to_an_existing_branch_does_not_warn(repo, run_hook):
    repo.files({"a": "1\n"}).commit().branch("old-bad")
    repo.files({"a": "2\n"}).commit()  # the reflog now holds more than the creation
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "old-bad")
    code, out, _ = run_hook(branch_created_main, repo.root, env={"PRE_COMMIT_CHECKOUT_TYPE": "1"})
    assert (code, out) == (0, "")


def test_file_checkout_is_ignored(repo, run_hook):
    repo.files({"a": "1\n"}).commit().branch("bad-new")
    code, out, _ = run_hook(branch_created_main, repo.root, env={"PRE_COMMIT_CHECKOUT_TYPE": "0"})
    assert (code, out) == (0, "")


def test_first_commit_of_a_repository_may_land_on_main(repo, run_hook):
    repo.files({"README.md": "# project\n"}).stage()
    assert findings_of(run_hook, branch_main, repo)[:2] == (0, [])


def test_bare_repository_without_a_range_is_a_usage_error(tmp_path, run_hook):
    from conftest import git
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    code, out, err = run_hook(check_main, bare)
    assert (code, out) == (2, "")
    assert err.startswith("impl-hooks: a bare repository has no index to check")
