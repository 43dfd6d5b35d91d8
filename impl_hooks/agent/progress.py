"""Elapsed time on stderr while the agent is thinking, only when a person is watching."""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import IO, ContextManager, Optional


class ElapsedTicker:
    """Writes `\\ragent: 3s` once a second; clears the line when done."""

    def __init__(self, stream: IO[str], label: str = "agent"):
        self.stream = stream
        self.label = label
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._start = 0.0

    def _write(self) -> None:
        self.stream.write(f"\r{self.label}: {int(time.monotonic() - self._start)}s")
        self.stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._write()

    def __enter__(self) -> "ElapsedTicker":
        self._start = time.monotonic()
        self._write()
        self._thread = threading.Thread(target=self._run, name="impl-hooks-ticker", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.stream.write("\r\033[K")
        self.stream.flush()


def elapsed_ticker(stream: Optional[IO[str]] = None, label: str = "agent") -> ContextManager:
    """The ticker on a terminal, a no-op elsewhere (pre-commit logs, CI)."""
    stream = stream or sys.stderr
    try:
        is_terminal = stream.isatty()
    except (AttributeError, ValueError):
        is_terminal = False
    return ElapsedTicker(stream, label) if is_terminal else contextlib.nullcontext()
