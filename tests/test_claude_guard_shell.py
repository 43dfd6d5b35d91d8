"""The Claude Code guard: shell lines read as bash runs them, and what an agent may never do."""
from __future__ import annotations

import os
import re
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.guard import bash_denial, edit_denial
from impl_hooks.shell import commands

NOWHERE = "/nonexistent/impl-hooks-guard"  # a cwd with no repository: git is never asked
REASON = re.compile(r"impl-hooks guard \[(?P<rule>[a-z-]+)\]: [^\n]*?`(?P<shown>[^`\n]*)`[^\n]*\. [^\n]+")
TO_ASK = "Tell the person what you want changed and why, and let them make the change."


def rule(reason: str | None):
    """(rule, the command it quotes) of a one-line reason; None when allowed."""
    if reason is None:
        return None
    match = REASON.fullmatch(reason)
    assert match, reason
    return match["rule"], match["shown"]


def read(line: str) -> list:
    return [(c.directory, c.argv, c.env, c.writes, c.xargs) for c in commands(line)]


# -- reading a line ---------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("cd a && FOO=1 git add . > log.txt 2>&1", [("a", ["git", "add", "."], {"FOO": "1"}, ["log.txt"], False)]),
    ("env -C sub -u X BAR=2 timeout -k 5 60 nice -n 3 git status",
     [("sub", ["git", "status"], {"BAR": "2"}, [], False)]),
    ('echo "$(git rev-parse HEAD)" | tee out', [(".", ["git", "rev-parse", "HEAD"], {}, [], False),
                                                (".", ["echo", "$_"], {}, [], False),
                                                (".", ["tee", "out"], {}, [], False)]),
    ("bash -c 'cd x; git commit' && ls", [("x", ["git", "commit"], {}, [], False),
                                          (".", ["bash", "-c", "cd x; git commit"], {}, [], False),
                                          (".", ["ls"], {}, [], False)]),
    ("cat <<'EOF' > notes.md\ngit commit -n\nEOF", [(".", ["cat"], {}, ["notes.md"], False)]),
    ("sh <<EOF\ngit push --no-verify\nEOF", [(".", ["git", "push", "--no-verify"], {}, [], False),
                                             (".", ["sh"], {}, [], False)]),
    ("cat <<EOF\n$(git log -1)\nEOF", [(".", ["git", "log", "-1"], {}, [], False), (".", ["cat"], {}, [], False)]),
    ("echo 'git push -n' | bash", [(".", ["echo", "git push -n"], {}, [], False),
                                   (".", ["git", "push", "-n"], {}, [], False), (".", ["bash"], {}, [], False)]),
    ("ls # ; git commit -n", [(".", ["ls"], {}, [], False)]),
    ("export SKIP=x; git commit", [(".", ["git", "commit"], {"SKIP": "x"}, [], False)]),
    ("{ git add a; } && (git commit)", [(".", ["git", "add", "a"], {}, [], False),
                                         (".", ["git", "commit"], {}, [], False)]),
    ("echo `date` $'x\\'y'", [(".", ["date"], {}, [], False), (".", ["echo", "$_", "$_"], {}, [], False)]),
    ("git com\\\nmit -m fix#12", [(".", ["git", "commit", "-m", "fix#12"], {}, [], False)]),
    ("xargs -n1 git add < files", [(".", ["git", "add"], {}, [], True)]),
    ("sudo -u root VAR=1 command git commit", [(".", ["git", "commit"], {"VAR": "1"}, [], False)]),
    ("echo hi >&2 2>/dev/null &> all.log", [(".", ["echo", "hi"], {}, ["/dev/null", "all.log"], False)]),
    ("env -S 'A=1 git commit'", [(".", ["git", "commit"], {"A": "1"}, [], False)]),
])
def test_line_is_read_as_the_shell_runs_it(line, expected):
    assert read(line) == expected


@pytest.mark.parametrize("line, error", [
    ('git commit -m "open', "unterminated double quote"),
    ("echo 'open", "unterminated single quote"),
    ("echo $(git commit", "unterminated $("),
    ("echo `date", "unterminated `"),
    ("echo $'open", "unterminated $' quote"),
    ("echo " + "$(" * 40 + ")" * 40, "commands nested too deeply"),
    ("eval " * 40 + "ls", "commands nested too deeply"),
])
def test_unreadable_line_raises_value_error(line, error):
    with pytest.raises(ValueError, match=re.escape(error)):
        commands(line)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("gitcomn -$()`'\"\\;&|<>{}#\nxEOF=")) | st.characters(), max_size=60))
def test_reading_and_judging_any_text_never_crashes(text):
    try:
        found = commands(text)
    except ValueError:
        found = None
    assert found is None or all(isinstance(c.argv, list) for c in found)
    reason = bash_denial(text, NOWHERE)
    assert reason is None or REASON.fullmatch(reason) or \
        reason.startswith("impl-hooks guard [unreadable-command]: ")


# -- skipping the hooks ---------------------------------------------------------------------

@pytest.mark.parametrize("command, expected", [
    ("git commit --no-verify -m x", ("skip-hooks", "git commit --no-verify -m x")),
    ("env git commit --no-verify", ("skip-hooks", "git commit --no-verify")),
    ("timeout 60 git commit -n", ("skip-hooks", "git commit -n")),
    ("git stash list; git commit -n", ("skip-hooks", "git commit -n")),
    ("git -c a=b add -A && git commit -n", ("skip-hooks", "git commit -n")),
    ("git commit -nm msg", ("skip-hooks", "git commit -nm msg")),
    ("git commit -anm msg", ("skip-hooks", "git commit -anm msg")),
    ("git commit -S -n", ("skip-hooks", "git commit -S -n")),
    ("git commit --no-veri", ("skip-hooks", "git commit --no-veri")),  # git takes unique abbreviations
    ("git commit --verify -n", ("skip-hooks", "git commit --verify -n")),  # the last one wins
    ("git -c core.hooksPath=/dev/null commit", ("skip-hooks", "git -c core.hooksPath=/dev/null commit")),
    ("git --config-env=core.hooksPath=H commit", ("skip-hooks", "git --config-env=core.hooksPath=H commit")),
    ("git push --no-verify origin main", ("skip-hooks", "git push --no-verify origin main")),
    ("git merge --no-verify topic", ("skip-hooks", "git merge --no-verify topic")),
    ("git pull --no-verify", ("skip-hooks", "git pull --no-verify")),
    ("SKIP=impl-check git commit -m x", ("skip-hooks", "SKIP=impl-check")),
    ("export SKIP=impl-check; git push", ("skip-hooks", "SKIP=impl-check")),
    ("GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/x git commit",
     ("skip-hooks", "GIT_CONFIG_KEY_0=core.hooksPath")),
    ("git --git-dir=/tmp/copy.git commit -m x", ("skip-hooks", "git --git-dir=/tmp/copy.git commit -m x")),
    ("git commit-tree HEAD^{tree} -m x", ("skip-hooks", "git commit-tree HEAD^{tree} -m x")),
    ("git config --global alias.ci 'commit --no-verify'",
     ("skip-hooks", "git config --global alias.ci 'commit --no-verify'")),
    ("git -c alias.ci='commit -n' ci", ("skip-hooks", "git -c 'alias.ci=commit -n' ci")),
    ("bash -c 'git commit -n'", ("skip-hooks", "git commit -n")),
    ("sh -lc \"cd x && git commit --no-verify\"", ("skip-hooks", "git commit --no-verify")),
    ("zsh -c 'bash -c \"git commit -n\"'", ("skip-hooks", "git commit -n")),
    ("echo $(git commit -n)", ("skip-hooks", "git commit -n")),
    ('echo "`git commit -n`"', ("skip-hooks", "git commit -n")),
    ("diff <(git commit -n) x", ("skip-hooks", "git commit -n")),
    ("{ git commit -n; }", ("skip-hooks", "git commit -n")),
    ("if true; then git commit -n; fi", ("skip-hooks", "git commit -n")),
    ("eval 'git commit' -n", ("skip-hooks", "git commit -n")),
    ("env -S 'git commit -n'", ("skip-hooks", "git commit -n")),
    ("bash <<'EOF'\ngit commit -n\nEOF", ("skip-hooks", "git commit -n")),
    ("echo 'git commit -n' | sh", ("skip-hooks", "git commit -n")),
    ("$GIT commit -n", ("skip-hooks", "$GIT commit -n")),
    ("find . -maxdepth 0 -exec git commit -n ';'", ("skip-hooks", "find . -maxdepth 0 -exec git commit -n")),
    ("uv run git commit -n", ("skip-hooks", "uv run git commit -n")),
    ("xargs git commit < args.txt", ("unreadable-command", "git commit")),
    ("git commit $FLAGS -m x", ("unreadable-command", "git commit $FLAGS -m x")),
    ("git $SUB -m x", ("unreadable-command", "git $SUB -m x")),
    ("git commit -m 'unterminated", ("unreadable-command", "commit")),
])
def test_skipping_the_hooks_is_denied(command, expected):
    assert rule(bash_denial(command, NOWHERE)) == expected


def test_skip_reason_is_one_line_that_says_what_to_do():
    assert bash_denial("env git commit --no-verify", NOWHERE) == (
        "impl-hooks guard [skip-hooks]: `git commit --no-verify` skips git's hooks (--no-verify), so "
        "impl-hooks' checks would not run. Run it without that; when a hook refuses it, fix what the "
        "hook reports (impl-hooks check shows it) and run it again.")


@pytest.mark.parametrize("command", [
    "git commit -m x", "git commit -mn", "git commit -m -n", "git commit -uno", "git commit -m x -- -n",
    "git commit -n --verify", 'git commit -m "$MSG"', "git commit --message=\"$(cat msg)\"",
    "git commit -m 'fix: never use --no-verify'", "git -c user.name=x commit --amend --no-edit",
    "git commit -m \"$(cat <<'EOF'\nAUTH-1: x\n\nDon't skip hooks with --no-verify\nEOF\n)\"",
    "git push -n origin main", "git push -u origin HEAD", "git merge -n topic", "git log -n 5",
    "git stash list; git status", "ls # ; git commit -n", "echo 'unterminated",
    "cat <<'EOF' > notes.md\ngit commit -n\nEOF",
    "git config core.hooksPath", "git config --get core.hooksPath", "GIT_CONFIG_NOSYSTEM=1 git commit -m x",
    "cat .impl-hooks.toml", "cp .pre-commit-config.yaml /tmp/backup.yaml", "impl-hooks approve --show",
    "pre-commit run --all-files", "pre-commit install", "rm -rf build", "xargs git add < files",
])
def test_ordinary_commands_are_allowed(command):
    assert bash_denial(command, NOWHERE) is None


# -- the generated property -------------------------------------------------------------

PREFIXES = ["", "env ", "env FOO=1 ", "env -u HOME ", "command ", "builtin ", "exec ", "timeout 60 ",
            "timeout -k 5 --signal=TERM 1m ", "nice ", "nice -n 5 ", "nohup ", "sudo ", "sudo -u root -E ",
            "time ", "time -p ", "FOO=bar ", "stdbuf -o0 "]
GLOBALS = ["", "-C . ", "--no-pager ", "-c user.name=x ", "-P "]
COMMIT_OPTIONS = ["-m msg", "-am msg", "--amend --no-edit", "-q -m 'a b'", "-m -n", "-mn", "-v"]
COMMIT_SKIPS = ["--no-verify", "-n", "-nm msg", "-anm msg", "--no-verif", "-qn"]
PUSH_OPTIONS = ["origin main", "-u origin HEAD", "-n", "--force-with-lease"]
PUSH_SKIPS = ["--no-verify", "--no-veri"]
OTHERS = ["ls", "git status", "echo hi", "git add -A", "git diff --cached", "cd ."]
OPERATORS = [" && ", " || ", "; ", " | ", " & ", "\n"]
WRAPS = [lambda c: c, lambda c: f"( {c} )", lambda c: f"{{ {c}; }}", lambda c: f"echo $({c})",
         lambda c: f"bash -c {shlex.quote(c)}", lambda c: f"sh -lc {shlex.quote(c)}",
         lambda c: f"if true; then {c}; fi", lambda c: f"eval {shlex.quote(c)}"]


@st.composite
def git_lines(draw, skipping: bool):
    sub = draw(st.sampled_from(["commit", "push"]))
    options = draw(st.lists(st.sampled_from(COMMIT_OPTIONS if sub == "commit" else PUSH_OPTIONS), max_size=3))
    prefix, globals_ = draw(st.sampled_from(PREFIXES)), draw(st.sampled_from(GLOBALS))
    if skipping:
        how = draw(st.sampled_from(["flag", "flag", "env", "hooks path"]))
        if how == "flag":
            skip = draw(st.sampled_from(COMMIT_SKIPS if sub == "commit" else PUSH_SKIPS))
            options.insert(draw(st.integers(0, len(options))), skip)
        elif how == "env":
            prefix += "SKIP=impl-check "
        else:
            globals_ += "-c core.hooksPath=/dev/null "
    line = f"{prefix}git {globals_}{sub} {' '.join(options)}".rstrip()
    for wrap in draw(st.lists(st.sampled_from(WRAPS), max_size=2)):
        line = wrap(line)
    before = draw(st.lists(st.sampled_from(OTHERS), max_size=2))
    after = draw(st.lists(st.sampled_from(OTHERS), max_size=2))
    parts = [*before, line, *after]
    joined = parts[0]
    for part in parts[1:]:
        joined += draw(st.sampled_from(OPERATORS)) + part
    return joined


@settings(max_examples=60, deadline=None)
@given(git_lines(skipping=True))
def test_any_line_that_skips_the_hooks_is_denied(line):
    assert rule(bash_denial(line, NOWHERE))[0] == "skip-hooks", line


@settings(max_examples=60, deadline=None)
@given(git_lines(skipping=False))
def test_the_same_lines_without_the_skip_are_allowed(line):
    assert bash_denial(line, NOWHERE) is None, line


# -- approval and impl-hooks' own files -------------------------------------------------------

@pytest.mark.parametrize("command", [
    "impl-hooks approve", "python -m impl_hooks approve", "env -u CLAUDECODE impl-hooks approve",
    "bash -c 'impl-hooks approve'", "uv run impl-hooks approve", "/usr/local/bin/impl-hooks approve && git commit",
])
def test_approving_is_a_persons(command):
    reason = bash_denial(command, NOWHERE)
    assert rule(reason)[0] == "human-approval"
    assert reason.endswith(". Ask the person to test the change and run `impl-hooks approve` themselves.")


@pytest.mark.parametrize("command, label", [
    ("echo 'x' > .pre-commit-config.yaml", "the pre-commit config (.pre-commit-config.yaml)"),
    ("sed -i s/true/false/ .impl-hooks.toml", "impl-hooks' config (.impl-hooks.toml)"),
    ("cat new.toml | tee -a sub/.impl-hooks.toml", "impl-hooks' config (.impl-hooks.toml)"),
    ("mv .impl-hooks.toml /tmp/", "impl-hooks' config (.impl-hooks.toml)"),
    ("cp /tmp/empty .pre-commit-config.yaml", "the pre-commit config (.pre-commit-config.yaml)"),
    ("rm .git/hooks/pre-commit", "the installed git hooks (.git/hooks)"),
    ("rm -rf ./.git/hooks", "the installed git hooks (.git/hooks)"),
    ("chmod -x .git/hooks/pre-commit", "the installed git hooks (.git/hooks)"),
    ("ln -sf /dev/null .git/hooks/pre-commit", "the installed git hooks (.git/hooks)"),
    ("echo '[core]' >> .git/config", "git's config (.git/config, where core.hooksPath lives)"),
    ("echo '{}' > .git/impl-hooks/approvals.json",
     "impl-hooks' records (.git/impl-hooks: approvals, verdicts, what the checks found)"),
    ("rm -rf .git/impl-hooks/cache",
     "impl-hooks' records (.git/impl-hooks: approvals, verdicts, what the checks found)"),
    ("cp /tmp/x .claude/settings.json", "Claude Code's settings (.claude/settings.json)"),
    ("printf '{}' > .claude/settings.local.json", "Claude Code's settings (.claude/settings.json)"),
    ("rm -rf .claude", "Claude Code's settings (.claude/settings.json)"),
    ("git rm .pre-commit-config.yaml", "the pre-commit config (.pre-commit-config.yaml)"),
    ("git config core.hooksPath /dev/null", "where git looks for its hooks (core.hooksPath)"),
    ("git config --unset core.hooksPath", "where git looks for its hooks (core.hooksPath)"),
    ("git config --edit", "git's config (where core.hooksPath lives)"),
    ("pre-commit uninstall", "the installed git hooks"),
    ("pre-commit uninstall -t pre-push", "the installed git hooks"),
    ("impl-hooks install --uninstall", "the installed git hooks"),
])
def test_switching_the_checks_off_is_a_persons(command, label):
    reason = bash_denial(command, NOWHERE)
    assert rule(reason)[0] == "protected-config"
    assert reason.endswith(f" changes {label}, which only a person may change. {TO_ASK}")


# -- against a real repository: hooks path, aliases, pyproject, the Edit tools -----------------

PYPROJECT = ('[project]\nname = "shop"\nversion = "1.0"\n\n[tool.impl-hooks]\npreset = "spec-issue"\n\n'
             "[tool.impl-hooks.approval]\nrequired = true\n")


def edit(repo, tool: str, rel: str, **tool_input):
    return edit_denial(tool, {"file_path": str(repo.root / rel), **tool_input}, str(repo.root))


@pytest.mark.parametrize("tool, rel, tool_input", [
    ("Write", ".impl-hooks.toml", {"content": "preset = 'none'\n"}),
    ("Edit", ".pre-commit-config.yaml", {"old_string": "rev: v1", "new_string": "rev: v0"}),
    ("Write", ".claude/settings.json", {"content": "{}"}),
    ("MultiEdit", ".claude/settings.local.json", {"edits": [{"old_string": "a", "new_string": "b"}]}),
    ("Write", ".git/hooks/pre-commit", {"content": "exit 0\n"}),
    ("Write", ".git/impl-hooks/agent-cache/0123.json", {"content": '{"decision": "approve"}'}),
    ("Write", ".git/impl-hooks/bin", {"content": "/tmp/elsewhere\n"}),
])
def test_edit_tools_may_not_touch_impl_hooks_files(repo, tool, rel, tool_input):
    reason = edit(repo, tool, rel, **tool_input)
    assert reason.startswith(f"impl-hooks guard [protected-config]: {tool} of {repo.root / rel} changes ")
    assert reason.endswith(f", which only a person may change. {TO_ASK}")


def test_edit_tools_may_write_ordinary_files(repo):
    assert edit(repo, "Write", "src/app.py", content="x = 1\n") is None
    assert edit(repo, "Write", ".claude/commands/review.md", content="Review it.\n") is None
    assert edit(repo, "Edit", "README.md", old_string="a", new_string="b") is None


def test_pyproject_edits_are_denied_only_when_they_change_the_table(repo):
    repo.files({"pyproject.toml": PYPROJECT})
    outside = edit(repo, "Edit", "pyproject.toml", old_string='version = "1.0"', new_string='version = "1.1"')
    assert outside is None
    inside = edit(repo, "Edit", "pyproject.toml", old_string="required = true", new_string="required = false")
    assert inside == (f"impl-hooks guard [protected-config]: Edit of {repo.root / 'pyproject.toml'} changes "
                      "the [tool.impl-hooks] table of pyproject.toml, which only a person may change. " + TO_ASK)
    dropped = edit(repo, "Write", "pyproject.toml", content='[project]\nname = "shop"\nversion = "1.1"\n')
    assert dropped.startswith("impl-hooks guard [protected-config]: Write of ")
    multi = edit(repo, "MultiEdit", "pyproject.toml", edits=[
        {"old_string": '"1.0"', "new_string": '"2.0"'},
        {"old_string": 'preset = "spec-issue"', "new_string": 'preset = "none"'}])
    assert multi.startswith("impl-hooks guard [protected-config]: MultiEdit of ")
    renamed = PYPROJECT.replace('version = "1.0"', 'version = "3.0"')
    assert edit(repo, "Write", "pyproject.toml", content=renamed) is None


def test_bash_edits_of_a_pyproject_with_our_table_are_denied(repo):
    repo.files({"pyproject.toml": PYPROJECT})
    assert rule(bash_denial("sed -i 's/1.0/1.1/' pyproject.toml", str(repo.root))) == \
        ("protected-config", "sed -i s/1.0/1.1/ pyproject.toml")
    repo.files({"pyproject.toml": '[project]\nname = "shop"\n'})
    assert bash_denial("sed -i 's/shop/store/' pyproject.toml", str(repo.root)) is None


def test_the_core_hooks_path_folder_is_protected(repo):
    repo.git("config", "core.hooksPath", ".githooks")
    repo.files({".githooks/pre-commit": "#!/bin/sh\nimpl-check\n"})
    hooks = repo.root / ".githooks"
    assert rule(bash_denial("echo 'exit 0' > .githooks/pre-commit", str(repo.root))) == \
        ("protected-config", "echo 'exit 0' > .githooks/pre-commit")
    reason = edit(repo, "Write", ".githooks/pre-commit", content="exit 0\n")
    assert reason.endswith(f"changes the installed git hooks (core.hooksPath {hooks}), which only a person "
                           f"may change. {TO_ASK}")
    assert bash_denial("echo hi > notes.txt", str(repo.root)) is None


def test_a_symlink_to_the_config_is_the_config(repo):
    repo.files({"conf/impl.toml": "preset = 'spec-issue'\n"})
    os.symlink("conf/impl.toml", repo.root / ".impl-hooks.toml")
    reason = edit(repo, "Edit", "conf/impl.toml", old_string="spec-issue", new_string="none")
    assert reason.startswith("impl-hooks guard [protected-config]: Edit of ")
    assert "impl-hooks' config (.impl-hooks.toml)" in reason


def test_git_aliases_are_expanded_before_judging(repo):
    repo.git("config", "alias.ci", "commit")
    repo.git("config", "alias.sc", "!git commit")
    cwd = str(repo.root)
    assert rule(bash_denial("git ci -n -m x", cwd)) == ("skip-hooks", "git commit -n -m x")
    assert rule(bash_denial("git sc --no-verify", cwd)) == ("skip-hooks", "git commit --no-verify")
    assert bash_denial("git ci -m x", cwd) is None
    assert bash_denial("git log -n 3", cwd) is None


def test_guard_asks_git_only_when_a_command_could_need_it(repo, monkeypatch, tmp_path):
    """Ordinary commands start no process: the guard runs on every Bash call."""
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    for command in ("ls -la 2>/dev/null", "git status && git commit -m x", "git add -A; git push -u origin HEAD"):
        assert bash_denial(command, str(repo.root)) is None
    assert not trace.exists()


EDIT_VALUES = st.recursive(
    st.none() | st.booleans() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["old_string", "new_string", "replace_all"]), inner, max_size=3),
    max_leaves=6)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["Write", "Edit", "MultiEdit", "NotebookEdit"]), st.dictionaries(
    st.sampled_from(["file_path", "notebook_path", "content", "old_string", "new_string", "edits"]),
    EDIT_VALUES | st.sampled_from([".impl-hooks.toml", "pyproject.toml", "a/.claude/settings.json"]), max_size=5))
def test_judging_any_edit_never_crashes(tool, tool_input):
    reason = edit_denial(tool, tool_input, NOWHERE)
    assert reason is None or reason.startswith(f"impl-hooks guard [protected-config]: {tool} of ")
