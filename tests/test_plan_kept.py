"""A long plan's layout kept between runs: the next run reads the plan's first
version from it and finds what a whole read finds; a layout that does not fit,
or a damaged file, is read whole."""
from __future__ import annotations

import marshal
from unittest import mock

import pytest

from impl_hooks import diskcache
from impl_hooks.plan import kept, locate, markdown
from impl_hooks.snapshot import Repo as GitRepo

from conftest import check_findings, phased_plan_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"
KEPT_FILE = ".git/impl-hooks/cache/plans"
DONE_TASK = ("2. Background job removes expired sessions", "2. Background job removes expired sessions ✅")
NEXT_TASK = ("3. Document the session lifetime in `docs/auth.md`",
             "3. Document the session lifetime in `docs/auth.md` ✅")


def new_run() -> None:
    """What a new process starts without: the layouts read and the kept ones loaded."""
    markdown._LAYOUTS.clear()
    kept._loaded.clear()


def findings(repo) -> list:
    new_run()
    return check_findings(repo.root)


def whole_read_findings(repo) -> list:
    """The findings with nothing kept: every plan read whole."""
    saved = (repo.root / KEPT_FILE).read_bytes() if (repo.root / KEPT_FILE).exists() else None
    (repo.root / KEPT_FILE).unlink(missing_ok=True)
    try:
        return findings(repo)
    finally:
        if saved is not None:
            (repo.root / KEPT_FILE).write_bytes(saved)


def kept_plans(repo) -> dict:
    stored = diskcache.load(GitRepo.discover(str(repo.root)), kept.CACHE)
    assert stored["reader"] == kept._reader()
    return stored["plans"]


@pytest.fixture
def phased(repo, monkeypatch):
    """A phased-plan repository whose plan counts as long; step 2.2's first task ticked and staged."""
    monkeypatch.setattr(locate, "KEPT_CHARS", 1000)
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12-logout")
    repo.files({"backend/app/domains/auth/jobs.py": "def purge():\n    return 0\n"}).replace(PLAN, *DONE_TASK)
    return repo.stage()


def test_the_staged_version_of_a_long_plan_is_kept_for_the_next_commit(phased):
    assert findings(phased) == []
    staged = phased.git("rev-parse", f":{PLAN}").strip()
    plans = kept_plans(phased)
    assert list(plans) == [PLAN]
    assert plans[PLAN][:2] == (markdown.DEFAULT_MARKERS, staged)


def test_the_next_commit_reads_the_plan_from_the_kept_layout_and_writes_nothing(phased):
    findings(phased)
    phased.commit("purge job")
    kept_file = (phased.root / KEPT_FILE).read_bytes()
    phased.files({"docs/auth.md": "# Sessions last 24 hours\n"}).replace(PLAN, *NEXT_TASK).stage()
    expected = whole_read_findings(phased)
    new_run()
    with mock.patch.object(markdown, "_structure", side_effect=AssertionError("headings searched")):
        assert check_findings(phased.root) == expected
    assert (phased.root / KEPT_FILE).read_bytes() == kept_file


def test_a_commit_tried_again_reads_its_staged_plan_from_the_kept_layout(phased):
    phased.files({"backend/app/domains/auth/logout.py": "def logout():\n    pass\n"}).stage()
    first = findings(phased)
    assert [line.split(": ")[1][:4] for line in first] == ["X001"]
    new_run()
    with mock.patch.object(markdown, "_structure", side_effect=AssertionError("headings searched")):
        assert check_findings(phased.root) == first


def test_a_kept_layout_the_plan_no_longer_fits_is_read_whole(phased):
    findings(phased)
    phased.commit("purge job")
    phased.replace(PLAN, "### Step 2.3: Password reset", "### Step 2.25: Sessions page\n\n### Step 2.3: Password reset")
    phased.files({"backend/app/domains/auth/page.py": "def page():\n    return 1\n"}).stage()
    expected = whole_read_findings(phased)
    assert expected == [f"{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated"]
    new_run()
    with mock.patch.object(markdown, "_structure", wraps=markdown._structure) as search:
        assert check_findings(phased.root) == expected
    assert search.called
    staged = phased.git("rev-parse", f":{PLAN}").strip()
    assert kept_plans(phased)[PLAN][1] == staged  # read whole: kept for the commits after it


_STAMPED = [
    {"reader": "", "plans": {PLAN: ()}},  # another release's
    {"plans": [1, 2]},
    {"plans": {PLAN: "x"}},
    {"plans": {PLAN: (markdown.DEFAULT_MARKERS, "0" * 40, None)}},
    {"plans": {PLAN: (markdown.DEFAULT_MARKERS, "0" * 40, ("\nx", 1, 1, [1], []))}},
    {"plans": {PLAN: (markdown.DEFAULT_MARKERS, "0" * 40, ("x\n", 2, 1, [5], []))}},
    {"plans": {PLAN: (markdown.DEFAULT_MARKERS, "0" * 40, ("\n# A\n", 1, 1, [1, 1], [(1, ("step",), False)]))}},
    {"plans": {PLAN: (markdown.DEFAULT_MARKERS, "0" * 40, ("\n# A\n", 1, 1, [1, 1], [(1, (), "no")]))}},
    {"plans": {PLAN: (markdown.DEFAULT_MARKERS, "0" * 40,
                      ("\n# A\n", 1, 1, [1, 1], [(1, ("step", "1", 2, "", False), False)]))}},
    {"plans": {PLAN: (markdown.DEFAULT_MARKERS, "0" * 40, ("\n# A\n", 1, 1, [2, 1], [(1, (), False)]))}},
]


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps([1, 2, 3])] + _STAMPED)
def test_a_damaged_or_foreign_kept_file_reads_as_nothing_kept(phased, content):
    expected = whole_read_findings(phased)
    if isinstance(content, dict):  # as this release stores it, unless it says otherwise
        content = marshal.dumps((diskcache._STAMP, {"reader": kept._reader(), **content}))
    (phased.root / KEPT_FILE).write_bytes(content)
    assert findings(phased) == expected


def test_a_short_plan_keeps_nothing(phased, monkeypatch):
    monkeypatch.setattr(locate, "KEPT_CHARS", 65_536)
    assert findings(phased) == []
    assert not (phased.root / KEPT_FILE).exists()
