"""Time impl-check as a whole process beside pre-commit-hooks' no-commit-to-branch,
in the same run, on repositories of growing size and changes of growing size;
then whole `git commit`s with each way of installing the hooks.

    python bench/hooks.py                          # the full table (about 10 minutes)
    python bench/hooks.py --files 20000 --staged 100 --no-commits
    python bench/hooks.py --baseline /path/to/older/checkout   # before/after columns

Each figure is the median of alternating runs (peer, ours, peer, ours, ...),
after one warm-up run each; the spread is the middle half (quartiles) of the
per-round ratios. impl-check runs twice a round: as a commit's first run (what
it kept of the files it parsed dropped first, as their blobs are new), and
again on the same staged files (a commit tried again, its later hooks, the
push). The packages are installed into a fresh virtualenv first, as
pre-commit installs a hook (a regular install, not the editable one a
developer has). The rows are a Markdown table to paste into the README.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import resource
except ImportError:  # not on Windows: no CPU column there
    resource = None

DOMAINS = 20
# Source files a folder. Real trees are deep: the standard library and a
# virtualenv's site-packages here hold 6-9 files a folder. git compares the
# index with HEAD folder by folder, skipping unchanged ones, so a tree of
# 5,000-file folders (`--folder-files 5000`, the shape of earlier tables)
# makes every staged path cost git a whole folder.
FOLDER_FILES = 50
# No `gc --auto`: after a commit of thousands of new objects git packs them in a
# process it leaves running in the background, which took one of the two cores
# for seconds while the rows right after were timed. A built repository is
# packed before it is timed instead (`build_repo`), as a clone is.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b",
       "GIT_COMMITTER_EMAIL": "b@b", "GIT_CONFIG_NOSYSTEM": "1",
       "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "gc.auto", "GIT_CONFIG_VALUE_0": "0"}
PLAN = "docs/Phase1/6.1_implementation_plan.md"
PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(cwd, *args, input=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, env=ENV, input=input,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def plan_text(steps: int = 10, filler: int = 0) -> str:
    """A phase plan: steps 1.1-1.4 done, 1.5 current; `filler` more lines of done steps before them."""
    lines = ["# Implementation plan", "", "## Phase 0 (history)", ""]
    for s in range(filler // 8):
        lines += [f"### Step 0.{s + 1}: Earlier work {s} ✅ **COMPLETED**", "", "- [x] task a", "- [x] task b",
                  "- [x] task c", "  detail line", ""]
    lines += ["## Phase 1", ""]
    for s in range(1, steps + 1):
        done = " ✅ **COMPLETED**" if s < 5 else ""
        lines += [f"### Step 1.{s}: Work item {s}{done}", "", f"- [{'x' if s < 5 else ' '}] task a",
                  f"- [{'x' if s < 5 else ' '}] task b", ""]
    return "\n".join(lines) + "\n"


def source_path(files: int, i: int, folder_files: int = FOLDER_FILES) -> str:
    """The i-th source file: domain folders, each split into packages of `folder_files`."""
    per = max(1, files // DOMAINS)
    d = min(i // per, DOMAINS - 1)
    return f"backend/app/domains/d{d}/p{(i - d * per) // folder_files}/m{i}.py"


def build_repo(root: str, files: int, plan_lines: int = 0, folder_files: int = FOLDER_FILES) -> None:
    """A phased-plan repository with `files` source files across domain folders, packed."""
    os.makedirs(root)
    git(root, "init", "-q", "-b", "main")
    for i in range(files):
        path = os.path.join(root, source_path(files, i, folder_files))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(f"def f{i}():\n    return {i}\n")
    write(root, "backend/app/domains/d0/Context.toml",
          '[context]\ncurrent_epic = "E1"\ncurrent_step = "1.5"\ncurrent_domain = "d0"\n'
          'current_dev_stage = "implement"\ncurrent_issue = "AUTH-1"\n')
    write(root, PLAN, plan_text(filler=plan_lines))
    write(root, "CLAUDE.md", "# Project\n\n## Project Structure\n\n```\nbackend/   # the API\ndocs/\n```\n")
    write(root, "backend/CLAUDE.md", "# Backend\n\n## Project Structure\n\n```\nbackend/\n└── app/\n"
          "    └── domains/   # one folder a domain\n```\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "gc", "-q")  # packed, as a clone is
    git(root, "checkout", "-q", "-b", "AUTH-1-bench")


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def stage(root: str, files: int, staged: int, passing: bool = True, plan_lines: int = 0,
          folder_files: int = FOLDER_FILES) -> None:
    """The everyday commit: `staged` paths. Passing: existing files modified and a
    task of the current step 1.5 ticked. Not passing (the checks' real work): one
    new file in a folder no structure section lists (S001), the rest modified, and
    the plan left as it was (P001)."""
    git(root, "reset", "-q", "--hard")
    git(root, "clean", "-qfd")
    for k in range(staged - (0 if passing else 1)):
        i = (k * 7919) % files
        with open(os.path.join(root, source_path(files, i, folder_files)), "a") as fh:
            fh.write(f"\n\ndef g{i}():\n    return f{i}() + 1\n")
    if passing:
        write(root, PLAN, plan_text(filler=plan_lines).replace(
            "### Step 1.5: Work item 5\n\n- [ ] task a", "### Step 1.5: Work item 5\n\n- [x] task a"))
    else:
        write(root, "backend/app/billing/invoices.py", "def invoice():\n    return 1\n")
    git(root, "add", "-A")


def run_ms(cmd, cwd) -> tuple:
    """(wall ms, exit code) of one run."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV)
    return (time.perf_counter() - t0) * 1000, proc.returncode, proc.stdout


def alternate(cmds: dict, cwd: str, rounds: int, expect: dict | None = None, cpu: dict | None = None,
              prepare: dict | None = None) -> dict:
    """name -> per-round wall ms, the commands run in turn, round after round. With
    `cpu`, also name -> per-round CPU ms of the process and every process it started
    (user + system): a figure other load on the machine barely moves. `prepare`:
    name -> a function called (untimed) before each run of that command."""
    times = {name: [] for name in cmds}
    for r in range(rounds + 1):
        for name, cmd in cmds.items():
            if prepare and name in prepare:
                prepare[name](cwd)
            before = resource.getrusage(resource.RUSAGE_CHILDREN) if resource else None
            ms, code, out = run_ms(cmd, cwd)
            if expect and name in expect and code != expect[name]:
                raise SystemExit(f"{name} exited {code}, expected {expect[name]}: {out.decode(errors='replace')}")
            if r:  # the first round warms the caches
                times[name].append(ms)
                if cpu is not None and before is not None:
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu.setdefault(name, []).append(1000 * (after.ru_utime - before.ru_utime
                                                            + after.ru_stime - before.ru_stime))
    return times


def median_ms(cmd, cwd, runs: int) -> float:
    """The median wall time of `runs` runs of one command (after a warm-up run)."""
    return statistics.median(alternate({"cmd": cmd}, cwd, runs)["cmd"])


def ratio_spread(ours: list, peer: list) -> str:
    ratios = sorted(o / p for o, p in zip(ours, peer))
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return f"{q[0]:.2f}–{q[2]:.2f}"


def install(tmp: str, name: str, source: str) -> str:
    """A virtualenv with `source` (a checkout) and its dependencies, pre-commit-hooks and
    pre-commit installed; its bin folder."""
    env_dir = os.path.join(tmp, name)
    subprocess.run([sys.executable, "-m", "venv", env_dir], check=True)
    bin_dir = os.path.join(env_dir, "Scripts" if os.name == "nt" else "bin")
    pip = [os.path.join(bin_dir, "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + [source, "pre-commit-hooks", "pre-commit"], check=True, env=ENV)
    return bin_dir


def hook_env(tmp: str) -> str:
    """This checkout installed (for bench/plan_parse.py and bench/structure.py)."""
    return install(tmp, "venv", PROJECT)


def startup_ms(bin_dir: str, hook: str, tmp: str, runs: int) -> float:
    """A hook's start-up: its whole run on the everyday commit of a 10-file
    repository (one code file changed, a task of the 50-line plan ticked)."""
    root = os.path.join(tmp, f"startup-{hook}")
    build_repo(root, 10)
    stage(root, 10, 1)
    return median_ms([os.path.join(bin_dir, hook)], root, runs)


def forget_parsed_files(root: str) -> None:
    """Drop what impl-check kept of the files it parsed (by blob id): the run is then
    a commit's first, whose staged files are new; the listings and config it keeps
    stay, as they do from one commit to the next, and a long plan's kept layout is
    the one the commit before left (`keep_head_plan`)."""
    cache = os.path.join(root, ".git", "impl-hooks", "cache")
    try:
        os.unlink(os.path.join(cache, "stubs"))
    except FileNotFoundError:
        pass
    if os.path.exists(os.path.join(cache, "plans.head")):
        shutil.copyfile(os.path.join(cache, "plans.head"), os.path.join(cache, "plans"))


def keep_head_plan(root: str, bin_dirs) -> None:
    """What the commit before leaves kept of a long plan: the layout of HEAD's
    version, read whole when it was the staged one."""
    cache = os.path.join(root, ".git", "impl-hooks", "cache")
    git(root, "reset", "-q", "--", PLAN)
    for path in ("plans", "plans.head"):
        if os.path.exists(os.path.join(cache, path)):
            os.unlink(os.path.join(cache, path))
    for bin_dir in bin_dirs:
        subprocess.run([os.path.join(bin_dir, "impl-check")], cwd=root, env=ENV, stdout=subprocess.DEVNULL)
    git(root, "add", "--", PLAN)
    if os.path.exists(os.path.join(cache, "plans")):
        shutil.copyfile(os.path.join(cache, "plans"), os.path.join(cache, "plans.head"))


def hook_rows(envs: dict, tmp: str, args) -> list:
    """Rows: repository size x staged paths, impl-check beside no-commit-to-branch:
    a commit's first run, and the same staged files checked again (a commit tried
    again after a refusal, its later hooks, the push)."""
    rows = []
    cases = [(files, 100, 0) for files in args.files]
    cases += [(args.files[min(1, len(args.files) - 1)], staged, 0) for staged in args.staged if staged != 100]
    if args.plan_lines:
        cases.append((args.files[min(1, len(args.files) - 1)], 100, args.plan_lines))
    repos = {}
    for files, staged, plan_lines in cases:
        root = repos.get((files, plan_lines))
        if root is None:
            root = repos[(files, plan_lines)] = os.path.join(tmp, f"repo{files}-{plan_lines}")
            build_repo(root, files, plan_lines, args.folder_files)
        first = next(iter(envs.values()))
        for passing in (False,) if not plan_lines else (True,):
            stage(root, files, min(staged, files), passing, plan_lines, args.folder_files)
            if plan_lines:
                keep_head_plan(root, envs.values())
            cmds = {"peer": [os.path.join(first, "no-commit-to-branch"), "--branch", "main"]}
            for label, bin_dir in envs.items():
                cmds[label] = cmds[label + " again"] = [os.path.join(bin_dir, "impl-check")]
            expect = {label: 0 if passing else 1 for label in cmds if label != "peer"}
            cpu: dict = {}
            times = alternate(cmds, root, args.rounds, expect, cpu, {label: forget_parsed_files for label in envs})
            peer = statistics.median(times["peer"])
            what = f"{plan_lines:,}-line plan, task ticked" if plan_lines else "P001 + S001 found"
            row = [f"{files:,}", f"{min(staged, files):,}", what, f"{peer:.1f}"]
            for label in envs:
                ours = statistics.median(times[label])
                again = statistics.median(times[label + " again"])
                row += [f"{ours:.1f}", f"{ours / peer:.2f}× ({ratio_spread(times[label], times['peer'])})"]
                if cpu:
                    row.append(f"{statistics.median(cpu[label]) / statistics.median(cpu['peer']):.2f}×")
                row.append(f"{again / peer:.2f}×")
            rows.append(row)
            print(" | ".join(row), flush=True)
    return rows


def commit_rows(envs: dict, tmp: str, args) -> list:
    """Rows: a whole passing `git commit` at the middle size, by how the hooks are installed.
    Each round commits the same staged change again from the same parent (`reset --soft`),
    with each way of installing in turn."""
    files = args.files[min(1, len(args.files) - 1)]
    rows = []
    for label, bin_dir in envs.items():
        root = os.path.join(tmp, f"commit-{label}")
        build_repo(root, files, folder_files=args.folder_files)
        write(root, ".pre-commit-config.yaml", "repos:\n- repo: local\n  hooks:\n  - id: impl-check\n"
              f"    name: impl-check\n    entry: {os.path.join(bin_dir, 'impl-check')}\n"
              "    language: system\n    pass_filenames: false\n    always_run: true\n")
        git(root, "add", ".pre-commit-config.yaml")
        git(root, "commit", "-q", "--no-verify", "-m", "AUTH-1: pre-commit config")
        stage(root, files, 100, passing=True, folder_files=args.folder_files)
        git(root, "tag", "-f", "bench-base", "HEAD")
        hooks = os.path.join(root, ".git", "hooks")
        scripts = {}
        for name, command in (("impl-hooks install", [os.path.join(bin_dir, "impl-hooks"), "install"]),
                              ("pre-commit (impl-check)", [os.path.join(bin_dir, "pre-commit"), "install"])):
            for hook in os.listdir(hooks):
                os.unlink(os.path.join(hooks, hook))
            subprocess.run(command, cwd=root, check=True, env=ENV, stdout=subprocess.DEVNULL)
            scripts[name] = {hook: open(os.path.join(hooks, hook), "rb").read() for hook in os.listdir(hooks)}
        scripts["no hooks"] = {}
        scripts["no-commit-to-branch (plain hook)"] = {
            "pre-commit": f"#!/bin/sh\nexec {os.path.join(bin_dir, 'no-commit-to-branch')} --branch main\n".encode()}
        order = ["no hooks", "no-commit-to-branch (plain hook)", "impl-hooks install", "pre-commit (impl-check)"]
        times: dict = {name: [] for name in order}
        for r in range(args.rounds + 1):
            for name in order:
                for hook in os.listdir(hooks):
                    os.unlink(os.path.join(hooks, hook))
                for hook, data in scripts[name].items():
                    with open(os.path.join(hooks, hook), "wb") as fh:
                        fh.write(data)
                    os.chmod(os.path.join(hooks, hook), 0o755)
                git(root, "reset", "-q", "--soft", "bench-base")
                forget_parsed_files(root)  # each round is a commit's first try
                ms, code, out = run_ms(["git", "commit", "-q", "-m", "AUTH-1: bench"], root)
                if code != 0:
                    raise SystemExit(f"commit with {name} failed: {out.decode(errors='replace')}")
                if r:
                    times[name].append(ms)
        peer = times["no-commit-to-branch (plain hook)"]
        for name in order:
            ms = statistics.median(times[name])
            row = [label, f"{files:,}", name, f"{ms:.1f}",
                   f"{ms / statistics.median(peer):.2f}× ({ratio_spread(times[name], peer)})"]
            rows.append(row)
            print(" | ".join(row), flush=True)
    return rows


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    gitv = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores (nproc), {model or platform.processor()}, Python {platform.python_version()}, "
            f"{gitv}, {datetime.date.today().isoformat()}")


def table(head: list, rows: list) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 20000, 100000])
    parser.add_argument("--staged", type=int, nargs="+", default=[1, 100, 1000, 5000])
    parser.add_argument("--plan-lines", type=int, default=10000, help="a row with a plan this long (0: none)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--folder-files", type=int, default=FOLDER_FILES, help="source files a folder")
    parser.add_argument("--no-commits", action="store_true", help="skip the whole-commit rows")
    parser.add_argument("--baseline", help="another checkout, installed and timed beside this one")
    parser.add_argument("--bin", help="use this installed environment's bin folder instead of a fresh one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="impl-hooks-bench-") as tmp:
        envs = {}
        if args.baseline:
            envs["before"] = install(tmp, "before", args.baseline)
        envs["now" if args.baseline else "impl-check"] = args.bin or install(tmp, "now", PROJECT)
        print(f"machine: {machine()}", flush=True)
        head = ["files", "staged", "commit", "no-commit-to-branch ms"]
        for label in envs:
            head += [f"{label} ms", f"{label} ratio (spread)"] + ([f"{label} CPU ratio"] if resource else []) \
                + [f"{label} again, ratio"]
        rows = hook_rows(envs, tmp, args)
        print()
        print(f"impl-check beside no-commit-to-branch --branch main ({machine()}; medians of {args.rounds} "
              "alternating rounds)\n")
        print(table(head, rows))
        if not args.no_commits:
            rows = commit_rows(envs, tmp, args)
            print(f"\nA whole passing `git commit` (100 staged paths, a task ticked; medians of {args.rounds})\n")
            print(table(["checkout", "files", "hooks", "ms", "× no-commit-to-branch"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
