"""The agent pass: prompt, cache, backend, verdict -> findings (A001/A002)."""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field, replace
from typing import ContextManager, Mapping, Optional, Sequence

from ..findings import ERROR, WARNING, Finding
from . import backend, cache
from .anthropic_backend import credentials
from .cost import estimate_cost
from .prompt import PROMPT_VERSION, AgentInputs, Caps, build_prompt
from .redact import scrub
from .settings import AgentSettings
from .verdict import OTHER, VERDICT_TOOL, Verdict, VerdictFinding, parse_verdict

APPROVE, BLOCK, FAILED, SKIPPED = "approve", "block", "error", "skipped"


@dataclass
class AgentResult:
    findings: list  # Finding: A001 when blocked, A002 when the pass could not run
    decision: str  # approve | block | error | skipped
    summary: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: Optional[float] = None  # None: model not in the price table
    cached: bool = False
    redactions: int = 0
    notes: list = field(default_factory=list)  # lines for the user: cuts, approve-time warnings
    model: str = ""
    withheld: list = field(default_factory=list)  # reviewed paths the agent did not see whole


def _cleaned(verdict: Verdict, secrets: Sequence[str]) -> Verdict:
    """The verdict on one line per text and with any secret value removed, before it is shown or cached."""

    def clean(text: str) -> str:
        return scrub(" ".join(text.split()), secrets)

    return Verdict(
        verdict.decision,
        clean(verdict.summary),
        [replace(f, path=scrub(f.path, secrets), message=clean(f.message)) for f in verdict.findings],
    )


def _where(finding: VerdictFinding) -> str:
    return f"{finding.path}:{finding.line}" if finding.line else finding.path


# The fix for a finding, by the review question it answers.
_HINTS = {
    "task-implemented": "implement what the task asks, or leave it open in the plan until it is done; then stage again",
    "entity-not-in-design": "build only what the design names, or add the entity to the design and stage it",
    "deviation-unrecorded": "record the deviation where the workflow records deviations (the step's implementation "
                            "report, implementation.md \"Deviations from Design\", or the feature's plan.md), "
                            "then stage again",
    OTHER: "fix this and stage again; the agent reviews the new staged change",
}


def _said(finding: VerdictFinding) -> str:
    """The finding's message, led by the question it answers (none for "other")."""
    return finding.message if finding.question == OTHER else f"{finding.question}: {finding.message}"


def _decided(verdict: Verdict, result: AgentResult, settings: AgentSettings) -> AgentResult:
    result.decision, result.summary = verdict.decision, verdict.summary
    if verdict.decision == APPROVE:
        result.notes += [f"{_where(f)}: {f.severity}: {_said(f)}" for f in verdict.findings]
        result.findings = [_not_covered(path, settings) for path in result.withheld]
        return result
    result.findings = [
        Finding("A001", _said(f), path=f.path, line=f.line, severity=f.severity, hint=_HINTS[f.question])
        for f in verdict.findings
    ]
    result.findings.append(Finding(
        "A001", f"agent blocked the change: {verdict.summary}" if verdict.summary else "agent blocked the change",
        hint="address the findings and stage again (`impl-hooks agent --no-cache` asks again for the same change)",
        severity=ERROR,
    ))
    return result


def _policy(settings: AgentSettings) -> str:
    allow = settings.on_error != "block"
    return f'on_error = "{settings.on_error}": the commit is {"allowed" if allow else "refused"}'


def _not_covered(path: str, settings: AgentSettings) -> Finding:
    """An approval covers only what the agent saw: a partly withheld file is A002, and policy decides."""
    return Finding(
        "A002", "agent approved, but not this file: part of it was withheld (a private key block with no "
        "END line was redacted, with the key-shaped lines after it)", path=path,
        hint="take the key out of the commit (or complete its END line) so the agent sees the file; "
             + _policy(settings),
        severity=WARNING if settings.on_error != "block" else ERROR,
    )


def _failed(reason: str, hint: str, settings: AgentSettings, result: AgentResult) -> AgentResult:
    allow = settings.on_error != "block"
    policy = _policy(settings)
    result.decision = FAILED
    result.findings = [Finding(
        "A002", f"agent pass could not run: {reason}",
        hint=f"{hint}; {policy}" if hint else policy,
        severity=WARNING if allow else ERROR,
    )]
    return result


def review(
    inputs: AgentInputs,
    agent_config: Mapping,
    git_dir: str,
    no_cache: bool = False,
    progress: Optional[ContextManager] = None,
    cwd: Optional[str] = None,
) -> AgentResult:
    """Review the staged change once, within `timeout` seconds, never raising.

    git_dir is the git common dir (the cache lives under it); cwd is where the
    claude-code backend runs; progress wraps the wait (see progress.elapsed_ticker).
    """
    settings = AgentSettings.from_config(agent_config)
    deadline = time.monotonic() + float(settings.timeout)
    secrets = credentials()
    prompt = build_prompt(inputs, Caps.from_settings(settings), secrets)
    result = AgentResult([], SKIPPED, redactions=prompt.redactions, notes=list(prompt.cut_notes), model=settings.model,
                         withheld=list(prompt.withheld))
    if not prompt.reviewed:
        result.summary = "nothing to review: no staged diff can be sent"
        return result
    directory = cache.cache_dir(git_dir)
    key = cache.cache_key(settings.backend, settings.model, prompt.system, prompt.user)
    if not no_cache:
        record = cache.load(directory, key) or {}
        verdict = parse_verdict(record.get("verdict"))
        if isinstance(verdict, Verdict):
            result.cached, result.cost_usd = True, 0.0
            return _decided(_cleaned(verdict, secrets), result, settings)
    with progress or contextlib.nullcontext():
        reply = backend.ask(prompt.system, prompt.user, VERDICT_TOOL, settings, deadline, cwd)
    result.tokens_in, result.tokens_out = reply.tokens_in, reply.tokens_out
    result.cost_usd = reply.cost_usd if reply.cost_usd is not None \
        else estimate_cost(settings.model, reply.tokens_in, reply.tokens_out)
    if reply.error:
        return _failed(scrub(reply.error, secrets), reply.hint, settings, result)
    verdict = parse_verdict(reply.tool_input)
    if isinstance(verdict, str):
        return _failed(f"the answer does not fit the verdict schema ({verdict})",
                       "try again; the model's answer was malformed", settings, result)
    verdict = _cleaned(verdict, secrets)
    cache.store(directory, key, {
        "verdict": verdict.to_json(),
        "backend": settings.backend,
        "model": settings.model,
        "prompt_version": PROMPT_VERSION,
        "tokens_in": reply.tokens_in,
        "tokens_out": reply.tokens_out,
    })
    return _decided(verdict, result, settings)


def format_summary(result: AgentResult) -> str:
    """One line for stderr: the decision, tokens, estimated cost, redactions."""
    parts = [f"agent: {result.decision}"]
    if result.cached:
        parts.append("cached verdict, nothing sent")
    elif result.decision != SKIPPED and (result.tokens_in or result.tokens_out):
        parts.append(f"{result.model}, {result.tokens_in:,} tokens in, {result.tokens_out:,} out")
        parts.append(f"~${result.cost_usd:.4f}" if result.cost_usd is not None else "cost unknown for this model")
    if result.redactions:
        parts.append(f"{result.redactions} secret value(s) redacted")
    return " · ".join(parts)
