"""The hooks' console scripts end the process right after their `main`: the same
output, exit code and written files as `main` in-process, and no interpreter
teardown (an atexit handler never runs)."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import distribution

import pytest

from impl_hooks import hooks, scripts

from conftest import phased_plan_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"


def run_script(name: str, argv: list, cwd, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """The console script `scripts.<name>` as its own process, an atexit handler registered first."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: sys.stderr.write('TEARDOWN\\n'))\n"
            "sys.argv[1:] = sys.argv[2:]\n"
            "from impl_hooks import scripts\n"
            f"scripts.{name}()\n")
    return subprocess.run([sys.executable, "-c", code, name, *argv], cwd=cwd, stdout=stdout,
                          stderr=subprocess.PIPE, text=True)


@pytest.fixture
def refused(repo):
    """On an issue branch: a staged stub and no plan update, so every check has something to say."""
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12-logout")
    repo.files({"backend/app/domains/auth/logout.py": "def logout():\n    pass\n"}).stage()
    repo.write(".git/MSG", "no issue named here\n")
    return repo


@pytest.mark.parametrize("name, argv", [  # each script is the same wrapper (the last test): three of them
    ("check", []),
    ("check", ["--format", "json"]),
    ("commit_msg", [".git/MSG"]),
])
def test_a_hook_script_says_and_exits_what_its_main_does_and_skips_the_teardown(refused, run_hook, name, argv):
    main = getattr(hooks, f"{name}_main")
    expected = run_hook(main, refused.root, *argv)
    proc = run_script(name, argv, refused.root)
    assert (proc.returncode, proc.stdout, proc.stderr) == expected


def test_prepare_msg_has_written_the_message_when_the_process_ends(refused):
    refused.write(".git/MSG", "Add logout\n")
    proc = run_script("prepare_msg", [".git/MSG", "message"], refused.root)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert (refused.root / ".git/MSG").read_text().startswith("AUTH-12")


def test_a_hook_script_whose_reader_is_gone_ends_quietly_with_gits_status(refused):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = run_script("check", [], refused.root, stdout=write_end)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (141, "")


def test_every_hook_but_the_agent_pass_is_installed_as_a_script_that_ends_at_once():
    installed = {entry.name: entry.value for entry in distribution("impl-hooks").entry_points
                 if entry.group == "console_scripts"}
    assert {name: value for name, value in installed.items() if value.startswith("impl_hooks.scripts:")} == {
        "impl-check": "impl_hooks.scripts:check",
        "impl-branch": "impl_hooks.scripts:branch",
        "impl-branch-created": "impl_hooks.scripts:branch_created",
        "impl-plan": "impl_hooks.scripts:plan",
        "impl-structure": "impl_hooks.scripts:structure",
        "impl-reports": "impl_hooks.scripts:reports",
        "impl-commit-msg": "impl_hooks.scripts:commit_msg",
        "impl-prepare-msg": "impl_hooks.scripts:prepare_msg",
    }
    assert all(callable(getattr(scripts, value.partition(":")[2])) for value in installed.values()
               if value.startswith("impl_hooks.scripts:"))
    assert installed["impl-agent"] == "impl_hooks.hooks:agent_main"
