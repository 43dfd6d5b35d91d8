"""The effective config's shape (config.SCHEMA's tables plus `source`), for type checkers.

Modules import it under `if TYPE_CHECKING:` only: the config stays the plain dict
that config.py merges and validates, and a hook's start-up does not load `typing`.
"""
from __future__ import annotations

from typing import Literal, TypedDict

Preset = Literal["phased-plan", "spec-issue", "features-json", "spec-kit", "none"]


class BranchConfig(TypedDict):
    pattern: str
    protected: list[str]
    exempt: list[str]


class MessageConfig(TypedDict):
    template: str


class PlanConfig(TypedDict):
    paths: list[str]
    completed: list[str]
    require: Literal["progress", "step-complete", "off"]
    not_code: list[str]
    current: str
    evidence: Literal["paths", "paths+names", "off"]


class StructureConfig(TypedDict):
    files: list[str]
    heading: str
    ignore: list[str]


class _ReportPath(TypedDict):
    path: str


class ReportRequirement(_ReportPath, total=False):
    """One `[[reports.require]]` entry: only `path` is required."""

    sections: list[str]
    template: str
    when: Literal["step-completed", "always"]


class ReportsConfig(TypedDict):
    require: list[ReportRequirement]


class TodosConfig(TypedDict):
    pattern: str


class TestsConfig(TypedDict):
    required: bool
    patterns: list[str]


class ApprovalConfig(TypedDict):
    required: bool


class AgentConfig(TypedDict):
    backend: Literal["anthropic", "claude-code"]
    model: str
    on_error: Literal["allow", "block"]
    timeout: float
    max_tokens: int
    max_diff_bytes: int
    max_file_bytes: int
    exclude: list[str]
    design: list[str]


class _Tables(TypedDict):
    preset: Preset
    ignore: list[str]
    branch: BranchConfig
    message: MessageConfig
    plan: PlanConfig
    structure: StructureConfig
    reports: ReportsConfig
    todos: TodosConfig
    tests: TestsConfig
    approval: ApprovalConfig
    agent: AgentConfig


class Config(_Tables, total=False):
    """Every table, filled in from BASE and the preset; load_config adds `source`
    (the file it came from, "" for none), which BASE has not."""

    source: str
