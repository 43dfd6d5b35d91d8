"""Step TODOs (T001): a TODO that names the step being completed must be
gone by the commit that completes it; a TODO for a later step may stay."""
from __future__ import annotations

import re

from ..findings import Finding

# TODO(step 1.2), TODO(1.2), TODO [1.2], TODO [Step 1.2], TODO: Step 1.2,
# TODO step 1.2:, FIXME(step 1.2), TODO(T001); in any comment syntax. The
# keyword is upper case, as TODO tools expect; "step" is any case. A bare
# number after "TODO:" is not a step ("TODO: 3 retries"), so outside
# brackets the word "step" is required.
DEFAULT_TODO_PATTERN = (
    r"\b(?:TODO|FIXME)\b"
    r"(?:\s*[(\[]\s*(?:(?i:step)[\s:_-]*)?|\s*[:-]?\s*(?i:step)[\s:_-]*)"
    r"(?P<step>[A-Za-z]?\d+(?:\.\d+)*)"
)


def step_todos(path: str, data: bytes, step: str, pattern: str = DEFAULT_TODO_PATTERN) -> list[Finding]:
    """T001 for each TODO naming exactly `step` (1.2 is not 1.20 nor 11.2).

    `pattern` needs a named group `step` (config validates it); lines are
    matched one by one, so a match never spans lines. Binary data is skipped.
    """
    if b"\0" in data or not step:
        return []
    regex = re.compile(pattern)
    wanted = step.strip().casefold()
    text = data.decode("utf-8", errors="replace")
    findings = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in regex.finditer(line):
            named = match.groupdict().get("step")
            if named is None or named.strip().casefold() != wanted:
                continue
            findings.append(
                Finding(
                    "T001",
                    f"TODO for step {step} left in a commit that completes step {step}",
                    path=path,
                    line=number,
                    hint="finish the work and remove the TODO; if it belongs to a later "
                    "step, name that step instead",
                )
            )
    return findings
