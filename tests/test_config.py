"""Config loading, preset detection, validation (C001) and Context.toml reading."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.cli import main
from impl_hooks.config import (BASE, PRESET_DEFAULTS, load_config, merge, parse_config_text, to_toml, validate,
                                weakenings)
from impl_hooks.context import Contexts, read_context
from impl_hooks.errors import ConfigError
from impl_hooks.hooks import check_main
from impl_hooks.snapshot import Repo as GitRepo
from impl_hooks.snapshot import Snapshot

from conftest import phased_plan_repo


def staged(repo):
    return Snapshot.staged(GitRepo.discover(str(repo.root)))


@pytest.mark.parametrize("files,preset", [
    ({"backend/app/Context.toml": "current_step = '1.1'\n"}, "phased-plan"),
    ({"docs/Phase1/6.1_implementation_plan.md": "# plan\n"}, "phased-plan"),
    ({"artifacts/login-design/features.json": "[]"}, "features-json"),
    ({"specs/001-login/tasks.md": "- [ ] T001 x\n"}, "spec-kit"),
    ({"docs/specs/auth.md": "## AUTH-1: x\n"}, "spec-issue"),
    ({"src/a.py": "x\n"}, "none"),
])
def test_preset_is_detected_from_the_files_present(repo, files, preset):
    repo.files(files).stage()
    assert load_config(staged(repo))["preset"] == preset


def test_impl_hooks_toml_wins_over_pyproject(repo):
    repo.files({
        "pyproject.toml": "[tool.impl-hooks]\npreset = 'spec-kit'\n",
        ".impl-hooks.toml": "preset = 'spec-issue'\n",
    }).stage()
    assert load_config(staged(repo))["preset"] == "spec-issue"


def test_named_preset_supplies_its_defaults_and_user_keys_merge_over_them(repo):
    repo.files({"pyproject.toml": "[tool.impl-hooks]\npreset = 'phased-plan'\n"
                "[tool.impl-hooks.plan]\nrequire = 'step-complete'\n"}).stage()
    config = load_config(staged(repo))
    assert config["plan"]["require"] == "step-complete"
    assert config["plan"]["paths"] == ["docs/Phase{phase}/6.1_implementation_plan.md"]
    assert config["source"] == "pyproject.toml"


@pytest.mark.parametrize("text,message,line", [
    ("[tool.impl-hooks]\npreset = 'phasedplan'\n", "'preset' must be one of", 2),
    ("[tool.impl-hooks.branch]\npatern = 'x'\n", "unknown key 'branch.patern'", 2),
    ("[tool.impl-hooks.branch]\npattern = '(unclosed'\n", "not a valid regular expression", 2),
    ("[tool.impl-hooks.branch]\npattern = '^[A-Z]+-\\d+$'\n", "needs a named group (?P<issue>", 2),
    ("[tool.impl-hooks]\nignore = 'S003'\n", "'ignore' must be a list of strings", 2),
    ("[tool.impl-hooks]\nignore = ['nope']\n", "not a rule code", 2),
    ("[tool.impl-hooks.approval]\nrequired = 'yes'\n", "'approval.required' must be true or false", 2),
    ("[tool.impl-hooks.agent]\ntimeout = -1\n", "'agent.timeout' must be a positive number", 2),
    ("[tool.impl-hooks.reports]\nrequire = [{sections = []}]\n", "needs a 'path'", 2),
    ("[tool.impl-hooks\n", "invalid TOML", 1),
])
def test_bad_config_is_c001_naming_file_key_and_line(repo, run_hook, text, message, line):
    repo.files({"pyproject.toml": text}).stage()
    code, out, err = run_hook(check_main, repo.root)
    assert code == 2 and out == ""
    assert err.startswith(f"pyproject.toml:{line}: C001 ")
    assert message in err
    assert err.count("\n") == 1


def test_pyproject_without_our_table_is_zero_config(repo):
    repo.files({"pyproject.toml": "[project]\nname = 'x'\n"}).stage()
    assert load_config(staged(repo))["source"] == ""


ON_MAIN = ("B002 commit on protected branch 'main'\n"
           "  hint: commit on a branch named after the issue: impl-hooks start ISSUE-ID, "
           "or git switch -c ISSUE-ID to take the staged changes along\n")


def test_untracked_config_never_changes_the_verdict(repo, run_hook):
    repo.files({"a.py": "x\n"}).commit()
    repo.files({"b.py": "y\n"}).stage()
    repo.write(".impl-hooks.toml", "ignore = ['B']\n")
    assert load_config(staged(repo))["ignore"] == []
    assert run_hook(check_main, repo.root) == (1, ON_MAIN, (
        "impl-hooks: warning: .impl-hooks.toml has changes that are not staged; "
        "they count once you git add .impl-hooks.toml\n"))


def test_unstaged_edit_of_the_config_does_not_count(repo, run_hook):
    repo.files({".impl-hooks.toml": "ignore = ['B']\n", "a.py": "x\n"}).commit()
    repo.files({"b.py": "y\n"}).stage()
    repo.write(".impl-hooks.toml", "ignore = []\n")
    assert run_hook(check_main, repo.root) == (0, "", (
        "impl-hooks: warning: .impl-hooks.toml has changes that are not staged; "
        "they count once you git add .impl-hooks.toml\n"))


def test_config_command_shows_the_index_config_and_names_the_unstaged_file(repo, monkeypatch):
    repo.files({"a.py": "x\n"}).commit()
    repo.write(".impl-hooks.toml", "preset = 'spec-kit'\n")
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0
    assert result.stderr == ("impl-hooks: warning: .impl-hooks.toml has changes that are not staged; "
                             "they count once you git add .impl-hooks.toml\n")
    assert result.stdout.splitlines()[:3] == ["# effective config (defaults; preset none)", "[tool.impl-hooks]",
                                              "preset = 'none'"]


def test_unstaged_pyproject_edit_outside_our_table_is_silent(repo, run_hook):
    repo.files({"pyproject.toml": "[project]\nname = 'x'\n", "a.py": "x\n"}).commit()
    repo.branch("AUTH-1").files({"b.py": "y\n"}).stage()
    repo.write("pyproject.toml", "[project]\nname = 'y'\n")
    assert run_hook(check_main, repo.root) == (0, "", "")


def test_staged_config_that_turns_checks_off_gets_one_warning_line(repo, run_hook):
    repo.files({".impl-hooks.toml": "[approval]\nrequired = false\n", "a.py": "x\n"}).commit()
    repo.branch("AUTH-1").files({".impl-hooks.toml": (
        "ignore = ['P', 'R001']\n[plan]\nrequire = 'off'\n[branch]\nprotected = ['release/*']\n")}).stage()
    assert run_hook(check_main, repo.root) == (0, "", (
        "impl-hooks: warning: the staged .impl-hooks.toml weakens the checks: plan.require progress → off; "
        "ignore adds P, R001; branch.protected drops main, master\n"))


def test_staged_config_that_tightens_the_checks_is_silent(repo, run_hook):
    repo.files({".impl-hooks.toml": "ignore = ['S003']\n", "a.py": "x\n"}).commit()
    repo.branch("AUTH-1").files({".impl-hooks.toml": "ignore = []\n[approval]\nrequired = false\n"}).stage()
    assert run_hook(check_main, repo.root) == (0, "", "")


REPORT = {"path": "r.md", "sections": ["Changes", "Limits"], "when": "always"}


@pytest.mark.parametrize("before,after,lost", [
    ({}, {}, []),
    ({"ignore": ["P"]}, {"ignore": ["P001", "S003"]}, ["ignore adds S003"]),
    ({}, {"preset": "none"}, ["preset phased-plan → none", "plan.evidence paths+names → paths",
                              "plan.paths drops docs/Phase{phase}/6.1_implementation_plan.md",
                              "reports.require drops docs/Phase{phase}/Steps/{step}/6.2_implementation_report.md",
                              "reports.require drops docs/Phase{phase}/Steps/{step}/6.2_testing_plan.md"]),
    ({"approval": {"required": True}}, {}, ["approval.required true → false"]),
    ({"plan": {"require": "step-complete"}}, {"plan": {"require": "progress"}},
     ["plan.require step-complete → progress"]),
    ({}, {"plan": {"require": "step-complete"}}, []),
    ({}, {"plan": {"evidence": "paths"}}, ["plan.evidence paths+names → paths"]),
    ({"agent": {"on_error": "block"}}, {}, ["agent.on_error block → allow"]),
    ({}, {"branch": {"exempt": ["wip/*"]}}, ["branch.exempt adds wip/*"]),
    ({}, {"branch": {"pattern": ""}}, ["branch.pattern changed"]),
    ({}, {"structure": {"files": ["CLAUDE.md"]}}, ["structure.files drops */CLAUDE.md, AGENTS.md"]),
    ({"reports": {"require": [REPORT]}}, {}, ["reports.require drops r.md"]),
    ({"reports": {"require": [REPORT]}}, {"reports": {"require": [dict(REPORT, sections=["Changes"])]}},
     ["reports.require r.md drops sections Limits"]),
    ({"reports": {"require": [REPORT]}}, {"reports": {"require": [dict(REPORT, when="step-completed")]}},
     ["reports.require r.md only when the step completes"]),
    ({"reports": {"require": [dict(REPORT, template="t.md")]}}, {"reports": {"require": [REPORT]}},
     ["reports.require r.md drops its template"]),
])
def test_weakenings_name_what_the_new_config_turns_off(before, after, lost):
    def full(user):
        preset = user.get("preset", "phased-plan")
        return dict(merge(merge(BASE, PRESET_DEFAULTS[preset]), user), preset=preset)

    assert weakenings(full(before), full(after)) == lost


def test_effective_config_prints_as_toml_that_reads_back(repo):
    phased_plan_repo(repo).stage()
    config = load_config(staged(repo))
    config.pop("source")
    table, _ = parse_config_text(to_toml(config).encode(), "pyproject.toml")
    assert table == config


def test_context_keys_top_level_or_under_context_table():
    flat = read_context('current_step = "2.3"\ncurrent_issue = "A-1"\n', "Context.toml")
    nested = read_context('[context]\ncurrent_step = "2.3"\ncurrent_issue = "A-1"\n', "Context.toml")
    assert (flat.step, flat.phase, flat.issue) == (nested.step, nested.phase, nested.issue) == ("2.3", "", "A-1")


def test_context_reads_every_key_with_its_line():
    text = ('\n# the work in progress\n[context]\ncurrent_epic = "E2"\ncurrent_step = "Step 2.3"\n'
            'current_domain = "auth"\ncurrent_dev_stage = "test"\ncurrent_phase = "2"\ncurrent_issue = "AUTH-9"\n')
    context = read_context(text, "backend/auth/Context.toml")
    assert context.values() == {"epic": "E2", "step": "2.3", "domain": "auth", "dev_stage": "test", "phase": "2",
                                "issue": "AUTH-9"}
    assert context.lines == {"current_epic": 4, "current_step": 5, "current_domain": 6, "current_dev_stage": 7,
                             "current_phase": 8, "current_issue": 9}


def test_a_context_key_that_is_not_a_table_is_c001_naming_the_file():
    with pytest.raises(ConfigError) as info:
        read_context('current_step = "1.1"\ncontext = "auth"\n', "app/Context.toml")
    assert str(info.value) == "app/Context.toml:2: C001 [context] must be a table"


def test_explicit_phase_wins_over_the_step_prefix():
    assert read_context('current_step = "3.1"\ncurrent_phase = "Phase 2"\n', "C.toml").phase == "2"


def test_broken_context_toml_is_c001_with_file_and_line(repo, run_hook):
    repo.files({"backend/Context.toml": 'current_step = "1.1"\ncurrent_issue = \n'}).stage()
    code, _, err = run_hook(check_main, repo.root)
    assert code == 2
    assert err.startswith("backend/Context.toml:2: C001 invalid TOML")


def test_context_with_wrong_type_names_the_key():
    with pytest.raises(ConfigError, match=r"'current_step' must be a string") as info:
        read_context('x = 1\ncurrent_step = ["1.1"]\n', "Context.toml")
    assert info.value.line == 2


def test_nearest_context_above_a_path_governs_it(repo):
    repo.files({
        "Context.toml": 'current_step = "1.1"\n',
        "backend/auth/Context.toml": 'current_step = "2.1"\n',
        "backend/auth/x.py": "x\n", "frontend/y.ts": "y\n",
    }).stage()
    contexts = Contexts(staged(repo))
    assert contexts.for_path("backend/auth/x.py").step == "2.1"
    assert contexts.for_path("frontend/y.ts").step == "1.1"
    assert contexts.for_path("backend/authz/z.py").step == "1.1"
    assert contexts.primary(["backend/auth/x.py", "backend/auth/z.py", "frontend/y.ts"]).step == "2.1"


# -- property tests: arbitrary text never crashes the readers ---------------

@settings(max_examples=60, deadline=None)
@given(st.text())
def test_arbitrary_text_as_context_is_a_context_or_a_config_error(text):
    try:
        context = read_context(text, "Context.toml")
    except ConfigError as exc:
        assert str(exc).startswith("Context.toml")
    else:
        assert isinstance(context.step, str) and isinstance(context.phase, str)


toml_scalars = st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False),
                         st.booleans(), st.lists(st.text(max_size=5), max_size=3))
toml_keys = st.sampled_from(["current_step", "current_issue", "current_phase", "current_epic", "other", "context"])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(toml_keys, toml_scalars, max_size=5))
def test_generated_context_tables_read_or_fail_with_c001(data):
    import tomlkit
    text = tomlkit.dumps(data)
    try:
        context = read_context(text, "Context.toml")
    except ConfigError as exc:
        assert "C001" in str(exc)
    else:
        if isinstance(data.get("current_issue"), str):
            assert context.issue == data["current_issue"].strip()


config_values = st.recursive(
    toml_scalars, lambda children: st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=3),
    max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["preset", "ignore", "branch", "plan", "structure", "agent", "x"]),
                       config_values, max_size=4))
def test_arbitrary_config_tables_validate_or_raise_config_error(data):
    try:
        validate(data, ".impl-hooks.toml", "")
    except ConfigError as exc:
        assert str(exc).startswith(".impl-hooks.toml")


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_arbitrary_text_as_config_file_never_crashes(text):
    try:
        table, _ = parse_config_text(text.encode("utf-8", "surrogatepass"), ".impl-hooks.toml")
        if table is not None:
            validate(table, ".impl-hooks.toml", text)
    except ConfigError as exc:
        assert re.match(r"\.impl-hooks\.toml(:\d+)?: C001 ", str(exc))
