"""Regexes compiled on first use. Compiling costs 0.1-0.3 ms a pattern, and
most runs use few of a module's patterns (a Status field, a JS tokenizer, a
rare hint): those wait until a run needs them."""
from __future__ import annotations

import re


class LazyPattern:
    """Stands for `re.compile(pattern, flags)`; compiles at the first attribute used."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
