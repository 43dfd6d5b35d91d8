"""The rule registry: every code has a rule, `impl-hooks rule` explains it, the docs follow it."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from impl_hooks.cli import main
from impl_hooks.rules import RULES, rule_table, rules_doc

from conftest import PROJECT

DESIGN_CODES = ["B001", "B002", "B003", "B004", "P001", "P002", "P003", "P004", "P005", "P006", "P007",
                "S001", "S002", "S003", "R001", "R002", "R003", "R004", "T001", "X001", "X002",
                "M001", "H001", "A001", "A002", "C001"]


@pytest.mark.parametrize("code", DESIGN_CODES)
def test_every_code_of_the_contract_is_explained_in_text_and_json(code):
    text = CliRunner().invoke(main, ["rule", code.lower()])
    assert text.exit_code == 0
    assert text.output.startswith(f"# {RULES[code].name} ({code})\n\nSeverity: ")
    data = json.loads(CliRunner().invoke(main, ["rule", code, "--format", "json"]).output)
    assert (data["code"], data["severity"]) == (code, RULES[code].severity)
    assert data["explanation"] and data["summary"] and re.fullmatch(r"[a-z]+(?:-[a-z]+)*", data["name"])


def test_rule_all_lists_every_rule_once():
    data = json.loads(CliRunner().invoke(main, ["rule", "--all", "--format", "json"]).output)
    assert [r["code"] for r in data] == list(RULES)
    assert len({r["name"] for r in data}) == len(data)


def test_an_unknown_rule_is_a_usage_error():
    result = CliRunner().invoke(main, ["rule", "X999"])
    assert (result.exit_code, result.output) == (2, "impl-hooks: no rule 'X999': impl-hooks rule --all lists them\n")


def test_the_check_a_rule_names_exists():
    import importlib

    for found in RULES.values():
        module = importlib.import_module(found.check)
        assert module is not None, found.code


def test_impl_check_runs_exactly_the_check_modules_the_rules_name():
    from impl_hooks.runner import HOOK_CHECKS

    named = {r.check for r in RULES.values() if r.check.startswith("impl_hooks.checks.")}
    run = {f"impl_hooks.checks.{name}" for name in HOOK_CHECKS["impl-check"]}
    assert named - run == {"impl_hooks.checks.message"}  # commit-msg's, on the message alone
    assert run - named == set()
    assert HOOK_CHECKS["impl-reports"] == ["reports", "features", "todos", "sources", "tests_with_code", "approval"]


def test_docs_and_readme_follow_the_registry():
    assert (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_doc(), \
        "regenerate: python -c 'from impl_hooks.rules import rules_doc; print(rules_doc(), end=\"\")' > docs/rules.md"
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- rules:start -->\n", 1)[1].split("\n<!-- rules:end -->", 1)[0]
    assert table == rule_table()
