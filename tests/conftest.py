"""Shared helpers: real git repositories in tmp_path, hooks run in-process or
through the real pre-commit framework (one PRE_COMMIT_HOME per run, shared by xdist workers)."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, Optional

import pytest

PROJECT = Path(__file__).resolve().parent.parent

# Tests must not see the developer's git identity, templates or hooks.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: runs hooks through the real pre-commit framework")


def pytest_collection_modifyitems(items):
    """Mark the tests that go through real pre-commit, so `-m "not e2e"` (the
    mutation run, a quick loop) leaves out the slow framework layer, and run
    them last: their hook environments are built meanwhile (`_pre_commit_envs`)."""
    for item in items:
        if "precommit" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
    items[:] = [i for i in items if i.get_closest_marker("e2e") is None] + \
        [i for i in items if i.get_closest_marker("e2e") is not None]


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    for key in list(os.environ):
        if key.startswith("PRE_COMMIT_") and key != "PRE_COMMIT_HOME" or key in (
                "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "CLAUDECODE", "SPECIFY_FEATURE") \
                or key.startswith("ANTHROPIC_"):
            monkeypatch.delenv(key, raising=False)  # never the real API, the caller's repo or feature


def git(cwd, *args: str, check: bool = True, input: Optional[str] = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def write(root, rel: str, content) -> Path:
    """Write text (UTF-8, newlines as given) or bytes, making folders as needed."""
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


class Repo:
    """A real git repository in tmp_path with small conveniences."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def git(self, *args: str, check: bool = True, input: Optional[str] = None) -> str:
        return git(self.root, *args, check=check, input=input)

    def write(self, rel: str, content) -> Path:
        return write(self.root, rel, content)

    def files(self, files: Dict[str, object]) -> "Repo":
        for rel, content in files.items():
            self.write(rel, content)
        return self

    def replace(self, rel: str, old: str, new: str) -> "Repo":
        """Edit a file in the work tree, failing loudly when `old` is not there."""
        path = self.root / rel
        text = path.read_bytes().decode()
        assert old in text, f"{old!r} not in {rel}"
        path.write_bytes(text.replace(old, new, 1).encode())
        return self

    def stage(self, *paths: str) -> "Repo":
        self.git("add", "-A", "--", *(paths or (".",)))
        return self

    def commit(self, message: str = "commit", *extra: str) -> "Repo":
        self.stage()
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message, *extra)
        return self

    def branch(self, name: str) -> "Repo":
        self.git("checkout", "-q", "-b", name)
        return self


@pytest.fixture
def repo(tmp_path) -> Repo:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return Repo(root)


@pytest.fixture
def run_hook(monkeypatch, capsys):
    """Call a console script's main(argv) in-process with cwd and env set."""
    def run(func, cwd, *argv: str, env: Optional[Dict[str, str]] = None):
        with monkeypatch.context() as m:
            m.chdir(cwd)
            for key, value in (env or {}).items():
                m.setenv(key, value)
            capsys.readouterr()
            code = func(list(argv))
            out, err = capsys.readouterr()
        return code, out, err
    return run


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def phased_plan_repo(repo: Repo, step: str = "2.2", issue: str = "AUTH-12") -> Repo:
    """phased-plan: a domain Context.toml and the phase's plan (a real-world shaped one)."""
    phase = step.split(".")[0]
    repo.files({
        "backend/app/domains/auth/Context.toml": (
            "# what the agent works on\n[context]\n"
            f'current_epic = "E1"\ncurrent_step = "{step}"  # keep in sync\n'
            f'current_domain = "auth"\ncurrent_dev_stage = "implement"\ncurrent_issue = "{issue}"\n'),
        f"docs/Phase{phase}/6.1_implementation_plan.md": fixture("plans/6.1_implementation_plan.md"),
        "backend/app/domains/auth/models.py": "class User:\n    name = 'x'\n",
    })
    return repo


def sdd_flow_repo(repo: Repo, step: str = "2.1", phase: str = "") -> Repo:
    """phased-plan in SDD Flow's layout: epics and per-epic steps in Phase 1's plan."""
    context = f'[context]\ncurrent_epic = "{step.split(".")[0]}"\ncurrent_step = "{step}"\n'
    if phase:
        context += f'current_phase = "{phase}"\n'
    repo.files({
        "backend/app/domains/albums/Context.toml": context + 'current_domain = "albums"\n',
        "docs/Phase1/6.1_implementation_plan.md": fixture("sdd_flow/6.1_implementation_plan.md"),
        "backend/app/domains/albums/models.py": "class Album:\n    title = ''\n",
    })
    return repo


def line_of_text(text: str, needle: str) -> int:
    """The 1-based number of the first line of `text` holding `needle`."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def check_findings(root, hook: str = "impl-check") -> list:
    """The findings impl-check (or one hook's checks) gives on what is staged in `root`,
    as `location: CODE message` lines: the whole list, for exact asserts."""
    from impl_hooks.runner import HOOK_CHECKS, run_checks
    from impl_hooks.snapshot import Repo as GitRepo, Snapshot

    snapshot = Snapshot.staged(GitRepo.discover(str(root)))
    return [f"{f.location()}: {f.code} {f.message}" for f in run_checks(snapshot, HOOK_CHECKS[hook])]


def spec_issue_repo(repo: Repo) -> Repo:
    """spec-issue: one spec with issue headings, code beside it."""
    repo.files({
        "docs/specs/auth.md": fixture("plans/auth_spec.md"),
        "docs/specs/billing.md": "# Billing\n\n## PAY-1: Invoices\n\n- [ ] PDF\n",
        "src/auth/login.py": "def login():\n    return 1\n",
    })
    return repo


def features_json_repo(repo: Repo, task: str = "checkout-v2") -> Repo:
    """features-json: design and implement feature lists for one task."""
    implement = fixture("plans/implement_features.json").decode().replace(
        '"name": "Apply discount code", "status": "done"', '"name": "Apply discount code", "status": "planned"')
    repo.files({
        f"artifacts/{task}-design/features.json": fixture("plans/design_features.json"),
        f"artifacts/{task}-implement/features.json": implement,
        "src/cart.py": "def total():\n    return 0\n",
    })
    return repo


def spec_kit_repo(repo: Repo, feature: str = "001-photo-albums") -> Repo:
    """spec-kit: specs/<feature>/tasks.md with phases and T-numbered tasks."""
    repo.files({
        f"specs/{feature}/tasks.md": fixture("plans/tasks.md"),
        "src/db/albums.ts": "export const albums = [];\n",
    })
    return repo


@pytest.fixture
def api(monkeypatch):
    """The fake Messages API on 127.0.0.1 with the SDK pointed at it; no waits between retries."""
    pytest.importorskip("anthropic")
    from fake_anthropic import FakeAnthropic
    from impl_hooks.agent import anthropic_backend

    monkeypatch.setattr(anthropic_backend, "BACKOFF_SECONDS", 0.0)
    with FakeAnthropic() as server:
        server.use_in(monkeypatch)
        yield server


def tree_state(*folders) -> dict:
    """Every entry under the folders: a symlink's target, a file's bytes and mode, a folder's mode."""
    state = {}
    for folder in folders:
        for top, dirs, files in os.walk(folder):
            for name in dirs + files:
                path = os.path.join(top, name)
                info = os.lstat(path)
                if os.path.islink(path):
                    state[path] = ("link", os.readlink(path))
                elif name in files:
                    with open(path, "rb") as handle:
                        state[path] = ("file", info.st_mode, handle.read())
                else:
                    state[path] = ("dir", info.st_mode)
    return state


# -- the real pre-commit framework ------------------------------------------

def _run_dir(tmp_path_factory) -> Path:
    """A folder the whole run shares: the basetemp, or under pytest-xdist the folder
    holding every worker's basetemp, so the workers share one pre-commit home."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory) -> Dict[str, str]:
    """A git copy of this checkout's current files, for pre-commit's `repo:`; made
    once per run, by the first worker to take the lock."""
    shared = _run_dir(tmp_path_factory)
    dest = shared / "hook-source"
    with open(shared / "hook-source.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (dest / ".git").exists():
            _copy_checkout(dest)
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, check=True,
                             capture_output=True, text=True).stdout.strip()
    return {"repo": str(dest), "rev": sha}


def _copy_checkout(dest: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT, capture_output=True, check=True).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        rel = os.fsdecode(raw)
        src = PROJECT / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "hook source"]):
        subprocess.run(["git", *args], cwd=dest, check=True, env=env, capture_output=True)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> str:
    """One per run: pre-commit's own store lock lets the workers share it."""
    home = _run_dir(tmp_path_factory) / "pre-commit-home"
    home.mkdir(exist_ok=True)
    return str(home)


@pytest.fixture(scope="session", autouse=True)
def _pre_commit_envs(request, tmp_path_factory):
    """pre-commit's environments for every hook id (pip installing the hooks, and
    anthropic for impl-agent), built in the background from the session's start
    when it runs e2e tests, so pip's half minute overlaps the in-process tests.
    Under pytest-xdist each worker asks; pre-commit's store lock builds them once."""
    if not any(item.get_closest_marker("e2e") for item in request.session.items) \
            or not (PROJECT / ".git").exists():  # not a checkout: e2e tests fail on their own
        yield None
        return
    source = request.getfixturevalue("hook_source")
    scratch = tmp_path_factory.mktemp("warm-envs")
    ids = [line.split(":", 1)[1].strip() for line in
           (Path(source["repo"]) / ".pre-commit-hooks.yaml").read_text().splitlines() if line.startswith("- id:")]
    (scratch / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {source['repo']}\n    rev: {source['rev']}\n    hooks:\n"
        + "".join(f"    -   id: {hook}\n" for hook in ids))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PRE_COMMIT_", "GIT_", "ANTHROPIC_"))}
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    env.update(GIT_ENV, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               PRE_COMMIT_HOME=request.getfixturevalue("pre_commit_home"))
    subprocess.run(["git", "init", "-q", str(scratch)], check=True, env=env)
    log = scratch / "install-hooks.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=scratch, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    yield proc, log
    if proc.poll() is None and not os.environ.get("PYTEST_XDIST_WORKER"):
        proc.terminate()  # under xdist the build is shared: another worker may be waiting on it
    proc.wait()


@pytest.fixture
def precommit(repo, hook_source, pre_commit_home, _pre_commit_envs, monkeypatch):
    """Install hooks from this checkout into `repo` through real pre-commit."""
    if _pre_commit_envs is not None:
        proc, log = _pre_commit_envs
        assert proc.wait() == 0, log.read_text()
    monkeypatch.setenv("PRE_COMMIT_HOME", pre_commit_home)
    monkeypatch.setenv("PRE_COMMIT_COLOR", "never")

    def install(hooks: Iterable[str], hook_types: Iterable[str] = ("pre-commit",),
                args: Optional[Dict[str, list]] = None) -> Repo:
        lines = ["repos:", f"-   repo: {hook_source['repo']}", f"    rev: {hook_source['rev']}",
                 "    hooks:"]
        for hook in hooks:
            lines.append(f"    -   id: {hook}")
            if args and hook in args:
                lines.append(f"        args: {args[hook]!r}")
        repo.write(".pre-commit-config.yaml", "\n".join(lines) + "\n")
        types = [a for t in hook_types for a in ("--hook-type", t)]
        proc = subprocess.run([sys.executable, "-m", "pre_commit", "install", *types],
                              cwd=repo.root, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return repo

    return install


def commit(repo: Repo, message: str = "work", *extra: str) -> subprocess.CompletedProcess:
    """A real `git commit` with hooks; returns the process (rc, stdout+stderr in .out, and
    in .lines without pre-commit's one-time "[INFO]" environment lines, for whole-output asserts)."""
    proc = subprocess.run(["git", "commit", "-m", message, *extra], cwd=repo.root,
                          capture_output=True, text=True)
    proc.out = proc.stdout + proc.stderr
    proc.lines = hook_lines(proc.out)
    return proc


def hook_failed(title: str, hook: str, *lines: str) -> list:
    """pre-commit's report of one hook (its manifest `name`) that failed with exit 1 and said `lines`."""
    return [title.ljust(73, ".") + "Failed", f"- hook id: {hook}", "- exit code: 1", "", *lines, ""]


def hook_lines(output: str) -> list:
    """What hooks said, as lines: pre-commit's one-time "[INFO]" environment lines left out."""
    return [line for line in output.splitlines() if not line.startswith("[INFO] ")]
