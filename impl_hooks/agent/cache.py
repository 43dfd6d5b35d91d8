"""Verdicts cached under the git dir, so an unchanged staged change is sent once."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Optional

from .prompt import PROMPT_VERSION


def cache_dir(git_common_dir: str) -> str:
    return os.path.join(git_common_dir, "impl-hooks", "agent-cache")


def cache_key(backend: str, model: str, system: str, user: str) -> str:
    """sha256 over everything that decides the answer: backend, model, prompt version, prompt."""
    digest = hashlib.sha256()
    for part in (backend, model, PROMPT_VERSION, system, user):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def load(directory: str, key: str) -> Optional[dict]:
    """The cached record, or None when absent or unreadable (a bad cache is a miss)."""
    try:
        with open(os.path.join(directory, key + ".json"), encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def store(directory: str, key: str, record: dict) -> None:
    """Write the record atomically; a cache that cannot be written is skipped silently."""
    try:
        os.makedirs(directory, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle, ensure_ascii=False, indent=1)
            os.replace(temp, os.path.join(directory, key + ".json"))
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass
