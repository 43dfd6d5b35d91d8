"""A 10,000-line plan: what reading it costs beside the hook's own start-up.

    python bench/plan_parse.py [--runs 21]

The hook is `impl-plan`, installed into a fresh virtualenv as pre-commit
installs it. Its start-up is a whole `impl-plan` run on a commit of one code
file and a ticked task in a 50-line plan (`startup_ms` in bench/hooks.py).
In the same run, on the same kind of repository with the 10,000-line plan:

- reading the plan once in a fresh interpreter of that virtualenv, as a hook
  does (headings; a section's tasks wait until they are used);
- reading every task as well, as `impl-hooks status` does (in this process);
- whole `impl-plan` runs, as extra time over the start-up: code staged with a
  task ticked (both versions of the plan are read and compared), and code
  staged without the plan (one version is read).

Each figure is a median, printed with its ratio to the start-up.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hooks import build_repo, git, hook_env, median_ms, startup_ms, write  # noqa: E402  (bench/hooks.py)

from impl_hooks.plan.markdown import read_markdown_plan  # noqa: E402

LINES = 10_000
PLAN = "docs/Phase1/6.1_implementation_plan.md"
CODE = "backend/app/domains/d0/m0.py"


def build_plan(lines: int = LINES) -> str:
    """A phased plan as people write them, cut at `lines` lines.

    Per step: a heading (every third one completed), prose, a plain file list,
    numbered tasks in marker style with a nested detail each, checkbox
    acceptance criteria, a code fence holding a fake heading.
    """
    out = ["---", "title: Implementation plan", "---", "# Implementation plan", ""]
    phase = 0
    while len(out) < lines:
        phase += 1
        out += [f"## Phase {phase}: Phase title {phase}", "", "**Status:** In progress", ""]
        for step in range(1, 11):
            done = step % 3 == 0
            mark = " ✅ **COMPLETED**" if done else ""
            out += [
                f"### Step {phase}.{step}: Build part {step}{mark}",
                "",
                "This step adds the part of the service that handles the requests",
                "for this feature, with validation and error handling.",
                "",
                "**Files:**",
                f"- `backend/app/domains/part{step}/models.py`",
                f"- `backend/app/domains/part{step}/routes.py`",
                "",
                "**Tasks:**",
            ]
            for task in range(1, 7):
                tick = " ✅" if done or task < 3 else ""
                out.append(f"{task}. Implement piece {task} of part {step}{tick}")
                out.append(f"   - covers case {task} from the design")
            out += [
                "",
                "**Acceptance criteria:**",
                f"- [{'x' if done else ' '}] Tests pass for part {step}",
                f"- [{'x' if done else ' '}] Docs updated",
                "",
                "```python",
                "# Step 99.9: not a heading",
                "def handler(request): ...",
                "```",
                "",
            ]
    return "\n".join(out[:lines]) + "\n"


# Run by a fresh interpreter: reads the plan at argv[1] once, prints milliseconds.
FIRST_READ = """
import sys, time
from impl_hooks.plan.markdown import read_markdown_plan
text = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
read_markdown_plan(text)
print((time.perf_counter() - start) * 1000)
"""


def first_read_ms(python: str, plan_path: str, runs: int) -> float:
    return statistics.median(
        float(subprocess.run([python, "-c", FIRST_READ, plan_path], check=True, capture_output=True,
                             text=True).stdout) for _ in range(runs))


def in_process_ms(run, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def commit_state(root: str, plan: str, tick: str | None) -> None:
    """HEAD holds `plan`; the index holds a changed code file and, when `tick`
    is given, the plan with that task marked done."""
    write(root, PLAN, plan)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "plan")
    with open(os.path.join(root, CODE), "a", encoding="utf-8") as fh:
        fh.write("\n\ndef more():\n    return 1\n")
    if tick is not None:
        assert tick in plan, tick
        write(root, PLAN, plan.replace(tick, tick + " ✅", 1))
    git(root, "add", "-A")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args(argv)
    big = build_plan()
    full_ms = in_process_ms(lambda: sum(1 for _ in read_markdown_plan(big).walk()), args.runs)
    units = sum(1 for _ in read_markdown_plan(big).walk())
    with tempfile.TemporaryDirectory(prefix="impl-hooks-bench-") as tmp:
        bin_dir = hook_env(tmp)
        hook = [os.path.join(bin_dir, "impl-plan")]
        plan_path = os.path.join(tmp, "plan.md")
        write(tmp, "plan.md", big)
        read_ms = first_read_ms(os.path.join(bin_dir, "python"), plan_path, args.runs)
        startup = startup_ms(bin_dir, "impl-plan", tmp, args.runs)
        root = os.path.join(tmp, "repo")
        build_repo(root, 10)  # current_step 1.5
        commit_state(root, big, "3. Implement piece 3 of part 5")
        ticked = median_ms(hook, root, args.runs)
        git(root, "reset", "-q", "--hard")
        commit_state(root, big, None)
        unstaged = median_ms(hook, root, args.runs)
    print(f"plan: {big.count(chr(10))} lines, {units} units; medians of {args.runs}")
    print(f"impl-plan start-up (50-line plan):     {startup:6.2f} ms")
    rows = [
        ("read the plan, fresh interpreter", read_ms),
        ("read every task too, as status", full_ms),
        ("impl-plan, task ticked: extra time", ticked - startup),
        ("impl-plan, plan not staged: extra time", unstaged - startup),
    ]
    for label, ms in rows:
        print(f"{label + ':':<39}{ms:6.2f} ms   ratio to start-up {ms / startup:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
