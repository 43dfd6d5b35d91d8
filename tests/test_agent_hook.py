"""The agent pass wired in: impl-agent through pre-commit, `impl-hooks agent`, `--fix`,
all against the fake Messages API on 127.0.0.1."""
from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from fake_anthropic import DUMMY_KEY, FakeAnthropic, tool_use, verdict
from impl_hooks.cli import main

from conftest import commit, phased_plan_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"


def staged_step_work(repo):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12-logout")
    text = (repo.root / PLAN).read_text()
    repo.write(PLAN, text.replace("2. Background job removes expired sessions",
                                  "2. Background job removes expired sessions ✅"))
    repo.files({"backend/app/domains/auth/jobs.py": "def purge(sessions):\n    return [s for s in sessions if s.alive]\n"})
    repo.stage()
    return repo


def test_impl_agent_hook_blocks_with_findings_then_allows_an_approved_change(repo, precommit, monkeypatch):
    staged_step_work(repo)
    precommit(["impl-agent"])
    block = verdict("block", "expired sessions are kept", [
        {"path": "backend/app/domains/auth/jobs.py", "line": 2, "severity": "error",
         "message": "the filter keeps expired sessions instead of removing them"}])
    with FakeAnthropic(block, verdict("approve", "does what step 2.2 asks")) as api:
        api.use_in(monkeypatch)
        refused = commit(repo)
        assert (refused.returncode, refused.lines) == (1, [
            "impl-hooks agent review..................................................Failed",
            "- hook id: impl-agent",
            "- exit code: 1",
            "",
            "agent: block · claude-sonnet-4-6, 1,000 tokens in, 100 out · ~$0.0045",
            "A001 agent blocked the change: expired sessions are kept",
            "  hint: address the findings and stage again (`impl-hooks agent --no-cache` asks again for the same "
            "change)",
            "backend/app/domains/auth/jobs.py:2: A001 the filter keeps expired sessions instead of removing them",
            "  hint: fix this and stage again; the agent reviews the new staged change",
            "",
        ])
        prompt = api.requests[0].user_text
        assert "Step 2.2" in prompt and "Document the session lifetime" in prompt  # the step and its open task
        assert "def purge(sessions)" in prompt
        repo.files({"backend/app/domains/auth/jobs.py": "def purge(sessions):\n    return [s for s in sessions if not s.expired]\n"}).stage()
        assert commit(repo).returncode == 0
        assert len(api.requests) == 2


def test_agent_command_caches_the_verdict_and_reports_cost(repo, monkeypatch):
    staged_step_work(repo)
    monkeypatch.chdir(repo.root)
    with FakeAnthropic(verdict("approve")) as api:
        api.use_in(monkeypatch)
        first = CliRunner().invoke(main, ["agent"])
        second = CliRunner().invoke(main, ["agent"])
        assert (first.exit_code, second.exit_code) == (0, 0)
        assert len(api.requests) == 1  # the unchanged staged change is not sent twice
    assert "agent: approve · claude-sonnet-4-6, 1,000 tokens in, 100 out · ~$" in first.output
    assert "cached verdict, nothing sent" in second.output
    assert DUMMY_KEY not in first.output + second.output


def test_no_api_key_is_a_warning_and_the_commit_goes_through(repo, run_hook, monkeypatch):
    from impl_hooks.hooks import agent_main
    staged_step_work(repo)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    assert run_hook(agent_main, repo.root) == (0, (
        "A002 (warning) agent pass could not run: no ANTHROPIC_API_KEY set\n"
        '  hint: export ANTHROPIC_API_KEY=<your key> (or use backend = "claude-code" under [tool.impl-hooks.agent]); '
        'on_error = "allow": the commit is allowed\n'), "agent: error\n")


def test_on_error_block_refuses_when_the_agent_cannot_run(repo, run_hook, monkeypatch):
    from impl_hooks.hooks import agent_main
    staged_step_work(repo)
    repo.files({".impl-hooks.toml": "[agent]\non_error = 'block'\n"}).stage()
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    assert run_hook(agent_main, repo.root) == (1, (
        "A002 agent pass could not run: no ANTHROPIC_API_KEY set\n"
        '  hint: export ANTHROPIC_API_KEY=<your key> (or use backend = "claude-code" under [tool.impl-hooks.agent]); '
        'on_error = "block": the commit is refused\n'), "agent: error\n")


def test_agent_fix_edits_the_work_tree_only(repo, monkeypatch):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    repo.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).stage()
    staged = repo.git("diff", "--cached")
    fixed_plan = (repo.root / PLAN).read_text().replace(
        "2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
    monkeypatch.chdir(repo.root)
    with FakeAnthropic(tool_use("edit_files", {"edits": [{"path": PLAN, "content": fixed_plan}]})) as api:
        api.use_in(monkeypatch)
        result = CliRunner().invoke(main, ["agent", "--fix"])
    assert result.exit_code == 1
    assert f"rewrote {PLAN}" in result.output
    assert (repo.root / PLAN).read_text() == fixed_plan
    assert repo.git("diff", "--cached") == staged  # the index is the user's
    assert "P001" in api.requests[0].user_text


def test_no_hook_but_the_agent_imports_anthropic(repo):
    staged_step_work(repo)
    code = (
        "import sys\n"
        "from impl_hooks import hooks\n"
        "for name in ('check_main', 'branch_main', 'plan_main', 'structure_main', 'reports_main'):\n"
        "    getattr(hooks, name)([])\n"
        "print('LOADED', sorted(m for m in ('anthropic', 'httpx', 'click', 'git') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=repo.root, capture_output=True, text=True)
    assert "LOADED []" in out.stdout, out.stdout + out.stderr
