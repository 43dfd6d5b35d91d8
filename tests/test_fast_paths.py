"""The fast paths give the plain answers: glob shapes matched without a regex,
and what the index holds worked out from HEAD's tree, the staged diff and the
listings kept between runs, against git's own listing of the index."""
from __future__ import annotations

import os
import re
import tempfile
from fnmatch import fnmatchcase
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impl_hooks import diskcache
from impl_hooks.checks import sources
from impl_hooks.checks.stubs import stub_findings
from impl_hooks.config import MARKER_GLOBS, load_config
from impl_hooks.globs import _compile, any_matcher, match_name, matcher
from impl_hooks.hooks import check_main, commit_msg_main
from impl_hooks.lazyre import lazy
from impl_hooks.snapshot import Repo as GitRepo
from impl_hooks.snapshot import Snapshot

from conftest import Repo, git

GLOB_CHARS = "ab.*/?[]! \\"
PATH = st.lists(st.text(alphabet="ab._*\n ", min_size=1, max_size=4), min_size=1, max_size=5).map("/".join)


@settings(max_examples=400)
@given(st.text(alphabet=GLOB_CHARS, max_size=12), PATH, st.booleans())
def test_glob_matcher_answers_as_the_regex(pattern, path, anchored):
    assert bool(matcher(pattern, anchored)(path)) == bool(_compile(pattern, anchored).match(path))


@settings(max_examples=400)
@given(st.lists(st.text(alphabet=GLOB_CHARS, max_size=8), max_size=5), PATH, st.booleans())
def test_a_set_of_globs_answers_as_its_regexes(patterns, path, anchored):
    patterns = [("**/" if len(p) % 3 == 1 else "") + p + ("/**" if len(p) % 4 == 1 else "") for p in patterns]
    expected = any(_compile(p, anchored).match(path) for p in patterns if p.strip())
    assert any_matcher(tuple(patterns), anchored)(path) == expected


@settings(max_examples=60)
@given(st.sampled_from(["CLAUDE.md", "*/CLAUDE.md", "**/Context.toml", "docs/**", "*.md", "LICENSE*",
                        "**/test_*.py", "**/*_test.go", "docs/Phase*/6.1_implementation_plan.md", ".*/**",
                        "**/__pycache__/**", "specs/*/tasks.md"]), PATH)
def test_the_shapes_config_uses_are_matched_without_a_regex(pattern, path):
    assert matcher(pattern, True) is not _compile(pattern, True).match
    assert bool(matcher(pattern, True)(path)) == bool(_compile(pattern, True).match(path))


@settings(max_examples=60)
@given(st.text(alphabet="ab/*?[]!", max_size=8), st.text(alphabet="ab/[]", max_size=8))
def test_branch_globs_answer_as_fnmatch(pattern, name):
    assert match_name(name, [pattern]) == fnmatchcase(name, pattern)


# -- the index: HEAD's tree + the staged diff, against `git ls-files` ---------

NAMES = ["a", "b", "docs", "CLAUDE.md", "Context.toml", "x.md", "sp ace"]
TREE = st.lists(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join),
                min_size=1, max_size=12, unique=True)
GLOBS = st.lists(st.sampled_from(["CLAUDE.md", "*/CLAUDE.md", "**/Context.toml", "docs/**", "*.md",
                                  "a/*", "**/x.md", "b"]), min_size=1, max_size=3, unique=True)


def _plant(root: Path, paths: list, content: str) -> list:
    """Write the files of `paths` that fit beside the others (no file where a folder is)."""
    written = []
    for path in paths:
        if any(path.startswith(w + "/") or w.startswith(path + "/") for w in written):
            continue
        target = root / path
        if any(parent.is_file() for parent in target.parents) or target.is_dir():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content + path)
        written.append(path)
    return written


def _index_files(root) -> dict:
    """path -> blob id, as git lists the index."""
    out = git(root, "ls-files", "-s", "-z")
    return {name: meta.split()[1] for meta, _, name in (r.partition("\t") for r in out.split("\0") if r)}


def _plain_exists(files: dict, asked: list) -> set:
    folders = {f.rsplit("/", i)[0] for f in files for i in range(1, f.count("/") + 1)}
    return {p for p in asked if p in files or p in folders}


def _assert_plain_answers(root, asked: list, globs: list) -> None:
    files = _index_files(root)
    snapshot = Snapshot.staged(GitRepo.discover(str(root)))
    assert snapshot.exists(asked) == _plain_exists(files, asked)
    listed = snapshot.list_paths(globs)
    assert listed == sorted(f for f in files if any(_compile(g, True).match(f) for g in globs))
    assert snapshot.blob_ids(listed) == {f: files[f] for f in listed}
    assert snapshot.blob_ids(asked) == {p: files[p] for p in asked if p in files}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREE, TREE, st.data(), GLOBS)
def test_exists_and_listings_of_the_index_answer_as_git_ls_files(before, after, data, globs):
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp))
        git(tmp, "init", "-q", "-b", "main")
        committed = _plant(repo.root, before, "v1 ")
        repo.commit("base")
        for path in data.draw(st.lists(st.sampled_from(committed), unique=True), label="removed"):
            git(tmp, "rm", "-q", "--", path)
        for path in data.draw(st.lists(st.sampled_from(committed), unique=True), label="modified"):
            if (repo.root / path).is_file():
                (repo.root / path).write_text("v2 " + path)
        for path in data.draw(st.lists(st.sampled_from(committed), unique=True), label="renamed"):
            if (repo.root / path).is_file() and not (repo.root / (path + "-moved")).exists():
                git(tmp, "mv", "--", path, path + "-moved")  # same content: git reports a rename (R)
        _plant(repo.root, after, "new ")
        repo.stage()
        asked = sorted({p for p in before + after} | {p + "-moved" for p in before}
                       | {p.rsplit("/", 1)[0] for p in before + after if "/" in p} | {"missing", "a/missing"})
        _assert_plain_answers(repo.root, asked, globs)
        # the listing kept for this HEAD is moved forward by the next commit's diff
        repo.commit("second")
        _plant(repo.root, [p + "/z.md" for p in after if (repo.root / p).is_dir()] + ["CLAUDE.md"], "third ")
        repo.stage()
        _assert_plain_answers(repo.root, asked, globs)


def test_a_kept_listing_is_moved_forward_by_one_diff_tree(repo, tmp_path, monkeypatch):
    repo.files({"CLAUDE.md": "# r\n", "svc/CLAUDE.md": "# s\n", "a.py": "x\n"}).commit()
    root = str(repo.root)
    Snapshot.staged(GitRepo.discover(root)).list_paths(MARKER_GLOBS)  # lists the index once, keeps it
    repo.files({"api/CLAUDE.md": "# api\n"}).commit()
    repo.git("rm", "-q", "svc/CLAUDE.md")
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    snapshot = Snapshot.staged(GitRepo.discover(root))
    assert snapshot.list_paths(MARKER_GLOBS) == ["CLAUDE.md", "api/CLAUDE.md"]
    snapshot.blobs.close()  # cat-file has written its trace line once it has exited
    commands = [line.split("trace: built-in: git ", 1)[1].split(" ")[0]
                for line in trace.read_text().splitlines() if "trace: built-in: git " in line]
    assert sorted(commands) == ["cat-file", "diff-index", "diff-tree", "rev-parse"]


def test_a_damaged_cache_file_reads_as_empty(repo):
    repo.files({"CLAUDE.md": "# r\n"}).commit()
    git_repo = GitRepo.discover(str(repo.root))
    Snapshot.staged(git_repo).list_paths(MARKER_GLOBS)
    path = os.path.join(git_repo.common_dir, "impl-hooks", "cache", "listings")
    with open(path, "wb") as fh:
        fh.write(b"\x00not marshal")
    assert diskcache.load(git_repo, "listings") == {}
    assert Snapshot.staged(GitRepo.discover(str(repo.root))).list_paths(MARKER_GLOBS) == ["CLAUDE.md"]


def test_the_message_hooks_of_a_commit_ask_git_for_no_listing_and_no_diff(repo, tmp_path, monkeypatch, run_hook):
    repo.files({"backend/Context.toml": '[context]\ncurrent_step = "1.1"\ncurrent_issue = "AUTH-12"\n',
                ".impl-hooks.toml": 'preset = "phased-plan"\n', "backend/a.py": "x = 1\n"}).commit()
    repo.branch("AUTH-12-login").files({"backend/a.py": "x = 2\n"}).stage()
    run_hook(check_main, repo.root)  # the pre-commit hook lists the index once, for the commit
    message = tmp_path / "MSG"
    message.write_text("AUTH-12: login\n")
    trace = tmp_path / "trace"
    assert run_hook(commit_msg_main, repo.root, str(message), env={"GIT_TRACE": str(trace)}) == (0, "", "")
    commands = [line.split("trace: built-in: git ", 1)[1].split(" ")[0]
                for line in trace.read_text().splitlines() if "trace: built-in: git " in line]
    assert commands == ["rev-parse"]  # the config and context tables are kept by blob id too


def test_a_lazy_pattern_answers_as_the_compiled_one():
    pattern = lazy(r"(?P<word>\w+)-(\d+)", re.I)
    assert pattern.pattern == r"(?P<word>\w+)-(\d+)" and pattern.groupindex == {"word": 1}
    assert pattern.search("see auth-12 now").group(0, "word") == ("auth-12", "auth")
    assert pattern.sub("#", "a-1 b-2") == "# #"


# -- X001/X002 kept by blob id: the same findings as parsing every staged file --------

SOURCES = ["def f():\n    return 1\n", "def f():\n    pass\n", "def f(:\n", "", "class A:\n    ...\n",
           "export function f() {}\n", "x = 1\n"]
SOURCE_PATHS = st.dictionaries(st.sampled_from(["a.py", "b.py", "pkg/__init__.py", "tests/test_a.py",
                                                "web/a.ts", "gen/x.pyi"]),
                               st.sampled_from(SOURCES), min_size=1)


def _plain_stub_findings(root) -> list:
    snapshot = Snapshot.staged(GitRepo.discover(str(root)))
    staged = set(snapshot.staged_paths)
    blobs = snapshot.read_many(sorted(p for p in staged if p.endswith(sources.STUB_SUFFIXES)))
    return [f for path in sorted(blobs) for f in stub_findings(path, blobs[path])]


def _kept_stub_findings(root) -> list:
    snapshot = Snapshot.staged(GitRepo.discover(str(root)))
    return sources.check(snapshot, {}, load_config(snapshot))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCE_PATHS, SOURCE_PATHS)
def test_kept_stub_findings_are_the_findings_of_parsing_every_file(first, second):
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp))
        git(tmp, "init", "-q", "-b", "main")
        repo.files({"README.md": "# r\n"}).commit("base")
        for files in (first, second):  # the second change keeps some files, changes or adds others
            repo.files(files).stage()
            expected = _plain_stub_findings(repo.root)
            assert _kept_stub_findings(repo.root) == expected  # what was not kept is parsed
            assert _kept_stub_findings(repo.root) == expected  # all of it kept now
