"""The staged snapshot: what git will commit, in every normal repository state."""
from __future__ import annotations

import os

import pytest

from impl_hooks.errors import UsageError
from impl_hooks.snapshot import Repo as GitRepo
from impl_hooks.snapshot import Snapshot

from conftest import git


def snap(repo) -> Snapshot:
    return Snapshot.staged(GitRepo.discover(str(repo.root)))


def test_first_commit_on_unborn_head_sees_every_staged_file_as_added(repo):
    repo.files({"a.py": "x = 1\n", "docs/b.md": "# b\n"}).stage()
    s = snap(repo)
    assert s.before is None
    assert sorted(s.added_paths) == ["a.py", "docs/b.md"]
    assert s.read("a.py") == b"x = 1\n"
    assert s.read_before("a.py") is None


def test_partially_staged_file_reads_index_version_not_work_tree(repo):
    repo.files({"a.py": "one\n"}).commit()
    repo.write("a.py", "one\ntwo\n")
    repo.stage("a.py")
    repo.write("a.py", "one\ntwo\nthree (unstaged)\n")
    s = snap(repo)
    assert s.read("a.py") == b"one\ntwo\n"
    assert s.read_before("a.py") == b"one\n"
    assert [c.status for c in s.changes] == ["M"]


def test_before_side_of_a_file_the_commit_leaves_alone_is_its_index_blob_without_ls_tree(repo, tmp_path, monkeypatch):
    repo.files({"plan.md": "- [x] done\n", "a.py": "one\n"}).commit()
    repo.write("plan.md", "- [x] done\n- [ ] edited, not staged\n")
    repo.files({"a.py": "two\n", "new.py": "x\n"}).stage("a.py", "new.py")
    s = snap(repo)
    assert s.changes  # read before the trace starts
    trace = tmp_path / "git-trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    assert s.read_before("plan.md") == s.read("plan.md") == b"- [x] done\n"
    assert "ls-tree" not in (trace.read_text() if trace.exists() else "")  # git logs each command it runs
    assert (s.read_before("a.py"), s.read_before("new.py"), s.read_before("gone.py")) == (b"one\n", None, None)


def test_untracked_file_is_not_part_of_the_snapshot(repo):
    repo.files({"a.py": "x\n"}).commit()
    repo.write("report.md", "only on disk\n")
    s = snap(repo)
    assert s.read("report.md") is None
    assert s.changes == []


def test_rename_is_detected_with_old_and_new_path(repo):
    repo.files({"src/old_name.py": "def f():\n    return 1\n" * 20}).commit()
    repo.git("mv", "src/old_name.py", "src/new_name.py")
    s = snap(repo)
    assert [(c.status, c.old_path, c.path) for c in s.changes] == [("R", "src/old_name.py", "src/new_name.py")]
    assert s.removed_paths == ["src/old_name.py"]
    assert s.added_paths == ["src/new_name.py"]


def test_deleted_file_is_removed_and_unreadable_after(repo):
    repo.files({"a.py": "x\n", "b.py": "y\n"}).commit()
    repo.git("rm", "-q", "a.py")
    s = snap(repo)
    assert s.removed_paths == ["a.py"]
    assert s.read("a.py") is None
    assert s.read_before("a.py") == b"x\n"


def test_paths_with_spaces_and_non_utf8_bytes_round_trip(repo):
    odd = os.fsdecode(b"caf\xe9 dir/na\xefve file.py")
    (repo.root / os.fsdecode(b"caf\xe9 dir")).mkdir()
    with open(repo.root / odd, "wb") as fh:
        fh.write(b"print('hi')\n")
    repo.write("with space.md", "x\n")
    repo.stage()
    s = snap(repo)
    assert set(s.staged_paths) == {odd, "with space.md"}
    assert s.read(odd) == b"print('hi')\n"
    assert s.exists([odd, "with space.md", "missing"]) == {odd, "with space.md"}


def test_crlf_and_binary_contents_are_returned_byte_for_byte(repo):
    binary = bytes(range(256)) * 4
    repo.files({"win.md": b"a\r\nb\r\n", "img.bin": binary}).stage()
    s = snap(repo)
    assert s.read("win.md") == b"a\r\nb\r\n"
    assert s.read("img.bin") == binary
    assert s.read_text("win.md") == "a\r\nb\r\n"


def test_many_blobs_are_read_in_one_batch(repo):
    repo.files({f"f{i}.txt": f"{i}\n" for i in range(300)}).stage()
    s = snap(repo)
    blobs = s.read_many([f"f{i}.txt" for i in range(300)])
    assert len(blobs) == 300 and blobs["f299.txt"] == b"299\n"


def test_detached_head_has_no_branch(repo):
    repo.files({"a": "1\n"}).commit().files({"a": "2\n"}).commit()
    repo.git("checkout", "-q", "HEAD~1")
    assert snap(repo).branch is None


def test_rebase_in_progress_reports_the_branch_being_rebased(repo):
    repo.files({"a.txt": "base\n"}).commit()
    repo.branch("AUTH-1-work").files({"a.txt": "ours\n"}).commit("ours")
    repo.git("checkout", "-q", "main")
    repo.files({"a.txt": "theirs\n"}).commit("theirs")
    repo.git("checkout", "-q", "AUTH-1-work")
    repo.git("rebase", "main", check=False)  # stops on the conflict
    gr = GitRepo.discover(str(repo.root))
    assert gr.operation() == "rebase"
    assert gr.branch() == "AUTH-1-work"


def test_merge_in_progress_is_reported(repo):
    repo.files({"a.txt": "base\n"}).commit()
    repo.branch("b").files({"a.txt": "b\n"}).commit()
    repo.git("checkout", "-q", "main")
    repo.files({"a.txt": "main\n"}).commit()
    repo.git("merge", "b", check=False)
    assert GitRepo.discover(str(repo.root)).operation() == "merge"


def test_linked_worktree_reads_its_own_index_and_branch(repo, tmp_path):
    repo.files({"a.txt": "x\n"}).commit()
    wt = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "-b", "AUTH-2-wt", str(wt))
    (wt / "new.py").write_text("y = 2\n")
    git(wt, "add", "new.py")
    gr = GitRepo.discover(str(wt))
    s = Snapshot.staged(gr)
    assert s.branch == "AUTH-2-wt"
    assert s.added_paths == ["new.py"]
    assert os.path.realpath(gr.common_dir) == os.path.realpath(repo.root / ".git")


def test_submodule_entry_is_listed_but_never_read_as_a_blob(repo, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q", "-b", "main")
    (sub / "x").write_text("x\n")
    git(sub, "add", "x")
    git(sub, "commit", "-q", "-m", "x")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    s = snap(repo)
    assert "vendor/sub" in s.staged_paths
    assert s.read("vendor/sub") is None


def test_outside_a_repository_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not a git repository"):
        GitRepo.discover(str(tmp_path))


def test_range_snapshot_compares_a_commit_with_its_parent(repo):
    repo.files({"a.py": "1\n"}).commit().files({"b.py": "2\n"}).commit()
    gr = GitRepo.discover(str(repo.root))
    head = gr.head()
    s = Snapshot(gr, before=head + "~1", after=head)
    assert s.added_paths == ["b.py"]
    assert s.read("b.py") == b"2\n"
    assert s.read_before("b.py") is None
    assert s.exists(["a.py", "b.py", "c.py"]) == {"a.py", "b.py"}
