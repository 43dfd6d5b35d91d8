"""Backend `claude-code`: the same prompt through `claude -p`, for teams that use Claude Code.

The answer is the last message, which must be exactly the tool's JSON
input: it is parsed strictly and anything else is an error, never a guess.
Its output is read no further than `answer_limit` bytes (stderr: its first
STDERR_BYTES), so no process, however verbose, holds more memory than that.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import replace
from typing import Any, List, Optional, Tuple

from .anthropic_backend import answer_limit
from .reply import Reply
from .settings import AgentSettings

READ_ONLY_TOOLS = "Read,Grep,Glob"  # --tools restricts; --allowedTools would not
_FENCED = re.compile(r"\A```(?:json)?[ \t]*\n(.*)\n```\Z", re.DOTALL)
INSTALL_HINT = "install Claude Code (https://claude.com/claude-code), or set backend = \"anthropic\""
STDERR_BYTES = 64 * 1024  # enough for its first line; the rest is drained unread


def command(executable: str, settings: AgentSettings, system: str) -> List[str]:
    return [
        executable, "-p",
        "--output-format", "json",
        "--tools", READ_ONLY_TOOLS,
        "--model", settings.model,
        "--append-system-prompt", system,
    ]


def answer_instruction(tool: dict) -> str:
    """Stands in for the forced tool call, which `claude -p` cannot make."""
    return (
        f"\n\nIn this session there is no `{tool['name']}` tool. Instead, your final "
        "message is only the JSON object you would pass to it: no prose and no code "
        f"fence, matching this JSON schema:\n{json.dumps(tool['input_schema'], sort_keys=True)}"
    )


def _json_object(text: Any) -> Optional[dict]:
    if not isinstance(text, str):
        return None
    text = text.strip()
    fenced = _FENCED.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:160] if lines else ""


def parse_output(stdout: str, tool_name: str) -> Reply:
    """The Reply in the JSON that `claude -p --output-format json` prints."""
    try:
        data = json.loads(stdout)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("type") != "result":
        return Reply(error="claude printed no JSON result", hint=INSTALL_HINT)
    usage = data.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    tokens_in, tokens_out, cost = usage.get("input_tokens"), usage.get("output_tokens"), data.get("total_cost_usd")
    counted = Reply(
        tokens_in=tokens_in if isinstance(tokens_in, int) else 0,
        tokens_out=tokens_out if isinstance(tokens_out, int) else 0,
        cost_usd=float(cost) if isinstance(cost, (int, float)) and not isinstance(cost, bool) else None,
    )
    if data.get("is_error") or data.get("subtype") != "success":
        detail = _first_line(str(data.get("result") or data.get("subtype") or ""))
        return replace(counted, error=f"claude reported an error: {detail}".rstrip(": "),
                       hint="run `claude -p` by hand to see why")
    tool_input = _json_object(data.get("result"))
    if tool_input is None:
        return replace(counted, error=f"claude's answer is not a `{tool_name}` JSON object",
                       hint="try again; the answer must be the JSON object only")
    return replace(counted, tool_input=tool_input)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        process.kill()
    process.wait()


def _feed(stream, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except OSError:  # claude exited without reading it all
        pass


def _drain(stream, limit: int, kept: bytearray, stop_at_limit: bool) -> None:
    """Read stream into `kept` up to limit bytes; past it, stop or read on and drop."""
    while True:
        chunk = stream.read1(65536)
        if not chunk:
            return
        room = limit + 1 - len(kept)  # one byte past the limit tells that it was passed
        kept += chunk[:max(room, 0)]
        if stop_at_limit and len(kept) > limit:
            return


def _exchange(process: subprocess.Popen, data: bytes, limit: int, deadline: float) -> Tuple[bytes, bytes, str]:
    """Write stdin, read stdout (at most limit bytes) and stderr, until exit or the deadline.

    Returns (stdout, stderr, why stopped: "" | "timeout" | "too large")."""
    out, err = bytearray(), bytearray()
    workers = [
        threading.Thread(target=_feed, args=(process.stdin, data), daemon=True),
        threading.Thread(target=_drain, args=(process.stdout, limit, out, True), daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, STDERR_BYTES, err, False), daemon=True),
    ]
    for worker in workers:
        worker.start()
    workers[1].join(max(deadline - time.monotonic(), 0.0))
    stopped = "timeout" if workers[1].is_alive() else "too large" if len(out) > limit else ""
    if not stopped:
        try:
            process.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            stopped = "timeout"
    if stopped:
        _stop(process)
    for worker in workers:
        worker.join(max(deadline - time.monotonic(), 0.01) if not stopped else 1.0)
    return bytes(out[:limit]), bytes(err[:STDERR_BYTES]), stopped


def ask(system: str, user: str, tool: dict, settings: AgentSettings, deadline: float,
        cwd: Optional[str] = None) -> Reply:
    """Run `claude -p` once, within the deadline; the prompt goes in on stdin."""
    executable = shutil.which("claude")
    if not executable:
        return Reply(error="the `claude` command is not on PATH", hint=INSTALL_HINT)
    env = {k: v for k, v in os.environ.items() if k != "CLAUDECODE"}  # nested runs fail with it
    try:
        process = subprocess.Popen(
            command(executable, settings, system + answer_instruction(tool)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=cwd, env=env, start_new_session=True,
        )
    except OSError as exc:
        return Reply(error=f"cannot run claude ({exc.strerror or type(exc).__name__})", hint=INSTALL_HINT)
    limit = answer_limit(settings.max_tokens)
    with process:
        out, err, stopped = _exchange(process, user.encode("utf-8", "surrogatepass"), limit, deadline)
    if stopped == "timeout":
        return Reply(error=f"claude gave no answer within the {settings.timeout:g}s timeout",
                     hint="try again later, or raise timeout")
    if stopped:
        return Reply(error=f"claude's answer is larger than {limit:,} bytes; not read further",
                     hint="run `claude -p` by hand to see what it prints")
    reply = parse_output(out.decode("utf-8", "replace"), tool["name"])
    if reply.error and process.returncode:
        detail = _first_line(err.decode("utf-8", "replace"))
        reply.error = f"claude exited with status {process.returncode}" + (f": {detail}" if detail else "")
    return reply
