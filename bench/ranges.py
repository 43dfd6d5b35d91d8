"""Time `impl-hooks check --range` over 50, 100 and 200 commits of a 20k-file
repository: the time per commit should stay flat (git calls are batched: one
diff-tree for all commits, one ls-tree, a shared blob reader).

    python bench/ranges.py [--files 20000] [--commits 50 100 200]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hooks import ENV, build_repo, git  # noqa: E402  (the same repository shape)


def add_commits(root: str, count: int) -> None:
    """`count` commits on the branch, each changing code and ticking a plan task."""
    plan = os.path.join(root, "docs/Phase1/6.1_implementation_plan.md")
    with open(plan, "a", encoding="utf-8") as fh:
        fh.write("\n### Step 1.99: Many small tasks\n\n" + "".join(f"- [ ] task {i}\n" for i in range(count)))
    ctx = os.path.join(root, "backend/app/domains/d0/Context.toml")
    with open(ctx, "w", encoding="utf-8") as fh:
        fh.write('[context]\ncurrent_step = "1.99"\ncurrent_issue = "AUTH-1"\n')
    git(root, "commit", "-qam", "plan")
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    for i in range(count):
        with open(plan, encoding="utf-8") as fh:
            text = fh.read()
        with open(plan, "w", encoding="utf-8") as fh:
            fh.write(text.replace(f"- [ ] task {i}\n", f"- [x] task {i}\n", 1))
        with open(os.path.join(root, f"backend/app/domains/d0/m{i}.py"), "a") as fh:
            fh.write(f"\n\ndef extra_{i}():\n    return {i}\n")
        git(root, "commit", "-qam", f"AUTH-1: task {i}")
    with open(os.path.join(root, ".base"), "w") as fh:
        fh.write(base)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--commits", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    most = max(args.commits)
    with tempfile.TemporaryDirectory(prefix="impl-hooks-bench-range-") as tmp:
        root = os.path.join(tmp, "repo")
        build_repo(root, args.files)
        add_commits(root, most)
        print(f"{'commits':>8} {'median':>10} {'per commit':>11}")
        for count in args.commits:
            cmd = [sys.executable, "-m", "impl_hooks", "check", "--range", f"HEAD~{count}..HEAD"]
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=ENV)
                times.append(time.perf_counter() - t0)
                if proc.returncode != 0:
                    raise SystemExit(f"range check failed: {proc.stdout}{proc.stderr}")
            median = statistics.median(times)
            print(f"{count:>8} {median * 1000:>8.0f} ms {median * 1000 / count:>8.1f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
