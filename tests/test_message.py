"""commit-msg (M001) and prepare-commit-msg: the issue id in the message, never twice."""
from __future__ import annotations

import pytest

from impl_hooks.checks.message import check_message, prepare_message
from impl_hooks.hooks import commit_msg_main, prepare_msg_main

GIT_TEMPLATE = "\n# Please enter the commit message for your changes.\n#\n# On branch AUTH-12-login\n"


def test_message_without_issue_is_m001():
    [finding] = check_message("add login route\n", ".git/COMMIT_EDITMSG", "AUTH-12")
    assert (finding.code, finding.line) == ("M001", 1)
    assert "AUTH-12" in finding.hint


@pytest.mark.parametrize("message", [
    "AUTH-12: add login", "add login (auth-12)", "Merge branch 'main' into AUTH-9",
    'Revert "add login"', "fixup! add login", "squash! add login", "amend! add login",
])
def test_messages_that_pass(message):
    assert check_message(message, "m", "AUTH-12") == []


def test_issue_must_match_whole_id_not_a_longer_number():
    assert [f.code for f in check_message("AUTH-123: x", "m", "AUTH-12")] == ["M001"]


def test_comment_lines_and_scissors_do_not_count_as_naming_the_issue():
    text = "add login\n# On branch AUTH-12\n# ------------------------ >8 ------------------------\nAUTH-12\n"
    assert [f.code for f in check_message(text, "m", "AUTH-12")] == ["M001"]


def test_a_comment_line_above_the_subject_is_skipped_not_the_end():
    assert prepare_message("# Please enter the commit message\nAUTH-12: add login\n", "AUTH-12", "{issue}: ",
                           "message") is None


def test_no_known_issue_means_nothing_to_check():
    assert check_message("anything", "m", None) == []


def test_prepare_puts_issue_before_the_subject():
    assert prepare_message("add login\n", "AUTH-12", "{issue}: ", "message") == "AUTH-12: add login\n"


def test_prepare_on_an_empty_editor_message_fills_the_subject_line():
    assert prepare_message(GIT_TEMPLATE, "AUTH-12", "{issue}: ", None) == "AUTH-12: " + GIT_TEMPLATE


def test_prepare_on_comments_alone_puts_the_subject_line_above_them():
    assert prepare_message("# Please enter the commit message\n", "AUTH-12", "{issue}: ", None) == \
        "AUTH-12: \n# Please enter the commit message\n"


def test_prepare_skips_comment_lines_above_the_subject():
    assert prepare_message("# a comment\nadd login\n\nwhy\n", "AUTH-12", "{issue}: ", "message") == \
        "# a comment\nAUTH-12: add login\n\nwhy\n"


@pytest.mark.parametrize("text,source", [
    ("AUTH-12: add login\n", "message"),      # already named
    ("add login [auth-12]\n", "message"),
    ("fixup! add login\n", "message"),
    ("squash! add login\n", "message"),
    ("amend! add login\n", "message"),
    ("Merge branch 'x'\n", "merge"),           # git's second argument says merge
    ("add login\n", "template"),
    ("add login\n", "squash"),
    ("add login\n", "commit"),                 # --amend / -c / -C
])
def test_prepare_leaves_the_message_alone(text, source):
    assert prepare_message(text, "AUTH-12", "{issue}: ", source) is None


def test_prepare_twice_adds_the_id_once():
    once = prepare_message("add login\n", "AUTH-12", "[{issue}] ", "message")
    assert once == "[AUTH-12] add login\n"
    assert prepare_message(once, "AUTH-12", "[{issue}] ", "message") is None


def test_prepare_msg_hook_edits_the_file_from_the_branch_issue(repo, run_hook):
    repo.files({"a": "1\n"}).commit().branch("AUTH-7-thing")
    msg = repo.write(".git/COMMIT_EDITMSG", "do thing\n")
    code, _, _ = run_hook(prepare_msg_main, repo.root, str(msg), env={"PRE_COMMIT_COMMIT_MSG_SOURCE": "message"})
    assert code == 0
    assert msg.read_text() == "AUTH-7: do thing\n"


def test_prepare_msg_hook_uses_configured_template(repo, run_hook):
    repo.files({".impl-hooks.toml": "[message]\ntemplate = '[{issue}] '\n"}).commit().branch("AUTH-7")
    msg = repo.write(".git/COMMIT_EDITMSG", "do thing\n")
    run_hook(prepare_msg_main, repo.root, str(msg), "message")
    assert msg.read_text() == "[AUTH-7] do thing\n"


def test_commit_msg_hook_reads_issue_from_context_when_branch_has_none(repo, run_hook):
    repo.files({"Context.toml": 'current_step = "1.1"\ncurrent_issue = "PAY-3"\n'}).commit()
    repo.branch("release-prep")
    repo.files({"Context.toml": 'current_step = "1.2"\ncurrent_issue = "PAY-3"\n'}).stage()
    msg = repo.write(".git/COMMIT_EDITMSG", "tweak\n")
    code, out, _ = run_hook(commit_msg_main, repo.root, str(msg))
    assert code == 1
    assert out.startswith(".git/COMMIT_EDITMSG:1: M001 commit message does not name the issue PAY-3")


def test_commit_msg_hook_with_unreadable_file_is_one_line_exit_2(repo, run_hook):
    repo.files({"a": "1\n"}).commit().branch("AUTH-7")
    code, out, err = run_hook(commit_msg_main, repo.root, "missing-file")
    assert code == 2
    assert err.strip().count("\n") == 0 and "missing-file" in err
