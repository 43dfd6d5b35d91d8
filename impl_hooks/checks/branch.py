"""Branch rules B001-B004: the branch is named after the issue being worked on."""
from __future__ import annotations

import re

from ..config import branch_issue, branch_regex
from ..findings import Finding
from ..globs import match_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot


def suggested_name(branch: str, issue: str) -> str:
    """`fix-login` on issue AUTH-12 becomes `AUTH-12-fix-login`."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", branch.rpartition("/")[2]).strip("-").lower()
    slug = re.sub(rf"^{re.escape(issue.lower())}-?", "", slug)
    return f"{issue}-{slug}" if slug else issue


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    branch = snapshot.branch
    if branch is None:
        operation = snapshot.repo.operation()
        during = f" during a {operation}" if operation else ""
        return [Finding("B004", f"HEAD is detached{during}; branch rules skipped",
                        hint="commit on a branch named after the issue (git switch -c ISSUE-ID)")]
    if match_name(branch, config["branch"]["exempt"]):
        return []
    if match_name(branch, config["branch"]["protected"]):
        # A push or range of main is how merges land; a repository's first commit
        # (unborn HEAD) has no other branch to come from.
        if snapshot.stage == "pre-commit" and snapshot.before is not None:
            return [Finding("B002", f"commit on protected branch '{branch}'",
                            hint="commit on a branch named after the issue: impl-hooks start ISSUE-ID, "
                            "or git switch -c ISSUE-ID to take the staged changes along")]
        return []
    findings = []
    regex = branch_regex(config)
    issue = branch_issue(branch, config)
    context = contexts.current()
    if regex is not None and issue is None:
        hint = f"rename it: git branch -m {branch} {suggested_name(branch, context.issue)}" \
            if context is not None and context.issue else \
            f"rename it after the issue, matching {config['branch']['pattern']}"
        created = " was created, but" if snapshot.stage == "post-checkout" else ""
        findings.append(Finding("B001", f"branch '{branch}'{created} does not match the branch pattern",
                                hint=hint))
    if issue and context is not None and context.issue and issue.upper() != context.issue.upper():
        findings.append(Finding(
            "B003", f"branch '{branch}' is for {issue} but current_issue is {context.issue}",
            path=context.path, line=context.lines.get("current_issue"),
            hint=f"switch to the branch for {context.issue}, or set current_issue = \"{issue}\""))
    return findings
