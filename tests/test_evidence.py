"""P007: a task ticked in the commit must leave the paths and code names it promises."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from impl_hooks.cli import main
from impl_hooks.hooks import plan_main
from impl_hooks.plan.evidence import promises

from conftest import check_findings, commit, line_of_text, sdd_flow_repo

PLAN = "docs/Phase1/6.1_implementation_plan.md"
EXTRA_TASKS = ("    - [ ] task 2.1.4 Create `AlbumService` in `backend/app/domains/albums/service.py`\n"
               "    - [ ] task 2.1.5 Add the `place_album` use case\n")


@pytest.mark.parametrize("text, expected", [
    ("Create `OrderService` in `backend/app/domains/orders/service.py`",
     (["backend/app/domains/orders/service.py"], ["OrderService"])),
    ("Add the `place_order` use case", ([], ["place_order"])),
    ("[P] [US1] Implement Album model in src/models/album.py", (["src/models/album.py"], [])),
    ("Call `InventoryGateway.reserve` from `hash_password()`", ([], ["InventoryGateway.reserve", "hash_password"])),
    ("`POST /auth/logout` invalidates the session", ([], [])),
    ("Set `plan.evidence`, `DATABASE_URL` and `users`; see `the docs`", ([], [])),
    ("Routes `/albums/{id}`, globs `src/*.py`, `<name>.py`, https://example.com/a/b.js", ([], [])),
    ("Folder `backend/app/`, file `models.py`, ./docs/guide.md", (["backend/app/", "models.py", "docs/guide.md"], [])),
    ("Seed data with `./scripts/seed.py`", (["scripts/seed.py"], [])),
    # misreadings found on public spec-kit and markdown plans (README, P007 figures)
    ("Add `@acme/widgets` to the dependencies in `package.json`", (["package.json"], [])),
    ("Put SECRET_KEY in backend/.env and document it in backend/.env.example", (["backend/.env.example"], [])),
    ("Removed `LegacyCache` and `src/cache/old.py` for good", ([], [])),
    ("Rename `util.py` to `helpers.py`", (["helpers.py"], [])),
    ("Replace `OldGateway` with `PaymentGateway` in `billing/gateway.py`",
     (["billing/gateway.py"], ["PaymentGateway"])),
    ("Move `OrderMapper` into `orders/mapper.py`", (["orders/mapper.py"], ["OrderMapper"])),
    ("Show totals in `ui/Summary.tsx` and/or `ui/Footer.tsx`", ([], [])),
    ("Cover `Cart.add_item/remove_item` in `tests/test_cart.py`", (["tests/test_cart.py"], [])),
    ("Write the API image at deploy/api/Dockerfile with a `.dockerignore`",
     ([".dockerignore", "deploy/api/Dockerfile"], [])),
])
def test_what_a_task_promises(text, expected):
    assert promises(text) == expected


@given(st.text())
def test_arbitrary_task_text_never_crashes_the_evidence_reader(text):
    paths, names = promises(text)
    assert all(p and ".." not in p and not p.startswith("/") for p in paths)
    assert all(n and " " not in n for n in names)


@pytest.fixture
def sdd(repo):
    sdd_flow_repo(repo)
    repo.replace(PLAN, "    - [ ] task 2.1.3 Pagination of the album list\n",
                 "    - [ ] task 2.1.3 Pagination of the album list\n" + EXTRA_TASKS)
    repo.commit("base")
    repo.branch("ALB-7-albums")
    return repo


def tick(repo, task: str) -> int:
    repo.replace(PLAN, f"- [ ] task {task} ", f"- [x] task {task} ")
    return line_of_text((repo.root / PLAN).read_text(), f"task {task} ")


def test_ticking_a_task_whose_file_and_class_are_missing_is_p007(sdd):
    line = tick(sdd, "2.1.4")
    sdd.files({"backend/app/domains/albums/api.py": "def albums():\n    return []\n"}).stage()
    assert check_findings(sdd.root, "impl-plan") == [
        f"{PLAN}:{line}: P007 task marked complete, but `backend/app/domains/albums/service.py`, "
        "`AlbumService` are not in the tree"]


def test_the_name_must_be_in_the_file_the_task_names(sdd, run_hook):
    line = tick(sdd, "2.1.4")
    sdd.files({"backend/app/domains/albums/service.py": "def create():\n    return 1\n",
               "backend/app/domains/albums/api.py": "from .service import AlbumService\n"}).stage()
    assert run_hook(plan_main, sdd.root) == (1, (
        f"{PLAN}:{line}: P007 task marked complete, but `AlbumService` is not in the tree\n"
        "  hint: commit what the task promises (names are looked for in backend/app/domains/albums/service.py), "
        "or leave the task open until it is done\n"), "")


def test_a_task_with_its_file_and_class_committed_passes(sdd):
    tick(sdd, "2.1.4")
    sdd.files({"backend/app/domains/albums/service.py": "class AlbumService:\n    pass_count = 0\n"}).stage()
    assert check_findings(sdd.root, "impl-plan") == []


def test_a_name_used_anywhere_in_the_tree_is_evidence(sdd):
    line = tick(sdd, "2.1.5")
    sdd.files({"backend/app/domains/albums/api.py": "def albums():\n    return []\n"}).stage()
    assert check_findings(sdd.root, "impl-plan") == [
        f"{PLAN}:{line}: P007 task marked complete, but `place_album` is not in the tree"]
    sdd.files({"backend/app/domains/albums/api.py": "def place_album(title):\n    return title\n"}).stage()
    assert check_findings(sdd.root, "impl-plan") == []


@pytest.mark.parametrize("mode, expected", [("paths", ["backend/app/domains/albums/service.py"]), ("off", [])])
def test_evidence_mode_chooses_what_is_checked(sdd, mode, expected):
    sdd.files({".impl-hooks.toml": f'[plan]\nevidence = "{mode}"\n'}).commit("config")
    line = tick(sdd, "2.1.4")
    sdd.files({"backend/app/domains/albums/api.py": "x = 1\n"}).stage()
    assert check_findings(sdd.root, "impl-plan") == [
        f"{PLAN}:{line}: P007 task marked complete, but `{p}` is not in the tree" for p in expected]


def test_spec_kit_tick_for_another_file_is_p007(repo):
    tasks = ("# Tasks: Albums\n\n## Phase 3: User Story 1 - Albums (Priority: P1)\n\n"
             "- [ ] T005 [P] [US1] Implement Album model in src/models/album.py\n"
             "- [ ] T006 [P] [US1] Implement Photo model in src/models/photo.py\n")
    repo.files({"specs/001-albums/tasks.md": tasks, "src/app.py": "app = 1\n"}).commit("base")
    repo.branch("001-albums")
    repo.replace("specs/001-albums/tasks.md", "- [ ] T005", "- [x] T005")
    repo.files({"src/models/photo.py": "class Photo:\n    size = 0\n"}).stage()
    assert check_findings(repo.root, "impl-plan") == [
        "specs/001-albums/tasks.md:5: P007 task marked complete, but `src/models/album.py` is not in the tree"]


def test_p007_in_range_mode(sdd, monkeypatch):
    tick(sdd, "2.1.4")
    sdd.files({"backend/app/domains/albums/api.py": "x = 1\n"}).commit("phantom")
    monkeypatch.chdir(sdd.root)
    result = CliRunner().invoke(main, ["check", "--range", "HEAD~1..HEAD"])
    assert result.exit_code == 1
    assert "P007 task marked complete, but `backend/app/domains/albums/service.py`, `AlbumService` are not in " \
           "the tree" in result.output


def test_range_mode_finds_a_name_that_is_committed(sdd, monkeypatch):
    tick(sdd, "2.1.4")
    sdd.files({"backend/app/domains/albums/service.py": "class AlbumService:\n    size = 0\n"}).commit("honest")
    monkeypatch.chdir(sdd.root)
    result = CliRunner().invoke(main, ["check", "--range", "HEAD~1..HEAD", "--hook", "impl-plan"])
    assert (result.exit_code, result.output) == (0, "")


def test_a_promised_path_the_repository_ignores_is_not_p007(sdd):
    sdd.files({".gitignore": "config/local.toml\n"}).commit("ignore")
    sdd.replace(PLAN, "    - [ ] task 2.1.5 Add the `place_album` use case",
                "    - [ ] task 2.1.5 Add the `place_album` use case\n    - [ ] task 2.1.6 Local settings in "
                "`config/local.toml` and `config/shared.toml`").commit("plan")
    line = tick(sdd, "2.1.6")
    sdd.files({"config/local.toml": "x = 1\n", "backend/app/domains/albums/api.py": "x = 1\n"}).stage()
    assert check_findings(sdd.root, "impl-plan") == [
        f"{PLAN}:{line}: P007 task marked complete, but `config/shared.toml` is not in the tree"]


def test_p007_through_a_real_commit(sdd, precommit):
    precommit(["impl-plan"])
    line = tick(sdd, "2.1.4")
    sdd.files({"backend/app/domains/albums/api.py": "x = 1\n"}).stage()
    refused = commit(sdd)
    assert (refused.returncode, refused.lines) == (1, [
        "impl-hooks plan progress.................................................Failed",
        "- hook id: impl-plan",
        "- exit code: 1",
        "",
        f"{PLAN}:{line}: P007 task marked complete, but `backend/app/domains/albums/service.py`, `AlbumService` "
        "are not in the tree",
        "  hint: commit what the task promises, or leave the task open until it is done",
        "",
    ])
