"""The `impl-hooks` command (click): the place where a person drives the tool."""
from __future__ import annotations

import os
import sys
from typing import Optional

import click

from . import __version__
from .errors import UsageError
from .config import PRESETS
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


# Hook ids that judge the staged snapshot (the message and checkout hooks judge other things).
SNAPSHOT_HOOKS = ("impl-check", "impl-branch", "impl-plan", "impl-structure", "impl-reports", "impl-agent")


@main.command()
@click.option("--hook", "hook_id", default="impl-check", show_default=True, type=click.Choice(SNAPSHOT_HOOKS),
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
    from .hooks import agent_main, run_hook_checks
    from .runner import HOOK_CHECKS, run_checks

    if all_files and rev_range:
        raise click.BadParameter("--all-files and --range exclude each other", param_hint="--all-files")
    if hook_id == "impl-agent":
        if all_files or rev_range:
            raise click.BadParameter("the agent pass reviews the staged change only", param_hint="--hook")
        _exit(agent_main(["--format", fmt]))

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
        from .hooks import warn
        from .ranges import pre_receive as check_push
        from .runner import HOOK_CHECKS
        from .snapshot import Repo

        findings, warnings = check_push(Repo.discover(), sys.stdin.read().splitlines(), HOOK_CHECKS["impl-check"])
        warn(warnings)
        return report(findings, fmt)

    _exit(guarded(body))


@main.command("config")
def show_config() -> None:
    """Print the effective configuration as TOML."""
    from .config import load_config, to_toml
    from .hooks import warn_unstaged_config
    from .snapshot import Repo, Snapshot

    def body() -> int:
        snapshot = Snapshot.staged(Repo.discover())
        config = load_config(snapshot)
        warn_unstaged_config(snapshot)
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

        from .config import branch_issue
        from .config import load_config
        from .context import Contexts
        from .safepath import read_bytes
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
        if target is not None:
            if os.path.isabs(target):
                target = os.path.relpath(target, ours.root).replace(os.sep, "/")
            if read_bytes(ours, target) is None:  # a symlinked one is refused before the branch is made
                raise UsageError(f"{target}: no such Context.toml")
        repo = git.Repo(ours.root)
        hook_said = create_branch(repo, name, base or default_base(ours))
        click.echo(f"Switched to a new branch '{name}'")
        if target is not None:
            record_issue(ours, target, issue)
            click.echo(f"Recorded current_issue = \"{issue}\" in {target} (commit it with your work)")
        if hook_said:
            for line in hook_said.splitlines():
                click.echo(f"post-checkout hook: {line}", err=True)
            click.echo("impl-hooks: the repository's post-checkout hook failed (its output is above); the branch "
                       "was created" + (" and the issue recorded" if target is not None else ""), err=True)
            return 1
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
        if os.environ.get("CLAUDECODE"):
            raise UsageError("approve is a person's: it does not run inside Claude Code (CLAUDECODE is set); "
                             "the person who tested the change runs it in their own terminal")
        ident = repo.git(["var", "GIT_AUTHOR_IDENT"], check=False).decode().strip()
        who = ident.rsplit(" ", 2)[0] if ident else os.environ.get("USER", "unknown")
        entry = record_approval(repo, staged_tree(repo), who, repo.branch() or "")
        click.echo(f"approved staged tree {entry['tree'][:12]} ({who}); commit it without changing the index")
        return 0

    _exit(guarded(body))


@main.command()
@click.option("--uninstall", is_flag=True, help="Remove the hooks and put back the ones they replaced.")
@click.option("--force", is_flag=True, help="Also replace pre-commit's hook scripts (they are kept and run first).")
def install(uninstall: bool, force: bool) -> None:
    """Plain git hooks for pre-commit, commit-msg, prepare-commit-msg, post-checkout and pre-push: no framework."""
    def body() -> int:
        from . import install as hooks
        from .snapshot import Repo

        repo = Repo.discover()
        done = hooks.uninstall(repo) if uninstall else hooks.install(repo, force)
        for line in done or ["no impl-hooks hooks were installed"]:
            click.echo(line)
        if not uninstall:
            click.echo(f"hooks in {hooks.hooks_dir(repo)} run {hooks.script_path('impl-check')} and its siblings")
        return 0

    _exit(guarded(body))


@main.command()
def doctor() -> None:
    """Is the installation wired and working? One line per item; exit 1 when something is off."""
    def body() -> int:
        from .doctor import FAIL, diagnose, render
        from .snapshot import Repo

        items = diagnose(Repo.discover())
        emit(render(items))
        return 1 if any(status == FAIL for status, _, _ in items) else 0

    _exit(guarded(body))


@main.command("rule")
@click.argument("code", required=False)
@click.option("--all", "all_rules", is_flag=True, help="Every rule.")
@FORMAT
def show_rule(code: Optional[str], all_rules: bool, fmt: str) -> None:
    """What a rule checks, why, and how to fix it (as `ruff rule`)."""
    def body() -> int:
        import json

        from .rules import RULES, render_rule, rule

        if all_rules == bool(code):
            raise UsageError("name one rule code (impl-hooks rule P001) or use --all")
        found = list(RULES.values()) if all_rules else [r for r in [rule(code or "")] if r is not None]
        if not found:
            raise UsageError(f"no rule {code!r}: impl-hooks rule --all lists them")
        if fmt == "json":
            data = [r.as_dict() for r in found]
            emit(json.dumps(data if all_rules else data[0], indent=2, ensure_ascii=False))
        else:
            emit("\n\n".join(render_rule(r) for r in found))
        return 0

    _exit(guarded(body))


@main.command("claude-hook")
def claude_hook() -> None:
    """Claude Code's hook protocol: PreToolUse on `git commit`, and Stop (JSON on stdin)."""
    from .claude_hook import main as hook_main

    _exit(hook_main())


@main.command()
@click.option("--preset", type=click.Choice(PRESETS),
              help="Preset to write (default: detected from the files present).")
@click.option("--claude", is_flag=True, help="Also add the hooks to .claude/settings.json (merged).")
@click.option("--github", is_flag=True, help="Also write .github/workflows/impl-hooks.yml.")
@click.option("--repo", "repo_url", metavar="URL", help="Where the team hosts impl-hooks: pre-commit's remote "
              "form (with --rev). Default: a `repo: local` entry that runs this machine's install, offline.")
@click.option("--rev", metavar="REV", help="The tag or commit of --repo to pin.")
@click.option("--force", is_flag=True, help="Replace what impl-hooks wrote before.")
def init(preset: Optional[str], claude: bool, github: bool, repo_url: Optional[str], rev: Optional[str],
         force: bool) -> None:
    """Write the config and the .pre-commit-config.yaml entries for this repository."""
    def body() -> int:
        from .init import Source, apply_init, describe, next_steps, plan_init
        from .snapshot import Repo

        plan = plan_init(Repo.discover().root, preset, claude, github, force, Source(repo_url or "", rev or ""))
        apply_init(plan.root, plan)
        click.echo(describe(plan))
        click.echo(next_steps(plan))
        return 0

    _exit(guarded(body))
