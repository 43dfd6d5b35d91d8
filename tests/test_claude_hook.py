"""`impl-hooks claude-hook`: recorded Claude Code payloads against real repositories."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, phased_plan_repo
from impl_hooks import claude_hook
from impl_hooks.claude_hook import REASON_LIMIT, Pending, answer, find_commit
from impl_hooks.findings import Finding

STRUCTURE = "# Guide\n\n## Project Structure\n\n```\nsrc/\n└── app.py\n```\n"


def payload(name: str, cwd=None, command: str | None = None) -> str:
    """A recorded payload, moved to cwd (its file_path too) and given another command."""
    data = json.loads((FIXTURES / "claude" / name).read_text(encoding="utf-8"))
    if cwd is not None:
        if "file_path" in data.get("tool_input", {}):
            data["tool_input"]["file_path"] = data["tool_input"]["file_path"].replace(data["cwd"], str(cwd))
        data["cwd"] = str(cwd)
    if command is not None:
        data["tool_input"]["command"] = command
    return json.dumps(data)


def no_run(cwd, pending):
    raise AssertionError("the checks must not run for this payload")


def good_repo(repo):
    """On an issue branch, a structure that lists every file: impl-check passes."""
    repo.files({"CLAUDE.md": STRUCTURE, "src/app.py": "x = 1\n"}).commit("base")
    return repo.branch("AUTH-12-login")


def denial(out: str) -> str:
    data = json.loads(out)
    assert set(data) == {"hookSpecificOutput"}
    specific = data["hookSpecificOutput"]
    assert specific["hookEventName"] == "PreToolUse"
    assert specific["permissionDecision"] == "deny"
    return specific["permissionDecisionReason"]


# -- PreToolUse ------------------------------------------------------------------

def test_commit_on_protected_branch_is_denied_with_the_findings(repo):
    repo.files({"README.md": "# app\n"}).commit("first")
    repo.files({"src/app.py": "x = 1\n"}).stage()
    code, out, err = answer(payload("pretooluse_bash_git_commit.json", repo.root))
    assert (code, err) == (0, "")
    reason = denial(out)
    assert "B002 commit on protected branch 'main'" in reason
    assert "hint: commit on a branch named after the issue" in reason
    assert reason.splitlines()[-1] == "Fix these, stage the fixes (git add), then commit again."


def test_clean_commit_on_issue_branch_is_allowed_silently(repo):
    good_repo(repo).write("src/app.py", "x = 2\n")
    repo.stage()
    assert answer(payload("pretooluse_bash_git_commit.json", repo.root)) == (0, "", "")


def test_non_commit_bash_command_is_not_checked():
    assert answer(payload("pretooluse_bash_ls.json"), run=no_run) == (0, "", "")


def test_other_tools_are_not_checked():
    assert answer(payload("pretooluse_write.json"), run=no_run) == (0, "", "")


def test_add_before_commit_is_judged_on_what_the_add_stages(repo):
    good_repo(repo).write("src/new.py", "y = 1\n")  # untracked, not in the structure
    index_before = (repo.root / ".git" / "index").read_bytes()
    assert answer(payload("pretooluse_bash_git_commit.json", repo.root)) == (0, "", "")
    reason = denial(answer(payload("pretooluse_bash_add_and_commit.json", repo.root))[1])
    assert "S001" in reason and "src/new.py" in reason
    assert (repo.root / ".git" / "index").read_bytes() == index_before  # the real index is untouched
    assert repo.git("status", "--porcelain") == "?? src/new.py\n"


def test_replayed_staging_sees_the_preset_and_the_plan(repo):
    phased_plan_repo(repo).commit("base").branch("AUTH-12-login")
    repo.write("backend/app/domains/auth/views.py", "def login():\n    return 1\n")
    reason = denial(answer(payload("pretooluse_bash_add_and_commit.json", repo.root))[1])
    assert "P001 code staged for step 2.2 but the plan was not updated" in reason
    stop = json.loads(answer(payload("stop.json", repo.root))[1])
    assert "P001" in stop["reason"]


def test_commit_all_is_judged_on_the_tracked_changes(repo):
    good_repo(repo)
    (repo.root / "src" / "app.py").unlink()  # deleted, not staged; CLAUDE.md still lists it
    commit_all = payload("pretooluse_bash_git_commit.json", repo.root, 'git commit -am "AUTH-12: drop app"')
    assert "S002" in denial(answer(commit_all)[1])
    staged_only = payload("pretooluse_bash_git_commit.json", repo.root, 'git commit -m "AUTH-12: x"')
    assert answer(staged_only) == (0, "", "")


def test_branch_created_in_the_same_command_is_the_one_judged(repo):
    repo.files({"src/app.py": "x = 1\n"}).stage()
    command = "git checkout -b AUTH-12-login && git commit -m 'AUTH-12: login'"
    assert answer(payload("pretooluse_bash_git_commit.json", repo.root, command)) == (0, "", "")


def test_commit_in_a_subfolder_repository_is_found_through_cd(repo, tmp_path):
    repo.files({"README.md": "# app\n"}).commit("first")
    repo.files({"src/app.py": "x = 1\n"}).stage()
    command = f"cd {repo.root.name} && git commit -m x"
    assert "B002" in denial(answer(payload("pretooluse_bash_git_commit.json", tmp_path, command))[1])


def test_add_in_another_repository_is_not_replayed_into_ours(repo, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(other)], check=True)
    (other / "b.py").write_text("b = 1\n")
    repo.files({"src/app.py": "x = 1\n"}).stage()
    command = f"git -C {other} add -A && git commit -m x"
    assert answer(payload("pretooluse_bash_git_commit.json", repo.root, command)) == (0, "", "")
    assert subprocess.run(["git", "status", "--porcelain"], cwd=other, capture_output=True,
                          text=True).stdout == "?? b.py\n"


def test_command_that_rewrites_the_index_first_is_left_to_git(repo):
    command = "git stash && git commit -m x"
    assert answer(payload("pretooluse_bash_git_commit.json", repo.root, command), run=no_run) == (0, "", "")


def test_warnings_alone_allow_the_commit():
    warn = [Finding("S003", "listed path does not exist", "CLAUDE.md", 3, hint="remove it")]
    assert answer(payload("pretooluse_bash_git_commit.json"), run=lambda cwd, p: warn) == (0, "", "")


def test_reason_is_capped_and_still_ends_with_what_to_do():
    many = [Finding("S001", f"'src/m{i}.py' is missing from the structure", "CLAUDE.md", i,
                    hint="add it to the Project Structure section") for i in range(1, 500)]
    reason = denial(answer(payload("pretooluse_bash_git_commit.json"), run=lambda cwd, p: many)[1])
    assert len(reason) < REASON_LIMIT + 500
    lines = reason.splitlines()
    assert lines[-1] == "Fix these, stage the fixes (git add), then commit again."
    assert lines[-2].startswith("... and ") and "more (run `impl-hooks check`" in lines[-2]


def test_cwd_that_is_not_a_repository_allows_silently(tmp_path):
    assert answer(payload("pretooluse_bash_git_commit.json", tmp_path)) == (0, "", "")
    assert answer(payload("stop.json", tmp_path)) == (0, "", "")


def test_invalid_config_allows_with_a_warning_for_the_user(repo):
    repo.files({".impl-hooks.toml": "preset = 3\n", "src/app.py": "x = 1\n"}).stage()
    code, out, err = answer(payload("pretooluse_bash_git_commit.json", repo.root))
    assert code == 0
    assert json.loads(out) == {"systemMessage": err.strip()}
    assert err.startswith("impl-hooks claude-hook: .impl-hooks.toml:1: C001 ")
    assert err.count("\n") == 1


def test_our_own_crash_allows_with_one_line_and_no_traceback():
    def crash(cwd, pending):
        raise RuntimeError("boom")

    code, out, err = answer(payload("pretooluse_bash_git_commit.json"), run=crash)
    assert code == 0 and "Traceback" not in err + out
    assert err == "impl-hooks claude-hook: internal error: RuntimeError: boom (not checked; allowing)\n"


@pytest.mark.parametrize("text", ["", "{", "not json", "[1, 2]", '"Stop"', "null"])
def test_malformed_stdin_allows_with_one_warning_line(text):
    code, out, err = answer(text, run=no_run)
    assert code == 0
    assert err.startswith("impl-hooks claude-hook: stdin is not a hook payload") and err.count("\n") == 1
    assert json.loads(out) == {"systemMessage": err.strip()}


def test_unknown_event_is_ignored():
    assert answer(json.dumps({"hook_event_name": "PostToolUse", "tool_name": "Bash",
                              "tool_input": {"command": "git commit"}}), run=no_run) == (0, "", "")


# -- Stop ---------------------------------------------------------------------------

def test_stop_is_blocked_while_the_work_in_progress_would_not_pass(repo):
    repo.files({"src/app.py": "x = 1\n"}).commit("base")
    repo.write("src/app.py", "x = 2\n")  # not even staged: Stop judges the work tree
    code, out, err = answer(payload("stop.json", repo.root))
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"decision", "reason"} and data["decision"] == "block"
    assert "B002 commit on protected branch 'main'" in data["reason"]
    assert data["reason"].splitlines()[-1].startswith("Fix these before you stop")


def test_stop_hook_active_never_loops():
    assert answer(payload("stop_hook_active.json"), run=no_run) == (0, "", "")


def test_stop_without_changes_is_allowed(repo):
    repo.files({"src/app.py": "x = 1\n"}).commit("base")  # on main, but nothing to commit
    assert answer(payload("stop.json", repo.root)) == (0, "", "")


def test_stop_with_passing_work_is_allowed(repo):
    good_repo(repo).write("src/app.py", "x = 2\n")
    assert answer(payload("stop.json", repo.root)) == (0, "", "")


def test_stop_judges_the_whole_work_tree(monkeypatch):
    seen = []
    answer(payload("stop.json"), run=lambda cwd, p: seen.append((cwd, p)) or [])
    (cwd, pending), = seen
    assert cwd == "/home/dev/shop"
    assert pending.adds == [(".", ["git", "add", "-A"])] and pending.only_if_changed


# -- finding the commit in a command line ---------------------------------------------

@pytest.mark.parametrize("command, directory, adds, all_tracked, branch", [
    ("git commit -m x", ".", [], False, None),
    ('cd backend && git commit -m "a; b"', "backend", [], False, None),
    ("git -C sub/dir commit", "sub/dir", [], False, None),
    ("git -c user.name=x commit --amend --no-edit", ".", [], False, None),
    ("git --no-pager commit -v", ".", [], False, None),
    ("FOO=1 git commit", ".", [], False, None),
    ("bash -c 'git add . && git commit -m x'", ".", [(".", ["git", "add", "."])], False, None),
    ("bash -lc \"cd a && git add -A && git commit -qm 'x'\"", "a", [("a", ["git", "add", "-A"])], False, None),
    ("git add src tests 2>&1 && git commit -am msg > /dev/null", ".",
     [(".", ["git", "add", "src", "tests"])], True, None),
    ("git status\ngit diff --cached; git commit --all", ".", [], True, None),
    ("git commit -ma", ".", [], False, None),       # -m takes "a": not --all
    ("git commit -m -a", ".", [], False, None),
    ("git commit -m fix#12", ".", [], False, None),
    ("git switch -c AUTH-1-x && git commit", ".", [], False, "AUTH-1-x"),
    ("git branch -m AUTH-1-x; git commit", ".", [], False, "AUTH-1-x"),
    ("git branch AUTH-2 && git commit", ".", [], False, None),
    ("git commit -m \"$(cat <<'EOF'\nAUTH-1: x\n\nbody\nEOF\n)\"", ".", [], False, None),
    ("sudo git commit", ".", [], False, None),
    ("env -C sub timeout 60 git commit -m x", "sub", [], False, None),
    ("git commit -S -a -m x", ".", [], True, None),  # -S takes no next word
])
def test_commit_is_found_with_its_staging(command, directory, adds, all_tracked, branch):
    pending = find_commit(command)
    assert pending is not None
    assert (pending.directory, pending.adds, pending.all_tracked, pending.branch) == \
        (directory, adds, all_tracked, branch)


@pytest.mark.parametrize("command", [
    "ls -la", "git commit-tree HEAD^{tree}", 'echo "git commit -m x"', "git log --grep commit",
    "git add commit.py", "# git commit", "ls; # git commit", "git", "git -C",
    "git add -p && git commit", "git add --patch && git commit", "git -c core.fsmonitor=x add . && git commit",
    "git stash && git commit", "git reset HEAD~ && git commit", "git checkout other && git commit",
    "git rm -r old && git commit", "git ls-files -m | xargs git add && git commit",
    'git commit -m "unterminated',
])
def test_commands_without_a_judgeable_commit(command):
    assert find_commit(command) is None


@pytest.mark.parametrize("command, error", [
    ('git commit -m "unterminated', "unterminated double quote"),
    ("cd 'x && git -C y commit --amend", "unterminated single quote"),
])
def test_unreadable_command_that_commits_is_denied_without_running_the_checks(command, error):
    reason = denial(answer(payload("pretooluse_bash_git_commit.json", command=command), run=no_run)[1])
    assert reason == (f"impl-hooks guard [unreadable-command]: the command cannot be read ({error}) and it "
                      "mentions `commit`, so the guard cannot tell what it runs. Fix the quoting (or split "
                      "the command) and run it again.")


def test_unreadable_command_that_touches_nothing_of_ours_is_left_to_the_shell():
    assert answer(payload("pretooluse_bash_ls.json", command='echo "unterminated'), run=no_run) == (0, "", "")


# -- the guard ----------------------------------------------------------------------------

def test_commit_that_skips_the_hooks_is_denied_before_any_check():
    code, out, err = answer(payload("pretooluse_bash_env_no_verify.json"), run=no_run)
    assert (code, err) == (0, "")
    assert denial(out) == (
        "impl-hooks guard [skip-hooks]: `git commit --no-verify -m 'AUTH-12: skip the slow checks'` skips "
        "git's hooks (--no-verify), so impl-hooks' checks would not run. Run it without that; when a hook "
        "refuses it, fix what the hook reports (impl-hooks check shows it) and run it again.")


def test_the_agent_may_not_approve():
    assert denial(answer(payload("pretooluse_bash_approve.json"), run=no_run)[1]) == (
        "impl-hooks guard [human-approval]: `impl-hooks approve` records that a person tested the staged "
        "change; an agent may not run it. Ask the person to test the change and run `impl-hooks approve` "
        "themselves.")


def test_edit_of_the_pre_commit_config_is_denied(repo):
    repo.files({".pre-commit-config.yaml": "repos: []\n"})
    assert denial(answer(payload("pretooluse_edit_precommit_config.json", repo.root), run=no_run)[1]) == (
        f"impl-hooks guard [protected-config]: Edit of {repo.root}/.pre-commit-config.yaml changes the "
        "pre-commit config (.pre-commit-config.yaml), which only a person may change. Tell the person what "
        "you want changed and why, and let them make the change.")


def test_multiedit_of_pyproject_is_denied_only_when_it_changes_our_table(repo):
    ours = '[project]\nname = "shop"\nversion = "0.3.0"\n\n[tool.impl-hooks.approval]\nrequired = true\n'
    repo.files({"pyproject.toml": ours})
    reason = denial(answer(payload("pretooluse_multiedit_pyproject.json", repo.root), run=no_run)[1])
    assert reason == (
        f"impl-hooks guard [protected-config]: MultiEdit of {repo.root}/pyproject.toml changes the "
        "[tool.impl-hooks] table of pyproject.toml, which only a person may change. Tell the person what "
        "you want changed and why, and let them make the change.")
    repo.files({"pyproject.toml": ours.replace("impl-hooks.approval", "other")})
    assert answer(payload("pretooluse_multiedit_pyproject.json", repo.root), run=no_run) == (0, "", "")


def test_a_bug_in_the_guard_fails_safe_on_what_it_guards(monkeypatch):
    def broken(command, cwd):
        raise KeyError("boom")

    monkeypatch.setattr(claude_hook, "bash_denial", broken)
    assert denial(answer(payload("pretooluse_bash_git_commit.json"), run=no_run)[1]) == (
        "impl-hooks guard [unreadable-command]: the guard failed on this call (KeyError: 'boom') and it "
        "touches git or impl-hooks' files. Run it in a simpler form.")
    code, out, err = answer(payload("pretooluse_bash_ls.json"), run=no_run)
    assert err == "impl-hooks claude-hook: guard internal error: KeyError: 'boom' (allowing)\n"
    assert (code, json.loads(out)) == (0, {"systemMessage": err.strip()})


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_find_commit_never_raises(command):
    result = find_commit(command)
    assert result is None or isinstance(result, Pending)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(), st.builds(json.dumps, st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["hook_event_name", "tool_name", "tool_input", "command", "cwd",
                         "stop_hook_active"]) | st.text(max_size=5), inner, max_size=4),
    max_leaves=8))))
def test_answer_never_raises_and_always_allows_or_decides(text):
    code, out, err = answer(text, run=lambda cwd, p: [Finding("B002", "protected", hint="branch")])
    assert code == 0
    if out:
        data = json.loads(out)
        assert set(data) <= {"hookSpecificOutput", "decision", "reason", "systemMessage"}


# -- the process ------------------------------------------------------------------------

def test_main_reads_stdin_and_writes_the_answer(monkeypatch, capsys):
    stdin = io.TextIOWrapper(io.BytesIO(payload("stop_hook_active.json").encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert claude_hook.main() == 0
    assert capsys.readouterr() == ("", "")


def test_module_stays_light_until_a_commit_is_seen():
    code = ("import sys, impl_hooks.claude_hook as h;"
            "h.answer('{\"hook_event_name\": \"PreToolUse\", \"tool_name\": \"Bash\","
            " \"tool_input\": {\"command\": \"ls\"}}');"
            "print(sorted(m for m in sys.modules if m.startswith('impl_hooks')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ("['impl_hooks', 'impl_hooks.claude_hook', 'impl_hooks.errors', "
                           "'impl_hooks.guard', 'impl_hooks.shell']")
