"""The agent pass's settings: `[tool.impl-hooks.agent]` with its defaults,
which are config.BASE's (config.py also validates the types)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, cast

from ..config import BASE

DEFAULTS = cast(dict, BASE["agent"])  # key -> default; read, never changed


@dataclass
class AgentSettings:
    backend: str = DEFAULTS["backend"]       # anthropic | claude-code
    model: str = DEFAULTS["model"]
    on_error: str = DEFAULTS["on_error"]     # allow | block
    timeout: float = DEFAULTS["timeout"]     # seconds for the whole pass, retries included
    max_tokens: int = DEFAULTS["max_tokens"]
    max_diff_bytes: int = DEFAULTS["max_diff_bytes"]  # all diffs together
    max_file_bytes: int = DEFAULTS["max_file_bytes"]  # one file's diff
    exclude: list = field(default_factory=list)        # more secret-like globs, never sent
    design: list = field(default_factory=lambda: list(DEFAULTS["design"]))  # what the change is reviewed against

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "AgentSettings":
        """Settings from the (already validated) agent table; missing keys take defaults."""
        values = {**DEFAULTS, **{k: v for k, v in (config or {}).items() if k in DEFAULTS}}
        values["exclude"], values["design"] = list(values["exclude"]), list(values["design"])
        return cls(**values)
