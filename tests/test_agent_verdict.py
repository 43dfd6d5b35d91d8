"""The verdict tool's input is validated by hand against its schema."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.agent.verdict import QUESTIONS, VERDICT_TOOL, Verdict, VerdictFinding, parse_verdict


def test_schema_matches_the_design_contract():
    schema = VERDICT_TOOL["input_schema"]
    assert VERDICT_TOOL["name"] == "verdict"
    assert schema["properties"]["decision"]["enum"] == ["approve", "block"]
    item = schema["properties"]["findings"]["items"]
    assert set(item["properties"]) == {"path", "line", "severity", "message", "question"}
    assert item["properties"]["severity"]["enum"] == ["error", "warning"]
    assert item["properties"]["question"]["enum"] == [
        "task-implemented", "entity-not-in-design", "deviation-unrecorded", "other"]
    assert item["required"] == ["path", "severity", "message"]  # an answer without a question stays valid


def test_valid_block_verdict_is_parsed():
    parsed = parse_verdict({
        "decision": "block", "summary": "tests missing",
        "findings": [{"path": "a.py", "line": 3, "severity": "error", "message": "no test"},
                     {"path": "b.py", "severity": "warning", "message": "naming"}],
    })
    assert parsed == Verdict("block", "tests missing", [
        VerdictFinding("a.py", "error", "no test", 3), VerdictFinding("b.py", "warning", "naming", None)])


@pytest.mark.parametrize("tool_input,why", [
    (None, "not an object"),
    ({"decision": "maybe", "summary": "", "findings": []}, "decision"),
    ({"decision": "approve", "findings": []}, "summary"),
    ({"decision": "approve", "summary": "ok"}, "findings"),
    ({"decision": "block", "summary": "", "findings": ["x"]}, "findings[0] is not an object"),
    ({"decision": "block", "summary": "", "findings": [{"path": "a", "severity": "fatal", "message": "m"}]}, "severity"),
    ({"decision": "block", "summary": "", "findings": [{"path": "a", "severity": "error", "message": "m", "line": 0}]}, "line"),
    ({"decision": "block", "summary": "", "findings": [{"path": "a", "severity": "error", "message": "m", "line": True}]}, "line"),
    ({"decision": "block", "summary": "", "findings": [{"severity": "error", "message": "m"}]}, "path"),
])
def test_input_outside_the_schema_is_an_error_string(tool_input, why):
    parsed = parse_verdict(tool_input)
    assert isinstance(parsed, str) and why in parsed


findings = st.builds(VerdictFinding, st.text(), st.sampled_from(["error", "warning"]), st.text(),
                     st.none() | st.integers(min_value=1), st.sampled_from(QUESTIONS))


@settings(max_examples=60, deadline=None)
@given(st.builds(Verdict, st.sampled_from(["approve", "block"]), st.text(), st.lists(findings, max_size=4)))
def test_verdict_round_trips_through_json(verdict):
    assert parse_verdict(verdict.to_json()) == verdict


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                           lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_parse_verdict_never_raises(value):
    assert isinstance(parse_verdict(value), (Verdict, str))
