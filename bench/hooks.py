"""Time impl-check and impl-branch as whole processes beside pre-commit-hooks'
no-commit-to-branch, in the same run, on repositories of growing size.

    python bench/hooks.py                 # 1k, 20k, 100k files x 10, 100, 1000 staged
    python bench/hooks.py --files 1000 20000 --staged 100 --runs 9

Prints the median wall time of each command and its ratio to no-commit-to-branch.
Both packages are installed into one fresh virtualenv first, as pre-commit
installs a hook (a regular install, not the editable one a developer has).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

DOMAINS = 20
ENV = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b",
       "GIT_COMMITTER_EMAIL": "b@b", "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd, *args, input=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, env=ENV, input=input,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def plan_text(steps: int = 10) -> str:
    lines = ["# Implementation plan", "", "## Phase 1", ""]
    for s in range(1, steps + 1):
        done = " ✅ **COMPLETED**" if s < 5 else ""
        lines += [f"### Step 1.{s}: Work item {s}{done}", "", f"- [{'x' if s < 5 else ' '}] task a",
                  f"- [{'x' if s < 5 else ' '}] task b", ""]
    return "\n".join(lines) + "\n"


def build_repo(root: str, files: int) -> None:
    """A phased-plan repository with `files` source files across domain folders."""
    os.makedirs(root)
    git(root, "init", "-q", "-b", "main")
    for d in range(DOMAINS):
        os.makedirs(os.path.join(root, f"backend/app/domains/d{d}"), exist_ok=True)
    per = max(1, files // DOMAINS)
    for i in range(files):
        d = min(i // per, DOMAINS - 1)
        with open(os.path.join(root, f"backend/app/domains/d{d}/m{i}.py"), "w") as fh:
            fh.write(f"def f{i}():\n    return {i}\n")
    write(root, "backend/app/domains/d0/Context.toml",
          '[context]\ncurrent_epic = "E1"\ncurrent_step = "1.5"\ncurrent_domain = "d0"\n'
          'current_dev_stage = "implement"\ncurrent_issue = "AUTH-1"\n')
    write(root, "docs/Phase1/6.1_implementation_plan.md", plan_text())
    write(root, "CLAUDE.md", "# Project\n\n## Project Structure\n\n```\nbackend/   # the API\ndocs/\n```\n")
    write(root, "backend/CLAUDE.md", "# Backend\n\n## Project Structure\n\n```\nbackend/\n└── app/\n"
          "    └── domains/   # one folder a domain\n```\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "AUTH-1-bench")


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def stage(root: str, files: int, staged: int) -> None:
    """Modify `staged` existing files and tick a task of the current step 1.5:
    the everyday commit (code plus plan progress)."""
    git(root, "reset", "-q", "--hard")
    per = max(1, files // DOMAINS)
    for k in range(staged):
        i = (k * 7919) % files
        d = min(i // per, DOMAINS - 1)
        with open(os.path.join(root, f"backend/app/domains/d{d}/m{i}.py"), "a") as fh:
            fh.write(f"\n\ndef g{i}():\n    return f{i}() + 1\n")
    write(root, "docs/Phase1/6.1_implementation_plan.md",
          plan_text().replace("### Step 1.5: Work item 5\n\n- [ ] task a", "### Step 1.5: Work item 5\n\n- [x] task a"))
    git(root, "add", "-A")


def median_ms(cmd, cwd, runs: int) -> float:
    times = []
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV)
        times.append((time.perf_counter() - t0) * 1000)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{cmd[0]} failed: {proc.stdout.decode(errors='replace')}")
    return statistics.median(times[1:])  # the first run warms the caches


def hook_env(tmp: str) -> str:
    """A virtualenv with this checkout and pre-commit-hooks installed; its bin dir."""
    env_dir = os.path.join(tmp, "venv")
    subprocess.run([sys.executable, "-m", "venv", env_dir], check=True)
    bin_dir = os.path.join(env_dir, "Scripts" if os.name == "nt" else "bin")
    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pip = [os.path.join(bin_dir, "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["--no-deps", project], check=True)  # the hooks need no dependency at run time
    subprocess.run(pip + ["pre-commit-hooks", "tomli; python_version < '3.11'"], check=True)
    return bin_dir


def startup_ms(bin_dir: str, hook: str, tmp: str, runs: int) -> float:
    """A hook's start-up: its whole run on the everyday commit of a 10-file
    repository (one code file changed, a task of the 50-line plan ticked)."""
    root = os.path.join(tmp, f"startup-{hook}")
    build_repo(root, 10)
    stage(root, 10, 1)
    return median_ms([os.path.join(bin_dir, hook)], root, runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 20000, 100000])
    parser.add_argument("--staged", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="impl-hooks-bench-") as tmp:
        bin_dir = hook_env(tmp)
        peer = [os.path.join(bin_dir, "no-commit-to-branch"), "--branch", "main"]
        ours = {name: [os.path.join(bin_dir, name)] for name in ("impl-check", "impl-branch")}
        print(f"{'files':>7} {'staged':>6} {'no-commit-to-branch':>20} "
              + " ".join(f"{n:>11} {'ratio':>5}" for n in ours))
        for files in args.files:
            root = os.path.join(tmp, f"repo{files}")
            build_repo(root, files)
            for staged in args.staged:
                if staged > files:
                    continue
                stage(root, files, staged)
                base = median_ms(peer, root, args.runs)
                row = f"{files:>7} {staged:>6} {base:>17.1f} ms "
                for cmd in ours.values():
                    ms = median_ms(cmd, root, args.runs)
                    row += f"{ms:>8.1f} ms {ms / base:>5.2f}"
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
