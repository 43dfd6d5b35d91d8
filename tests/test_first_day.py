"""A team's first day: quiet pipes, every hook id through `check --hook`, ..."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import phased_plan_repo


def run_with_closed_stdout(args, cwd):
    """Run `impl-hooks ARGS` with a stdout whose reader is already gone (`| head` done)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "impl_hooks", *args], cwd=cwd, stdout=write_end,
                              stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    return proc


@pytest.mark.parametrize("args", [["config"], ["status"], ["check"], ["rule", "--all"]])
def test_a_closed_pipe_ends_quietly_with_gits_status(repo, args):
    phased_plan_repo(repo).commit("base")
    proc = run_with_closed_stdout(args, repo.root)
    assert (proc.returncode, proc.stderr) == (141, "")


def test_start_survives_another_tools_failing_post_checkout_hook(repo, monkeypatch):
    from click.testing import CliRunner

    from impl_hooks.cli import main

    phased_plan_repo(repo, issue="AUTH-1").commit("base")
    hook = repo.root / ".git" / "hooks" / "post-checkout"
    hook.write_text("#!/bin/sh\necho 'lfs: object store unreachable' >&2\nexit 3\n")
    hook.chmod(0o755)
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["start", "SHOP-77"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Switched to a new branch 'SHOP-77'",
        'Recorded current_issue = "SHOP-77" in backend/app/domains/auth/Context.toml (commit it with your work)']
    assert result.stderr.splitlines() == [
        "post-checkout hook: lfs: object store unreachable",
        "impl-hooks: the repository's post-checkout hook failed (its output is above); the branch was created "
        "and the issue recorded"]
    assert repo.git("branch", "--show-current").strip() == "SHOP-77"
    assert 'current_issue = "SHOP-77"' in (repo.root / "backend/app/domains/auth/Context.toml").read_text()


BARE = {"PATH": "/usr/bin:/bin"}


def run(cwd, *args: str, env=None) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    proc.out = proc.stdout + proc.stderr
    return proc


def test_readme_path_from_nothing_to_an_enforced_plan_offline(repo, pre_commit_home, monkeypatch):
    from conftest import sdd_flow_repo

    monkeypatch.setenv("PRE_COMMIT_HOME", pre_commit_home)
    sdd_flow_repo(repo).replace("backend/app/domains/albums/Context.toml", "current_step", 'current_issue = "ALB-7"\n'
                                "current_step").commit("the plan")
    init = run(repo.root, sys.executable, "-m", "impl_hooks", "init", "--claude")
    assert init.returncode == 0, init.out
    steps = [line.split("   #")[0].strip() for line in init.stdout.split("next:\n", 1)[1].splitlines()]
    assert steps[0] == "git switch -c ALB-7-impl-hooks"  # a SETUP-1 branch would be B003 against ALB-7
    for step in steps[:-1]:  # the printed commands, as printed; the commit with a bare PATH
        proc = run(repo.root, "sh", "-c", step, env=BARE if step.startswith("git commit") else None)
        assert proc.returncode == 0, (step, proc.out)
    assert run(repo.root, sys.executable, "-m", "impl_hooks", "doctor").returncode == 0
    repo.branch("ALB-7-list")
    repo.files({"backend/app/domains/albums/api.py": "def albums():\n    return []\n"}).stage()
    refused = run(repo.root, "git", "commit", "-m", "list albums", env=BARE)
    assert refused.returncode == 1 and "P001 code staged for step 2.1 but the plan was not updated" in refused.out
    repo.replace("docs/Phase1/6.1_implementation_plan.md", "- [ ] task 2.1.2", "- [x] task 2.1.2").stage()
    done = run(repo.root, "git", "commit", "-m", "list albums", env=BARE)
    assert done.returncode == 0, done.out
    assert repo.git("log", "-1", "--format=%s").strip() == "ALB-7: list albums"


def test_every_command_init_claude_writes_runs_with_a_minimal_path(repo):
    import json

    from impl_hooks.init import apply_init, plan_init

    repo.files({"README.md": "# app\n"}).commit("first")
    plan = plan_init(str(repo.root), claude=True)
    apply_init(plan.root, plan)
    settings = json.loads((repo.root / ".claude/settings.json").read_text())
    commands = [h["command"] for groups in settings["hooks"].values() for g in groups for h in g["hooks"]]
    assert commands
    payload = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                          "tool_input": {"command": "git commit --no-verify -m x"}})
    for command in commands:
        proc = subprocess.run(["sh", "-c", command], cwd=repo.root, input=payload, capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "HOME": os.environ["HOME"],
                                   "CLAUDE_PROJECT_DIR": str(repo.root)})
        assert proc.returncode in (0, 2), proc.stderr
        assert "skip-hooks" in proc.stdout + proc.stderr  # it ran, and judged the call


def test_the_setup_commit_passes_the_structure_check(repo):
    from impl_hooks.init import apply_init, plan_init

    from conftest import check_findings

    repo.files({"CLAUDE.md": "# App\n\n## Project Structure\n\n```\n.\n├── CLAUDE.md\n└── src/\n```\n",
                "src/app.py": "x = 1\n"}).commit("first")
    repo.branch("SETUP-1-hooks")
    plan = plan_init(str(repo.root), claude=True, github=True)
    apply_init(plan.root, plan)
    repo.stage()
    assert check_findings(repo.root) == []
    repo.files({"tools/run.sh": "echo\n"}).stage()  # a visible folder is still the structure's business
    assert check_findings(repo.root) == ['CLAUDE.md:3: S001 "tools/" was added but CLAUDE.md does not list it at the top level']
