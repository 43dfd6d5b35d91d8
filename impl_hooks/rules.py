"""Every rule impl-hooks reports, in one place: code, name, severity, what it
checks, why, how to fix it, its options and the check that produces it.

`impl-hooks rule CODE` prints one (as `ruff rule F401` does); the README's
rule table and docs/rules.md are generated from here (a test fails when they
drift). Findings take their default severity from this table.
"""
from __future__ import annotations

ERROR = "error"
WARNING = "warning"


class Rule:
    """One rule. `explanation` is Markdown: what it checks, why, how to fix, an example."""

    __slots__ = ("code", "name", "severity", "summary", "explanation", "options", "check")

    def __init__(self, code: str, name: str, severity: str, summary: str, explanation: str,
                 options: tuple = (), check: str = ""):
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.explanation = explanation.strip()
        self.options = options
        self.check = check  # the module whose `check()` reports it

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.code: rule for rule in rules}


RULES = _rules(
    Rule("B001", "branch-name", ERROR, "branch name does not match the pattern", """
The branch a commit is made on must be named after the issue it works on, so
every commit can be traced to its issue (`AUTH-12` or `AUTH-12-short-title`).
Fix: rename the branch, `git branch -m OLD AUTH-12-OLD`; the hint names the
command. Branches matching `branch.exempt` (bots) are left alone.
""", ("branch.pattern", "branch.exempt"), "impl_hooks.checks.branch"),
    Rule("B002", "protected-branch", ERROR, "commit on a protected branch", """
Work happens on an issue branch, never on `main`, `master` or `release/*`:
a review and the plan's progress belong to a branch. A repository's first
commit may land on main. Fix: `git switch -c AUTH-12` takes the staged change
along to a new branch, or `impl-hooks start AUTH-12`.
""", ("branch.protected",), "impl_hooks.checks.branch"),
    Rule("B003", "branch-context-issue", ERROR, "branch issue differs from the context issue", """
The branch names one issue and the governing Context.toml's `current_issue`
another: the agent is working on the wrong thing, or the context was not moved
on. Fix: switch to the issue's branch, or update `current_issue`
(`impl-hooks start ISSUE` does both).
""", ("branch.pattern",), "impl_hooks.checks.branch"),
    Rule("B004", "detached-head", WARNING, "detached HEAD, branch rules skipped", """
With a detached HEAD there is no branch name to check. During a rebase the
branch being rebased is read from `.git/rebase-merge/head-name` instead; only
a detached HEAD outside a rebase gets this warning.
""", (), "impl_hooks.checks.branch"),
    Rule("P001", "plan-not-updated", ERROR, "code committed, plan not updated", """
A commit of code must move the plan forward: a task or step that was in the
plan before the commit turns complete, in the unit the code belongs to (the
current step or issue). A marker outside any unit, or on a task the same commit
adds already complete, is not progress. Fix: mark the finished task done
(`- [x]`, `✅ **COMPLETED**`, `"status": "done"`) and stage the plan.

    code staged for step 2.2 but the plan was not updated
      hint: mark the finished task of step 2.2 done, e.g. "Background job ..." at line 57
""", ("plan.paths", "plan.completed", "plan.require", "plan.not_code"), "impl_hooks.checks.plan"),
    Rule("P002", "current-unit-not-found", ERROR, "current step not found in plan", """
The context names a step (or the branch an issue) that the plan does not hold,
the plan file is not in the commit, or several phase plans hold the step open.
Fix: add the step to the plan, correct the context, or set `current_phase`.
""", ("plan.paths", "plan.current"), "impl_hooks.checks.plan"),
    Rule("P003", "completed-marker-removed", ERROR, "completed marker removed", """
Done work stays done: removing a completed marker (or the completed unit) hides
what was claimed. Fix: restore the marker; reopen work as a new task.
""", ("plan.completed",), "impl_hooks.checks.plan"),
    Rule("P004", "completed-with-open-tasks", ERROR, "step completed with open tasks", """
A step, epic or issue marked complete while some of its tasks are open is
complete in name only. Fix: finish and mark the tasks, or leave the step open.
""", ("plan.completed",), "impl_hooks.checks.plan"),
    Rule("P005", "completed-out-of-order", ERROR, "later step completed out of order", """
Work on a step after the current one (or, in spec-kit, a user-story task while
Setup or Foundational tasks are open) is scope creep: the plan is followed in
order. Fix: finish the current step first, or move `current_step` on.
""", (), "impl_hooks.checks.plan"),
    Rule("P006", "task-added-complete", WARNING, "task added already complete", """
A task the commit adds already marked complete records no progress; it may be
work done without a plan, or a plan rewritten to fit the code. A warning, so a
reviewer sees it. Fix: add new work open and tick it in the commit that does it.
""", (), "impl_hooks.checks.plan"),
    Rule("P007", "phantom-completion", ERROR, "task marked complete, but what it names is not in the tree", """
A tick is a claim. The paths a task names (`src/models/album.py`) must exist in
the committed tree and the code names it names in backticks (`AlbumService`,
`place_album`) must be defined or used in it: in the files the task names, else
anywhere in the code. Routes, prose, ALL_CAPS and config keys are not checked.
Fix: commit what the task promises, or leave it open.
""", ("plan.evidence", "plan.not_code"), "impl_hooks.checks.evidence"),
    Rule("S001", "structure-path-missing", ERROR, "added path missing from the structure", """
Each CLAUDE.md / AGENTS.md "Project Structure" section that enumerates a folder
must list what the commit adds directly inside it, so the agent's map of the
project stays true. Fix: `impl-hooks structure --fix`, then stage the file.
""", ("structure.files", "structure.heading", "structure.ignore"), "impl_hooks.checks.structure"),
    Rule("S002", "structure-path-removed", ERROR, "removed or renamed path still listed", """
A path the commit removes or renames away is still listed in a structure
section. Fix: `impl-hooks structure --fix`, then stage the file.
""", ("structure.files", "structure.heading", "structure.ignore"), "impl_hooks.checks.structure"),
    Rule("S003", "structure-path-absent", WARNING, "listed path does not exist", """
A listed path is absent though this commit did not remove it: drift from
earlier commits. A warning. Fix: `impl-hooks structure --fix`.
""", ("structure.files", "structure.ignore"), "impl_hooks.checks.structure"),
    Rule("R001", "report-missing", ERROR, "required report missing", """
A commit that completes a step must carry its reports (phased-plan:
`docs/Phase{phase}/Steps/{step}/6.2_implementation_report.md` and
`6.2_testing_plan.md`). A report only on disk is not committed. Fix: write the
report and `git add` it.
""", ("reports.require",), "impl_hooks.checks.reports"),
    Rule("R002", "report-unfilled", ERROR, "report empty or template left unfilled", """
A report that is empty, headings only, not text, or still holds template text
(`[Title]`, `[YYYY-MM-DD]`, `Step X.Y`, `Yes/No`, a section unchanged from the
configured `template`) was not written. Fix: fill it in.
""", ("reports.require",), "impl_hooks.checks.reports"),
    Rule("R003", "report-section-missing", ERROR, "required section missing", """
A report lacks a section its entry requires (`sections = ["Changes Made", ...]`),
or the section is empty. Fix: add the section with its content.
""", ("reports.require",), "impl_hooks.checks.reports"),
    Rule("R004", "feature-status", ERROR, "feature status not done/partial, or partial without reason", """
features-json: every design feature appears in the implement list with status
"done", or "partial" with a "reason"; an unreadable features.json is reported
with its line. Fix: set `"status": "done"`, or "partial" with a "reason".
""", (), "impl_hooks.checks.features"),
    Rule("T001", "todo-left", ERROR, "TODO for the completed step, task or issue left", """
A TODO naming a step, task or issue (`TODO(step 2.4)`, `TODO(T005)`,
`TODO(ALB-12)`) must be gone in the commit that completes it. Only staged code
is read. Fix: finish the work and remove the TODO, or name later work.
""", ("todos.pattern",), "impl_hooks.checks.todos"),
    Rule("X001", "stub", ERROR, "stub module or function", """
A module or function whose body is only a docstring, `pass`, `...` or
`raise NotImplementedError` (JS/TS: an empty body, `throw new Error("Not
implemented")`) is not an implementation. Abstract methods, Protocols,
`@overload` and empty `__init__.py` are not stubs. Fix: implement it.
""", (), "impl_hooks.checks.sources"),
    Rule("X002", "syntax-error", ERROR, "staged Python does not compile", """
Staged Python must at least compile. Fix: correct the syntax error at the line
given.
""", (), "impl_hooks.checks.sources"),
    Rule("Q001", "source-without-tests", ERROR, "source added without tests", """
Opt-in (`tests.required = true`): a commit that adds source files carries at
least one test file. Fix: add tests to the same commit.
""", ("tests.required", "tests.patterns"), "impl_hooks.checks.tests_with_code"),
    Rule("M001", "message-issue", ERROR, "message does not name the issue", """
The commit message names the issue the branch works on, so history links to
it. `impl-prepare-msg` inserts it. Fix: start the message with `AUTH-12: `.
""", ("message.template",), "impl_hooks.checks.message"),
    Rule("H001", "not-approved", ERROR, "staged tree not approved", """
Opt-in (`approval.required = true`): a person tests the change and runs
`impl-hooks approve` on exactly the staged tree; any other tree is refused.
Approval is a person's: an agent is told to ask for it, never to run it.
""", ("approval.required",), "impl_hooks.checks.approval"),
    Rule("A001", "agent-blocked", ERROR, "agent blocked the change", """
The agent pass reviewed the staged change against the plan step and the design
and blocked it; its findings say why. Fix: address them, or record the
deviation where the workflow records deviations.
""", ("agent.model", "agent.backend"), "impl_hooks.agent.run"),
    Rule("A002", "agent-unavailable", WARNING, "agent pass could not run", """
No API key, no network, a timeout or an answer that is not a valid verdict.
`agent.on_error` decides: "allow" (a warning) or "block" (an error).
""", ("agent.on_error", "agent.timeout"), "impl_hooks.agent.run"),
    Rule("C001", "config-invalid", ERROR, "config or context file invalid", """
A config or Context.toml that cannot be read, an unknown key or a wrong type:
one line naming the file, key and line; exit 2. Fix: correct the file.
""", (), "impl_hooks.config"),
)


def rule(code: str) -> Rule | None:
    return RULES.get(code.strip().upper())


def render_rule(found: Rule) -> str:
    """A rule as `impl-hooks rule CODE` prints it."""
    lines = [f"# {found.name} ({found.code})", "", f"Severity: {found.severity}", "",
             found.summary[0].upper() + found.summary[1:] + ".", "", found.explanation]
    if found.options:
        lines += ["", "Options: " + ", ".join(f"`{o}`" for o in found.options)]
    if found.check:
        lines += ["", f"Checked by: {found.check}"]
    return "\n".join(lines)


def rule_table() -> str:
    """The README's rule table."""
    rows = ["| code | name | severity | meaning |", "|---|---|---|---|"]
    rows += [f"| {r.code} | {r.name} | {r.severity} | {r.summary} |" for r in RULES.values()]
    return "\n".join(rows)


def rules_doc() -> str:
    """docs/rules.md: every rule in full."""
    parts = ["# Rules", "", "Generated from `impl_hooks/rules.py` (`impl-hooks rule --all`); "
             "do not edit by hand.", "", rule_table()]
    for found in RULES.values():
        parts += ["", "#" + render_rule(found)]
    return "\n".join(parts) + "\n"
