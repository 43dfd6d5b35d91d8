"""The project checks itself: its own .pre-commit-config.yaml runs offline from the
test extra's tools, and the typed config (configtypes) follows config.SCHEMA."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Literal, get_type_hints

import yaml

from impl_hooks.config import REPORT_KEYS, SCHEMA
from impl_hooks.configtypes import Config, ReportRequirement

from conftest import PROJECT, phased_plan_repo

KIND_TYPES = {"str": str, "bool": bool, "int": int, "number": float, "list": list[str], "codes": list[str],
              "issue-regex": str, "step-regex": str, "template": str, "reports": list[ReportRequirement]}


def _expected(kind: str) -> object:
    if kind.startswith("enum:"):
        return Literal[tuple(kind[5:].split("|"))]
    return KIND_TYPES[kind]


def _typed(hints: dict) -> dict:
    """dotted key -> annotation, one level into the tables, like SCHEMA."""
    return {f"{key}.{sub}" if sub else key: hint
            for key, table in hints.items()
            for sub, hint in (get_type_hints(table).items() if hasattr(table, "__required_keys__")
                              else [("", table)])}


def test_config_types_name_every_schema_key_with_its_kind():
    expected = {f"{key}.{sub}" if sub else key: _expected(kind)
                for key, table in SCHEMA.items()
                for sub, kind in (table.items() if isinstance(table, dict) else [("", table)])}
    assert _typed(get_type_hints(Config)) == {**expected, "source": str}
    assert get_type_hints(ReportRequirement) == {key: _expected(kind) for key, kind in REPORT_KEYS.items()}
    assert ReportRequirement.__required_keys__ == frozenset({"path"})


def test_hook_path_does_not_load_the_config_types(repo):
    phased_plan_repo(repo).commit()
    repo.git("checkout", "-q", "-b", "AUTH-12")
    repo.files({"backend/app/domains/auth/login.py": "def login():\n    return 1\n"}).stage()
    code = ("import sys\nfrom impl_hooks.hooks import check_main\n"
            "status = check_main([])\n"
            "print(status, 'impl_hooks.configtypes' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=repo.root, capture_output=True, text=True)
    assert out.stdout.splitlines()[-1] == "1 False", out.stdout + out.stderr


def _own_hooks() -> list:
    config = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [r["repo"] for r in config["repos"]] == ["local"]  # nothing to fetch
    return config["repos"][0]["hooks"]


def test_own_hooks_are_local_tools_installed_by_the_test_extra():
    hooks = _own_hooks()
    assert [(h["id"], h["language"]) for h in hooks] == [
        ("ruff", "system"), ("mypy", "system"), ("trailing-whitespace", "system"),
        ("end-of-file-fixer", "system"), ("check-added-large-files", "system"),
        ("check-merge-conflict", "system"), ("check-yaml", "system"), ("check-toml", "system"),
        ("no-binary-files", "fail"), ("no-build-outputs", "fail"),
    ]
    search = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    missing = [h["entry"].split()[0] for h in hooks
               if h["language"] == "system" and shutil.which(h["entry"].split()[0], path=search) is None]
    assert missing == [], "pip install -e '.[test]' installs them"


def test_own_hooks_refuse_binaries_and_build_outputs(repo, pre_commit_home, monkeypatch):
    monkeypatch.setenv("PRE_COMMIT_HOME", pre_commit_home)
    shutil.copy(PROJECT / ".pre-commit-config.yaml", repo.root / ".pre-commit-config.yaml")
    repo.files({
        "app.py": "x = 1\n",
        "dist/app-1.0.tar.gz": b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        "build/lib/app.py": "x = 1\n",
        "app.egg-info/PKG-INFO": "Name: app\n",
        "native/speedup.so": b"\x7fELF\x02\x01\x01\x00\x00\x00",
        "docs/build.md": "# build\n",
    }).stage()

    def run(hook: str) -> list:
        proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", hook, "--all-files", "--color", "never"],
                              cwd=repo.root, capture_output=True, text=True)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        return [line for line in proc.stdout.splitlines() if line.strip()]

    assert run("no-binary-files") == [
        "no binary files..........................................................Failed",
        "- hook id: no-binary-files", "- exit code: 1",
        "binary files are built, not committed (wheels, archives, compiled modules)",
        "dist/app-1.0.tar.gz", "native/speedup.so",
    ]
    assert run("no-build-outputs") == [
        "no build outputs.........................................................Failed",
        "- hook id: no-build-outputs", "- exit code: 1",
        "build outputs are made from the source, not committed",
        "app.egg-info/PKG-INFO", "build/lib/app.py", "dist/app-1.0.tar.gz", "native/speedup.so",
    ]
