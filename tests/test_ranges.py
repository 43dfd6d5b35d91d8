"""Range mode: commits made with --no-verify are caught on push, in CI and on the server."""
from __future__ import annotations

import json
import stat
import subprocess
import sys

from click.testing import CliRunner

from impl_hooks.cli import main
from impl_hooks.hooks import check_main

from conftest import git, hook_failed, hook_lines, phased_plan_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"


def tick(repo, task):
    text = (repo.root / PLAN).read_text()
    repo.write(PLAN, text.replace(task, task + " ✅", 1))


def history(repo):
    """base on main, then three commits on AUTH-12: good, code without plan progress, good."""
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12-work")
    tick(repo, "2. Background job removes expired sessions")
    repo.files({"backend/app/domains/auth/jobs.py": "def purge(s):\n    return s\n"}).commit("AUTH-12: purge")
    repo.files({"backend/app/domains/auth/extra.py": "def more(s):\n    return s\n"}).commit("AUTH-12: sneaky")
    tick(repo, "3. Document the session lifetime")
    repo.files({"backend/app/domains/auth/docs.py": "LIFETIME = 24\n",
                "docs/auth.md": "Sessions live 24 hours.\n"}).commit("AUTH-12: doc")
    return [repo.git("rev-parse", f"HEAD~{n}").strip() for n in (2, 1, 0)]


def test_range_catches_the_commit_made_with_no_verify(repo, monkeypatch):
    good, sneaky, _ = history(repo)
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["check", "--range", "main..HEAD", "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.output)
    assert [(f["code"], f["commit"]) for f in findings] == [("P001", sneaky[:8])]


def test_range_text_names_the_commit(repo, run_hook):
    _, sneaky, _ = history(repo)
    code, out, _ = run_hook(check_main, repo.root, "--range", "main..AUTH-12-work")
    assert code == 1
    assert out.startswith(f"{sneaky[:8]}:{PLAN}:53: P001 code staged for step 2.2")


def test_range_config_comes_from_its_base_not_from_the_commits(repo, run_hook):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/a.py": "a = 1\n"}).commit("no progress, no config")
    repo.files({".impl-hooks.toml": "ignore = ['P001']\n", "backend/app/domains/auth/b.py": "b = 1\n"}).commit("with config")
    code, out, err = run_hook(check_main, repo.root, "--range", "main..HEAD", "--format", "json")
    assert code == 1
    assert [(f["commit"], f["code"]) for f in json.loads(out)] == [
        (repo.git("rev-parse", "--short=8", f"HEAD~{n}").strip(), "P001") for n in (1, 0)]
    assert err == ("impl-hooks: warning: the range changes .impl-hooks.toml; it takes effect once it lands; "
                   "it weakens the checks: ignore adds P001\n")


def test_three_dot_range_is_the_branch_since_its_merge_base_with_that_config(repo, run_hook):
    _, sneaky, _ = history(repo)
    repo.git("checkout", "-q", "main")
    repo.files({".impl-hooks.toml": "ignore = ['P']\n", "backend/app/domains/auth/main.py": "m = 1\n"}).commit("main")
    code, out, _ = run_hook(check_main, repo.root, "--range", "main...AUTH-12-work")
    assert code == 1 and [line for line in out.splitlines() if not line.startswith("  hint:")] == [
        f"{sneaky[:8]}:{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated"]
    assert run_hook(check_main, repo.root, "--range", "main..AUTH-12-work")[:2] == (0, "")


def test_broken_context_in_one_commit_is_c001_for_it_and_the_rest_is_checked(repo, run_hook):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    context = "backend/app/domains/auth/Context.toml"
    good = (repo.root / context).read_text()
    repo.write(context, good.replace('current_epic = "E1"', 'current_epic = "E1'))
    tick(repo, "2. Background job removes expired sessions")
    repo.files({"backend/app/domains/auth/jobs.py": "def purge(s):\n    return s\n"}).commit("AUTH-12: broken")
    broken = repo.git("rev-parse", "--short=8", "HEAD").strip()
    repo.files({"backend/app/domains/auth/more.py": "x = 1\n"}).commit("AUTH-12: still broken")
    repo.files({context: good, "backend/app/domains/auth/extra.py": "y = 1\n"}).commit("AUTH-12: fixed, no progress")
    sneaky = repo.git("rev-parse", "--short=8", "HEAD").strip()
    code, out, err = run_hook(check_main, repo.root, "--range", "main..HEAD")
    assert (code, err) == (1, "")
    assert [line for line in out.splitlines() if not line.startswith("  hint:")] == [
        f"{broken}:{context}:3: C001 invalid TOML: Illegal character '\\n'",
        f"{sneaky}:{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated"]
    assert out.splitlines()[1] == "  hint: fix the file in that commit (git rebase -i), then check again"


def test_base_config_that_does_not_load_is_one_line_naming_the_base(repo, run_hook):
    repo.files({".impl-hooks.toml": "preset = 3\n"}).commit("base")
    base = repo.git("rev-parse", "--short=8", "HEAD").strip()
    repo.branch("AUTH-1").files({"a.py": "x = 1\n"}).commit("AUTH-1: a")
    assert run_hook(check_main, repo.root, "--range", "main..HEAD") == (2, "", (
        f"{base}:.impl-hooks.toml:1: C001 'preset' must be one of phased-plan, spec-issue, features-json, "
        "spec-kit, none (got 3) (the config of the range's base)\n"))


def test_github_format_carries_file_line_and_commit(repo, monkeypatch):
    _, sneaky, _ = history(repo)
    monkeypatch.chdir(repo.root)
    out = CliRunner().invoke(main, ["check", "--range", "main..HEAD", "--format", "github"]).output
    assert out.startswith(f"::error file={PLAN},line=53,title=P001 ")
    assert f"::commit {sneaky[:8]}: code staged" in out


def test_bad_range_is_a_usage_error(repo, monkeypatch):
    repo.files({"a": "1\n"}).commit()
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["check", "--range", "nope..HEAD"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_push_through_pre_commit_is_refused_for_a_no_verify_commit(repo, precommit, tmp_path):
    _, sneaky, _ = history(repo)
    precommit(["impl-check"], hook_types=["pre-push"])
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    push = subprocess.run(["git", "push", str(remote), "AUTH-12-work"], cwd=repo.root, capture_output=True, text=True)
    assert (push.returncode, hook_lines(push.stdout + push.stderr)) == (1, [
        *hook_failed("impl-hooks (all checks)", "impl-check",
                     f"{sneaky[:8]}:{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated",
                     '  hint: mark the finished task of step 2.2 done, e.g. "Document the session lifetime in '
                     f'`docs/auth.md`" at line 58 (`- [x]` or `✅ **COMPLETED**`), then git add {PLAN}'),
        f"error: failed to push some refs to '{remote}'"])


def test_push_of_good_commits_passes(repo, precommit, tmp_path):
    phased_plan_repo(repo, step="2.2").commit("base")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo.git("push", "-q", str(remote), "main")
    repo.branch("AUTH-12")
    tick(repo, "2. Background job removes expired sessions")
    repo.files({"backend/app/domains/auth/jobs.py": "def purge(s):\n    return s\n"}).commit("AUTH-12: purge")
    precommit(["impl-check"], hook_types=["pre-push"])
    push = subprocess.run(["git", "push", str(remote), "AUTH-12"], cwd=repo.root, capture_output=True, text=True)
    assert push.returncode == 0, push.stdout + push.stderr


def pre_receive_server(tmp_path):
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    hook = server / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -m impl_hooks pre-receive\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    return server


def test_pre_receive_refuses_a_bad_push_and_accepts_a_good_one(repo, tmp_path):
    server = pre_receive_server(tmp_path)
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.git("push", "-q", str(server), "main")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/extra.py": "def more(s):\n    return s\n"}).commit("no plan progress")
    bad = subprocess.run(["git", "push", str(server), "AUTH-12"], cwd=repo.root, capture_output=True, text=True)
    assert bad.returncode != 0
    assert "P001" in bad.stderr
    repo.git("reset", "-q", "--hard", "main")
    tick(repo, "2. Background job removes expired sessions")
    repo.files({"backend/app/domains/auth/jobs.py": "def purge(s):\n    return s\n"}).commit("AUTH-12: purge")
    good = subprocess.run(["git", "push", str(server), "AUTH-12"], cwd=repo.root, capture_output=True, text=True)
    assert good.returncode == 0, good.stderr


def test_pre_receive_refuses_a_badly_named_branch(repo, tmp_path):
    server = pre_receive_server(tmp_path)
    repo.files({"a.py": "x = 1\n"}).commit("base")
    repo.git("push", "-q", str(server), "main")
    repo.branch("wip")
    repo.files({"b.py": "y = 1\n"}).commit("more")
    push = subprocess.run(["git", "push", str(server), "wip"], cwd=repo.root, capture_output=True, text=True)
    assert push.returncode != 0 and "B001 branch 'wip'" in push.stderr
