"""spec-kit as its users write it: `specs/NNN-name/tasks.md` of the feature the
branch (or SPECIFY_FEATURE) names, Setup and Foundational before the user
stories, P001 hints that name the task of the staged file.

Fixture: tests/fixtures/spec_kit/tasks.md, written in the shape of spec-kit's
`templates/tasks-template.md` (front matter, table of contents, Format and Path
Conventions bullets, a comment, `## Phase 3: User Story 1 - … 🎯 MVP`,
`### Tests for User Story 1`, `**Checkpoint**` lines, a Dependencies section,
a fenced parallel example, an Implementation Strategy and Notes).
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.hooks import check_main
from impl_hooks.plan.tasks import read_tasks_md, task_naming

from conftest import check_findings, commit, fixture, hook_failed

ALBUMS = "specs/001-photo-albums/tasks.md"
LINKS = "specs/002-share-links/tasks.md"
LINKS_TASKS = """# Tasks: Share links

## Phase 1: Setup (Shared Infrastructure)

- [ ] T001 Add the links table in src/db/links.sql

## Phase 2: User Story 1 - Share an album by link (Priority: P1) 🎯 MVP

- [ ] T002 [US1] Implement link tokens in src/links/token.py
"""
P005_HINT = "  hint: finish the Foundational phase first (T005 at line 55): " \
    "no user story starts before Setup and Foundational are done"


def albums_hint(task: str, title: str, line: int, plan: str = ALBUMS) -> str:
    return f'  hint: mark {task} done ("{title}", line {line}) as `- [X] {task}`, then git add {plan}'


DETACHED = ["B004 (warning) HEAD is detached; branch rules skipped",
            "  hint: commit on a branch named after the issue (git switch -c ISSUE-ID)"]
POOL_HINT = albums_hint("T005", "Implement the connection pool in src/db/pool.py", 55)


def spec_kit(repo, branch: str = "001-photo-albums", extra: dict | None = None):
    """Two spec-kit features, committed on main, then the feature branch."""
    repo.files({
        ALBUMS: fixture("spec_kit/tasks.md"),
        LINKS: LINKS_TASKS,
        "src/db/schema.sql": "create table album (id integer primary key);\n",
        **(extra or {}),
    }).commit("base")
    if branch:
        repo.branch(branch)
    return repo


def tick(repo, path: str, *tasks: str):
    for task in tasks:
        repo.replace(path, f"- [ ] {task} ", f"- [X] {task} ")
    return repo


def run(run_hook, repo, env=None):
    code, out, err = run_hook(check_main, repo.root, env=env)
    return code, out.splitlines(), err


# --- the feature being worked on ---------------------------------------------


def test_a_tick_in_another_features_tasks_is_not_progress(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n"})
    tick(repo, LINKS, "T001").stage()
    assert run(run_hook, repo) == (1, [
        f"{ALBUMS}:1: P001 code staged but the plan was not updated",
        POOL_HINT,
    ], "")


def test_a_tick_in_the_branchs_own_feature_is_progress(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n"})
    tick(repo, ALBUMS, "T005").stage()
    assert run(run_hook, repo) == (0, [], "")


def test_specify_feature_wins_over_the_branch(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/links/token.py": "TOKEN_BYTES = 16\n"})
    tick(repo, ALBUMS, "T005").stage()
    env = {"SPECIFY_FEATURE": "002-share-links"}
    assert run(run_hook, repo, env) == (1, [
        f"{LINKS}:1: P001 code staged but the plan was not updated",
        albums_hint("T002", "Implement link tokens in src/links/token.py", 9, LINKS),
    ], "")
    repo.files({"src/db/links.sql": "create table link (token text primary key);\n"})
    tick(repo, LINKS, "T001").stage()
    assert run(run_hook, repo, env) == (0, [], "")


def test_a_branch_finds_its_feature_by_number_as_spec_kit_does(repo, run_hook):
    spec_kit(repo, branch="001-fix-pool-size")
    repo.files({"src/db/pool.py": "POOL_SIZE = 8\n"}).stage()
    assert run(run_hook, repo) == (1, [
        f"{ALBUMS}:1: P001 code staged but the plan was not updated",
        POOL_HINT,
    ], "")
    tick(repo, ALBUMS, "T005").stage()
    assert run(run_hook, repo) == (0, [], "")


def test_gitflow_and_timestamp_branches_name_their_feature(repo, run_hook):
    # spec-kit reads `feat/001-x` as `001-x`, and `YYYYMMDD-HHMMSS-name` by its stamp
    stamped = "specs/20260319-143022-export/tasks.md"
    spec_kit(repo, branch="feat/001-photo-albums", extra={
        ".impl-hooks.toml": 'preset = "spec-kit"\nignore = ["B001"]  # spec-kit accepts these branch names\n',
        stamped: "## Phase 1: Setup\n\n- [ ] T001 Export albums in src/export.py\n",
    })
    repo.files({"src/db/pool.py": "POOL_SIZE = 8\n"}).stage()
    assert run(run_hook, repo) == (1, [f"{ALBUMS}:1: P001 code staged but the plan was not updated", POOL_HINT], "")
    repo.git("checkout", "-q", "-b", "20260319-143022-zip-export")
    repo.files({"src/export.py": "FORMAT = 'zip'\n"}).stage()
    assert run(run_hook, repo) == (1, [
        f"{stamped}:1: P001 code staged but the plan was not updated",
        albums_hint("T001", "Export albums in src/export.py", 3, stamped),
    ], "")


def test_a_branch_that_names_no_feature_is_p002_naming_the_features(repo, run_hook):
    spec_kit(repo, branch="photo-albums")
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n"})
    tick(repo, ALBUMS, "T005").stage()
    assert run(run_hook, repo) == (1, [
        "B001 branch 'photo-albums' does not match the branch pattern",
        r"  hint: rename it after the issue, matching ^(?P<issue>\d{3})-[a-z0-9][a-z0-9-]*$",
        'specs/photo-albums/tasks.md: P002 branch "photo-albums" names no spec-kit feature '
        "(specs/ holds 001-photo-albums, 002-share-links)",
        "  hint: name the branch NNN-name after its feature (git branch -m 001-photo-albums) "
        "or set SPECIFY_FEATURE=001-photo-albums",
    ], "")


def test_specify_feature_that_names_no_feature_is_p002(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n"}).stage()
    assert run(run_hook, repo, {"SPECIFY_FEATURE": "009-gone"}) == (1, [
        'specs/009-gone/tasks.md: P002 SPECIFY_FEATURE "009-gone" names no spec-kit feature '
        "(specs/ holds 001-photo-albums, 002-share-links)",
        "  hint: set SPECIFY_FEATURE to a feature folder of specs/ (e.g. 001-photo-albums), "
        "or unset it to use the branch",
    ], "")


def test_two_features_with_the_branchs_number_is_p002(repo, run_hook):
    spec_kit(repo, branch="001-fix", extra={"specs/001-old-albums/tasks.md": LINKS_TASKS})
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n"}).stage()
    assert run(run_hook, repo) == (1, [
        'specs/001-fix/tasks.md: P002 branch "001-fix" matches several spec-kit features by its prefix 001: '
        "001-old-albums, 001-photo-albums",
        "  hint: give each feature folder in specs/ its own number: spec-kit takes one folder per prefix",
    ], "")


def test_detached_head_without_specify_feature_is_p002(repo, run_hook):
    spec_kit(repo, branch="")
    repo.git("checkout", "-q", "--detach")
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n"}).stage()
    assert run(run_hook, repo) == (1, [
        *DETACHED,
        "specs: P002 HEAD is detached and SPECIFY_FEATURE is not set: no spec-kit feature to judge "
        "(specs/ holds 001-photo-albums, 002-share-links)",
        "  hint: name the branch NNN-name after its feature (git branch -m 001-photo-albums) "
        "or set SPECIFY_FEATURE=001-photo-albums",
    ], "")


def test_a_feature_without_tasks_md_yet_is_p002_plan_not_in_the_commit(repo, run_hook):
    spec_kit(repo, branch="003-search", extra={"specs/003-search/spec.md": "# Feature: Search\n"})
    repo.files({"src/search.py": "LIMIT = 20\n"}).stage()
    assert run(run_hook, repo) == (1, [
        "specs/003-search/tasks.md: P002 plan specs/003-search/tasks.md is not in the commit",
        "  hint: add the plan (or set plan.paths in the config)",
    ], "")


def test_docs_only_commit_on_a_branch_without_a_feature_passes_the_plan_rules(repo, run_hook):
    spec_kit(repo, branch="001-photo-albums")
    repo.git("checkout", "-q", "--detach")
    repo.files({"docs/albums.md": "# Albums\n"}).stage()
    assert run(run_hook, repo) == (0, [
        *DETACHED,
    ], "")


# --- phases: Setup and Foundational block the user stories -------------------


def test_story_task_done_while_foundational_is_open_is_p005(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/models/album.py": "class Album:\n    title = ''\n"})
    tick(repo, ALBUMS, "T009").stage()
    assert run(run_hook, repo) == (1, [
        f"{ALBUMS}:77: P005 T009 completed, but Foundational task T005 is still open",
        P005_HINT,
    ], "")


def test_a_task_of_a_story_phase_is_a_story_task_without_its_tag(repo, run_hook):
    spec_kit(repo, branch="")
    repo.replace(ALBUMS, "- [ ] T009 [P] [US1] Implement", "- [ ] T009 [P] Implement").commit("untagged")
    repo.branch("001-photo-albums")
    repo.files({"src/models/album.py": "class Album:\n    title = ''\n"})
    tick(repo, ALBUMS, "T009").stage()
    assert run(run_hook, repo) == (1, [
        f"{ALBUMS}:77: P005 T009 completed, but Foundational task T005 is still open",
        P005_HINT,
    ], "")


def test_ticking_the_last_open_tasks_completes_the_feature_s_reports(repo):
    spec_kit(repo, branch="002-share-links", extra={
        ".impl-hooks.toml": "[[reports.require]]\npath = 'specs/{feature}/report.md'\n"})
    repo.files({"src/links/token.py": "def token():\n    return 'x'\n"})
    tick(repo, LINKS, "T001").stage()
    assert check_findings(repo.root, "impl-reports") == []  # T002 is still open
    tick(repo, LINKS, "T002").stage()
    assert check_findings(repo.root, "impl-reports") == [
        "specs/002-share-links/report.md: R001 required report specs/002-share-links/report.md is not in the "
        f"commit (this commit completes {LINKS})"]


def test_story_task_done_with_the_foundation_in_the_same_commit_passes(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n", "src/logging_setup.py": "LEVEL = 'INFO'\n",
                "src/models/album.py": "class Album:\n    title = ''\n"})
    tick(repo, ALBUMS, "T005", "T006", "T009").stage()
    assert run(run_hook, repo) == (0, [], "")


def test_setup_and_polish_tasks_are_not_blocked(repo, run_hook):
    spec_kit(repo)
    repo.files({"docs/albums.md": "# Albums\n", "src/db/pool.py": "POOL_SIZE = 4\n"})
    tick(repo, ALBUMS, "T014", "T005").stage()
    assert run(run_hook, repo) == (0, [], "")


def test_p001_hint_names_the_open_task_of_the_staged_file(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/models/album.py": "class Album:\n    title = ''\n"}).stage()
    assert run(run_hook, repo) == (1, [
        f"{ALBUMS}:1: P001 code staged but the plan was not updated",
        albums_hint("T009", "Implement Album model in src/models/album.py", 77),
    ], "")


def test_p001_hint_falls_back_to_the_first_open_task(repo, run_hook):
    spec_kit(repo)
    repo.files({"src/unplanned.py": "X = 1\n"}).stage()
    assert run(run_hook, repo) == (1, [f"{ALBUMS}:1: P001 code staged but the plan was not updated", POOL_HINT], "")


# --- the reader on the template's layout -------------------------------------


def test_tasks_md_in_the_template_layout():
    plan = read_tasks_md(fixture("spec_kit/tasks.md").decode())
    assert [(u.id, u.title, u.line, u.extra) for u in plan.units] == [
        ("1", "Setup (Shared Infrastructure)", 38, {"role": "setup"}),
        ("2", "Foundational (Blocking Prerequisites)", 48, {"role": "foundational"}),
        ("3", "User Story 1 - Group photos into albums (Priority: P1) 🎯 MVP", 62, {"role": "story"}),
        ("4", "User Story 2 - Share an album by link (Priority: P2)", 85, {"role": "story"}),
        ("5", "Polish & Cross-Cutting Concerns", 98, {}),
    ]
    tasks = [(u.id, u.completed, u.extra.get("tags", [])) for u in plan.walk() if u.kind == "task"]
    assert tasks == [
        ("T001", True, []), ("T002", True, []), ("T003", True, ["P"]),
        ("T004", True, []), ("T005", False, ["P"]), ("T006", False, ["P"]),
        ("T007", False, ["P", "US1"]), ("T008", False, ["P", "US1"]),  # under "### Tests for User Story 1"
        ("T009", False, ["P", "US1"]), ("T010", False, ["US1"]), ("T011", False, ["US1"]),
        ("T012", False, ["P", "US2"]), ("T013", False, ["US2"]),
        ("T014", False, ["P"]), ("T015", False, []),
    ]
    assert plan.find("T010").title == "Implement AlbumService in src/services/album_service.py (depends on T009)"


def test_task_naming_prefers_a_named_file_to_a_named_folder():
    plan = read_tasks_md(
        "## Phase 1: Setup\n\n- [ ] T001 Create the layout in src/ and tests/\n"
        "- [ ] T002 Add `.eslintrc.cjs`\n- [ ] T003 Album model in src/models/album.py\n")
    t001, t002, t003 = (plan.find(i) for i in ("T001", "T002", "T003"))
    assert task_naming([t001, t002, t003], ["backend/src/models/album.py"]) is t003
    assert task_naming([t001, t002, t003], ["web/.eslintrc.cjs"]) is t002
    assert task_naming([t001, t002, t003], ["src/other.py"]) is t001
    assert task_naming([t001, t002, t003], ["lib/x.py", "Python 3.12"]) is None


_SPEC_KIT_LINES = [
    "## Phase 1: Setup (Shared Infrastructure)", "## Phase 2: Foundational", "## Phase 3: User Story 1 - A",
    "## Phase 4: US2 Share", "### Tests for User Story 1", "## Dependencies & Execution Order",
    "- [ ] T001 Create src/models/a.py", "- [X] T002 [P] [US1] in `src/b.ts`", "- [x] T003 [US12] x/",
    "- [ ] T004 [P]", "- [ ] [US1] no id", "**Checkpoint**: done", "- **Setup (Phase 1)**: none",
    "  - nested note", "```bash", "Task: \"T005 in c.py\"", "```", "<!--", "-->", "---", "",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SPEC_KIT_LINES), st.text(max_size=20)), max_size=30),
       st.lists(st.one_of(st.sampled_from(["src/models/a.py", "src/b.ts", "x/y", ""]), st.text(max_size=12)),
                max_size=4))
def test_tasks_md_phases_and_task_naming_never_raise(lines, paths):
    plan = read_tasks_md("\n".join(lines))
    assert {u.extra.get("role") for u in plan.units if u.kind == "phase"} <= {None, "setup", "foundational", "story"}
    waiting = [u for u in plan.walk() if u.kind == "task" and not u.completed]
    found = task_naming(waiting, paths)
    assert found is None or any(found is u for u in waiting)


# --- through real `git commit` -----------------------------------------------


def test_spec_kit_commit_through_pre_commit(repo, precommit):
    spec_kit(repo)
    precommit(["impl-check"])
    repo.files({"src/db/pool.py": "POOL_SIZE = 4\n"})
    tick(repo, LINKS, "T001").stage()
    refused = commit(repo)
    assert (refused.returncode, refused.lines) == (1, hook_failed(
        "impl-hooks (all checks)", "impl-check", f"{ALBUMS}:1: P001 code staged but the plan was not updated",
        POOL_HINT))
    tick(repo, ALBUMS, "T005").stage()
    assert commit(repo).returncode == 0
