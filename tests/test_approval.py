"""The approval gate (H001): approvals recorded under a lock, the user's index never written."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from click.testing import CliRunner

from impl_hooks.approval import approvals_path, load_approvals, record_approval, staged_tree
from impl_hooks.cli import main
from impl_hooks.hooks import check_main
from impl_hooks.snapshot import Repo

GATED = "[approval]\nrequired = true\n"


def gated_repo(repo):
    """An issue branch with the approval gate on, and a change staged."""
    repo.files({".impl-hooks.toml": GATED, "a.py": "x = 1\n"}).commit("base").branch("AUTH-3")
    return repo.files({"a.py": "x = 2\n"}).stage()


def index_state(repo) -> tuple:
    path = repo.root / ".git" / "index"
    info = path.stat()
    return info.st_ino, info.st_mtime_ns, path.read_bytes()


def test_staged_tree_is_write_tree_of_the_index_without_writing_it(repo):
    gated_repo(repo)
    before = index_state(repo)
    tree = staged_tree(Repo.discover(str(repo.root)))
    assert index_state(repo) == before
    assert tree == repo.git("write-tree").strip()


def test_staged_tree_of_a_repository_without_an_index_is_the_empty_tree(repo):
    assert staged_tree(Repo.discover(str(repo.root))) == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert not (repo.root / ".git" / "index").exists()


def test_impl_check_with_the_gate_leaves_the_index_untouched(repo, run_hook):
    gated_repo(repo)
    before = index_state(repo)
    code, out, err = run_hook(check_main, repo.root)
    assert index_state(repo) == before
    tree = repo.git("write-tree").strip()
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"H001 the staged tree {tree[:12]} was not approved",
        "  hint: a person tests the change, then runs: impl-hooks approve (it records exactly what is staged)"]


def test_h001_under_claude_code_tells_the_agent_to_ask_the_person(repo, run_hook):
    gated_repo(repo)
    tree = repo.git("write-tree").strip()
    code, out, _ = run_hook(check_main, repo.root, env={"CLAUDECODE": "1"})
    assert code == 1
    assert out.splitlines() == [
        f"H001 the staged tree {tree[:12]} was not approved",
        "  hint: ask the person to test this change and approve it (they run `impl-hooks approve` in "
        "their own terminal); do not run it yourself"]


def test_approved_tree_passes_and_the_approval_names_the_person(repo, run_hook, monkeypatch):
    gated_repo(repo)
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["approve"])
    tree = repo.git("write-tree").strip()
    assert (result.exit_code, result.output) == (
        0, f"approved staged tree {tree[:12]} (Test <test@example.com>); commit it without changing the index\n")
    assert run_hook(check_main, repo.root) == (0, "", "")
    [entry] = load_approvals(Repo.discover(str(repo.root)))
    assert (entry["tree"], entry["who"], entry["branch"]) == (tree, "Test <test@example.com>", "AUTH-3")


def test_approve_refuses_to_run_inside_claude_code(repo, monkeypatch):
    gated_repo(repo)
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["approve"], env={"CLAUDECODE": "1"})
    assert (result.exit_code, result.output) == (
        2, "impl-hooks: approve is a person's: it does not run inside Claude Code (CLAUDECODE is set); "
           "the person who tested the change runs it in their own terminal\n")
    assert not os.path.exists(approvals_path(Repo.discover(str(repo.root))))
    shown = CliRunner().invoke(main, ["approve", "--show"], env={"CLAUDECODE": "1"})
    assert (shown.exit_code, shown.output) == (0, "no approvals recorded\n")


def test_twelve_approve_processes_at_once_record_all_twelve(repo):
    """Each process approves its own staged tree (its own GIT_INDEX_FILE), all started together."""
    repo.files({"a.py": "x = 0\n"}).commit("base")
    trees, procs = [], []
    for n in range(12):
        index = str(repo.root / ".git" / f"index-{n}")
        env = dict(os.environ, GIT_INDEX_FILE=index)
        subprocess.run(["git", "read-tree", "HEAD"], cwd=repo.root, env=env, check=True)
        (repo.root / "a.py").write_text(f"x = {n + 1}\n")
        subprocess.run(["git", "add", "a.py"], cwd=repo.root, env=env, check=True)
        trees.append(subprocess.run(["git", "write-tree"], cwd=repo.root, env=env, check=True,
                                    capture_output=True, text=True).stdout.strip())
    for n in range(12):
        env = dict(os.environ, GIT_INDEX_FILE=str(repo.root / ".git" / f"index-{n}"))
        procs.append(subprocess.Popen([sys.executable, "-m", "impl_hooks", "approve"], cwd=repo.root, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    assert [p.wait() for p in procs] == [0] * 12, [p.stderr.read() for p in procs]
    assert len(set(trees)) == 12
    recorded = load_approvals(Repo.discover(str(repo.root)))
    assert sorted(a["tree"] for a in recorded) == sorted(trees)


def test_threads_recording_at_once_lose_nothing(repo):
    repo.files({"a.py": "x = 0\n"}).commit("base")
    git_repo = Repo.discover(str(repo.root))
    trees = [f"{n:040x}" for n in range(40)]
    start = threading.Barrier(len(trees))

    def approve(tree):
        start.wait()
        record_approval(git_repo, tree, "Test", "main")

    threads = [threading.Thread(target=approve, args=(t,)) for t in trees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a["tree"] for a in load_approvals(git_repo)) == trees
    with open(approvals_path(git_repo), encoding="utf-8") as fh:
        assert len(json.load(fh)) == 40
    leftovers = sorted(p.name for p in (repo.root / ".git" / "impl-hooks").iterdir())
    assert leftovers == ["approvals.json", "approvals.json.lock"]


def test_approving_a_tree_again_keeps_one_entry(repo):
    git_repo = Repo.discover(str(repo.root))
    record_approval(git_repo, "a" * 40, "Ann", "AUTH-1")
    record_approval(git_repo, "b" * 40, "Ann", "AUTH-1")
    record_approval(git_repo, "a" * 40, "Bob", "AUTH-1")
    assert [(a["tree"][0], a["who"]) for a in load_approvals(git_repo)] == [("b", "Ann"), ("a", "Bob")]
