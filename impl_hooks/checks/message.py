"""Commit messages: M001 when the message does not name the issue, and the
prepare-commit-msg edit that puts the branch's issue id in."""
from __future__ import annotations

import re

from ..findings import Finding

AUTOSQUASH = re.compile(r"^(?:fixup|squash|amend)! ")
GENERATED = re.compile(r"^(?:Merge |Revert \"|Revert ')")
# git passes a second argument to prepare-commit-msg saying where the text came from;
# only a fresh message (none) or `-m`/`-F` (message) may be edited.
EDITABLE_SOURCES = (None, "", "message")


def message_body(text: str) -> str:
    """The message as git will record it: no comment lines, nothing below the scissors."""
    kept = []
    for line in text.splitlines():
        if line.startswith("# ------------------------ >8 ------------------------"):
            break
        if line.startswith("#"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def names_issue(text: str, issue: str) -> bool:
    pattern = rf"(?<![A-Za-z0-9]){re.escape(issue)}(?![0-9])"
    return re.search(pattern, text, re.I) is not None


def check_message(text: str, path: str, issue: str | None) -> list[Finding]:
    body = message_body(text)
    if not issue or not body or AUTOSQUASH.match(body) or GENERATED.match(body):
        return []
    if names_issue(body, issue):
        return []
    return [Finding("M001", f"commit message does not name the issue {issue}", path=path, line=1,
                    hint=f"start the subject with \"{issue}: \"")]


def prepare_message(text: str, issue: str | None, template: str,
                    source: str | None) -> str | None:
    """The message with the issue id put in, or None when it must stay as it is."""
    if not issue or source not in EDITABLE_SOURCES:
        return None
    body = message_body(text)
    if AUTOSQUASH.match(body) or GENERATED.match(body) or names_issue(body, issue):
        return None
    prefix = template.replace("{issue}", issue)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            if line.strip():
                lines[i] = prefix + line
                return "\n".join(lines)
            break
    # an empty message: the subject line is the first line, above git's comments
    return prefix + "\n" + text if text and not text.startswith("\n") else prefix + text
