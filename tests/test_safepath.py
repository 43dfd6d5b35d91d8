"""The safe-path layer: no symlink followed, nothing outside the repository, nothing
under a git directory; and every command that reads or writes the work tree uses it."""
from __future__ import annotations

import os
import subprocess

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import fixture, phased_plan_repo, tree_state
from impl_hooks.agent.gather import gather
from impl_hooks.atomic import write_atomic
from impl_hooks.cli import main
from impl_hooks.config import load_config
from impl_hooks.context import Contexts
from impl_hooks.hooks import structure_main
from impl_hooks.safepath import PathError, path_problem, read_bytes, read_text, write_bytes, write_text
from impl_hooks.snapshot import Repo, Snapshot


@pytest.fixture
def tree(repo):
    """The repository (discovered) with a folder `outside` beside it holding one file."""
    outside = repo.root.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside\n")
    return Repo.discover(str(repo.root))


def refusal(call, *args) -> str:
    with pytest.raises(PathError) as caught:
        call(*args)
    return str(caught.value)


@pytest.mark.parametrize("path,why", [
    ("", "the path is empty"),
    ("docs/a\0b.md", "the path contains a NUL byte"),
    ("/etc/passwd", "it is an absolute path"),
    ("\\\\server\\share", "it is an absolute path"),
    ("C:/Windows/x", "it is an absolute path"),
    ("../outside/secret.txt", "it leads out of the repository"),
    ("docs/../../outside", "it leads out of the repository"),
    ("docs\\..\\..\\outside", "it leads out of the repository"),
    ("docs//x.md", "it has an empty or '.' component"),
    ("docs/", "it has an empty or '.' component"),
    ("./docs/x.md", "it has an empty or '.' component"),
    (".git/config", "it is inside a git directory"),
    ("sub/.GIT/config", "it is inside a git directory"),
    (".git./config", "it is inside a git directory"),
    ("GIT~1/config", "it is inside a git directory"),
    (".g\u200cit/config", "it is inside a git directory"),
    ("docs/notes.md", ""),
    (".github/workflows/ci.yml", ""),
    ("docs/.gitignore", ""),
])
def test_path_problem_names_each_unsafe_shape(path, why):
    assert path_problem(path) == why


@given(st.text())
def test_path_problem_never_raises(path):
    assert isinstance(path_problem(path), str)


def test_a_symlinked_file_is_never_read_or_written(tree):
    root = tree.root
    os.makedirs(os.path.join(root, "docs"))
    os.symlink("../.git/config", os.path.join(root, "docs", "notes.md"))
    config = open(os.path.join(root, ".git", "config"), "rb").read()
    assert refusal(read_bytes, tree, "docs/notes.md") == "refusing to read docs/notes.md: it is a symlink"
    assert refusal(write_text, tree, "docs/notes.md", "[core]\n") == "refusing to write docs/notes.md: it is a symlink"
    assert open(os.path.join(root, ".git", "config"), "rb").read() == config
    assert os.readlink(os.path.join(root, "docs", "notes.md")) == "../.git/config"


def test_a_symlinked_folder_is_never_walked_through(tree):
    os.symlink("../outside", os.path.join(tree.root, ".claude"))
    assert refusal(read_bytes, tree, ".claude/secret.txt") == \
        "refusing to read .claude/secret.txt: .claude is a symlink"
    assert refusal(write_text, tree, ".claude/settings.json", "{}") == \
        "refusing to write .claude/settings.json: .claude is a symlink"
    assert os.listdir(os.path.join(tree.root, "..", "outside")) == ["secret.txt"]


def test_a_path_through_a_file_or_onto_a_folder_is_refused(tree):
    write_text(tree, "docs/a.md", "a\n")
    assert refusal(write_text, tree, "docs/a.md/b.md", "x") == "refusing to write docs/a.md/b.md: docs/a.md is not a folder"
    assert refusal(read_bytes, tree, "docs") == "refusing to read docs: it is not a regular file"
    assert refusal(write_text, tree, "docs", "x") == "refusing to write docs: it is not a regular file"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tree):
    os.mkfifo(os.path.join(tree.root, "pipe"))
    assert refusal(read_bytes, tree, "pipe") == "refusing to read pipe: it is not a regular file"


def test_a_git_dir_under_another_name_is_refused_by_identity(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", f"--separate-git-dir={root / 'meta'}", str(root)], check=True)
    repo = Repo.discover(str(root))
    assert refusal(write_text, repo, "meta/config", "[core]\n") == "refusing to write meta/config: meta is a git directory"
    assert refusal(read_bytes, repo, "meta/HEAD") == "refusing to read meta/HEAD: meta is a git directory"


def test_git_dir_and_git_common_dir_from_the_environment_are_refused(tree, monkeypatch):
    for name in ("GIT_DIR", "GIT_COMMON_DIR"):
        os.makedirs(os.path.join(tree.root, "store", name))
        with monkeypatch.context() as env:
            env.setenv(name, os.path.join(tree.root, "store", name))
            assert refusal(write_text, tree, f"store/{name}/x", "x") == \
                f"refusing to write store/{name}/x: store/{name} is a git directory"


def test_write_creates_folders_keeps_the_mode_and_leaves_no_temporary_file(tree):
    write_text(tree, "docs/Steps/1.2/report.md", "# Report\n")
    script = os.path.join(tree.root, "run.sh")
    with open(script, "w") as handle:
        handle.write("echo\n")
    os.chmod(script, 0o750)
    write_bytes(tree, "run.sh", b"echo hi\n")
    assert read_text(tree, "docs/Steps/1.2/report.md") == "# Report\n"
    assert (read_bytes(tree, "run.sh"), os.stat(script).st_mode & 0o777) == (b"echo hi\n", 0o750)
    assert read_bytes(tree, "docs/missing.md") is None and read_bytes(tree, "nowhere/missing.md") is None
    assert sorted(os.listdir(tree.root)) == [".git", "docs", "run.sh"]


def test_system_refusals_and_non_utf8_text_are_one_line_errors(tree):
    write_bytes(tree, "latin.md", b"caf\xe9\n")
    assert refusal(read_text, tree, "latin.md") == "cannot read latin.md: not UTF-8 text (byte 3)"
    long_name = "n" * 300
    assert refusal(write_text, tree, long_name, "x") == f"cannot write {'n' * 200}...: File name too long"
    assert refusal(read_bytes, tree, long_name) == f"cannot read {'n' * 200}...: File name too long"


def test_write_atomic_replaces_a_git_dir_file_keeping_its_mode(tree):
    path = os.path.join(tree.common_dir, "impl-hooks-state.json")
    with open(path, "w") as handle:
        handle.write("[]")
    os.chmod(path, 0o600)
    write_atomic(path, "[1]\n")
    assert (open(path).read(), os.stat(path).st_mode & 0o777) == ("[1]\n", 0o600)


@pytest.fixture(scope="module")
def trap(tmp_path_factory):
    """A repository whose work tree holds every kind of trap, and a folder beside it."""
    base = tmp_path_factory.mktemp("trap")
    root, outside = base / "repo", base / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("outside\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "docs").mkdir()
    os.symlink("../.git/config", root / "docs" / "notes.md")
    os.symlink("../outside", root / "out")
    os.symlink(str(outside / "secret.txt"), root / "abs.txt")
    os.symlink(".git", root / "gitlink")
    return Repo.discover(str(root))


TRAPS = st.sampled_from([
    "docs/notes.md", "out/secret.txt", "out/new.txt", "abs.txt", "gitlink/config", "gitlink/hooks/pre-commit",
    ".git/config", ".GIT/config", ".git/hooks/pre-commit", "../outside/new.txt", "/tmp/impl-hooks-trap.txt",
    "docs/../../outside/x", "docs\\..\\..\\outside\\x", "sub/.git/config", "a\0b",
])


@settings(max_examples=60, deadline=None)
@given(st.one_of(TRAPS, st.text(alphabet="ab./\\-_ .gGiItT~\0", max_size=16)), st.binary(max_size=64))
def test_no_write_changes_the_git_dir_a_symlink_or_anything_outside(trap, path, data):
    watched = (os.path.join(trap.root, ".git"), os.path.join(os.path.dirname(trap.root), "outside"))
    links = {name: os.readlink(os.path.join(trap.root, name)) for name in ("docs/notes.md", "out", "abs.txt", "gitlink")}
    before = tree_state(*watched)
    try:
        write_bytes(trap, path, data)
    except PathError:
        pass
    else:
        assert not path_problem(path)
        assert read_bytes(trap, path) == data  # a regular file inside the repository
    assert tree_state(*watched) == before
    assert {name: os.readlink(os.path.join(trap.root, name)) for name in links} == links
    assert not os.path.exists("/tmp/impl-hooks-trap.txt")


# -- every command goes through it ------------------------------------------------------------

@pytest.mark.parametrize("flag,link,written", [
    ("--claude", ".claude", ".claude/settings.json"),
    ("--github", ".github", ".github/workflows/impl-hooks.yml"),
])
def test_init_never_writes_through_a_tracked_symlink(repo, monkeypatch, flag, link, written):
    outside = repo.root.parent / "outside"
    outside.mkdir()
    os.symlink("../outside", repo.root / link)
    repo.commit("a shared folder")
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["init", flag])
    assert (result.exit_code, result.output) == (2, f"impl-hooks: refusing to read {written}: {link} is a symlink\n")
    assert os.listdir(outside) == []
    assert sorted(os.listdir(repo.root)) == sorted([".git", link])


def test_structure_fix_never_replaces_a_symlinked_claude_md(repo, run_hook):
    shared = repo.root.parent / "shared"
    shared.mkdir()
    text = "# Conventions\n\n## Project Structure\n\n```\nsrc/\n└── app.py\n```\n"
    (shared / "CLAUDE.md").write_text(text)
    os.symlink("../shared/CLAUDE.md", repo.root / "CLAUDE.md")
    repo.files({"src/app.py": "x = 1\n"}).commit("base")
    repo.files({"src/jobs.py": "y = 2\n"}).stage()
    code, out, err = run_hook(structure_main, repo.root, "--fix")
    assert (code, out, err) == (2, "", "impl-hooks: refusing to read CLAUDE.md: it is a symlink\n")
    assert os.readlink(repo.root / "CLAUDE.md") == "../shared/CLAUDE.md"
    assert (shared / "CLAUDE.md").read_text() == text


def test_start_never_writes_a_symlinked_context(repo, monkeypatch):
    outside = repo.root.parent / "outside"
    outside.mkdir()
    context = '[context]\ncurrent_step = "1.1"\n'
    (outside / "Context.toml").write_text(context)
    (repo.root / "backend").mkdir()
    os.symlink("../../outside/Context.toml", repo.root / "backend" / "Context.toml")
    repo.commit("base")
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["start", "AUTH-9", "--context", "backend/Context.toml"])
    assert (result.exit_code, result.output) == (
        2, "impl-hooks: refusing to read backend/Context.toml: it is a symlink\n")
    assert (outside / "Context.toml").read_text() == context
    assert repo.git("branch", "--list", "AUTH-9") == ""  # refused before the branch was made


def test_the_review_sends_a_symlink_as_its_target_path_never_the_file(repo):
    outside = repo.root.parent / "outside"
    outside.mkdir()
    (outside / "plan.md").write_bytes(fixture("plans/6.1_implementation_plan.md") + b"OUTSIDE PLAN TEXT\n")
    (outside / "notes.md").write_text("OUTSIDE NOTES\n")
    (outside / "CLAUDE.md").write_text("OUTSIDE CONVENTIONS\n")
    plan = "docs/Phase2/6.1_implementation_plan.md"
    phased_plan_repo(repo, step="2.2")
    (repo.root / plan).unlink()
    os.symlink("../../../outside/plan.md", repo.root / plan)
    os.symlink("../outside/CLAUDE.md", repo.root / "CLAUDE.md")
    repo.commit("base")
    os.symlink("../../../../../outside/notes.md", repo.root / "backend/app/domains/auth/notes.md")
    repo.stage()
    snapshot = Snapshot.staged(Repo.discover(str(repo.root)))
    inputs = gather(snapshot, Contexts(snapshot), load_config(snapshot))
    assert (inputs.unit_id, inputs.unit_text) == ("2.2", f"{plan}: symlink to ../../../outside/plan.md\n")
    assert inputs.conventions == [("CLAUDE.md", "CLAUDE.md: symlink to ../outside/CLAUDE.md\n")]
    assert inputs.diffs == [("backend/app/domains/auth/notes.md",
                             "backend/app/domains/auth/notes.md: symlink to ../../../../../outside/notes.md\n")]
    assert "OUTSIDE" not in repr(inputs)
