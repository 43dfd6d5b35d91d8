"""The agent pass's settings: `[tool.impl-hooks.agent]` with its defaults."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# Key -> default. config.py validates the types; this fills what is missing.
DEFAULTS: dict = {
    "backend": "anthropic",        # anthropic | claude-code
    "model": "claude-sonnet-4-6",
    "on_error": "allow",           # allow | block
    "timeout": 120,                # seconds for the whole pass, retries included
    "max_tokens": 2048,
    "max_diff_bytes": 200_000,     # all diffs together
    "max_file_bytes": 20_000,      # one file's diff
    "exclude": [],                 # more secret-like globs, never sent
}
BACKENDS = ("anthropic", "claude-code")
ON_ERROR = ("allow", "block")


@dataclass
class AgentSettings:
    backend: str = DEFAULTS["backend"]
    model: str = DEFAULTS["model"]
    on_error: str = DEFAULTS["on_error"]
    timeout: float = DEFAULTS["timeout"]
    max_tokens: int = DEFAULTS["max_tokens"]
    max_diff_bytes: int = DEFAULTS["max_diff_bytes"]
    max_file_bytes: int = DEFAULTS["max_file_bytes"]
    exclude: list = field(default_factory=list)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "AgentSettings":
        """Settings from the (already validated) agent table; missing keys take defaults."""
        values = {**DEFAULTS, **{k: v for k, v in (config or {}).items() if k in DEFAULTS}}
        values["exclude"] = list(values["exclude"])
        return cls(**values)
