"""Time `impl-hooks check --range` over 50, 100 and 200 commits of a 20k-file
repository, and count the git processes it starts: the count should not grow
with the commits (one diff-tree for all of them, one ls-tree, one blob reader).

    python bench/ranges.py [--files 20000] [--commits 50 100 200]
    python bench/ranges.py --baseline /path/to/older/checkout   # before/after columns

The peer is `git log -p` over the same commits, timed in the same run: what
reading every commit's change costs git alone.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hooks import ENV, PROJECT, alternate, build_repo, git, install, machine, source_path, table  # noqa: E402


def add_commits(root: str, files: int, count: int) -> None:
    """`count` commits on the branch, each changing code, adding a file and ticking a plan task."""
    plan = os.path.join(root, "docs/Phase1/6.1_implementation_plan.md")
    with open(plan, "a", encoding="utf-8") as fh:
        fh.write("\n### Step 1.99: Many small tasks\n\n" + "".join(f"- [ ] task {i}\n" for i in range(count)))
    ctx = os.path.join(root, "backend/app/domains/d0/Context.toml")
    with open(ctx, "w", encoding="utf-8") as fh:
        fh.write('[context]\ncurrent_step = "1.99"\ncurrent_issue = "AUTH-1"\n')
    git(root, "commit", "-qam", "plan")
    for i in range(count):
        with open(plan, encoding="utf-8") as fh:
            text = fh.read()
        with open(plan, "w", encoding="utf-8") as fh:
            fh.write(text.replace(f"- [ ] task {i}\n", f"- [x] task {i}\n", 1))
        with open(os.path.join(root, source_path(files, i)), "a") as fh:
            fh.write(f"\n\ndef extra_{i}():\n    return {i}\n")
        with open(os.path.join(root, f"backend/app/domains/d0/task_{i}.py"), "w") as fh:
            fh.write(f"def task_{i}():\n    return {i}\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"AUTH-1: task {i}")


def git_processes(cmd: list, root: str) -> int:
    """How many git commands `cmd` runs (GIT_TRACE logs each one)."""
    with tempfile.NamedTemporaryFile(prefix="impl-hooks-trace-") as trace:
        subprocess.run(cmd, cwd=root, env={**ENV, "GIT_TRACE": trace.name}, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return sum(1 for line in open(trace.name, encoding="utf-8", errors="replace")
                   if "trace: built-in: git " in line)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--commits", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", help="another checkout, installed and timed beside this one")
    parser.add_argument("--bin", help="use this installed environment's bin folder instead of a fresh one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="impl-hooks-bench-range-") as tmp:
        envs = {}
        if args.baseline:
            envs["before"] = install(tmp, "before", args.baseline)
        envs["now" if args.baseline else "impl-hooks"] = args.bin or install(tmp, "now", PROJECT)
        root = os.path.join(tmp, "repo")
        build_repo(root, args.files)
        add_commits(root, args.files, max(args.commits))
        head = ["commits", "git log -p ms"]
        for label in envs:
            head += [f"{label} ms", f"{label} ms/commit", f"{label} git processes"]
        rows = []
        for count in args.commits:
            spec = f"HEAD~{count}..HEAD"
            cmds = {"peer": ["git", "log", "-p", "--no-color", spec]}
            cmds.update({label: [os.path.join(bin_dir, "impl-hooks"), "check", "--range", spec]
                         for label, bin_dir in envs.items()})
            times = alternate(cmds, root, args.rounds, {label: 0 for label in envs})
            row = [str(count), f"{statistics.median(times['peer']):.0f}"]
            for label in envs:
                ms = statistics.median(times[label])
                row += [f"{ms:.0f}", f"{ms / count:.1f}", str(git_processes(cmds[label], root))]
            rows.append(row)
            print(" | ".join(row), flush=True)
        print(f"\n`impl-hooks check --range` over a {args.files:,}-file repository ({machine()}; "
              f"medians of {args.rounds} alternating rounds)\n")
        print(table(head, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
