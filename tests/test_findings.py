"""Findings are values: immutable, hashable, equal by their fields."""
from __future__ import annotations

import pytest

from impl_hooks.findings import Finding


def test_a_finding_is_an_immutable_hashable_value():
    finding = Finding("P001", "code staged", path="plan.md", line=3, hint="tick it")
    with pytest.raises(AttributeError):
        finding.message = "rewritten"  # type: ignore[misc]
    same = Finding("P001", "code staged", path="plan.md", line=3, hint="tick it")
    assert finding == same and len({finding, same}) == 1
    moved = finding.replace(commit="abc1234")
    assert (moved.commit, moved.message, finding.commit) == ("abc1234", "code staged", "")
    assert moved != finding


def test_severity_defaults_to_the_rules():
    assert (Finding("S003", "x").severity, Finding("S001", "x").severity, Finding("Z999", "x").severity) == (
        "warning", "error", "error")
