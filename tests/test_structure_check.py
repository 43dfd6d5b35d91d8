"""S001-S003 in-process on what is staged (the whole finding list), and `--fix` that the user
re-stages, once through a real commit under pre-commit."""
from __future__ import annotations

from pathlib import Path

import pytest

from impl_hooks.hooks import check_main, structure_main

from conftest import Repo, check_findings, commit, git

FIXTURES = Path(__file__).parent / "fixtures" / "structure"

BACKEND = """# Backend

Conventions: one folder a domain.

## Project Structure

```
backend/
├── app/                  # FastAPI application
│   ├── domains/          # one folder a domain
│   │   └── auth/         # login, sessions
│   └── main.py           # entry point
└── CLAUDE.md
```

## Testing

Run pytest.
"""


@pytest.fixture
def structured(repo):
    repo.files({
        "backend/CLAUDE.md": BACKEND,
        "backend/app/main.py": "app = None\n",
        "backend/app/domains/auth/login.py": "def login():\n    return 1\n",
    }).commit("base")
    return repo.branch("AUTH-1")


def structure(repo) -> list:
    return check_findings(repo.root, "impl-structure")


def test_added_file_missing_from_the_structure_is_s001_at_its_folder_line(structured, run_hook):
    structured.files({"backend/app/settings.py": "DEBUG = False\n"}).stage()
    assert run_hook(structure_main, structured.root) == (1, (
        'backend/CLAUDE.md:9: S001 "backend/app/settings.py" was added but backend/CLAUDE.md does not list it '
        'under "app/"\n'
        '  hint: add "settings.py" under "app/" in backend/CLAUDE.md or run impl-hooks structure --fix\n'), "")


def test_added_folder_is_asked_for_once(structured):
    structured.files({f"backend/app/domains/billing/f{i}.py": "x = 1\n" for i in range(5)}).stage()
    assert structure(structured) == [
        'backend/CLAUDE.md:10: S001 "backend/app/domains/billing/" was added but backend/CLAUDE.md does not list it '
        'under "app/domains/"']


def test_deleted_file_still_listed_is_s002_at_its_line(structured):
    structured.git("rm", "-q", "backend/app/main.py")
    assert structure(structured) == [
        'backend/CLAUDE.md:12: S002 "backend/app/main.py" was removed but backend/CLAUDE.md still lists it']


def test_deleted_folder_is_one_s002(structured):
    structured.git("rm", "-q", "-r", "backend/app/domains/auth")
    # auth/ was all of domains/: the topmost gone folder is the one reported
    assert structure(structured) == [
        'backend/CLAUDE.md:10: S002 "backend/app/domains" was removed but backend/CLAUDE.md still lists it']


def test_renamed_file_is_s001_for_the_new_and_s002_for_the_old_name(structured):
    structured.git("mv", "backend/app/main.py", "backend/app/server.py")
    assert structure(structured) == [
        'backend/CLAUDE.md:9: S001 "backend/app/server.py" was added but backend/CLAUDE.md does not list it under '
        '"app/"',
        'backend/CLAUDE.md:12: S002 "backend/app/main.py" was removed but backend/CLAUDE.md still lists it']


def test_renamed_folder(structured):
    structured.git("mv", "backend/app/domains/auth", "backend/app/domains/identity")
    assert structure(structured) == [
        'backend/CLAUDE.md:10: S001 "backend/app/domains/identity/" was added but backend/CLAUDE.md does not list '
        'it under "app/domains/"',
        'backend/CLAUDE.md:11: S002 "backend/app/domains/auth" was removed but backend/CLAUDE.md still lists it']


def test_fix_rewrites_the_work_tree_only_then_the_restaged_commit_passes(structured, run_hook):
    structured.git("mv", "backend/app/main.py", "backend/app/server.py")
    structured.files({"backend/app/domains/billing/pay.py": "x = 1\n"}).stage()
    staged_before = structured.git("diff", "--cached", "--name-status")
    code, out, _ = run_hook(structure_main, structured.root, "--fix")
    assert code == 1
    assert "rewrote backend/CLAUDE.md" in out
    assert structured.git("diff", "--cached", "--name-status") == staged_before  # index untouched
    text = (structured.root / "backend/CLAUDE.md").read_text()
    assert "│   └── server.py" in text and "main.py" not in text
    assert "│   │   ├── auth/         # login, sessions" in text  # comment and its column kept
    assert "│   │   └── billing/" in text
    assert text.endswith("## Testing\n\nRun pytest.\n")
    assert [line.split(": ")[1][:4] for line in structure(structured)] == ["S001", "S001", "S002"]  # not staged yet
    structured.stage()
    assert structure(structured) == []
    code, out, _ = run_hook(structure_main, structured.root, "--fix")
    assert (code, out) == (0, "")  # a second fix changes nothing


def test_fix_leaves_ignored_paths_out(structured, run_hook):
    structured.files({"backend/app/settings.py": "DEBUG = False\n",
                      "backend/app/__pycache__/main.cpython-311.pyc": b"\x00bytecode"}).stage()
    assert run_hook(structure_main, structured.root, "--fix") == (1, (
        "rewrote backend/CLAUDE.md\nimpl-hooks: review and stage the change: git add backend/CLAUDE.md\n"), "")
    text = (structured.root / "backend/CLAUDE.md").read_text()
    assert "settings.py" in text and "__pycache__" not in text


def test_hook_with_fix_arg_rewrites_and_fails(repo, precommit):
    repo.files({"backend/CLAUDE.md": BACKEND, "backend/app/main.py": "x\n",
                "backend/app/domains/auth/login.py": "y\n"}).commit("base")
    repo.branch("AUTH-1")
    precommit(["impl-structure"], args={"impl-structure": ["--fix"]})
    repo.files({"backend/app/tasks.py": "z\n"}).stage()
    refused = commit(repo)
    assert (refused.returncode, refused.lines) == (1, [
        "impl-hooks project structure.............................................Failed",
        "- hook id: impl-structure",
        "- exit code: 1",
        "- files were modified by this hook",
        "",
        "rewrote backend/CLAUDE.md",
        "impl-hooks: review and stage the change: git add backend/CLAUDE.md",
        "",
    ])
    repo.stage()
    assert commit(repo).returncode == 0


def test_listed_path_that_never_existed_is_an_s003_warning(repo, run_hook):
    repo.files({"CLAUDE.md": "## Project Structure\n\n- `src/` code\n  - `api.py`\n  - `ghost.py`\n",
                "src/api.py": "x\n"}).commit("base")
    repo.branch("AUTH-1")
    repo.files({"src/api.py": "y\n", "CLAUDE.md": "## Project Structure\n\n- `src/` code\n  - `api.py`\n  - `ghost.py`\n\n"}).stage()
    code, out, _ = run_hook(check_main, repo.root)
    assert code == 0
    assert 'CLAUDE.md:5: S003 (warning) CLAUDE.md lists "src/ghost.py", which does not exist' in out


def test_commit_outside_every_structure_scope_reads_no_structure_file(repo, run_hook):
    repo.files({"backend/CLAUDE.md": BACKEND, "backend/app/main.py": "x\n", "docs/x.md": "a\n"}).commit("base")
    repo.branch("AUTH-1")
    repo.files({"docs/y.md": "b\n"}).stage()
    assert run_hook(structure_main, repo.root) == (0, "", "")


def test_cli_structure_fix(repo, monkeypatch):
    from click.testing import CliRunner

    from impl_hooks.cli import main
    repo.files({"backend/CLAUDE.md": BACKEND, "backend/app/main.py": "x\n",
                "backend/app/domains/auth/login.py": "y\n"}).commit("base")
    repo.branch("AUTH-1")
    repo.files({"backend/app/jobs.py": "z\n"}).stage()
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["structure", "--fix"])
    assert result.exit_code == 1 and "rewrote backend/CLAUDE.md" in result.output
    assert "│   ├── jobs.py" in (repo.root / "backend/CLAUDE.md").read_text()


# -- the tree's top line: a project name or a folder, whatever the clone is called --------

AGENTS = """# AGENTS.md

## Project Structure

```
backend/
├── app/
│   ├── main.py
│   └── albums.py
└── pyproject.toml
```
"""

PHOTOSHARE = {
    "CLAUDE.md": (FIXTURES / "tree_project_root.md").read_text(encoding="utf-8"),
    "AGENTS.md": AGENTS,
    "backend/app/main.py": "app = None\n", "backend/app/albums.py": "albums = []\n",
    "backend/pyproject.toml": "[project]\nname = 'photoshare'\n",
    "frontend/src/App.tsx": "export {}\n", "frontend/src/api.ts": "export {}\n",
    "frontend/package.json": "{}\n", "docs/architecture.md": "# Architecture\n",
}

EXPECTED = [
    'AGENTS.md:7: S001 "backend/app/photos.py" was added but AGENTS.md does not list it under "backend/app/"',
    '  hint: add "photos.py" under "backend/app/" in AGENTS.md or run impl-hooks structure --fix',
    'AGENTS.md:10: S002 "backend/pyproject.toml" was removed but AGENTS.md still lists it',
    '  hint: delete "pyproject.toml" (line 10) from AGENTS.md or run impl-hooks structure --fix',
    'CLAUDE.md:21: S002 "backend/pyproject.toml" was removed but CLAUDE.md still lists it',
    '  hint: delete "pyproject.toml" (line 21) from CLAUDE.md or run impl-hooks structure --fix',
]


def test_same_verdict_whatever_the_clone_folder_is_called(repo, tmp_path, run_hook):
    repo.files(PHOTOSHARE).commit("base")
    outputs, fixed = {}, {}
    # named like the project, like a top-level folder of the repo, and a CI checkout
    for name in ("photoshare", "backend", "home/runner/work/ps-fork/ps-fork"):
        clone = Repo(tmp_path / name)
        clone.root.parent.mkdir(parents=True, exist_ok=True)
        git(tmp_path, "clone", "-q", str(repo.root), str(clone.root))
        clone.files({"backend/app/photos.py": "x = 1\n"}).stage()
        clone.git("rm", "-q", "backend/pyproject.toml")
        outputs[name] = run_hook(structure_main, clone.root)
        assert run_hook(structure_main, clone.root, "--fix")[0] == 1
        fixed[name] = {f: (clone.root / f).read_text(encoding="utf-8") for f in ("CLAUDE.md", "AGENTS.md")}
        clone.stage()
        assert run_hook(structure_main, clone.root, "--fix") == (0, "", "")  # a second fix changes nothing
    assert outputs["photoshare"] == (1, "\n".join(EXPECTED) + "\n", "")
    assert outputs["backend"] == outputs["photoshare"]
    assert outputs["home/runner/work/ps-fork/ps-fork"] == outputs["photoshare"]
    assert fixed["backend"] == fixed["photoshare"] == fixed["home/runner/work/ps-fork/ps-fork"]
    assert fixed["photoshare"]["AGENTS.md"] == AGENTS.replace(
        "├── app/\n│   ├── main.py\n│   └── albums.py\n└── pyproject.toml\n",
        "└── app/\n    ├── main.py\n    ├── albums.py\n    └── photos.py\n")
    assert fixed["photoshare"]["CLAUDE.md"] == PHOTOSHARE["CLAUDE.md"].replace(
        "│   ├── app/\n│   │   ├── main.py          # app factory\n│   │   ├── albums.py        # album endpoints\n"
        "│   │   └── ...              # one module per resource\n│   └── pyproject.toml\n",
        "│   └── app/\n│       ├── main.py          # app factory\n│       ├── albums.py        # album endpoints\n"
        "│       └── ...              # one module per resource\n")


def test_is_folder_answers_from_the_commit_and_asks_git_once_per_other_path(repo, monkeypatch):
    from impl_hooks.checks.structure import folder_test
    from impl_hooks.snapshot import Repo as GitRepo, Snapshot

    repo.files({"backend/app.py": "x\n", "docs/a.md": "a\n", "src/b.py": "b\n"}).commit("base")
    repo.files({"backend/new.py": "y\n"}).stage()
    repo.git("rm", "-q", "docs/a.md")  # a folder the commit empties was a folder when listed
    snapshot = Snapshot.staged(GitRepo.discover(str(repo.root)))
    asked, exists = [], snapshot.exists
    monkeypatch.setattr(snapshot, "exists", lambda paths: asked.append(list(paths)) or exists(paths))
    is_folder = folder_test(snapshot)
    answers = [is_folder(path) for path in ("backend", "docs", "src", "photoshare", "src", "photoshare")]
    assert answers == [True, True, True, False, True, False]
    assert asked == [["src"], ["photoshare"]]
    assert folder_test(snapshot)("src") and asked == [["src"], ["photoshare"]]  # kept for the run
