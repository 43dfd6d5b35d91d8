"""The `impl-hooks` command (click): the place where a person drives the tool."""
from __future__ import annotations

import os
import sys
from typing import Optional

import click

from . import __version__
from .errors import ConfigError, UsageError
from .findings import RENDERERS
from .hooks import emit, guarded, report

FORMAT = click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text",
                      show_default=True, help="Output format.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="impl-hooks")
def main() -> None:
    """Refuse commits that skip implementation-plan steps."""


def _exit(code: int) -> None:
    sys.exit(code)


@main.command()
@click.option("--hook", "hook_id", default="impl-check", show_default=True,
              help="Run only the checks of this hook id.")
@click.option("--range", "rev_range", metavar="A..B",
              help="Check each commit of a range as it was committed (pre-push, CI).")
@click.option("--branch", help="With --range: the branch the commits are for "
              "(default: $GITHUB_HEAD_REF, else the current branch).")
@click.option("--all-files", is_flag=True, help="Audit the whole index as if every file were new "
              "(structure drift, stubs, completed steps with open tasks), not just the staged change.")
@FORMAT
def check(hook_id: str, rev_range: Optional[str], branch: Optional[str], all_files: bool, fmt: str) -> None:
    """Run the checks on the staged snapshot (what `git commit` would record), or on a range."""
    from .hooks import run_hook_checks
    from .runner import HOOK_CHECKS, run_checks

    if hook_id not in HOOK_CHECKS:
        raise click.BadParameter(f"unknown hook id (choose from {', '.join(sorted(HOOK_CHECKS))})",
                                 param_hint="--hook")
    if all_files and rev_range:
        raise click.BadParameter("--all-files and --range exclude each other", param_hint="--all-files")

    def body() -> int:
        if all_files:
            from .snapshot import Repo, Snapshot

            repo = Repo.discover()
            return report(run_checks(Snapshot(repo, before=None, branch=repo.branch()), HOOK_CHECKS[hook_id]), fmt)
        return report(run_hook_checks(HOOK_CHECKS[hook_id], rev_range, branch), fmt)

    _exit(guarded(body))


@main.command("pre-receive")
@FORMAT
def pre_receive(fmt: str) -> None:
    """Server side: read `old new ref` lines as git's pre-receive hook does; refuse bad pushes."""
    def body() -> int:
        from .ranges import pre_receive as check_push
        from .runner import HOOK_CHECKS
        from .snapshot import Repo

        findings = check_push(Repo.discover(), sys.stdin.read().splitlines(), HOOK_CHECKS["impl-check"])
        return report(findings, fmt)

    _exit(guarded(body))


@main.command("config")
def show_config() -> None:
    """Print the effective configuration as TOML."""
    from .config import load_config, to_toml
    from .snapshot import Repo, Snapshot

    def body() -> int:
        repo = Repo.discover()
        config = load_config(Snapshot.staged(repo))
        source = config.pop("source")
        click.echo(f"# effective config ({'from ' + source if source else 'defaults'}; "
                   f"preset {config['preset']})")
        click.echo(to_toml(config), nl=False)
        return 0

    _exit(guarded(body))


@main.command()
@click.argument("issue")
@click.option("--title", help="Short title; the branch becomes ISSUE-title-slug.")
@click.option("--base", help="Branch or commit to start from (default: the default branch).")
@click.option("--context", "context_path", help="Context.toml to record the issue in "
              "(default: the only or root one).")
def start(issue: str, title: Optional[str], base: Optional[str], context_path: Optional[str]) -> None:
    """Create the branch for ISSUE and record it as current_issue."""
    def body() -> int:
        import git

        from .checks.branch import branch_issue
        from .config import load_config
        from .context import Contexts
        from .snapshot import Repo, Snapshot
        from .start import branch_name, create_branch, default_base, record_issue

        ours = Repo.discover()
        snapshot = Snapshot.staged(ours)
        config = load_config(snapshot)
        name = branch_name(issue, title)
        if config["branch"]["pattern"] and branch_issue(name, config) is None:
            raise UsageError(f"'{name}' would not match the branch pattern "
                             f"{config['branch']['pattern']}; is '{issue}' an issue id?")
        if context_path is None:
            contexts = Contexts(snapshot)
            primary = contexts.primary()
            if primary is None and len(contexts.all) > 1:
                raise UsageError("several Context.toml files: name one with --context PATH")
            target = primary.path if primary is not None else None
        else:
            target = context_path
        repo = git.Repo(ours.root)
        create_branch(repo, name, base or default_base(repo))
        click.echo(f"Switched to a new branch '{name}'")
        if target is not None:
            path = target if os.path.isabs(target) else os.path.join(ours.root, target)
            if not os.path.isfile(path):
                raise UsageError(f"{target}: no such Context.toml")
            record_issue(path, issue)
            click.echo(f"Recorded current_issue = \"{issue}\" in {target} (commit it with your work)")
        return 0

    _exit(guarded(body))


@main.command()
@FORMAT
def status(fmt: str) -> None:
    """Where the work stands: context, plan progress, what blocks the next commit."""
    def body() -> int:
        import json

        from .config import load_config
        from .hooks import _staged_snapshot
        from .status import build_status, render_status

        snapshot = _staged_snapshot()
        data = build_status(snapshot, load_config(snapshot))
        emit(json.dumps(data, indent=2) if fmt == "json" else render_status(data))
        return 0

    _exit(guarded(body))


@main.command()
@click.option("--fix", is_flag=True, help="Rewrite the sections in the work tree (never the index).")
@FORMAT
def structure(fix: bool, fmt: str) -> None:
    """Check (or --fix) the CLAUDE.md / AGENTS.md Project Structure sections."""
    from .hooks import _staged_snapshot, fix_structure
    from .runner import run_checks

    def body() -> int:
        snapshot = _staged_snapshot()
        if fix:
            return fix_structure(snapshot)
        return report(run_checks(snapshot, ["structure"]), fmt)

    _exit(guarded(body))


@main.command()
@click.option("--no-cache", is_flag=True, help="Ask again even if this staged change was reviewed.")
@click.option("--fix", is_flag=True, help="Ask the agent to edit the work tree so the deterministic "
              "findings go away (never the index); exits 1 so you review and re-stage.")
@FORMAT
def agent(no_cache: bool, fix: bool, fmt: str) -> None:
    """Agent pass: Claude reviews the staged change against the current plan step."""
    from .hooks import _staged_snapshot, agent_fix, agent_review

    def body() -> int:
        snapshot = _staged_snapshot()
        return agent_fix(snapshot) if fix else agent_review(snapshot, no_cache, fmt)

    _exit(guarded(body))


@main.command()
@click.option("--show", is_flag=True, help="List the recorded approvals instead.")
def approve(show: bool) -> None:
    """Record that a person tested exactly what is staged now (the approval gate)."""
    def body() -> int:
        from .approval import load_approvals, record_approval, staged_tree
        from .snapshot import Repo

        repo = Repo.discover()
        if show:
            entries = load_approvals(repo)
            for entry in entries:
                click.echo(f"{entry['tree'][:12]}  {entry.get('when', '')}  {entry.get('who', '')}  "
                           f"{entry.get('branch', '')}")
            if not entries:
                click.echo("no approvals recorded")
            return 0
        ident = repo.git(["var", "GIT_AUTHOR_IDENT"], check=False).decode().strip()
        who = ident.rsplit(" ", 2)[0] if ident else os.environ.get("USER", "unknown")
        entry = record_approval(repo, staged_tree(repo), who, repo.branch() or "")
        click.echo(f"approved staged tree {entry['tree'][:12]} ({who}); commit it without changing the index")
        return 0

    _exit(guarded(body))


@main.command("claude-hook")
def claude_hook() -> None:
    """Claude Code's hook protocol: PreToolUse on `git commit`, and Stop (JSON on stdin)."""
    from .claude_hook import main as hook_main

    _exit(hook_main())


@main.command()
@click.option("--preset", type=click.Choice(["phased-plan", "spec-issue", "features-json", "spec-kit", "none"]),
              help="Preset to write (default: detected from the files present).")
@click.option("--claude", is_flag=True, help="Also add the hooks to .claude/settings.json (merged).")
@click.option("--github", is_flag=True, help="Also write .github/workflows/impl-hooks.yml.")
@click.option("--force", is_flag=True, help="Replace what impl-hooks wrote before.")
def init(preset: Optional[str], claude: bool, github: bool, force: bool) -> None:
    """Write the config and the .pre-commit-config.yaml entries for this repository."""
    def body() -> int:
        from .init import apply_init, describe, next_steps, plan_init
        from .snapshot import Repo

        plan = plan_init(Repo.discover().root, preset, claude, github, force)
        apply_init(plan.root, plan)
        click.echo(describe(plan))
        click.echo(next_steps(plan))
        return 0

    _exit(guarded(body))
