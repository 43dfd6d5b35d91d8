"""`impl-hooks doctor`: is this repository's installation wired and working?

One line per item: the config parses, the preset is the one the files say, a
hook runs impl-hooks at each recommended stage (plain git hooks or pre-commit),
every configured hook command resolves and runs with a bare PATH, and the
Claude Code hooks are wired. Exit 1 when something is off.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess

from .install import HOOKS, LAUNCHER_PATH, MARK, PRE_COMMIT_MARK, RECORD, hooks_dir

OK, WARN, FAIL = "ok", "warn", "FAIL"
BARE_PATH = "/usr/bin:/bin"  # what a GUI git client or Claude Code may give a hook
STAGES = ("pre-commit", "commit-msg", "prepare-commit-msg")
CLAUDE_SETTINGS = (".claude/settings.json", ".claude/settings.local.json")
NOOP_EVENT = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}})


def diagnose(repo) -> list[tuple[str, str, str]]:
    """(status, item, detail) for each thing checked."""
    items = []
    items += _config(repo)
    items += _git_hooks(repo)
    items += _precommit_entries(repo)
    items += _claude(repo)
    return items


def _config(repo) -> list:
    from .config import load_config, unstaged_config
    from .errors import ConfigError
    from .snapshot import Snapshot

    snapshot = Snapshot.staged(repo)
    try:
        config = load_config(snapshot)
    except ConfigError as exc:
        return [(FAIL, "config", str(exc))]
    source = config["source"] or "none (defaults)"
    items = [(OK, "config", f"{source} parses")]
    items += [(WARN, "config", f"{name} has unstaged changes: git add {name} (checks read the staged one)")
              for name in unstaged_config(snapshot)]
    preset = config["preset"]
    user_set = config["source"] and f"preset = \"{preset}\"" in (snapshot.read_text(config["source"]) or "")
    how = f"set in {config['source']}" if user_set else "detected from the files"
    items.append((WARN if preset == "none" else OK, "preset",
                  f"{preset} ({how})" + (": no plan files found; only explicit config is checked"
                                         if preset == "none" else "")))
    return items


def _run(command: list, cwd: str, stdin: str = "") -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CLAUDECODE")}
    env["PATH"] = BARE_PATH
    try:
        proc = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, str(exc)
    said = (proc.stderr or proc.stdout).strip().splitlines()
    return proc.returncode, said[-1] if said else ""


def _git_hooks(repo) -> list:
    folder = hooks_dir(repo)
    items = []
    for stage in STAGES:
        path = os.path.join(folder, stage)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(65536)
        except OSError:
            items.append((FAIL, f"{stage} hook", f"none in {folder}: run 'pre-commit install "
                          f"--hook-type {stage}' or 'impl-hooks install'"))
            continue
        if MARK in text:
            exe = HOOKS[stage][0]
            line = next((ln for ln in text.splitlines() if ln.startswith("exe=")), "exe=")
            target = shlex.split(line[4:])[0] if line[4:] else ""
            code, said = _run([target, "--help"], repo.root) if target else (127, "no exe line")
            items.append((OK, f"{stage} hook", f"impl-hooks install: {target}") if code == 0 else
                         (FAIL, f"{stage} hook", f"{exe} does not run ({said}): run 'impl-hooks install' again"))
        elif PRE_COMMIT_MARK in text:
            items.append((OK, f"{stage} hook", "pre-commit"))
        else:
            items.append((WARN, f"{stage} hook", "another tool's hook: impl-hooks does not run at this stage "
                          "(impl-hooks install keeps it and runs it first)"))
    return items


def _precommit_entries(repo) -> list:
    path = os.path.join(repo.root, ".pre-commit-config.yaml")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return []
    items = []
    for entry in _local_entries(text):
        argv = shlex.split(entry)
        if not argv:
            continue
        if argv[0] == LAUNCHER_PATH:
            code, said = _run([os.path.join(repo.root, LAUNCHER_PATH), *argv[1:], "--help"], repo.root)
            record = os.path.join(repo.common_dir, *RECORD)
            hint = "" if os.path.exists(record) else " (run 'impl-hooks init' to record this machine's environment)"
            items.append((OK, f"hook {argv[1] if len(argv) > 1 else '?'}", "runs through the launcher")
                         if code == 0 else (FAIL, f"hook {argv[1] if len(argv) > 1 else '?'}", said + hint))
        elif argv[0].startswith("impl-"):
            code, said = _run([argv[0], "--help"], repo.root)
            items.append((OK, f"hook {argv[0]}", "found on a bare PATH") if code == 0 else
                         (FAIL, f"hook {argv[0]}", f"not found on PATH={BARE_PATH} (GUI git clients, Claude "
                          "Code): run 'impl-hooks init --force' to use the launcher"))
    return items


def _local_entries(text: str) -> list:
    """The `entry:` values of a config's hooks that run impl-hooks."""
    entries = []
    for line in text.splitlines():
        key, _, value = line.strip().lstrip("-").strip().partition(":")
        if key == "entry" and "impl-" in value:
            entries.append(value.strip().strip("'\""))
    return entries


def _claude(repo) -> list:
    items = []
    for name in CLAUDE_SETTINGS:
        try:
            with open(os.path.join(repo.root, name), encoding="utf-8") as fh:
                settings = json.load(fh)
        except OSError:
            continue
        except ValueError as exc:
            items.append((FAIL, "Claude Code", f"{name} is not JSON: {exc}"))
            continue
        commands = [h.get("command", "") for groups in (settings.get("hooks") or {}).values()
                    for group in groups if isinstance(group, dict)
                    for h in group.get("hooks", []) if isinstance(h, dict)]
        ours = [c for c in commands if "impl-claude-hook" in c or "claude-hook" in c]
        if not ours:
            continue
        for command in dict.fromkeys(ours):
            expanded = command.replace("$CLAUDE_PROJECT_DIR", repo.root).replace("${CLAUDE_PROJECT_DIR}", repo.root)
            code, said = _run(["sh", "-c", expanded], repo.root, NOOP_EVENT)
            items.append((OK, "Claude Code", f"{name}: {command} runs") if code == 0 else
                         (FAIL, "Claude Code", f"{name}: {command} fails with PATH={BARE_PATH} ({said}): "
                          "run 'impl-hooks init --claude --force'"))
    return items or [(WARN, "Claude Code", "no impl-hooks hook in .claude/settings.json "
                      "(impl-hooks init --claude wires one)")]


def render(items: list) -> str:
    return "\n".join(f"{status:<4}  {item}: {detail}" for status, item, detail in items)
