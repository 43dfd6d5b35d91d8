"""Server-side enforcement that a push cannot switch off: evil merges, commits
that arrived under a tag, the config a push brings, a German server.

The rule logic runs in-process on a real bare repository (`pre_receive` with
the `old new ref` lines git would give it); a few pushes go through a real
pre-receive hook to prove the wiring."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl_hooks.errors import UsageError
from impl_hooks.ranges import pre_receive
from impl_hooks.runner import HOOK_CHECKS
from impl_hooks.snapshot import NULL_SHA, parse_combined_paths, unquote_path
from impl_hooks.gitcmd import run as run_git
from impl_hooks.snapshot import Repo as GitRepo

from conftest import git, phased_plan_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"
DOMAIN = "backend/app/domains/auth"
NO_PROGRESS = "P001 code staged for step 2.2 but the plan was not updated"


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(path))
    return path


def install_hook(server):
    hook = server / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -m impl_hooks pre-receive\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)


def receive(repo, server, *updates):
    """pre-receive in-process on the server, for `old new ref` updates whose objects
    the server has received: (each finding's `commit:path:line: CODE message`, warnings)."""
    for _, new, _ in updates:
        repo.git("push", "-q", str(server), f"{new}:refs/incoming/new")  # what git's quarantine holds
        repo.git("push", "-q", str(server), ":refs/incoming/new")
    findings, warnings = pre_receive(GitRepo.discover(str(server)), [" ".join(u) for u in updates],
                                     HOOK_CHECKS["impl-check"])
    return [f"{f.location()}: {f.code} {f.message}" for f in findings], warnings


def sha(repo, rev="HEAD"):
    return repo.git("rev-parse", rev).strip()


def tick(repo, task="2. Background job removes expired sessions"):
    repo.replace(PLAN, task, task + " ✅")


def based(repo, server):
    """main with the phased plan, on the server; then the AUTH-12 branch."""
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.git("push", "-q", str(server), "main")
    return repo.branch("AUTH-12")


def no_progress(commit):
    return [f"{commit[:8]}:{PLAN}:53: {NO_PROGRESS}"]


def test_evil_merge_is_refused_for_the_file_no_parent_has(repo, server):
    based(repo, server)
    tick(repo)
    repo.files({f"{DOMAIN}/jobs.py": "def purge(s):\n    return s\n"}).commit("AUTH-12: purge")
    repo.git("push", "-q", str(server), "AUTH-12")
    old = sha(repo)
    repo.git("checkout", "-q", "main")
    repo.files({"README.md": "# app\n"}).commit("docs")
    repo.git("push", "-q", str(server), "main")
    repo.git("checkout", "-q", "AUTH-12")
    repo.git("merge", "-q", "--no-commit", "main")
    repo.files({f'{DOMAIN}/evil "x" é.py': "def backdoor():\n    return 1\n"}).commit("Merge main")
    assert receive(repo, server, (old, sha(repo), "refs/heads/AUTH-12")) == (no_progress(sha(repo)), [])


def two_sides_editing_util(repo, server) -> str:
    """AUTH-12 pushed with util.py; then two commits, each ticking a task and editing
    its own end of util.py, left ready to merge (`side` holds the top edit). The old tip."""
    based(repo, server)
    repo.files({f"{DOMAIN}/util.py": "".join(f"v{n} = {n}\n" for n in range(20))}).commit("base util")
    repo.git("push", "-q", str(server), "AUTH-12")
    old = sha(repo)
    tick(repo)
    repo.replace(f"{DOMAIN}/util.py", "v2 = 2", "v2 = 'two'").commit("AUTH-12: top")
    repo.git("branch", "side")
    repo.git("reset", "-q", "--hard", old)
    tick(repo)
    repo.replace(f"{DOMAIN}/util.py", "v18 = 18", "v18 = 'eighteen'").commit("AUTH-12: bottom")
    return old


def test_clean_merge_of_both_sides_editing_one_file_adds_nothing(repo, server):
    old = two_sides_editing_util(repo, server)
    repo.git("merge", "-q", "--no-edit", "side")
    assert receive(repo, server, (old, sha(repo), "refs/heads/AUTH-12")) == ([], [])


def test_merge_with_a_hunk_in_no_parent_is_refused(repo, server):
    old = two_sides_editing_util(repo, server)
    repo.git("merge", "-q", "--no-commit", "side")
    repo.replace(f"{DOMAIN}/util.py", "v10 = 10", "v10 = __import__('os').system('sh')").commit("Merge side")
    assert receive(repo, server, (old, sha(repo), "refs/heads/AUTH-12")) == (no_progress(sha(repo)), [])


def test_commit_that_arrived_under_a_tag_is_checked_when_a_branch_brings_it(repo, server):
    based(repo, server)
    repo.files({f"{DOMAIN}/extra.py": "def more(s):\n    return s\n"}).commit("no plan progress")
    sneaky = sha(repo)
    repo.git("tag", "v1")
    repo.git("push", "-q", str(server), "v1")
    repo.git("push", "-q", str(server), f"{sneaky}:refs/pull/1/head")
    assert receive(repo, server, (NULL_SHA, sneaky, "refs/heads/AUTH-12")) == (no_progress(sneaky), [])


def test_commit_a_branch_of_the_server_has_is_not_checked_again(repo, server):
    based(repo, server)
    repo.files({"a.txt": "x\n"}).commit("AUTH-12: start")
    repo.git("push", "-q", str(server), "AUTH-12")
    old = sha(repo)
    repo.git("checkout", "-q", "main")
    repo.files({f"{DOMAIN}/hotfix.py": "FIX = 1\n"}).commit("hotfix pushed before the hook")
    repo.git("push", "-q", str(server), "main")
    repo.git("checkout", "-q", "AUTH-12")
    repo.git("merge", "-q", "--no-edit", "main")
    assert receive(repo, server, (old, sha(repo), "refs/heads/AUTH-12")) == ([], [])


def test_pushed_config_is_not_in_force_and_its_weakening_is_reported(repo, server):
    based(repo, server)
    repo.files({".impl-hooks.toml": 'ignore = ["P", "R"]\n',
                f"{DOMAIN}/extra.py": "def more(s):\n    return s\n"}).commit("AUTH-12: quiet")
    assert receive(repo, server, (NULL_SHA, sha(repo), "refs/heads/AUTH-12")) == (no_progress(sha(repo)), [
        "the push changes .impl-hooks.toml; it takes effect once it lands; it weakens the checks: ignore adds P, R"])


def test_config_of_the_branch_being_updated_is_in_force(repo, server):
    based(repo, server)
    repo.files({".impl-hooks.toml": "[plan]\nrequire = 'off'\n"}).commit("AUTH-12: no plan check here")
    repo.git("push", "-q", str(server), "AUTH-12")
    old = sha(repo)
    repo.files({".impl-hooks.toml": "", f"{DOMAIN}/extra.py": "def more(s):\n    return s\n"}).commit("AUTH-12: x")
    assert receive(repo, server, (old, sha(repo), "refs/heads/AUTH-12")) == (
        [], ["the push changes .impl-hooks.toml; it takes effect once it lands"])


def test_a_pushed_config_that_does_not_load_is_c001_for_its_commit(repo, server):
    based(repo, server)
    repo.files({".impl-hooks.toml": "ignore = [\n"}).commit("AUTH-12: broken config")
    broken = sha(repo)
    repo.files({f"{DOMAIN}/extra.py": "def more(s):\n    return s\n"}).commit("AUTH-12: more")
    lines, warnings = receive(repo, server, (NULL_SHA, sha(repo), "refs/heads/AUTH-12"))
    assert lines == [f"{broken[:8]}:.impl-hooks.toml:2: C001 invalid TOML: Invalid value",
                     *no_progress(sha(repo))]
    assert warnings == ["the push changes .impl-hooks.toml (it does not load, see C001); it takes effect once it lands"]


# -- through a real pre-receive hook ----------------------------------------

def push(repo, server, *refs, env=None):
    proc = subprocess.run(["git", "push", str(server), *refs], cwd=repo.root, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    return proc.returncode, [line for line in proc.stderr.splitlines() if line.startswith("remote: ")]


def test_real_push_of_a_pushed_config_is_refused_with_one_warning(repo, server):
    based(repo, server)
    install_hook(server)
    repo.files({".impl-hooks.toml": 'ignore = ["P"]\n',
                f"{DOMAIN}/extra.py": "def more(s):\n    return s\n"}).commit("AUTH-12: quiet")
    code, remote = push(repo, server, "AUTH-12")
    assert code != 0
    assert [line.rstrip() for line in remote[:2]] == [
        "remote: impl-hooks: warning: the push changes .impl-hooks.toml; it takes effect once it lands; "
        "it weakens the checks: ignore adds P",
        f"remote: {no_progress(sha(repo))[0]}"]
    assert len(remote) == 3 and remote[2].startswith("remote:   hint: ")


GERMAN = {"LANGUAGE": "de", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}


def speaks_german(tmp_path) -> bool:
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, **GERMAN})
    return "Arbeitsverzeichnis" in proc.stderr or "Git-Repository" in proc.stderr


def test_bare_repository_is_recognised_whatever_the_language(server, monkeypatch, tmp_path):
    if not speaks_german(server):
        pytest.skip("git has no German message catalog here")
    for key, value in GERMAN.items():
        monkeypatch.setenv(key, value)
    found = GitRepo.discover(str(server))
    assert (found.bare, found.git_dir, found.root) == (True, str(server), str(server))


def test_git_speaks_english_to_impl_hooks_whatever_the_language(server, monkeypatch):
    if not speaks_german(server):
        pytest.skip("git has no German message catalog here")
    for key, value in GERMAN.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(UsageError) as failed:
        run_git(["rev-parse", "--verify", "nope"], cwd=str(server))
    assert str(failed.value) == "fatal: Needed a single revision"


def test_pre_receive_on_a_german_server_accepts_a_good_push(repo, server):
    if not speaks_german(server):
        pytest.skip("git has no German message catalog here")
    based(repo, server)
    install_hook(server)
    tick(repo)
    repo.files({f"{DOMAIN}/jobs.py": "def purge(s):\n    return s\n"}).commit("AUTH-12: purge")
    code, remote = push(repo, server, "AUTH-12", env=GERMAN)
    assert (code, remote) == (0, [])


# -- the combined-diff reader ------------------------------------------------

def c_quoted(path: bytes) -> bytes:
    """A path quoted the way git quotes an unusual one in a diff header."""
    named = {7: b"\\a", 8: b"\\b", 9: b"\\t", 10: b"\\n", 11: b"\\v", 12: b"\\f", 13: b"\\r",
             34: b'\\"', 92: b"\\\\"}
    return b'"' + b"".join(named.get(c) or (bytes([c]) if 32 <= c < 127 else b"\\%03o" % c) for c in path) + b'"'


@given(st.binary(min_size=1))
def test_quoted_paths_read_back(path):
    assert unquote_path(c_quoted(path)) == path


@given(st.binary())
def test_arbitrary_bytes_as_a_quoted_path_never_crash(raw):
    assert isinstance(unquote_path(raw), bytes)


@given(st.lists(st.sampled_from([b"a" * 40, b"diff --cc x.py", b"diff --combined \"q\\\"\"", b"@@@ -1 -1 +1 @@@",
                                 b"++x", b"diff --cc ", b"\"", b"f" * 64]) | st.binary(max_size=60)).map(b"\n".join))
def test_arbitrary_text_as_a_combined_diff_never_crashes(out):
    found = parse_combined_paths(out)
    assert all(isinstance(paths, set) for paths in found.values())


def test_combined_diff_names_each_merge_and_its_own_paths():
    out = (b"a" * 40 + b"\ndiff --cc \"sp ace\\303\\251.py\"\nindex 1,2..3\n@@@ -1 -1 +1 @@@\n++x\n"
           + b"b" * 40 + b"\n" + b"c" * 40 + b"\ndiff --cc plain.py\n")
    assert parse_combined_paths(out) == {"a" * 40: {"sp aceé.py"}, "b" * 40: set(), "c" * 40: {"plain.py"}}
