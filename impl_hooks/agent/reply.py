"""What a backend hands back: the forced tool's input, or why there is none."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass
class Reply:
    tool_input: Optional[dict] = None  # input of the forced tool call, when the answer was one
    error: str = ""  # one line when there is no usable answer (becomes A002)
    hint: str = ""  # how to fix the error
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: Optional[float] = None  # when the backend reports it itself (claude-code)
