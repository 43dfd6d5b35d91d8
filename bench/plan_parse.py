"""Times reading a 10,000-line markdown plan beside bare Python start-up.

The plan reader runs inside a git hook on every commit, so its cost is judged
against the cheapest possible hook process: `python -c pass`.

    python bench/plan_parse.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from impl_hooks.plan.markdown import read_markdown_plan  # noqa: E402

RUNS = 20
LINES = 10_000


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


def median_ms(run, times: int = RUNS) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    text = build_plan()
    units = sum(1 for _ in read_markdown_plan(text).walk())
    parse = median_ms(lambda: read_markdown_plan(text))
    startup = median_ms(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    print(f"plan: {text.count(chr(10))} lines, {units} units")
    print(f"read_markdown_plan: {parse:.2f} ms (median of {RUNS})")
    print(f"python -c pass:     {startup:.2f} ms (median of {RUNS})")
    print(f"ratio parse/start-up: {parse / startup:.3f}")


if __name__ == "__main__":
    main()
