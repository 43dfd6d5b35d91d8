"""Bounded cost: hostile sizes and depths end as findings or one C001 line, in
time and memory that grow with the input, never as a crash or a stall.

No timing asserts: each test counts the work (calls, keys, depth, bytes) or
shows the input that used to crash now gives its finding.
"""
from __future__ import annotations

import ast
import os
import stat
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_anthropic import FakeAnthropic, Scripted, message
from impl_hooks.agent.prompt import AgentInputs
from impl_hooks.agent.run import review
from impl_hooks.checks import plan as plan_check
from impl_hooks.checks.pystubs import _dotted_name
from impl_hooks.checks.stubs import MAX_SOURCE_BYTES, stub_findings
from impl_hooks.findings import Finding
from impl_hooks.hooks import check_main
from impl_hooks.plan.markdown import MAX_TASK_DEPTH, read_markdown_plan
from impl_hooks.plan.progress import unit_keys
from impl_hooks.runner import run_checks
from impl_hooks.snapshot import MAX_PATH_BYTES
from impl_hooks.snapshot import Repo as GitRepo
from impl_hooks.snapshot import Snapshot
from impl_hooks.structure.parse import MAX_PATH, read_sections

from conftest import fixture, phased_plan_repo

PLAN = "docs/Phase2/6.1_implementation_plan.md"
JOBS = "backend/app/domains/auth/jobs.py"


def staged(repo) -> Snapshot:
    return Snapshot.staged(GitRepo.discover(str(repo.root)))


def depth(unit) -> int:
    deepest, stack = 0, [(unit, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node.children)
    return deepest


# -- one line lookup per file, however many findings ---------------------------------

@pytest.fixture
def step_completed(repo):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    repo.files({"docs/auth.md": "# Sessions\n\nA session lasts 24 hours.\n",
                "docs/Phase2/Steps/2.2/6.2_implementation_report.md": fixture("reports/6.2_implementation_report.md"),
                "docs/Phase2/Steps/2.2/6.2_testing_plan.md": "# Testing\n\nDone.\n"})
    for task in ("2. Background job removes expired sessions", "3. Document the session lifetime in `docs/auth.md`",
                 "### Step 2.2: Logout and session expiry"):
        repo.replace(PLAN, task, task + " ✅ **COMPLETED**")
    return repo


def test_10000_step_todos_are_all_found_and_their_file_is_read_once(step_completed, monkeypatch):
    reads = {}
    for count in (1, 10_000):
        step_completed.files({JOBS: "x = 1\n" + "# TODO(step 2.2): later\n" * count}).stage()
        seen = Counter()
        read_text = Snapshot.read_text

        def counting(self, path, before=False, read_text=read_text, seen=seen):
            seen[path] += 1
            return read_text(self, path, before)

        with monkeypatch.context() as patch:
            patch.setattr(Snapshot, "read_text", counting)
            findings = run_checks(staged(step_completed), ["todos"])
        assert [(f.code, f.path, f.line) for f in findings] == [("T001", JOBS, line) for line in range(2, count + 2)]
        assert len({(f.message, f.hint) for f in findings}) == 1
        reads[count] = seen[JOBS]
    assert reads[10_000] == reads[1] == 1  # the inline-ignore lookups split the file once


def test_unmarked_tasks_are_found_from_one_index_of_the_plan(repo, monkeypatch):
    tasks = "".join(f"- ✅ purge batch {n}\n" for n in range(2000))
    phased_plan_repo(repo, step="2.2")
    repo.replace(PLAN, "### Step 2.2: Logout and session expiry\n", "### Step 2.2: Logout and session expiry\n" + tasks)
    repo.commit("base").branch("AUTH-12")
    repo.replace(PLAN, tasks, tasks.replace("✅ ", "")).stage()
    start = (repo.root / PLAN).read_text().splitlines().index("- purge batch 0") + 1
    calls = Counter()
    finder = plan_check._line_finder
    monkeypatch.setattr(plan_check, "_line_finder", lambda text: calls.update(["index"]) or finder(text))
    findings = run_checks(staged(repo), ["plan"])
    assert findings == [Finding("P003", f'completed marker removed from task "purge batch {n}"', path=PLAN,
                                line=start + n, hint="restore the marker, or reopen the work in a new task "
                                "instead of unmarking done work") for n in range(2000)]
    assert calls == {"index": 1}


def test_the_same_task_many_times_gets_a_key_each_in_constant_time():
    plan = read_markdown_plan("### Step 1.1: x\n" + "- [x] same\n" * 3000)
    keys = [k for k in unit_keys(plan)[0] if k[0] == "task"]
    owner = ("step", "1.1")
    assert keys == [("task", owner, "same")] + [("task", owner, "same", n) for n in range(1, 3000)]


# -- depth: plans, TOML, structure trees, Python --------------------------------------

def test_tasks_indented_past_any_real_plan_are_read_beside_their_owner():
    plan = read_markdown_plan("### Step 1.1: x\n" + "".join(" " * 2 * n + f"- [ ] t{n}\n" for n in range(3000)))
    assert [u.title for u in plan.walk() if u.kind == "task"] == [f"t{n}" for n in range(3000)]
    assert depth(plan.units[0]) == MAX_TASK_DEPTH


def test_task_ids_nested_past_any_real_plan_are_read_beside_their_owner():
    ids = [".".join(["1"] * n) for n in range(2, 3000)]
    plan = read_markdown_plan("### Step 1.1: x\n" + "".join(f"- [ ] task {i}: t\n" for i in ids))
    assert [u.id for u in plan.walk() if u.kind == "task"] == ids
    assert depth(plan.units[0]) == MAX_TASK_DEPTH


def test_a_deeply_indented_plan_is_checked_not_a_crash(repo, run_hook):
    phased_plan_repo(repo, step="2.2").commit("base")
    repo.branch("AUTH-12")
    nested = "".join(" " * n + f"- [ ] t{n}\n" for n in range(3000))
    heading = "### Step 2.2: Logout and session expiry\n"
    repo.replace(PLAN, heading, heading + nested)
    repo.files({"backend/app/domains/auth/purge.py": "def purge(s):\n    return s\n"}).stage()
    code, out, err = run_hook(check_main, repo.root)
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == f"{PLAN}:53: P001 code staged for step 2.2 but the plan was not updated"


@pytest.mark.parametrize("name,where", [(".impl-hooks.toml", ".impl-hooks.toml"),
                                        ("backend/Context.toml", "backend/Context.toml")])
def test_toml_nested_too_deeply_is_one_c001_line(repo, run_hook, name, where):
    repo.files({name: "a = " + "[" * 5000 + "\n", "app.py": "x = 1\n"}).stage()
    assert run_hook(check_main, repo.root) == (
        2, "", f"{where}: C001 invalid TOML: arrays or tables nested too deeply\n")


def test_a_structure_tree_nested_past_path_max_stays_linear_and_is_reported():
    name = "b" * 200
    lines = "".join(" " * n + f"- {name}/\n" for n in range(3000))
    [section] = read_sections("## Project Structure\n\n" + lines, "CLAUDE.md")
    entries = list(section.listed().values())
    deepest = entries[-1]
    assert len(entries) == MAX_PATH // (len(name) + 1) + 1  # the rest is below a path no file system holds
    assert len(deepest.path) > MAX_PATH and deepest.elided and not deepest.children
    assert sum(len(e.path) for e in entries) < len(entries) * (MAX_PATH + len(name) + 1)


def test_many_long_listed_paths_are_asked_of_git_in_batches(repo):
    repo.files({"app/real.py": "x = 1\n"}).stage()
    listed = [f"docs/{n:05}-" + "x" * 3000 for n in range(3000)] + ["app/real.py", "app", "y" * (MAX_PATH_BYTES + 1)]
    assert staged(repo).exists(listed) == {"app/real.py", "app"}  # 9 MB of names: no "Argument list too long"


def test_a_python_file_over_the_size_limit_is_a_warning_not_a_parse():
    data = b"x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1)
    assert stub_findings("gen/big.py", data) == [Finding(
        "X002", f"not checked for stubs or syntax: {len(data):,} bytes, over the {MAX_SOURCE_BYTES:,}-byte limit",
        path="gen/big.py", line=1, severity="warning",
        hint="split the module; for generated code, put `impl-hooks: ignore[X002]` in a comment on line 1")]


def test_a_name_chain_deeper_than_the_recursion_limit_is_read():
    node = ast.Name("a")
    for _ in range(sys.getrecursionlimit() * 2):
        node = ast.Attribute(ast.Call(node, [], []), "b")
    assert _dotted_name(node) == "a" + ".b" * (sys.getrecursionlimit() * 2)


# -- config and range values git must never take as options ---------------------------

@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "3601", "0"])
def test_timeout_must_be_finite_and_at_most_an_hour(repo, run_hook, value):
    repo.files({"pyproject.toml": f"[tool.impl-hooks.agent]\ntimeout = {value}\n"}).stage()
    assert run_hook(check_main, repo.root) == (
        2, "", "pyproject.toml:2: C001 'agent.timeout' must be a positive number of seconds, at most 3600\n")


@pytest.mark.parametrize("spec", ["--output=OUT main..AUTH-1", "main..--output=OUT", "-n1"])
def test_a_range_is_never_an_option_to_git(repo, run_hook, spec):
    repo.files({"a.txt": "a\n"}).commit("base")
    repo.branch("AUTH-1").files({"b.txt": "b\n"}).commit("work")
    assert run_hook(check_main, repo.root, "--range", spec) == (
        2, "", f"impl-hooks: --range {spec}: a revision cannot start with '-'\n")
    assert not os.path.exists(repo.root / "OUT") and not os.path.exists(repo.root / "OUT main..AUTH-1")


def test_a_three_dot_range_still_works(repo, run_hook):
    repo.files({"a.txt": "a\n"}).commit("base")
    repo.branch("AUTH-1").files({"b.txt": "b\n"}).commit("work")
    assert run_hook(check_main, repo.root, "--range", "main...AUTH-1") == (0, "", "")


# -- the agent's answer is read no further than its size limit -------------------------

HUGE = "x" * 600_000
LIMIT = 256 * 1024 + 64 * 100  # answer_limit(max_tokens=100)
INPUTS = AgentInputs(unit_id="2.3", diffs=[("app/a.py", "diff --git a/app/a.py b/app/a.py\n+x = 1\n")])


def a002(reason: str, hint: str) -> list:
    return [Finding("A002", f"agent pass could not run: {reason}", severity="warning",
                    hint=f'{hint}; on_error = "allow": the commit is allowed')]


def test_an_oversized_api_answer_is_a002_not_memory(monkeypatch, tmp_path):
    pytest.importorskip("anthropic")
    block = {"type": "tool_use", "id": "t", "name": "verdict",
             "input": {"decision": "approve", "summary": HUGE, "findings": []}}
    with FakeAnthropic(Scripted(body=message([block], "tool_use"))) as api:
        api.use_in(monkeypatch)
        result = review(INPUTS, {"max_tokens": 100}, str(tmp_path))
    assert result.findings == a002(
        f"the API's answer is larger than {LIMIT:,} bytes; not read further",
        "check that ANTHROPIC_BASE_URL points at the Anthropic API, or lower max_tokens under [tool.impl-hooks.agent]")


def test_an_oversized_claude_code_answer_is_a002_and_the_process_is_stopped(monkeypatch, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "claude"
    # prints far more than the limit, then would wait for ever: only the limit can end it
    script.write_text(f"#!{sys.executable}\nimport sys, time\nsys.stdin.read()\n"
                      f"sys.stdout.write('{{\"result\": \"' + 'x' * 2_000_000)\nsys.stdout.flush()\ntime.sleep(3600)\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = review(INPUTS, {"backend": "claude-code", "max_tokens": 100, "timeout": 600}, str(tmp_path / "git"))
    assert result.findings == a002(f"claude's answer is larger than {LIMIT:,} bytes; not read further",
                                   "run `claude -p` by hand to see what it prints")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 80), st.sampled_from(["", "task 1 ", "task 1.1 ", "task 1.1.1 ", "T001 "]),
                          st.sampled_from(["[ ]", "[x]"])), max_size=60))
def test_task_nesting_never_passes_the_limit_and_no_task_is_lost(items):
    lines = (f"{' ' * indent}- {box} {tid}t{n}\n" for n, (indent, tid, box) in enumerate(items))
    text = "### Step 1.1: x\n" + "".join(lines)
    plan = read_markdown_plan(text)
    assert [u.title for u in plan.walk() if u.kind == "task"] == [f"t{n}" for n in range(len(items))]
    assert depth(plan.units[0]) <= MAX_TASK_DEPTH


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab -*1.[]x\n\r\u2028"), max_size=200),
       st.text(alphabet=st.sampled_from("ab -*1"), max_size=6))
def test_the_line_holding_a_title_is_a_line_that_holds_it(text, title):
    line = plan_check._line_finder(text)(title)
    lines = text.splitlines()
    if line:
        assert title and title in lines[line - 1]
    else:
        assert not title or not any(title in one for one in lines)
