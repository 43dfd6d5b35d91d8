"""Backend `anthropic`: the Messages API through the official SDK, bounded in time.

The SDK is imported inside `ask` only: it costs over a second to import and
no other hook may pay for it. The SDK's own retries are off (they sleep as
long as a `retry-after` header says); this module retries itself, within
the deadline, and runs each attempt in a daemon thread so that no server,
however slow, holds the commit past the deadline. The answer is read as a
stream and no further than `answer_limit` bytes, so no server, however
verbose, holds more memory than that.
"""
from __future__ import annotations

import functools
import json
import os
import threading
import time
from dataclasses import replace
from typing import Any, List, Optional, Tuple

from .redact import scrub
from .reply import Reply
from .settings import AgentSettings

MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5  # doubled each retry unless the API says how long to wait
KEY_HINT = "export ANTHROPIC_API_KEY=<your key> (or use backend = \"claude-code\" under [tool.impl-hooks.agent])"
RETRY_HINT = "try again later"
LIMIT_HINT = ("check that ANTHROPIC_BASE_URL points at the Anthropic API, "
              "or lower max_tokens under [tool.impl-hooks.agent]")


def answer_limit(max_tokens: int) -> int:
    """Bytes an answer of max_tokens tokens can take, generously (JSON escapes included)."""
    return 256 * 1024 + 64 * max_tokens


class AnswerTooLarge(Exception):
    """The answer grew past answer_limit: it is not read further."""


def credentials() -> List[str]:
    """The secret values the SDK would send; checked here because the SDK raises TypeError without one."""
    return [v for v in (os.environ.get("ANTHROPIC_API_KEY"), os.environ.get("ANTHROPIC_AUTH_TOKEN")) if v]


def _in_thread(call, seconds: float) -> Tuple[bool, Any, Optional[BaseException]]:
    """(finished, result, exception) of call, given at most `seconds`."""
    box: dict = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:  # handed to the caller, which maps it to A002
            box["error"] = exc

    worker = threading.Thread(target=run, name="impl-hooks-agent", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        return False, None, None
    return True, box.get("result"), box.get("error")


def _retry_after(response: Any) -> Optional[float]:
    try:
        value = float(response.headers.get("retry-after"))
    except (AttributeError, TypeError, ValueError):
        return None
    return value if value >= 0 else None


def _detail(exc: Any) -> str:
    """The API's own error message, one line, short."""
    body = getattr(exc, "body", None)
    message = ""
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message", "") if isinstance(error, dict) else ""
    message = " ".join(str(message).split())
    return f": {message[:160]}" if message else ""


def _classify(anthropic: Any, exc: BaseException, timeout: float) -> Tuple[str, str, bool, Optional[float]]:
    """(reason, hint, retry?, seconds to wait) for an exception from the SDK."""
    if isinstance(exc, anthropic.APITimeoutError):
        return f"no answer from the API within the {timeout:g}s timeout", RETRY_HINT, False, None
    if isinstance(exc, anthropic.APIConnectionError):
        return "cannot connect to the Anthropic API", "check the network (or ANTHROPIC_BASE_URL)", True, None
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        wait = _retry_after(exc.response)
        if status == 429:
            return "rate limited by the API (HTTP 429)", RETRY_HINT, True, wait
        if status in (401, 403):
            return f"the API refused the key (HTTP {status})", KEY_HINT, False, None
        if status >= 500:
            return f"the API failed (HTTP {status})", RETRY_HINT, True, wait
        retry = status in (408, 409)
        return (f"the API refused the request (HTTP {status}{_detail(exc)})",
                "check model and max_tokens in [tool.impl-hooks.agent]", retry, wait)
    if isinstance(exc, AnswerTooLarge):
        return f"the API's answer is larger than {exc.args[0]:,} bytes; not read further", LIMIT_HINT, False, None
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return "the API's answer is not JSON", RETRY_HINT, False, None
    if isinstance(exc, TypeError):
        return "the anthropic SDK found no API key", KEY_HINT, False, None
    return f"the anthropic SDK failed ({type(exc).__name__})", RETRY_HINT, False, None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _reply_from(message: Any, tool_name: str, max_tokens: int) -> Reply:
    """The Reply in a Messages API answer (its JSON, as read)."""
    message = message if isinstance(message, dict) else {}
    usage = message.get("usage") if isinstance(message.get("usage"), dict) else {}
    counted = Reply(tokens_in=_count(usage.get("input_tokens")), tokens_out=_count(usage.get("output_tokens")))
    if message.get("stop_reason") == "max_tokens":
        return replace(counted, error=f"the answer was cut at max_tokens ({max_tokens})",
                       hint="raise max_tokens under [tool.impl-hooks.agent]")
    content = message.get("content")
    for block in content if isinstance(content, list) else []:
        if not isinstance(block, dict) or block.get("type") != "tool_use":
            continue
        if block.get("name") != tool_name:
            return replace(counted, error=f"the model called an unknown tool instead of `{tool_name}`", hint=RETRY_HINT)
        tool_input = block.get("input")
        if not isinstance(tool_input, dict):
            return replace(counted, error=f"the `{tool_name}` call carries no input object", hint=RETRY_HINT)
        return replace(counted, tool_input=tool_input)
    return replace(counted, error=f"the model answered in text instead of calling `{tool_name}`", hint=RETRY_HINT)


def _create(anthropic: Any, request: dict, seconds: float, limit: int) -> Any:
    """One attempt, no SDK retries, the time left as its timeout; the answer's
    JSON, read no further than `limit` bytes (decompressed)."""
    with anthropic.Anthropic(max_retries=0, timeout=seconds) as client:
        with client.messages.with_streaming_response.create(**request, timeout=seconds) as response:
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > limit:
                    raise AnswerTooLarge(limit)
    return json.loads(data)


def ask(system: str, user: str, tool: dict, settings: AgentSettings, deadline: float) -> Reply:
    """One forced call of `tool`; every failure is a Reply with a one-line error."""
    secrets = credentials()
    if not secrets:
        return Reply(error="no ANTHROPIC_API_KEY set", hint=KEY_HINT)
    try:
        import anthropic
    except ImportError:
        return Reply(error="the anthropic package is not installed",
                     hint="pip install 'impl-hooks[agent]' (the impl-agent hook installs it)")
    request = {
        "model": settings.model,
        "max_tokens": settings.max_tokens,
        "system": system,
        "messages": [{"role": "user", "content": user}],
        "tools": [tool],
        "tool_choice": {"type": "tool", "name": tool["name"]},
    }
    timed_out = Reply(error=f"no answer from the API within the {settings.timeout:g}s timeout", hint=RETRY_HINT)
    wait = 0.0
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            time.sleep(wait)
        remaining = max(deadline - time.monotonic(), 0.01)
        attempt_call = functools.partial(_create, anthropic, request, remaining, answer_limit(settings.max_tokens))
        finished, message, exc = _in_thread(attempt_call, remaining)
        if not finished:
            return timed_out
        if exc is None:
            return _reply_from(message, tool["name"], settings.max_tokens)
        reason, hint, retry, retry_after = _classify(anthropic, exc, settings.timeout)
        last = Reply(error=scrub(reason, secrets), hint=hint)
        wait = BACKOFF_SECONDS * 2 ** attempt if retry_after is None else retry_after
        if not retry or time.monotonic() + wait >= deadline:
            return last
    return last
