"""A fake Anthropic Messages API on 127.0.0.1 for tests: scripted answers, recorded requests.

    with FakeAnthropic(verdict("approve")) as api:
        api.use_in(monkeypatch)          # ANTHROPIC_BASE_URL + a dummy key
        ...                              # code under test calls the SDK
        assert api.requests[0].body["tool_choice"] == {"type": "tool", "name": "verdict"}

Each request takes the next scripted answer from the queue; an empty queue
answers 500. A `slow(...)` answer waits in the server thread (the test never
sleeps) and is cut short when the server stops.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable, List, Optional, Sequence, Tuple

DUMMY_KEY = "sk-ant-test-dummy"


@dataclass
class Scripted:
    """One answer: HTTP status, JSON body, headers, and a wait before answering."""

    status: int = 200
    body: Any = None
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict  # lower-cased names
    raw: bytes

    @property
    def body(self) -> Any:
        try:
            return json.loads(self.raw.decode("utf-8"))
        except ValueError:
            return None

    @property
    def system(self) -> str:
        system = (self.body or {}).get("system", "")
        if isinstance(system, list):
            return "".join(block.get("text", "") for block in system)
        return system

    @property
    def user_text(self) -> str:
        """All text of the user messages, in order."""
        texts = []
        for message in (self.body or {}).get("messages", []):
            if message.get("role") != "user":
                continue
            content = message.get("content")
            if isinstance(content, str):
                texts.append(content)
            else:
                texts.extend(block.get("text", "") for block in content or [])
        return "\n".join(texts)


def message(content: List[dict], stop_reason: str = "end_turn", usage: Tuple[int, int] = (1000, 100),
            model: str = "claude-sonnet-4-6") -> dict:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
    }


def tool_use(name: str, tool_input: Any, usage: Tuple[int, int] = (1000, 100)) -> Scripted:
    block = {"type": "tool_use", "id": "toolu_fake", "name": name, "input": tool_input}
    return Scripted(body=message([block], "tool_use", usage))


def verdict(decision: str, summary: str = "reviewed", findings: Sequence[dict] = (),
            usage: Tuple[int, int] = (1000, 100)) -> Scripted:
    return tool_use("verdict", {"decision": decision, "summary": summary, "findings": list(findings)}, usage)


def text(answer: str) -> Scripted:
    return Scripted(body=message([{"type": "text", "text": answer}]))


def error(status: int, msg: str = "scripted error", kind: str = "api_error",
          headers: Optional[dict] = None) -> Scripted:
    """An API error; retry-after 0 unless given, so clients retry without waiting."""
    return Scripted(status, {"type": "error", "error": {"type": kind, "message": msg}},
                    {"retry-after": "0", **(headers or {})})


def slow(seconds: float, then: Optional[Scripted] = None) -> Scripted:
    answer = then or verdict("approve")
    return Scripted(answer.status, answer.body, answer.headers, seconds)


class FakeAnthropic:
    """The server: `base_url`, `requests` (every one received), `answered` (how many got an answer)."""

    def __init__(self, *answers: Scripted):
        self._answers: List[Scripted] = list(answers)
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.requests: List[Received] = []
        self.answered = 0
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    def push(self, *answers: Scripted) -> None:
        with self._lock:
            self._answers.extend(answers)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def use_in(self, monkeypatch: Any, key: str = DUMMY_KEY) -> None:
        """Point the SDK at this server with a dummy key (and nothing else that could reroute it)."""
        monkeypatch.setenv("ANTHROPIC_BASE_URL", self.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", key)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        for name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE", "ANTHROPIC_CUSTOM_HEADERS",
                     "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(name, raising=False)

    def _next(self, received: Received) -> Scripted:
        with self._lock:
            self.requests.append(received)
            if self._answers:
                return self._answers.pop(0)
        return error(500, "no scripted answer left")

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        received = Received(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, raw)
        scripted = self._next(received)
        if scripted.delay and self._stopped.wait(scripted.delay):
            return  # server stopping: drop the connection unanswered
        payload = scripted.body if isinstance(scripted.body, (bytes, str)) else json.dumps(scripted.body)
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        handler.send_response(scripted.status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        for name, value in scripted.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
        with self._lock:
            self.answered += 1

    def start(self) -> "FakeAnthropic":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._answer(self)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="fake-anthropic", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> "FakeAnthropic":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def texts(self) -> Iterable[str]:
        """Everything received, decoded: for asserting what never left the machine."""
        for received in self.requests:
            yield received.raw.decode("utf-8", "replace")
