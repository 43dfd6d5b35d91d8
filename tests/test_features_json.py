"""features-json: `artifacts/<task>-design/features.json` lists the features,
`artifacts/<task>-implement/features.json` records each one "done" or
"partial" (with a "reason"). Code with no implement list records nothing
(P001); planned -> partial -> done is progress; a status outside done/partial
is R004 alone; hints speak JSON.

Fixtures: tests/fixtures/features_json/ (design list, implement list with F1
done, F2 planned, F3 partial, the implementation.md report).
"""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.plan.progress import PlanChange
from impl_hooks.hooks import check_main
from impl_hooks.plan.features import read_features

from conftest import commit, fixture, hook_failed

DESIGN = "artifacts/checkout-v2-design/features.json"
IMPLEMENT = "artifacts/checkout-v2-implement/features.json"
REPORT = "artifacts/checkout-v2-implement/implementation.md"
MISSING = [
    f"{IMPLEMENT}: P001 code staged but {IMPLEMENT} does not record the features' status",
    f'  hint: create it with the status of each feature of {DESIGN}: {{"features": [{{"id": "F1", '
    f'"status": "done"}}, …]}} ("partial" with a "reason"), then git add {IMPLEMENT}',
]


def design_only(repo, task: str = "checkout-v2"):
    repo.files({f"artifacts/{task}-design/features.json": fixture("features_json/design.json"),
                "src/cart/__init__.py": "", "src/cart/totals.py": "def total(lines):\n    return sum(lines)\n"})
    return repo


def implemented(repo, **statuses):
    """The design and the implement list (F1 done, F2 planned, F3 partial) with its report,
    each feature's status replaced by `statuses` (F2="done")."""
    design_only(repo)
    data = json.loads(fixture("features_json/implement.json"))
    for feature in data["features"]:
        feature["status"] = statuses.get(feature["id"], feature["status"])
    repo.files({IMPLEMENT: json.dumps(data, indent=2) + "\n", REPORT: fixture("features_json/implementation.md")})
    return repo


def set_status(repo, feature: str, status: str, reason: str = ""):
    data = json.loads((repo.root / IMPLEMENT).read_text())
    for entry in data["features"]:
        if entry["id"] == feature:
            entry["status"] = status
            if reason:
                entry["reason"] = reason
    repo.files({IMPLEMENT: json.dumps(data, indent=2) + "\n"})
    return repo


def run(run_hook, repo):
    code, out, err = run_hook(check_main, repo.root)
    return code, out.splitlines(), err


def feature_line(repo, feature: str) -> int:
    lines = (repo.root / IMPLEMENT).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if f'"id": "{feature}"' in line)


# --- code with no implement list ----------------------------------------------


def test_code_beside_a_design_and_no_implement_list_is_p001(repo, run_hook):
    design_only(repo).commit("design")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"}).stage()
    assert run(run_hook, repo) == (1, MISSING, "")


def test_code_with_the_task_s_report_but_no_implement_list_is_p001_not_p002(repo, run_hook):
    design_only(repo).commit("design")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n",
                REPORT: fixture("features_json/implementation.md")}).stage()
    assert run(run_hook, repo) == (1, MISSING, "")


def test_creating_the_implement_list_records_progress(repo, run_hook):
    design_only(repo).commit("design")
    repo.branch("CHK-2")
    implemented(repo, F2="done")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"}).stage()
    assert run(run_hook, repo) == (0, [], "")


def test_a_design_with_no_features_asks_for_nothing(repo, run_hook):
    repo.files({DESIGN: '{"task": "checkout-v2", "features": []}\n', "src/a.py": "A = 1\n"}).commit("design")
    repo.branch("CHK-2")
    repo.files({"src/b.py": "B = 2\n"}).stage()
    assert run(run_hook, repo) == (0, [], "")


# --- which task ---------------------------------------------------------------


def test_several_tasks_the_one_whose_artifacts_are_touched_is_judged(repo, run_hook):
    design_only(repo)
    design_only(repo, task="search").commit("two designs")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n",
                "artifacts/search-design/notes.md": "# Ranking notes\n"}).stage()
    assert run(run_hook, repo) == (1, [
        "artifacts/search-implement/features.json: P001 code staged but "
        "artifacts/search-implement/features.json does not record the features' status",
        '  hint: create it with the status of each feature of artifacts/search-design/features.json: '
        '{"features": [{"id": "F1", "status": "done"}, …]} ("partial" with a "reason"), '
        "then git add artifacts/search-implement/features.json",
    ], "")


def test_several_tasks_none_touched_judges_each(repo, run_hook):
    design_only(repo)
    design_only(repo, task="search").commit("two designs")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"}).stage()
    code, out, _ = run(run_hook, repo)
    assert (code, [line for line in out if not line.startswith("  hint:")]) == (1, [
        f"{IMPLEMENT}: P001 code staged but {IMPLEMENT} does not record the features' status",
        "artifacts/search-implement/features.json: P001 code staged but "
        "artifacts/search-implement/features.json does not record the features' status",
    ])


# --- the lifecycle: planned -> partial -> done ----------------------------------


def test_no_status_moved_is_p001_with_a_json_hint(repo, run_hook):
    implemented(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"}).stage()
    assert run(run_hook, repo) == (1, [
        f"{IMPLEMENT}:1: P001 code staged but the plan was not updated",
        f'  hint: set "status": "done" for F2 in {IMPLEMENT} (or "partial" with a "reason"), then git add {IMPLEMENT}',
    ], "")


def test_partial_to_done_is_progress(repo, run_hook):
    implemented(repo, F2="done").commit("base")
    repo.branch("CHK-2")
    repo.files({"src/cart/cards.py": "def add_card(token):\n    return token\n"})
    set_status(repo, "F3", "done").stage()
    assert run(run_hook, repo) == (0, [], "")


def test_planned_to_partial_with_a_reason_is_progress(repo, run_hook):
    implemented(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"})
    set_status(repo, "F2", "partial", reason="Expiry is checked; stacking rules wait for finance.").stage()
    assert run(run_hook, repo) == (0, [], "")


def test_a_partial_feature_is_finished_by_done_even_when_nothing_else_is_open(repo, run_hook):
    implemented(repo, F2="done").commit("base")
    repo.branch("CHK-2")
    repo.files({"src/cart/cards.py": "def add_card(token):\n    return token\n"}).stage()
    assert run(run_hook, repo) == (1, [
        f"{IMPLEMENT}:1: P001 code staged but the plan was not updated",
        f'  hint: set "status": "done" for F3 in {IMPLEMENT}, then git add {IMPLEMENT}',
    ], "")


def test_a_status_outside_done_and_partial_is_r004_alone(repo, run_hook):
    implemented(repo).commit("base")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"})
    set_status(repo, "F2", "finished").stage()
    assert run(run_hook, repo) == (1, [
        f'{IMPLEMENT}:{feature_line(repo, "F2")}: R004 feature F2 has status "finished", '
        "not done or partial",
        '  hint: set "status": "done", or "partial" with a "reason" that says what is missing',
    ], "")


def test_planned_in_a_new_implement_list_is_not_done_and_r004_alone(repo, run_hook):
    design_only(repo).commit("design")
    repo.branch("CHK-2")
    implemented(repo)  # F2 still "planned"
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"}).stage()
    assert run(run_hook, repo) == (1, [
        f'{IMPLEMENT}:{feature_line(repo, "F2")}: R004 feature F2 has status "planned", not done or partial',
        '  hint: set "status": "done", or "partial" with a "reason" that says what is missing',
    ], "")


def test_a_feature_moving_back_is_p003_in_json(repo, run_hook):
    implemented(repo, F2="done").commit("base")
    repo.branch("CHK-2")
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"})
    set_status(repo, "F2", "partial", reason="Stacking rules are back with finance.")
    set_status(repo, "F3", "done").stage()
    assert run(run_hook, repo) == (1, [
        f'{IMPLEMENT}:{feature_line(repo, "F2")}: P003 feature F2 went back from "done" to "partial"',
        '  hint: set "status": "done" for F2 again; record what is still missing as a new feature',
    ], "")


def test_a_feature_dropped_from_the_implement_list_is_p003_in_json(repo, run_hook):
    implemented(repo, F2="done").commit("base")
    repo.branch("CHK-2")
    data = json.loads((repo.root / IMPLEMENT).read_text())
    data["features"] = [f for f in data["features"] if f["id"] != "F1"]
    set_status(repo.files({IMPLEMENT: json.dumps(data, indent=2) + "\n"}), "F3", "done")
    repo.files({"src/cart/cards.py": "def add_card(token):\n    return token\n"}).stage()
    assert run(run_hook, repo) == (1, [
        f'{IMPLEMENT}:1: P003 feature F1 ("done") was removed from {IMPLEMENT}',
        f'  hint: restore {{"id": "F1", "status": "done"}} in {IMPLEMENT}',
        f"{IMPLEMENT}:1: R004 feature F1 (Cart totals with tax) of {DESIGN} is missing from the implement list",
        '  hint: add {"id": "F1", "status": "done"} (or "partial" with a "reason")',
    ], "")


# --- properties ---------------------------------------------------------------

_STATUSES = st.sampled_from(["planned", "partial", "done", "", "Done", "blocked"])


def _rank(status: str) -> int:
    return {"partial": 1, "done": 2}.get(status, 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_STATUSES, _STATUSES), min_size=1, max_size=5), st.sampled_from([None, 2]))
def test_a_feature_progresses_exactly_when_its_status_moves_forward(moves, indent):
    def doc(which: int) -> str:
        features = [{"id": f"F{n}", "name": "x", "status": pair[which], "reason": "r"} for n, pair in enumerate(moves)]
        return json.dumps({"features": features}, indent=indent)

    change = PlanChange(read_features(doc(0)), read_features(doc(1)))
    assert sorted(u.id for u in change.newly) == sorted(
        f"F{n}" for n, (was, now) in enumerate(moves) if _rank(now) > _rank(was))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_features_reader_on_any_text_gives_units_with_string_statuses(text):
    plan = read_features(text)
    assert all(isinstance(u.extra["status"], str) and isinstance(u.extra["reason"], str) for u in plan.units)


# --- through real `git commit` -------------------------------------------------


def test_features_json_commit_through_pre_commit(repo, precommit):
    design_only(repo).commit("design")
    repo.branch("CHK-2")
    precommit(["impl-check"])
    repo.files({"src/cart/discount.py": "def apply(code):\n    return code.upper()\n"}).stage()
    refused = commit(repo)
    assert (refused.returncode, refused.lines) == (1, hook_failed("impl-hooks (all checks)", "impl-check", *MISSING))
    implemented(repo, F2="done").stage()
    assert commit(repo).returncode == 0
