"""The Claude Code guard: what an agent may not do, whatever it was told.

An agent may not skip git's hooks (`--no-verify` in any spelling, a hooks
path or config override, pre-commit's SKIP), may not approve for a person
(`impl-hooks approve`), and may not switch its own checks off (impl-hooks'
config, the pre-commit config, the installed hooks, impl-hooks' records under
the git directory, Claude Code's settings).
A refusal is one line: the rule, what was seen, what to do instead. Only
json, os, re and shlex load here; git is asked (`git config`) only when a
command writes files or calls an unknown git subcommand with a skip-like flag.
"""
from __future__ import annotations

import os
import re
import shlex

from .shell import SUBST, Command, commands, commit_options, dynamic, git_options, parse_git

EDIT_TOOLS = {"Write": "file_path", "Edit": "file_path", "MultiEdit": "file_path",
              "NotebookEdit": "notebook_path"}
HOOKED = {"commit", "merge", "pull", "push"}  # git commands that run the hooks impl-hooks installs
# variables that make a hook skip its checks, or point git at other config
SKIP_ENV = {"SKIP", "PRE_COMMIT_ALLOW_NO_CONFIG"}
CONFIG_ENV = {"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG", "GIT_DIR"}
CONFIG_READS = {"--get", "--get-all", "--get-regexp", "--get-urlmatch", "-l", "--list", "get", "list"}
CONFIG_VALUED = {"-f", "--file", "--blob", "--type", "--default", "--comment", "--value"}
# commands that write or remove the files they are given: which of their words are targets
WRITERS = {"rm": "all", "unlink": "all", "shred": "all", "truncate": "all", "chmod": "all",
           "chown": "all", "chgrp": "all", "mv": "all", "tee": "all", "cp": "last",
           "install": "last", "ln": "last"}
IN_PLACE = {"sed", "perl"}
# an unreadable line that mentions one of these is refused rather than guessed at
RISKY = re.compile(r"\b(?:commit|push|merge|pull|approve|uninstall|hookspath|no-verify|commit-tree)\b|"
                   r"\.impl-hooks\.toml|\.pre-commit-config|\.git\b|\.claude\b|pyproject\.toml|\bSKIP=",
                   re.IGNORECASE)
MAX_ALIAS_DEPTH = 5
SHOWN = 100  # characters of a command quoted in a reason

TO_COMMIT = ("Run it without that; when a hook refuses it, fix what the hook reports "
             "(impl-hooks check shows it) and run it again.")
TO_ASK = "Tell the person what you want changed and why, and let them make the change."


def bash_denial(command: str, cwd: str) -> str | None:
    """Why a Bash command is refused, or None."""
    try:
        found = commands(command)
    except ValueError as exc:
        mention = RISKY.search(command)
        if mention is None:
            return None  # the shell would refuse it too, and it touches nothing of ours
        return _deny("unreadable-command", f"the command cannot be read ({exc}) and it mentions "
                     f"`{mention.group()}`, so the guard cannot tell what it runs",
                     "Fix the quoting (or split the command) and run it again.")
    paths = _Paths(cwd)
    for cmd in found:
        reason = _command_denial(cmd, paths, 0)
        if reason:
            return reason
    return None


def edit_denial(tool: str, tool_input, cwd: str) -> str | None:
    """Why a Write/Edit/MultiEdit/NotebookEdit call is refused, or None."""
    if not isinstance(tool_input, dict) or not isinstance(tool_input.get(EDIT_TOOLS[tool]), str):
        return None
    target = os.path.join(cwd, os.path.expanduser(tool_input[EDIT_TOOLS[tool]]))
    paths = _Paths(cwd)
    label = paths.protected(target)
    if label == PYPROJECT:
        label = PYPROJECT if _changes_our_table(tool, tool_input, target) else None
    if label is None:
        return None
    return _deny("protected-config", f"{tool} of {tool_input[EDIT_TOOLS[tool]]} changes {label}, "
                 "which only a person may change", TO_ASK)


def _deny(rule: str, what: str, instead: str) -> str:
    return f"impl-hooks guard [{rule}]: {what}. {instead}"


def _shown(argv: list) -> str:
    words = (shlex.quote(w) if not w or set(w) & set(" \t\n'\"") else w for w in argv)
    text = " ".join(words).replace(SUBST, "$(…)").replace("\n", " ")
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


# -- one simple command ---------------------------------------------------------------

def _command_denial(cmd, paths, depth: int) -> str | None:
    argv = cmd.argv
    for i, word in enumerate(argv):
        name = os.path.basename(word)
        rest = argv[i + 1:]
        if name == "git" or (i == 0 and dynamic(word) and HOOKED & set(rest)):
            reason = _git_denial(["git", *rest], cmd, paths, depth)
            if reason:
                return reason
        elif name in ("impl-hooks", "impl_hooks"):
            if "approve" in rest and "--show" not in rest:
                return _deny("human-approval", f"`{_shown(argv)}` records that a person tested the "
                             "staged change; an agent may not run it",
                             "Ask the person to test the change and run `impl-hooks approve` themselves.")
            if "install" in rest and "--uninstall" in rest:
                return _protected_deny(_shown(argv), "the installed git hooks")
        elif name in ("pre-commit", "pre_commit") and "uninstall" in rest:
            return _protected_deny(_shown(argv), "the installed git hooks")
    for target in cmd.writes:
        label = _target_label(target, cmd, paths)
        if label:
            return _protected_deny(f"{_shown(argv)} > {shlex.quote(target)}".lstrip(), label)
    for target in _write_targets(argv):
        label = _target_label(target, cmd, paths)
        if label:
            return _protected_deny(_shown(argv), label)
    return None


def _protected_deny(shown: str, label: str) -> str:
    return _deny("protected-config", f"`{shown}` changes {label}, which only a person may change",
                 TO_ASK)


def _target_label(target: str, cmd, paths) -> str | None:
    if not target or dynamic(target) or target.startswith("/dev/"):
        return None
    path = os.path.join(paths.cwd, cmd.directory, os.path.expanduser(target))
    label = paths.protected(path)
    if label == PYPROJECT and not _has_our_table(path):
        return None
    return label


def _write_targets(argv: list) -> list[str]:
    """The files a writing command (rm, mv, cp, tee, sed -i, …) changes."""
    if not argv:
        return []
    name = os.path.basename(argv[0])
    words = [w for w in argv[1:] if not w.startswith("-")]
    directory = [w.split("=", 1)[1] for w in argv[1:] if w.startswith("--target-directory=")]
    if "-t" in argv[1:-1]:
        directory.append(argv[argv.index("-t", 1) + 1])
    if name in WRITERS:
        return directory + (words if WRITERS[name] == "all" or directory else words[-1:])
    if name in IN_PLACE and any(w.startswith("--in-place") or (w[:1] == "-" and w[1:2] != "-" and "i" in w)
                                for w in argv[1:]):
        return words
    if name == "dd":
        return [w[3:] for w in argv[1:] if w.startswith("of=")]
    return []


# -- git --------------------------------------------------------------------------------

def _git_denial(argv: list, cmd, paths, depth: int) -> str | None:
    call = parse_git(argv)
    if call is None:
        return None
    shown = _shown(cmd.argv)
    for key, value in call.configs:
        if key == "core.hookspath":
            return _deny("skip-hooks", f"`{shown}` points git at other hooks (core.hooksPath), so "
                         "impl-hooks' checks would not run", TO_COMMIT)
        if key.startswith("alias.") and _alias_skips(value, cmd, paths, depth):
            return _deny("skip-hooks", f"`{shown}` defines an alias that skips git's hooks", TO_COMMIT)
    sub = call.sub
    if dynamic(sub):
        return _deny("unreadable-command", f"`{shown}` runs a git subcommand that is only known when it "
                     "runs, so the guard cannot tell whether it skips the hooks",
                     "Spell the git command out.")
    if sub in HOOKED:
        return _hooked_denial(call, cmd, shown)
    if sub == "commit-tree":
        return _deny("skip-hooks", f"`{shown}` writes a commit without running git's hooks",
                     "Use git commit, which runs them.")
    if sub == "config":
        return _config_denial(call.args, cmd, paths, depth, shown)
    if sub in ("mv", "rm"):
        for word in call.args:
            label = None if word.startswith("-") else _target_label(word, cmd, paths)
            if label:
                return _protected_deny(shown, label)
        return None
    if depth < MAX_ALIAS_DEPTH and any(_skip_like(a) for a in call.args):
        value = paths.alias(sub, os.path.join(cmd.directory, call.where))
        if value is not None:
            return _expanded_denial(value, call.args, cmd, paths, depth + 1)
    return None


def _hooked_denial(call, cmd, shown: str) -> str | None:
    if cmd.xargs:
        return _deny("unreadable-command", f"`{shown}` takes more arguments from xargs' input, which the "
                     f"guard cannot see", f"Run git {call.sub} directly with its arguments spelled out.")
    for name, value in cmd.env.items():
        if name in SKIP_ENV or name in CONFIG_ENV or (
                name.startswith("GIT_CONFIG_") and "hookspath" in value.lower()):
            return _deny("skip-hooks", f"`{name}={value}` on git {call.sub} makes the hooks skip their "
                         "checks or read other config", TO_COMMIT)
    if "--git-dir" in call.options:
        return _deny("skip-hooks", f"`{shown}` runs git {call.sub} with another git directory, whose "
                     "hooks are not this repository's", "Run it in the repository itself.")
    flag = _skipping_flag(call.sub, call.args)
    if flag is None:
        return None
    if dynamic(flag):
        return _deny("unreadable-command", f"`{shown}` has an argument ({_shown([flag])}) "
                     "that is only known when it runs and could be --no-verify",
                     "Spell the arguments out (a message may stay in -m \"$(…)\").")
    return _deny("skip-hooks", f"`{shown}` skips git's hooks ({flag}), so impl-hooks' checks would not "
                 "run", TO_COMMIT)


def _skipping_flag(sub: str, args: list) -> str | None:
    """The argument that makes this git command skip its hooks (the last spelling wins), or
    one whose value is only known at run time; values of options such as -m are skipped."""
    skipping = None
    for option, word in commit_options(args) if sub == "commit" else git_options(args):
        if option in ("", "-$") and dynamic(word):
            return word
        if len(option) >= len("--no-v") and "--no-verify".startswith(option):  # git takes abbreviations
            skipping = word
        elif option in ("--verify", "--no-no-verify"):
            skipping = None
        elif option == "-n" and sub == "commit":  # -n of merge, pull and push is --no-stat / --dry-run
            skipping = word
    return skipping


def _skip_like(arg: str) -> bool:
    return arg.startswith("--no-v") or (arg[:1] == "-" and arg[1:2] != "-" and "n" in arg)


def _config_denial(args: list, cmd, paths, depth: int, shown: str) -> str | None:
    """`git config` that sets or unsets core.hooksPath, opens the config in an editor, or
    defines an alias that skips the hooks."""
    if any(a in CONFIG_READS for a in args):
        return None
    if any(a in ("-e", "--edit", "edit") for a in args):
        return _protected_deny(shown, "git's config (where core.hooksPath lives)")
    words, i = [], 0
    while i < len(args):
        arg, i = args[i], i + 1
        if arg in CONFIG_VALUED:
            i += 1
        elif not arg.startswith("-"):
            words.append(arg)
    unset = any(a.startswith("--unset") or a in ("--add", "--replace-all") for a in args) or words[:1] == ["unset"]
    if words[:1] in (["set"], ["unset"]):
        words = words[1:]
    key = words[0].lower() if words else ""
    if key == "core.hookspath" and (unset or len(words) > 1):
        return _protected_deny(shown, "where git looks for its hooks (core.hooksPath)")
    if key.startswith("alias.") and len(words) > 1 and _alias_skips(words[1], cmd, paths, depth):
        return _deny("skip-hooks", f"`{shown}` defines an alias that skips git's hooks", TO_COMMIT)
    return None


def _alias_skips(value: str, cmd, paths, depth: int) -> bool:
    return depth < MAX_ALIAS_DEPTH and _expanded_denial(value, [], cmd, paths, depth + 1) is not None


def _expanded_denial(alias: str, args: list, cmd, paths, depth: int) -> str | None:
    """The denial for an alias run with args: `!…` is a shell command, else git arguments."""
    try:
        if alias.startswith("!"):
            script = " ".join([alias[1:], *(shlex.quote(a) for a in args)])
            found = commands(script, cmd.directory)
        else:
            found = [_with_argv(cmd, ["git", *shlex.split(alias), *args])]
    except ValueError:
        return _deny("unreadable-command", f"the git alias `{alias}` cannot be read",
                     "Run the git command the alias stands for.")
    for inner in found:
        inner.env = {**cmd.env, **inner.env}
        reason = _command_denial(inner, paths, depth)
        if reason:
            return reason
    return None


def _with_argv(cmd, argv: list) -> Command:
    return Command(cmd.directory, argv, dict(cmd.env), (), cmd.xargs)


# -- protected files ------------------------------------------------------------------

PYPROJECT = "the [tool.impl-hooks] table of pyproject.toml"
LINKABLE = (".impl-hooks.toml", "pyproject.toml", ".pre-commit-config.yaml",
            os.path.join(".claude", "settings.json"), os.path.join(".claude", "settings.local.json"))


class _Paths:
    """Which paths are impl-hooks' own: its config, the pre-commit config, git's hooks and
    config, Claude Code's settings, the core.hooksPath folder (asked of git once, when needed)."""

    def __init__(self, cwd: str):
        self.cwd = cwd
        self._hooks: dict = {}

    def protected(self, path: str) -> str | None:
        if "\0" in path:
            return None  # no file has such a name: the call fails by itself
        for candidate in dict.fromkeys((os.path.normpath(path), os.path.realpath(path))):
            label = self._label(candidate)
            if label:
                return label
        return self._linked(path)

    def _linked(self, path: str) -> str | None:
        """The label of a protected file of the work tree that is a symbolic link to path."""
        top = _toplevel(os.path.dirname(os.path.abspath(path)))
        real = os.path.realpath(path)
        for name in LINKABLE:
            link = os.path.join(top or "", name)
            if top and os.path.islink(link) and os.path.realpath(link) == real:
                return self._label(os.path.normpath(link))
        return None

    def _label(self, path: str) -> str | None:
        parts = path.split(os.sep)
        name = parts[-1]
        if name == ".impl-hooks.toml":
            return "impl-hooks' config (.impl-hooks.toml)"
        if name == "pyproject.toml":
            return PYPROJECT
        if name == ".pre-commit-config.yaml":
            return "the pre-commit config (.pre-commit-config.yaml)"
        if name == ".claude" or (len(parts) > 1 and parts[-2] == ".claude"
                                 and name in ("settings.json", "settings.local.json")):
            return "Claude Code's settings (.claude/settings.json)"
        if ".git" in parts:
            rest = parts[len(parts) - parts[::-1].index(".git"):]
            if not rest or rest[0] == "hooks":
                return "the installed git hooks (.git/hooks)"
            if rest[0] == "config":
                return "git's config (.git/config, where core.hooksPath lives)"
            if rest[0] == "impl-hooks":
                return "impl-hooks' records (.git/impl-hooks: approvals, verdicts, what the checks found)"
        hooks = self.hooks_path(os.path.dirname(path))
        if hooks and (path == hooks or path.startswith(hooks.rstrip(os.sep) + os.sep)):
            return f"the installed git hooks (core.hooksPath {hooks})"
        return None

    def hooks_path(self, directory: str) -> str | None:
        """The absolute core.hooksPath of the repository holding directory, or None."""
        while directory and not os.path.isdir(directory):
            directory = os.path.dirname(directory)
        if directory not in self._hooks:
            value = _git_output(["config", "--get", "core.hooksPath"], directory)
            value = value and os.path.expanduser(value)
            top = _toplevel(directory) if value and not os.path.isabs(value) else ""
            self._hooks[directory] = os.path.normpath(os.path.join(top, value)) \
                if value and top is not None else None
        return self._hooks[directory]

    def alias(self, sub: str, directory: str) -> str | None:
        return _git_output(["config", "--get", f"alias.{sub}"], os.path.join(self.cwd, directory))


def _toplevel(directory: str) -> str | None:
    """The work tree holding directory: the nearest folder above it with a .git."""
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _git_output(args: list, directory: str) -> str | None:
    if not os.path.isdir(directory):
        return None
    from . import gitcmd

    code, out, _ = gitcmd.status(args, cwd=directory)
    if code != 0:
        return None
    return out.decode("utf-8", "surrogateescape").strip() or None


def _has_our_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return _our_table(fh.read()) is not None
    except OSError:
        return False


def _our_table(text: str):
    """pyproject's [tool.impl-hooks] (None when absent); text that is not TOML stands for itself."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return ("unreadable", text) if "impl-hooks" in text else None
    return tool.get("impl-hooks") if isinstance(tool, dict) else None


def _changes_our_table(tool: str, tool_input: dict, path: str) -> bool:
    """Whether writing or editing pyproject.toml as asked changes its [tool.impl-hooks]."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            before = fh.read()
    except OSError:
        before = ""
    after = before
    if tool == "Write":
        content = tool_input.get("content")
        after = content if isinstance(content, str) else ""
    else:
        edits = tool_input.get("edits") if tool == "MultiEdit" else [tool_input]
        for edit in edits if isinstance(edits, list) else []:
            old, new = (edit.get("old_string"), edit.get("new_string")) if isinstance(edit, dict) else (0, 0)
            if not (isinstance(old, str) and isinstance(new, str)) or not old:
                return True  # an edit we cannot apply: refuse rather than guess
            after = after.replace(old, new) if edit.get("replace_all") else after.replace(old, new, 1)
    return _our_table(before) != _our_table(after)
