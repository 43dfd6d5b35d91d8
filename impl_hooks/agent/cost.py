"""Estimated cost of a call from its token counts."""
from __future__ import annotations

from typing import Optional

# (model id prefix, USD per million input tokens, per million output tokens);
# the first prefix that matches wins, so older, dearer versions come first.
PRICES = (
    ("claude-opus-4-0", 15.0, 75.0),
    ("claude-opus-4-1", 15.0, 75.0),
    ("claude-opus-4-2025", 15.0, 75.0),
    ("claude-3-opus", 15.0, 75.0),
    ("claude-opus-4", 5.0, 25.0),
    ("claude-sonnet-4", 3.0, 15.0),
    ("claude-3-7-sonnet", 3.0, 15.0),
    ("claude-3-5-sonnet", 3.0, 15.0),
    ("claude-haiku-4", 1.0, 5.0),
    ("claude-3-5-haiku", 0.8, 4.0),
    ("claude-3-haiku", 0.25, 1.25),
)


def estimate_cost(model: str, tokens_in: int, tokens_out: int) -> Optional[float]:
    """USD for the tokens at list price, or None for a model not in the table."""
    for prefix, per_in, per_out in PRICES:
        if model.startswith(prefix):
            return (tokens_in * per_in + tokens_out * per_out) / 1_000_000
    return None
