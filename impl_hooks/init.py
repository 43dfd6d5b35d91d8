"""`impl-hooks init`: set a repository up, never overwriting without --force.

plan_init decides every file's new text and action without writing;
apply_init writes them atomically; the CLI prints describe() and next_steps().
"""
from __future__ import annotations

import json
import re
from typing import NamedTuple

from . import __version__
from .config import BASE, PRESET_DEFAULTS, PRESETS, load_toml, merge, to_toml
from .errors import ConfigError, UsageError
from .install import LAUNCHER, LAUNCHER_PATH
from .safepath import read_bytes, read_text, write_text

HOOK_TYPES = ["pre-commit", "commit-msg", "prepare-commit-msg", "post-checkout", "pre-push"]
CLAUDE_COMMAND = "impl-claude-hook"  # = `impl-hooks claude-hook`, without click's start-up on every Bash call
# Claude Code runs hook commands with its own PATH: the committed launcher finds the environment
CLAUDE_LAUNCH = f'"$CLAUDE_PROJECT_DIR"/{LAUNCHER_PATH} {CLAUDE_COMMAND}'
CLAUDE_TOOLS = "Bash|Write|Edit|MultiEdit|NotebookEdit"  # the guard judges edits of our config too
LAUNCHER_MODE = 0o755

CREATE = "create"
UPDATE = "update"
SKIP_EXISTS = "skip (exists, use --force)"
SKIP_ODD = "skip (cannot edit safely)"
SKIP_PRESENT = "skip (already there)"

PRECOMMIT = ".pre-commit-config.yaml"
OWN_CONFIG = ".impl-hooks.toml"
PYPROJECT = "pyproject.toml"
CLAUDE_SETTINGS = ".claude/settings.json"
WORKFLOW_PATH = ".github/workflows/impl-hooks.yml"

WORKFLOW = """\
# impl-hooks on pull requests: every commit of the pull request is checked the
# way the pre-commit hook checks a commit, so `git commit --no-verify` cannot skip it.
# Copy to .github/workflows/impl-hooks.yml (`impl-hooks init --github` writes it).
name: impl-hooks

on:
  pull_request:

permissions:
  contents: read

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the whole history: the pull request's commits and its base
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install impl-hooks
        run: pip install {requirement}
      - name: Check the pull request's commits
        env:
          BASE_SHA: ${{ github.event.pull_request.base.sha }}
          HEAD_SHA: ${{ github.event.pull_request.head.sha }}
        run: impl-hooks check --range "$BASE_SHA..$HEAD_SHA" --format github
"""

CLAUDE_HOOKS = {  # Claude Code settings: event -> one matcher group
    "PreToolUse": {"matcher": CLAUDE_TOOLS, "hooks": [{"type": "command", "command": CLAUDE_LAUNCH}]},
    "Stop": {"hooks": [{"type": "command", "command": CLAUDE_LAUNCH}]},
}

# The hooks of the local form: (id, name, stages, judges the snapshot rather than a file git passes)
LOCAL_HOOKS = (
    ("impl-check", "impl-hooks (all checks)", "pre-commit, pre-push", True),
    ("impl-commit-msg", "impl-hooks message names the issue", "commit-msg", False),
    ("impl-prepare-msg", "impl-hooks put the issue id in the message", "prepare-commit-msg", False),
    ("impl-branch-created", "impl-hooks new branch name", "post-checkout", True),
)


class Write(NamedTuple):
    path: str      # relative to the repository root, with `/`
    text: str      # the new content ("" for a skip)
    action: str    # CREATE | UPDATE | SKIP_EXISTS | SKIP_ODD | SKIP_PRESENT
    note: str = ""  # for SKIP_ODD: what to paste by hand


class Source(NamedTuple):
    """Where pre-commit takes impl-hooks from: this machine's install (`repo: local`,
    offline, no hook environment to build) or the team's hosted copy."""
    repo_url: str = ""
    rev: str = ""

    def requirement(self) -> str:
        return f'"git+{self.repo_url}@{self.rev}"' if self.repo_url else f'"impl-hooks=={__version__}"'


class InitPlan(NamedTuple):
    root: str
    preset: str
    pinned: bool   # False: none detected, `preset` left unset so detection keeps working
    writes: list
    protected: str = ""  # the current branch, when commits to it are refused
    issue: str = ""  # the current_issue of the Context.toml the setup commit answers to


# -- texts ----------------------------------------------------------------------

def workflow_text(source: Source = Source()) -> str:
    return WORKFLOW.replace("{requirement}", source.requirement())


def precommit_entry(indent: str = "", nl: str = "\n", source: Source = Source()) -> str:
    """Our `repos:` item, pre-commit's own layout, at the given indent."""
    if source.repo_url:
        lines = [f"-   repo: {source.repo_url}", f"    rev: {source.rev}", "    hooks:"]
        lines += [f"    -   id: {hook}" for hook, _, _, _ in LOCAL_HOOKS]
    else:
        lines = ["-   repo: local  # impl-hooks as installed on each machine (impl-hooks init records where)",
                 "    hooks:"]
        for hook, name, stages, snapshot in LOCAL_HOOKS:
            lines += [f"    -   id: {hook}", f"        name: {name}", f"        entry: {LAUNCHER_PATH} {hook}",
                      "        language: system"]
            if snapshot:
                lines += ["        pass_filenames: false", "        always_run: true"]
            lines.append(f"        stages: [{stages}]")
    return "".join(indent + line + nl for line in lines)


def hook_types_line(types=HOOK_TYPES, nl: str = "\n") -> str:
    return f"default_install_hook_types: [{', '.join(types)}]{nl}"


def config_text(preset: str, pinned: bool) -> str:
    """`.impl-hooks.toml`: the preset, then the preset's defaults commented out as a starting point."""
    config = merge(merge(BASE, PRESET_DEFAULTS[preset]), {"preset": preset})
    lines = ["# impl-hooks configuration (keys at the top level). The commented lines are",
             "# the preset's defaults: uncomment one to change it. `impl-hooks config` prints",
             "# the effective configuration."]
    if not pinned:
        lines.append("# No preset was detected; while `preset` stays unset it is detected from the")
        lines.append(f"# files ({' | '.join(PRESETS)}).")
    lines.append("")
    for line in to_toml(config).splitlines():
        if line == "[tool.impl-hooks]":
            continue
        line = re.sub(r"^(\[\[?)tool\.impl-hooks\.", r"\1", line)
        if line.startswith("preset = ") and pinned:
            lines.append(f'preset = "{preset}"')
        else:
            lines.append("# " + line if line else "")
    return "\n".join(lines) + "\n"


def pyproject_table(preset: str, pinned: bool) -> str:
    """Our table as text, for a person to paste into pyproject.toml."""
    import tomlkit

    document = tomlkit.document()
    document.add("tool", _tool_with_our_table(preset, pinned))
    return tomlkit.dumps(document)


def _tool_with_our_table(preset: str, pinned: bool):
    """A `tool` super-table holding `[tool.impl-hooks]` as init writes it."""
    import tomlkit

    ours = tomlkit.table()
    if pinned:
        ours.add("preset", preset)
        ours["preset"].comment("every key and its default: impl-hooks config")
        ours["preset"].trivia.comment_ws = "  "
    else:
        ours.add(tomlkit.comment(f'preset = "{preset}"  # unset: detected from the files '
                                 "(every key and its default: impl-hooks config)"))
    tool = tomlkit.table(is_super_table=True)
    tool.add("impl-hooks", ours)
    return tool


# -- the config file ------------------------------------------------------------------

def _without_ours(data: dict) -> dict:
    rest = dict(data)
    tool = dict(rest.pop("tool", None) or {})
    tool.pop("impl-hooks", None)
    if tool:
        rest["tool"] = tool
    return rest


def _with_our_table(text: str, preset: str, pinned: bool) -> str:
    """pyproject.toml with its `[tool.impl-hooks]` tables dropped and ours added
    at the end, every other byte kept; "" when tomlkit cannot make the edit."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if text and not text.endswith("\n"):
        text += "\n"
    try:
        document = tomlkit.parse(text)
        tool = document.get("tool")
        if isinstance(tool, dict) and "impl-hooks" in tool:
            del tool["impl-hooks"]
            document = tomlkit.parse(tomlkit.dumps(document))  # no table split around the gap
        document.append("tool", _tool_with_our_table(preset, pinned))
        new = tomlkit.dumps(document)
    except (TOMLKitError, ValueError, TypeError, KeyError, RecursionError):
        return ""
    return new if text.startswith("\n") else new.lstrip("\n")  # a file that was only our table


def _pyproject_write(text: str, preset: str, pinned: bool, force: bool) -> Write:
    data = load_toml(text, PYPROJECT)
    exists = isinstance(data.get("tool"), dict) and "impl-hooks" in data["tool"]
    if exists and not force:
        return Write(PYPROJECT, "", SKIP_EXISTS)
    new = _with_our_table(text, preset, pinned)
    try:  # the edit must change our table and nothing else
        after = load_toml(new, PYPROJECT)
        safe = (bool(new) and _without_ours(after) == _without_ours(data)
                and after["tool"]["impl-hooks"] == ({"preset": preset} if pinned else {}))
    except (ConfigError, KeyError, TypeError):
        safe = False
    if not safe:
        return Write(PYPROJECT, "", SKIP_ODD,
                     f"add this table to {PYPROJECT} yourself:\n{pyproject_table(preset, pinned)}")
    return Write(PYPROJECT, new, UPDATE)


def _config_write(repo, preset: str, pinned: bool, force: bool) -> Write:
    own = read_text(repo, OWN_CONFIG)
    pyproject = read_text(repo, PYPROJECT)
    if own is None and pyproject is not None:
        return _pyproject_write(pyproject, preset, pinned, force)
    action = CREATE if own is None else UPDATE if force else SKIP_EXISTS
    return Write(OWN_CONFIG, config_text(preset, pinned) if action != SKIP_EXISTS else "", action)


# -- .pre-commit-config.yaml (text edits: no YAML library is a dependency) ---------------

TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")
OUR_REPO = re.compile(r"^\s*-?\s*repo:\s*[\"']?(\S*?impl-hooks(?:\.git)?)[\"']?\s*(?:#.*)?$")
OUR_HOOK = re.compile(r"^\s*-?\s*id:\s*[\"']?impl-check[\"']?\s*(?:#.*)?$")
HOOK_ID = re.compile(r"^\s*-?\s*id:\s*[\"']?([\w.-]+)")


def _value(line: str) -> str:
    """A top-level key's inline value without its comment."""
    match = TOP_KEY.match(line)
    return re.sub(r"\s+#.*$", "", match.group(2)).strip() if match else ""


def _top_keys(lines: list[str]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for i, line in enumerate(lines):
        match = TOP_KEY.match(line)
        if match:
            keys.setdefault(match.group(1), i)
    return keys


def _block_end(lines: list[str], start: int) -> int:
    """The line after a top-level key's block (its items may sit at column 0 as `- `)."""
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and not line.startswith((" ", "#", "-")):
            return i
    return len(lines)


def _with_hook_types(lines: list[str], nl: str) -> list[str] | None:
    """`default_install_hook_types` covering every stage we use; None when its shape is odd."""
    keys = _top_keys(lines)
    if "default_install_hook_types" not in keys:
        first = min(keys.values()) if keys else 0
        return lines[:first] + [hook_types_line(nl=nl)] + lines[first:]
    at = keys["default_install_hook_types"]
    value = _value(lines[at])
    if value.startswith("[") and value.endswith("]"):
        have = [v.strip().strip("\"'") for v in value[1:-1].split(",") if v.strip()]
        missing = [t for t in HOOK_TYPES if t not in have]
        return lines[:at] + [hook_types_line(have + missing, nl)] + lines[at + 1:] if missing else lines
    if value:
        return None
    end = _block_end(lines, at)
    items = [i for i in range(at + 1, end) if re.match(r"^\s*-\s+\S", lines[i])]
    if not items:
        return None
    item = re.match(r"^(\s*-\s+)", lines[items[-1]])
    assert item is not None  # every line in items matched it
    prefix = item.group(1)
    have = [lines[i][len(prefix):].split("#")[0].strip().strip("\"'") for i in items]
    missing = [prefix + t + nl for t in HOOK_TYPES if t not in have]
    return lines[:items[-1] + 1] + missing + lines[items[-1] + 1:]


def edit_precommit(text: str, force: bool, source: Source = Source()) -> tuple[str | None, str]:
    """(new text, action) for an existing config; (None, SKIP_*) when we leave it alone."""
    if not text.strip():
        return hook_types_line() + "repos:\n" + precommit_entry(source=source), UPDATE
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines[-1] += nl
    keys = _top_keys(lines)
    if any("\t" in line[:len(line) - len(line.lstrip())] for line in lines) or "repos" not in keys \
            or any(line.startswith(("---", "...", "%")) for line in lines[1:]):
        return None, SKIP_ODD
    at = keys["repos"]
    value = _value(lines[at])
    if value == "[]":
        lines[at] = "repos:" + nl
        value = ""
    if value:
        return None, SKIP_ODD
    end = _block_end(lines, at)
    starts = [i for i in range(at + 1, end) if re.match(r"^\s*-(\s|$)", lines[i])]
    indent = lines[starts[0]].partition("-")[0] if starts else ""
    starts = [i for i in starts if lines[i].startswith(indent + "-")]
    spans = [(s, e) for s, e in zip(starts, starts[1:] + [end])]
    ours = [(s, e) for s, e in spans if _is_ours(lines[s:e])]
    entry = precommit_entry(indent, nl, source).splitlines(keepends=True)
    if ours and not force:
        return None, SKIP_EXISTS
    if ours:
        for s, e in reversed(ours[1:]):
            del lines[s:e]
        s, e = ours[0]
        while e > s + 1 and (not lines[e - 1].strip() or lines[e - 1].startswith("#")):
            e -= 1  # keep the blank lines and column-0 comments after our item
        lines[s:e] = entry
    else:
        last = max([i for i in range(at, end) if lines[i].strip() and not lines[i].lstrip().startswith("#")])
        if starts and any(not line.strip() for line in lines[starts[0]:last]):
            entry.insert(0, nl)  # their items are separated by blank lines: so is ours
        lines[last + 1:last + 1] = entry
    complete = _with_hook_types(lines, nl)
    if complete is None:
        return None, SKIP_ODD
    return "".join(complete), UPDATE


def _is_ours(item: list[str]) -> bool:
    """A `repos:` item that is impl-hooks': our repository, or a local one whose hooks are all ours."""
    if any(OUR_REPO.match(line) for line in item):
        return True
    ids = [m.group(1) for m in map(HOOK_ID.match, item) if m]
    return bool(ids) and all(i.startswith("impl-") for i in ids) and any(OUR_HOOK.match(line) for line in item)


def _precommit_write(repo, force: bool, source: Source) -> Write:
    text = read_text(repo, PRECOMMIT)
    if text is None:
        return Write(PRECOMMIT, hook_types_line() + "repos:\n" + precommit_entry(source=source), CREATE)
    new, action = edit_precommit(text, force, source)
    note = ""
    if action == SKIP_ODD:
        note = (f"add this item to the `repos:` list of {PRECOMMIT} yourself:\n{precommit_entry(source=source)}"
                f"and make sure it has:\n{hook_types_line()}")
    return Write(PRECOMMIT, new or "", action, note)


# -- .claude/settings.json ----------------------------------------------------------------

def _runs_us(group) -> bool:
    hooks = group.get("hooks") if isinstance(group, dict) else None
    return isinstance(hooks, list) and any(
        isinstance(h, dict) and isinstance(h.get("command"), str)
        and any(ours in h["command"] for ours in (CLAUDE_COMMAND, "impl-hooks claude-hook"))
        for h in hooks)


def merge_claude_settings(text: str | None) -> tuple[str, bool]:
    """Settings with our PreToolUse and Stop hooks added; every other key and hook kept.

    Returns (new text, changed). Raises UsageError naming the file and line.
    """
    settings = {}
    if text is not None and text.strip():
        try:
            settings = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            where = f"{CLAUDE_SETTINGS}:{line}" if line else CLAUDE_SETTINGS
            raise UsageError(f"{where}: invalid JSON: {getattr(exc, 'msg', exc)}") from None
        if not isinstance(settings, dict):
            raise UsageError(f"{CLAUDE_SETTINGS}:1: expected a JSON object")
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise UsageError(f"{CLAUDE_SETTINGS}: \"hooks\" must be an object")
    changed = False
    for event, group in CLAUDE_HOOKS.items():
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise UsageError(f"{CLAUDE_SETTINGS}: \"hooks.{event}\" must be a list")
        if not any(_runs_us(g) for g in groups):
            groups.append(json.loads(json.dumps(group)))
            changed = True
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n", changed


def _claude_write(repo) -> Write:
    text = read_text(repo, CLAUDE_SETTINGS)
    new, changed = merge_claude_settings(text)
    if text is None:
        return Write(CLAUDE_SETTINGS, new, CREATE)
    return Write(CLAUDE_SETTINGS, new, UPDATE) if changed else Write(CLAUDE_SETTINGS, "", SKIP_PRESENT)


# -- the plan -------------------------------------------------------------------------------

def detect(repo) -> str:
    """The preset of the files in the work tree, tracked or not (as `git add -A` would see them)."""
    from .claude_hook import WORK_IN_PROGRESS, with_pending_index
    from .config import detect_preset
    from .snapshot import Snapshot

    preset = with_pending_index(repo, repo.root, WORK_IN_PROGRESS,
                                lambda: detect_preset(Snapshot.staged(repo)))
    return preset or detect_preset(Snapshot.staged(repo))


def plan_init(root: str, preset: str | None = None, claude: bool = False, github: bool = False,
              force: bool = False, source: Source = Source()) -> InitPlan:
    """What init would write in the repository containing `root`, and why; writes nothing."""
    from .globs import match_name
    from .snapshot import Repo

    repo = Repo.discover(root)
    if preset is not None and preset not in PRESETS:
        raise UsageError(f"unknown preset '{preset}' (choose from {', '.join(PRESETS)})")
    if bool(source.repo_url) != bool(source.rev):
        raise UsageError("--repo and --rev go together: the remote form needs both (without them init "
                         "writes a `repo: local` entry that works offline)")
    pinned = preset is not None
    if preset is None:
        preset = detect(repo)
        pinned = preset != "none"
    writes = [_config_write(repo, preset, pinned, force), _precommit_write(repo, force, source)]
    if not source.repo_url or claude:
        writes.append(_launcher_write(repo, force))
    if claude:
        writes.append(_claude_write(repo))
    if github:
        exists = read_bytes(repo, WORKFLOW_PATH) is not None
        action = CREATE if not exists else UPDATE if force else SKIP_EXISTS
        writes.append(Write(WORKFLOW_PATH, workflow_text(source) if action != SKIP_EXISTS else "", action))
    branch = repo.branch() or ""
    protected = branch if repo.head() and match_name(branch, BASE["branch"]["protected"]) else ""
    return InitPlan(repo.root, preset, pinned, writes, protected, _current_issue(repo) if protected else "")


def _current_issue(repo) -> str:
    """The issue the setup commit's branch must name: a branch for another one is B003."""
    from .context import Contexts
    from .snapshot import Snapshot

    context = Contexts(Snapshot.staged(repo)).current()
    issue = context.issue if context is not None else ""
    # printed into commands to paste: only a plain issue id, never shell syntax
    return issue if issue[:1].isalnum() and all(c.isalnum() or c in "._-" for c in issue) else ""


def _launcher_write(repo, force: bool) -> Write:
    text = read_text(repo, LAUNCHER_PATH)
    if text == LAUNCHER:
        return Write(LAUNCHER_PATH, "", SKIP_PRESENT)
    action = CREATE if text is None else UPDATE if force else SKIP_EXISTS
    return Write(LAUNCHER_PATH, LAUNCHER if action != SKIP_EXISTS else "", action)


def apply_init(root: str, plan: InitPlan) -> list[str]:
    """Write the plan's creates and updates atomically, through safepath; the paths written."""
    from .snapshot import Repo

    from .install import record_environment

    repo = Repo.discover(root)
    written = []
    for write in plan.writes:
        if write.action not in (CREATE, UPDATE):
            continue
        write_text(repo, write.path, write.text, LAUNCHER_MODE if write.path == LAUNCHER_PATH else None)
        written.append(write.path)
    record_environment(repo)  # where the launcher finds impl-hooks on this machine
    return written


def describe(plan: InitPlan) -> str:
    """One line a file (`create .impl-hooks.toml`), the preset, and what to paste where we could not edit."""
    how = "" if plan.pinned else " (none detected: left unset, detected from the files as they appear)"
    lines = [f"preset: {plan.preset}{how}"]
    for write in plan.writes:
        lines.append(f"{write.action} {write.path}")
        if write.note:
            lines.extend("  " + line for line in write.note.splitlines())
    return "\n".join(lines)


def next_steps(plan: InitPlan) -> str:
    """The commands to run next, in order; each works as printed."""
    written = [w.path for w in plan.writes if w.action in (CREATE, UPDATE)]
    lines = ["next:"]
    issue = plan.issue or "SETUP-1"
    if plan.protected:
        why = "named after current_issue (B003)" if plan.issue else "named after an issue"
        lines.append(f"  git switch -c {issue}-impl-hooks   # commits to {plan.protected} are refused (B002): "
                     f"a branch {why}")
    if written:
        lines.append(f"  git add {' '.join(written)}   # impl-hooks reads its config from the index")
    lines.append("  pre-commit install --install-hooks   # the hook types in default_install_hook_types "
                 "(or: impl-hooks install, plain git hooks, no framework)")
    lines.append(f"  git commit -m \"{issue}: enforce the plan with impl-hooks\"" if plan.protected
                 else "  git commit -m \"enforce the plan with impl-hooks\"")
    lines.append("  impl-hooks doctor   # checks that every hook resolves and runs")
    return "\n".join(lines)
