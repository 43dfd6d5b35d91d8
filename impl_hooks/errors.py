"""Errors that end a run with exit 2 and one line naming the file."""
from __future__ import annotations



class UsageError(Exception):
    """Bad invocation or environment (not a repository, bad range): exit 2."""


class ConfigError(Exception):
    """A config or context file that cannot be used: C001, exit 2."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: C001 {message}")


def toml_error(path: str, exc: Exception, text: str) -> ConfigError:
    """One C001 line for a TOML syntax error, with its line when known."""
    import re

    message = str(exc)
    line = getattr(exc, "lineno", None)
    match = re.search(r"line (\d+)", message)
    if line is None and match:
        line = int(match.group(1))
    if line is None and "end of document" in message:
        line = text.count("\n") + 1
    message = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", message).strip()
    return ConfigError(path, f"invalid TOML: {message or 'syntax error'}", line)
