"""`impl-hooks status` for each plan layout: what is current, what is open, what comes next."""
from __future__ import annotations

import json

from click.testing import CliRunner

from impl_hooks.cli import main

from conftest import features_json_repo, sdd_flow_repo

PLAN = "docs/Phase1/6.1_implementation_plan.md"


def status(root, monkeypatch, *args: str) -> str:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["status", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_sdd_status_groups_steps_under_their_epics(repo, monkeypatch):
    sdd_flow_repo(repo).commit("base")
    repo.branch("ALB-7-list")
    lines = status(repo.root, monkeypatch).split("\n")
    rows = lines[lines.index("") + 1:]
    assert [r for r in rows if r.startswith("  Epic") or r.startswith("    Step")] == [
        "  Epic 1      ██████████  5/5 tasks",
        "    Step 1.1  ██████████  3/3 tasks",
        "    Step 1.2  ██████████  2/2 tasks",
        "  Epic 2      ██░░░░░░░░  1/5 tasks",
        "    Step 2.1  ███░░░░░░░  1/3 tasks",
        "    Step 2.2  ░░░░░░░░░░  0/2 tasks",
        "  Epic 3      ░░░░░░░░░░  0/1 epic",
    ]
    assert "  ✗ 2.1.2 `GET /albums` lists the owner's albums" in lines
    assert not [line for line in lines if line.startswith("Next     ")]


def test_when_every_task_is_done_status_says_to_complete_the_step_and_write_reports(repo, monkeypatch):
    sdd_flow_repo(repo).commit("base")
    repo.branch("ALB-7-list")
    for task in ("2.1.2", "2.1.3"):
        repo.replace(PLAN, f"- [ ] task {task}", f"- [x] task {task}")
    repo.stage()
    text = status(repo.root, monkeypatch)
    assert ("Next     mark step 2.1 complete and write its reports (docs/Phase1/Steps/2.1/6.2_implementation_report.md, "
            "docs/Phase1/Steps/2.1/6.2_testing_plan.md)") in text.split("\n")
    data = json.loads(status(repo.root, monkeypatch, "--format", "json"))
    assert data["plans"][0]["next"].startswith("mark step 2.1 complete")


def test_features_status_shows_each_status_and_a_partial_reason(repo, monkeypatch):
    features_json_repo(repo).commit("base")
    repo.branch("CO-7-x")
    lines = status(repo.root, monkeypatch).split("\n")
    assert [line for line in lines if line.startswith("  Feature")] == [
        "  Feature F1  done      Cart summary endpoint",
        "  Feature F2  planned   Apply discount code",
        "  Feature F3  partial   Saved payment methods — Card vaulting waits for the PSP sandbox account; "
        "listing works.",
    ]


def test_spec_kit_status_shows_the_feature_its_phases_and_open_tasks(repo, monkeypatch):
    from conftest import spec_kit_repo

    spec_kit_repo(repo).commit("base")
    repo.branch("001-photo-albums")
    lines = status(repo.root, monkeypatch).split("\n")
    assert "Feature  001-photo-albums" in lines
    assert [line for line in lines if line.startswith("  Phase")] == [
        "  Phase 1  ██████████  3/3 tasks", "  Phase 2  █████░░░░░  1/2 tasks", "  Phase 3  ░░░░░░░░░░  0/3 tasks"]
    open_tasks = lines[lines.index("Open tasks") + 1:]
    assert open_tasks[:2] == ["  ✗ T005 Implement album repository in `src/db/albums.ts`  (line 33)",
                              "  ✗ T006 Contract test for drag-and-drop in `tests/contract/test_dnd.ts`  (line 41)"]
