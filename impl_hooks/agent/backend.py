"""Pick the backend named in config; each answers one forced tool call as a Reply."""
from __future__ import annotations

from typing import Optional

from . import anthropic_backend, claude_code
from .reply import Reply
from .settings import AgentSettings


def ask(system: str, user: str, tool: dict, settings: AgentSettings, deadline: float,
        cwd: Optional[str] = None) -> Reply:
    if settings.backend == "claude-code":
        return claude_code.ask(system, user, tool, settings, deadline, cwd)
    return anthropic_backend.ask(system, user, tool, settings, deadline)
