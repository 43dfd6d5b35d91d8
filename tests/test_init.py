"""`impl-hooks init`: the files it plans and writes, on empty and existing setups."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PROJECT, phased_plan_repo, spec_kit_repo
from impl_hooks import init
from impl_hooks.config import PRESETS, load_config
from impl_hooks.errors import ConfigError, UsageError
from impl_hooks.init import (CREATE, SKIP_EXISTS, SKIP_ODD, SKIP_PRESENT, UPDATE, apply_init,
                             describe, edit_precommit, next_steps, plan_init, precommit_entry)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11
    import tomli as tomllib

THEIRS = """\
# team hooks
repos:
-   repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
    -   id: trailing-whitespace
    -   id: end-of-file-fixer

-   repo: https://github.com/psf/black
    rev: 24.4.2
    hooks:
    -   id: black
        args: [--line-length=100]
# trailing comment
"""

PYPROJECT = """\
[project]
name = "shop"   # the web shop
version = "1.0"

[tool.black]
line-length = 100

[build-system]
requires = ["setuptools>=61"]
"""


def actions(plan) -> dict:
    return {w.path: w.action for w in plan.writes}


def run_init(repo, **kw):
    plan = plan_init(str(repo.root), **kw)
    apply_init(plan.root, plan)
    return plan


def config_of(repo) -> dict:
    """The effective config once the work tree is staged (config is read from the index)."""
    from impl_hooks.snapshot import Repo as GitRepo, Snapshot

    repo.stage()
    return load_config(Snapshot.staged(GitRepo.discover(str(repo.root))))


def read(repo, rel: str) -> str:
    return (repo.root / rel).read_text(encoding="utf-8")


OURS = "local"  # init's default form: impl-hooks as installed on the machine
MIRROR = init.Source("https://git.example.org/tools/impl-hooks", "v0.1.0")


def is_ours(item: dict) -> bool:
    return all(str(h["id"]).startswith("impl-") for h in item["hooks"]) and (
        item["repo"] == OURS or "impl-hooks" in item["repo"])


def their_repos(config: dict) -> list:
    return [r for r in config["repos"] if not is_ours(r)]


def validate_config(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(path)],
                          capture_output=True, text=True)


# -- an empty repository ------------------------------------------------------------

def test_init_on_empty_repo_creates_valid_files(repo):
    plan = run_init(repo, claude=True, github=True)
    assert actions(plan) == {".impl-hooks.toml": CREATE, ".pre-commit-config.yaml": CREATE,
                             ".impl-hooks/run": CREATE, ".claude/settings.json": CREATE,
                             ".github/workflows/impl-hooks.yml": CREATE}
    config = yaml.safe_load(read(repo, ".pre-commit-config.yaml"))
    assert config["default_install_hook_types"] == init.HOOK_TYPES
    ours, = config["repos"]
    assert ours["repo"] == OURS and {h["entry"] for h in ours["hooks"]} == {
        f".impl-hooks/run {h['id']}" for h in ours["hooks"]}
    # impl-check also runs on pre-push (each pushed commit), so no separate impl-branch entry
    assert [h["id"] for h in ours["hooks"]] == ["impl-check", "impl-commit-msg", "impl-prepare-msg",
                                                "impl-branch-created"]
    proc = validate_config(repo.root / ".pre-commit-config.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tomllib.loads(read(repo, ".impl-hooks.toml"))
    assert config_of(repo)["source"] == ".impl-hooks.toml"
    settings_json = json.loads(read(repo, ".claude/settings.json"))
    command = '"$CLAUDE_PROJECT_DIR"/.impl-hooks/run impl-claude-hook'
    assert settings_json == {"hooks": {
        "PreToolUse": [{"matcher": "Bash|Write|Edit|MultiEdit|NotebookEdit",
                        "hooks": [{"type": "command", "command": command}]}],
        "Stop": [{"hooks": [{"type": "command", "command": command}]}]}}
    assert read(repo, ".github/workflows/impl-hooks.yml") == init.workflow_text()


def test_second_run_skips_everything(repo):
    run_init(repo, claude=True, github=True)
    before = {p: read(repo, p) for p in actions(plan_init(str(repo.root)))}
    plan = run_init(repo, claude=True, github=True)
    assert set(actions(plan).values()) == {SKIP_EXISTS, SKIP_PRESENT}
    assert {p: read(repo, p) for p in before} == before


def test_no_preset_detected_leaves_preset_unset(repo):
    plan = run_init(repo)
    assert (plan.preset, plan.pinned) == ("none", False)
    assert "preset" not in tomllib.loads(read(repo, ".impl-hooks.toml"))
    assert "none detected" in describe(plan)


def test_preset_is_detected_from_untracked_files(repo):
    phased_plan_repo(repo)  # written, not staged
    plan = run_init(repo)
    assert (plan.preset, plan.pinned) == ("phased-plan", True)
    assert tomllib.loads(read(repo, ".impl-hooks.toml"))["preset"] == "phased-plan"
    assert repo.git("status", "--porcelain", "--untracked-files=no") == ""  # the index is untouched


def test_preset_option_overrides_detection(repo):
    phased_plan_repo(repo)
    assert plan_init(str(repo.root), preset="spec-kit").preset == "spec-kit"
    with pytest.raises(UsageError, match="unknown preset 'plan'"):
        plan_init(str(repo.root), preset="plan")


@pytest.mark.parametrize("preset", PRESETS)
def test_commented_defaults_are_the_effective_config(repo, preset):
    text = init.config_text(preset, pinned=True)
    uncommented = "\n".join(line[2:] if line.startswith("# ") and (" = " in line or line.startswith("# ["))
                            else line for line in text.splitlines())
    (repo.root / ".impl-hooks.toml").write_text(text, encoding="utf-8")
    short = config_of(repo)
    (repo.root / ".impl-hooks.toml").write_text(uncommented, encoding="utf-8")
    assert config_of(repo) == short


def test_not_a_repository_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not a git repository"):
        plan_init(str(tmp_path))


def test_init_from_a_subfolder_writes_at_the_top(repo):
    (repo.root / "src").mkdir()
    plan = plan_init(str(repo.root / "src"))
    apply_init(plan.root, plan)
    assert plan.root == str(repo.root)
    assert (repo.root / ".pre-commit-config.yaml").is_file()


# -- the config file -------------------------------------------------------------------

def test_existing_impl_hooks_toml_is_kept_without_force(repo):
    repo.write(".impl-hooks.toml", 'preset = "spec-issue"\n')
    spec_kit_repo(repo)
    assert actions(run_init(repo))[".impl-hooks.toml"] == SKIP_EXISTS
    assert read(repo, ".impl-hooks.toml") == 'preset = "spec-issue"\n'


def test_existing_impl_hooks_toml_is_replaced_with_force(repo):
    repo.write(".impl-hooks.toml", 'preset = "spec-issue"\n')
    spec_kit_repo(repo)
    assert actions(run_init(repo, force=True))[".impl-hooks.toml"] == UPDATE
    assert tomllib.loads(read(repo, ".impl-hooks.toml")) == {"preset": "spec-kit"}


def test_pyproject_gets_a_table_and_keeps_every_byte(repo):
    repo.write("pyproject.toml", PYPROJECT)
    spec_kit_repo(repo)
    plan = run_init(repo)
    assert actions(plan)["pyproject.toml"] == UPDATE and ".impl-hooks.toml" not in actions(plan)
    text = read(repo, "pyproject.toml")
    assert text.startswith(PYPROJECT)
    assert tomllib.loads(text)["tool"]["impl-hooks"] == {"preset": "spec-kit"}
    assert config_of(repo)["preset"] == "spec-kit"
    assert actions(run_init(repo))["pyproject.toml"] == SKIP_EXISTS
    assert read(repo, "pyproject.toml") == text


def test_pyproject_without_trailing_newline(repo):
    repo.write("pyproject.toml", '[project]\nname = "x"')
    run_init(repo, preset="none")
    assert tomllib.loads(read(repo, "pyproject.toml")) == {"project": {"name": "x"},
                                                          "tool": {"impl-hooks": {"preset": "none"}}}


def test_pyproject_table_is_replaced_with_force_and_the_rest_kept(repo):
    ours = '[tool.impl-hooks]\npreset = "none"\n\n[tool.impl-hooks.branch]\nprotected = ["trunk"]\n\n'
    repo.write("pyproject.toml", PYPROJECT.replace("[build-system]", ours + "[build-system]"))
    plan = run_init(repo, preset="spec-issue", force=True)
    assert actions(plan)["pyproject.toml"] == UPDATE
    text = read(repo, "pyproject.toml")
    assert tomllib.loads(text)["tool"]["impl-hooks"] == {"preset": "spec-issue"}
    assert text.startswith(PYPROJECT)


def test_pyproject_that_cannot_be_edited_safely_is_left_alone(repo):
    odd = "tool = {black = {line-length = 100}}\n"  # an inline table: no [tool.impl-hooks] can join it
    repo.write("pyproject.toml", odd)
    plan = run_init(repo, preset="spec-kit", force=True)
    write, = [w for w in plan.writes if w.path == "pyproject.toml"]
    assert (write.action, write.note) == (SKIP_ODD, "add this table to pyproject.toml yourself:\n[tool.impl-hooks]\n"
                                          'preset = "spec-kit"  # every key and its default: impl-hooks config\n')
    assert read(repo, "pyproject.toml") == odd
    assert "[tool.impl-hooks]" in describe(plan)


def test_our_table_written_as_dotted_keys_is_replaced_with_force(repo):
    repo.write("pyproject.toml", '[tool]\nimpl-hooks.preset = "none"\nblack.line-length = 100\n')
    assert actions(run_init(repo, preset="spec-kit", force=True))["pyproject.toml"] == UPDATE
    assert read(repo, "pyproject.toml") == ('[tool]\nblack.line-length = 100\n\n[tool.impl-hooks]\n'
                                           'preset = "spec-kit"  # every key and its default: impl-hooks config\n')


_TABLES = ["project", "tool", "tool.black", "tool.impl-hooks", "tool.impl-hooks.branch", "build-system",
           "tool.ruff.lint"]


@settings(max_examples=60, deadline=None)
@given(st.permutations(_TABLES).flatmap(lambda names: st.integers(0, len(names)).map(lambda n: names[:n])),
       st.sampled_from(["", "\n", "# note\n"]), st.sampled_from(PRESETS), st.booleans())
def test_pyproject_tables_in_any_order_get_our_table_at_the_end_and_keep_the_rest(names, gap, preset, pinned):
    text = "".join(f"[{name}]\nkey = 1  # kept\n{gap}" for name in names)
    rest = "".join(f"[{name}]\nkey = 1  # kept\n{gap}" for name in names if not name.startswith("tool.impl-hooks"))
    write = init._pyproject_write(text, preset, pinned, force=True)
    assert write.action == UPDATE
    assert write.text.startswith(rest) and write.text[len(rest):].lstrip("\n") == init.pyproject_table(preset, pinned)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("[]{}.=\"' \n#1,") + ["tool", "impl-hooks", "[tool]", "\\u00e9", "é"]),
                max_size=40).map("".join), st.booleans())
def test_any_pyproject_text_is_edited_skipped_or_one_config_error(text, force):
    try:
        write = init._pyproject_write(text, "none", True, force)
    except ConfigError as error:
        assert str(error).startswith("pyproject.toml") and "\n" not in str(error)
        return
    assert write.action in (UPDATE, SKIP_ODD, SKIP_EXISTS)
    if write.action == UPDATE:
        assert tomllib.loads(write.text)["tool"]["impl-hooks"] == {"preset": "none"}


def test_invalid_pyproject_is_a_config_error_with_its_line(repo):
    repo.write("pyproject.toml", '[project]\nname = "x\n')
    with pytest.raises(ConfigError, match=r"^pyproject.toml:2: C001 invalid TOML"):
        plan_init(str(repo.root))


# -- .pre-commit-config.yaml -----------------------------------------------------------------

def test_existing_precommit_config_gets_our_repo_appended(repo):
    repo.write(".pre-commit-config.yaml", THEIRS)
    plan = run_init(repo)
    assert actions(plan)[".pre-commit-config.yaml"] == UPDATE
    text = read(repo, ".pre-commit-config.yaml")
    config = yaml.safe_load(text)
    assert their_repos(config) == yaml.safe_load(THEIRS)["repos"]
    assert is_ours(config["repos"][-1])
    assert config["default_install_hook_types"] == init.HOOK_TYPES
    assert text.startswith("# team hooks\ndefault_install_hook_types:")
    assert "args: [--line-length=100]\n\n-   repo: local  #" in text  # their blank-line style
    assert text.endswith("# trailing comment\n")
    assert validate_config(repo.root / ".pre-commit-config.yaml").returncode == 0
    assert actions(run_init(repo))[".pre-commit-config.yaml"] == SKIP_EXISTS
    assert read(repo, ".pre-commit-config.yaml") == text


@pytest.mark.parametrize("types, expected", [
    ("default_install_hook_types: [pre-commit, commit-msg]\n",
     ["pre-commit", "commit-msg", "prepare-commit-msg", "post-checkout", "pre-push"]),
    ("default_install_hook_types: ['pre-push', \"post-merge\"]  # ours\n",
     ["pre-push", "post-merge", "pre-commit", "commit-msg", "prepare-commit-msg", "post-checkout"]),
    ("default_install_hook_types:\n  - pre-commit\n  - post-merge\n",
     ["pre-commit", "post-merge", "commit-msg", "prepare-commit-msg", "post-checkout", "pre-push"]),
])
def test_install_hook_types_are_completed(types, expected):
    text, action = edit_precommit(types + THEIRS, force=False)
    assert action == UPDATE
    assert yaml.safe_load(text)["default_install_hook_types"] == expected


def test_indented_repo_list_keeps_its_style():
    theirs = "minimum_pre_commit_version: '3.2.0'\nrepos:\n  - repo: local\n    hooks:\n      - id: x\n" \
             "        name: x\n        entry: x\n        language: system\nfail_fast: true\n"
    text, action = edit_precommit(theirs, force=False)
    config = yaml.safe_load(text)
    assert [r["repo"] for r in config["repos"]] == ["local", OURS] and is_ours(config["repos"][1])
    assert config["fail_fast"] is True and config["minimum_pre_commit_version"] == "3.2.0"
    assert "  -   repo: local  #" in text


def test_empty_repo_list_and_empty_file():
    text, _ = edit_precommit("repos: []\n", force=False)
    assert [r["repo"] for r in yaml.safe_load(text)["repos"]] == [OURS]
    text, action = edit_precommit("\n", force=False)
    assert action == UPDATE and is_ours(yaml.safe_load(text)["repos"][0])


def test_force_replaces_only_our_entry(repo):
    old_ours = precommit_entry(source=MIRROR).replace("    -   id: impl-commit-msg\n", "")
    repo.write(".pre-commit-config.yaml", THEIRS.replace("\n-   repo: https://github.com/psf", "\n" + old_ours
                                                         + "\n-   repo: https://github.com/psf"))
    assert actions(run_init(repo))[".pre-commit-config.yaml"] == SKIP_EXISTS
    run_init(repo, force=True)
    config = yaml.safe_load(read(repo, ".pre-commit-config.yaml"))
    assert [r["repo"] for r in config["repos"]] == [
        "https://github.com/pre-commit/pre-commit-hooks", OURS, "https://github.com/psf/black"]
    assert config["repos"][1] == yaml.safe_load("repos:\n" + precommit_entry())["repos"][0]
    assert their_repos(config) == yaml.safe_load(THEIRS)["repos"]


def test_force_keeps_the_comments_after_our_entry():
    text, _ = edit_precommit(THEIRS.replace("# trailing comment\n", precommit_entry(source=MIRROR))
                             + "\n# trailing comment\n", force=True)
    assert text.endswith(precommit_entry() + "\n# trailing comment\n")


def test_our_hooks_from_a_mirror_count_as_ours():
    mirror = "repos:\n-   repo: git@git.example.org:tools/impl-hooks.git\n    rev: v0.1.0\n    hooks:\n" \
             "    -   id: impl-check\n"
    assert edit_precommit(mirror, force=False) == (None, SKIP_EXISTS)


@pytest.mark.parametrize("odd", [
    "repos: [{repo: local, hooks: []}]\n",
    "ci:\n  autofix: true\n",
    "repos:\n\t- repo: local\n",
    "repos:\n- repo: local\n  hooks: []\n---\nrepos: []\n",
    "default_install_hook_types: {a: 1}\nrepos:\n- repo: local\n  hooks: []\n",
])
def test_odd_precommit_config_is_left_alone_with_what_to_paste(repo, odd):
    repo.write(".pre-commit-config.yaml", odd)
    plan = run_init(repo)
    write, = [w for w in plan.writes if w.path == ".pre-commit-config.yaml"]
    assert write.action == SKIP_ODD
    assert precommit_entry() in write.note and "default_install_hook_types" in write.note
    assert read(repo, ".pre-commit-config.yaml") == odd


def test_crlf_config_stays_crlf():
    text, _ = edit_precommit(THEIRS.replace("\n", "\r\n"), force=False)
    assert "\n" not in text.replace("\r\n", "")
    assert is_ours(yaml.safe_load(text)["repos"][-1])


REPO_ITEM = st.builds(
    lambda name, ids, comment: f"-   repo: https://example.org/{name}\n    rev: v1\n    hooks:\n"
    + "".join(f"    -   id: {i}\n" for i in ids) + (f"    # {comment}\n" if comment else ""),
    st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.lists(st.from_regex(r"[a-z][a-z-]{0,7}", fullmatch=True),
                                                           min_size=1, max_size=3),
    st.from_regex(r"[a-z ]{0,10}", fullmatch=True))


@settings(max_examples=60, deadline=None)
@given(st.lists(REPO_ITEM, min_size=1, max_size=4), st.booleans(), st.sampled_from(["", "\n", "\n\n"]),
       st.sampled_from(["", "fail_fast: true\n", "# end\n"]))
def test_appending_keeps_every_other_repo(items, with_types, gap, tail):
    head = "default_install_hook_types: [pre-commit]\n" if with_types else ""
    original = head + "repos:\n" + gap.join(items) + tail
    text, action = edit_precommit(original, force=False)
    config, before = yaml.safe_load(text), yaml.safe_load(original)
    assert action == UPDATE
    assert their_repos(config) == before["repos"]
    assert is_ours(config["repos"][-1])
    assert set(init.HOOK_TYPES) <= set(config["default_install_hook_types"])
    assert edit_precommit(text, force=False) == (None, SKIP_EXISTS)


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_edit_precommit_never_raises(text):
    new, action = edit_precommit(text, force=True)
    assert (new is None) == (action != UPDATE)


# -- .claude/settings.json ----------------------------------------------------------------

def test_claude_settings_are_merged_keeping_everything_else(repo):
    existing = {
        "permissions": {"allow": ["Bash(npm test:*)"]},
        "env": {"FOO": "1"},
        "hooks": {
            "PreToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "fmt.sh"}]}],
            "PostToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "log.sh"}]}],
        },
    }
    repo.write(".claude/settings.json", json.dumps(existing, indent=4))
    plan = run_init(repo, claude=True)
    assert actions(plan)[".claude/settings.json"] == UPDATE
    merged = json.loads(read(repo, ".claude/settings.json"))
    assert merged["permissions"] == existing["permissions"] and merged["env"] == existing["env"]
    assert merged["hooks"]["PostToolUse"] == existing["hooks"]["PostToolUse"]
    assert merged["hooks"]["PreToolUse"] == existing["hooks"]["PreToolUse"] + [init.CLAUDE_HOOKS["PreToolUse"]]
    assert merged["hooks"]["Stop"] == [init.CLAUDE_HOOKS["Stop"]]
    assert actions(run_init(repo, claude=True))[".claude/settings.json"] == SKIP_PRESENT


def test_our_hook_is_not_added_twice_even_in_another_group():
    existing = {"hooks": {"PreToolUse": [{"matcher": "Bash|Write", "hooks": [
        {"type": "command", "command": "impl-hooks claude-hook", "timeout": 30}]}]}}
    text, changed = init.merge_claude_settings(json.dumps(existing))
    assert changed
    merged = json.loads(text)
    assert merged["hooks"]["PreToolUse"] == existing["hooks"]["PreToolUse"]
    assert merged["hooks"]["Stop"] == [init.CLAUDE_HOOKS["Stop"]]


def test_invalid_settings_json_names_file_and_line(repo):
    repo.write(".claude/settings.json", '{\n  "env": {"A": "1"},\n  "hooks": {,\n}\n')
    with pytest.raises(UsageError, match=r"^\.claude/settings\.json:3: invalid JSON: "):
        plan_init(str(repo.root), claude=True)
    assert read(repo, ".claude/settings.json").startswith('{\n  "env"')


@pytest.mark.parametrize("text, message", [
    ("[]", "expected a JSON object"),
    ('{"hooks": []}', '"hooks" must be an object'),
    ('{"hooks": {"Stop": {}}}', '"hooks.Stop" must be a list'),
])
def test_settings_of_the_wrong_shape_are_refused(text, message):
    with pytest.raises(UsageError, match=message):
        init.merge_claude_settings(text)


# -- the workflow and the next steps -----------------------------------------------------------

def test_example_workflow_is_what_init_writes():
    assert (PROJECT / "examples" / "github" / "impl-hooks.yml").read_text(encoding="utf-8") == init.workflow_text()


def test_workflow_checks_the_pull_request_range():
    workflow = yaml.safe_load(init.workflow_text())
    assert workflow[True] == {"pull_request": None}  # YAML 1.1 reads `on` as true
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    check = steps[-1]
    assert check["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}",
                            "HEAD_SHA": "${{ github.event.pull_request.head.sha }}"}
    assert check["run"] == 'impl-hooks check --range "$BASE_SHA..$HEAD_SHA" --format github'


def test_existing_workflow_needs_force(repo):
    repo.write(".github/workflows/impl-hooks.yml", "name: mine\n")
    assert actions(run_init(repo, github=True))[".github/workflows/impl-hooks.yml"] == SKIP_EXISTS
    assert read(repo, ".github/workflows/impl-hooks.yml") == "name: mine\n"
    run_init(repo, github=True, force=True)
    assert read(repo, ".github/workflows/impl-hooks.yml") == init.workflow_text()


def test_next_steps_are_the_commands_in_order(repo):
    steps = next_steps(plan_init(str(repo.root), claude=True)).splitlines()
    assert [line.split("   #")[0] for line in steps] == [
        "next:",
        "  git add .impl-hooks.toml .pre-commit-config.yaml .impl-hooks/run .claude/settings.json",
        "  pre-commit install --install-hooks",
        '  git commit -m "enforce the plan with impl-hooks"',
        "  impl-hooks doctor"]


def test_next_steps_say_which_branch_to_commit_on_when_this_one_is_protected(repo):
    repo.files({"README.md": "# app\n"}).commit("first")
    steps = next_steps(plan_init(str(repo.root))).splitlines()
    assert steps[1].startswith("  git switch -c SETUP-1-impl-hooks   # commits to main are refused (B002)")
    assert steps[-2] == '  git commit -m "SETUP-1: enforce the plan with impl-hooks"'


@pytest.mark.parametrize("issue, branch", [("AUTH-2", "AUTH-2"), ("x; rm -rf ~", "SETUP-1"), ("", "SETUP-1")])
def test_the_setup_branch_is_named_after_the_current_issue_when_it_is_a_plain_id(repo, issue, branch):
    repo.files({"backend/Context.toml": f'[context]\ncurrent_step = "1.1"\ncurrent_issue = "{issue}"\n'}).commit("first")
    steps = next_steps(plan_init(str(repo.root))).splitlines()
    assert steps[1].split("   #")[0] == f"  git switch -c {branch}-impl-hooks"
    assert steps[-2] == f'  git commit -m "{branch}: enforce the plan with impl-hooks"'


def test_remote_form_needs_both_repo_and_rev(repo):
    with pytest.raises(UsageError, match="--repo and --rev go together"):
        plan_init(str(repo.root), source=init.Source("https://git.example.org/tools/impl-hooks", ""))
    run_init(repo, source=MIRROR)
    ours, = yaml.safe_load(read(repo, ".pre-commit-config.yaml"))["repos"]
    assert (ours["repo"], ours["rev"]) == (MIRROR.repo_url, MIRROR.rev)
    assert not (repo.root / ".impl-hooks").exists()  # the remote form needs no launcher


def test_one_pre_commit_install_sets_up_every_stage(repo, hook_source, pre_commit_home, monkeypatch):
    monkeypatch.setenv("PRE_COMMIT_HOME", pre_commit_home)
    run_init(repo, source=init.Source(hook_source["repo"], hook_source["rev"]))
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo.root,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = {p.name for p in (repo.root / ".git" / "hooks").iterdir() if not p.name.endswith(".sample")}
    assert installed == set(init.HOOK_TYPES)
