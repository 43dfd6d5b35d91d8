"""Backend claude-code: `claude -p` with JSON output and read-only tools (a fake `claude` on PATH)."""
from __future__ import annotations

import json
import os
import stat
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.agent.claude_code import parse_output
from impl_hooks.agent.run import review
from test_agent_prompt import diff_for
from test_agent_review import change, only

FAKE_CLAUDE = textwrap.dedent("""\
    #!{python}
    import json, os, sys, time
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "record.json"), "w") as out:
        json.dump({{"argv": sys.argv[1:], "env": dict(os.environ), "stdin": sys.stdin.read(), "cwd": os.getcwd()}}, out)
    time.sleep(float(os.environ.get("FAKE_CLAUDE_SLEEP", "0")))
    sys.stdout.write(open(os.path.join(here, "answer.txt")).read())
    sys.exit(int(os.environ.get("FAKE_CLAUDE_EXIT", "0")))
""")

VERDICT_BLOCK = {"decision": "block", "summary": "missing 401",
                 "findings": [{"path": "app/login.py", "line": 1, "severity": "error", "message": "no 401"}]}


def result_json(result, is_error=False, subtype="success", cost=0.0123):
    return json.dumps({"type": "result", "subtype": subtype, "is_error": is_error, "duration_ms": 900,
                       "num_turns": 2, "result": result, "session_id": "s", "total_cost_usd": cost,
                       "usage": {"input_tokens": 2100, "output_tokens": 140}})


@pytest.fixture
def claude(tmp_path, monkeypatch):
    """Install the fake `claude`; returns (bin dir, answer setter, record reader)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "claude"
    script.write_text(FAKE_CLAUDE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CLAUDECODE", "1")

    class Fake:
        def answer(self, text):
            (bin_dir / "answer.txt").write_text(text)

        def record(self):
            return json.loads((bin_dir / "record.json").read_text())

    return Fake()


CONFIG = {"backend": "claude-code", "model": "claude-sonnet-4-6"}


def test_block_verdict_from_claude_code_refuses_the_commit(claude, tmp_path):
    claude.answer(result_json(json.dumps(VERDICT_BLOCK)))
    result = review(change(), CONFIG, str(tmp_path / "git"), cwd=str(tmp_path))
    assert result.decision == "block"
    assert result.findings[0].location() == "app/login.py:1"
    assert (result.tokens_in, result.tokens_out, result.cost_usd) == (2100, 140, 0.0123)


def test_claude_runs_print_mode_json_with_read_only_tools_and_without_claudecode(claude, tmp_path):
    claude.answer(result_json(json.dumps({"decision": "approve", "summary": "ok", "findings": []})))
    assert review(change("x = 1"), CONFIG, str(tmp_path / "git"), cwd=str(tmp_path)).decision == "approve"
    record = claude.record()
    argv = record["argv"]
    assert argv[0] == "-p"
    assert argv[argv.index("--output-format") + 1] == "json"
    assert argv[argv.index("--tools") + 1] == "Read,Grep,Glob"
    assert "--allowedTools" not in argv
    assert argv[argv.index("--model") + 1] == "claude-sonnet-4-6"
    assert "CLAUDECODE" not in record["env"]
    assert "+x = 1" in record["stdin"]  # the prompt goes in on stdin, not in argv
    assert not any("x = 1" in arg for arg in argv)
    assert os.path.realpath(record["cwd"]) == os.path.realpath(str(tmp_path))


def test_fenced_json_answer_is_accepted(claude, tmp_path):
    claude.answer(result_json("```json\n" + json.dumps(VERDICT_BLOCK) + "\n```"))
    assert review(change(), CONFIG, str(tmp_path / "git")).decision == "block"


@pytest.mark.parametrize("answer,why", [
    (result_json("I approve this change."), "not a `verdict` JSON object"),
    (result_json("Here it is: " + json.dumps(VERDICT_BLOCK)), "not a `verdict` JSON object"),
    (result_json(json.dumps({"decision": "yes"})), "verdict schema"),
    (result_json("Credit balance is too low", is_error=True), "claude reported an error: Credit balance is too low"),
    (result_json("", subtype="error_max_turns"), "claude reported an error: error_max_turns"),
    ("not json at all", "claude printed no JSON result"),
])
def test_anything_but_a_strict_verdict_object_is_a002(claude, tmp_path, answer, why):
    claude.answer(answer)
    finding = only(review(change(), CONFIG, str(tmp_path / "git")).findings)
    assert finding.code == "A002" and why in finding.message


def test_claude_failing_without_json_names_its_exit_status(claude, tmp_path, monkeypatch):
    claude.answer("")
    monkeypatch.setenv("FAKE_CLAUDE_EXIT", "3")
    assert "claude exited with status 3" in only(review(change(), CONFIG, str(tmp_path / "git")).findings).message


def test_missing_claude_binary_is_a002(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    finding = only(review(change(), CONFIG, str(tmp_path / "git")).findings)
    assert finding.code == "A002" and "`claude` command is not on PATH" in finding.message
    assert finding.severity == "warning"


def test_claude_that_runs_past_the_timeout_is_stopped(claude, tmp_path, monkeypatch):
    claude.answer(result_json(json.dumps(VERDICT_BLOCK)))
    monkeypatch.setenv("FAKE_CLAUDE_SLEEP", "600")
    finding = only(review(change(), {**CONFIG, "timeout": 1}, str(tmp_path / "git")).findings)
    assert "no answer within the 1s timeout" in finding.message


def test_claude_code_verdicts_are_cached_too(claude, tmp_path):
    claude.answer(result_json(json.dumps(VERDICT_BLOCK)))
    review(change(), CONFIG, str(tmp_path / "git"))
    os.unlink(tmp_path / "bin" / "record.json")
    assert review(change(), CONFIG, str(tmp_path / "git")).cached
    assert not (tmp_path / "bin" / "record.json").exists()


def test_secret_like_files_do_not_reach_claude(claude, tmp_path):
    claude.answer(result_json(json.dumps(VERDICT_BLOCK)))
    inputs = change()
    inputs.diffs.append((".env", diff_for(".env", "DB_URL=postgres://user:pw@host")))
    review(inputs, CONFIG, str(tmp_path / "git"))
    assert "postgres://" not in claude.record()["stdin"]


@settings(max_examples=60, deadline=None)
@given(st.text() | st.builds(json.dumps, st.dictionaries(st.sampled_from(
    ["type", "subtype", "is_error", "result", "usage", "total_cost_usd"]),
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    | st.dictionaries(st.text(), st.integers()))))
def test_parse_output_never_raises(stdout):
    reply = parse_output(stdout, "verdict")
    assert reply.error or isinstance(reply.tool_input, dict)
