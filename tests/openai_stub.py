"""A local OpenAI-compatible chat-completions server for tests and benchmarks (127.0.0.1 only).

    with OpenAIStub(["429", "good"], latency_s=0.0) as stub:
        client = OpenAI(base_url=stub.base_url, api_key="x")
        ...
        stub.requests          # every request it got: path, headers, JSON body, behaviour used

Each chat request consumes the next behaviour of the script (a string, or a callable taking the request
body and returning one); when the script is empty, `default` is used. Behaviours:

    "good"                a valid verdict JSON (from `verdict(body)`; by default it depends on the
                          conversation in the request: a follow-up saying "wrong" gets a low grade)
    "fenced"              the good verdict inside ```json fences with a line of prose around it
    "malformed"           text that is not JSON
    "schema_violation"    JSON, but quality 42
    "missing_field"       JSON without "quality"
    "extra_field"         JSON with an extra key
    "429"                 HTTP 429 with Retry-After: 0
    "500"                 HTTP 500
    "400"                 HTTP 400 about something other than response_format
    "slow:<seconds>"      waits, then answers "good" (the client may have given up by then)
    "reject_json_schema"  HTTP 400 naming response_format when the request asks for a json_schema
                          response format, else "good"
    "no_usage"            the good verdict without a usage block

`reject_json_schema=True` makes every json_schema request fail that way, whatever the script says (a
server that never supports structured outputs). `latency_s` is added to every response.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Behaviour = str | Callable[[dict], str]

_CONVERSATION = re.compile(r"<conversation>\n(.*)\n</conversation>", re.DOTALL)


def conversation_payload(body: dict) -> dict | None:
    """The JSON object between the <conversation> tags of the request's first user message."""
    for message in body.get("messages", []):
        if message.get("role") == "user":
            match = _CONVERSATION.search(message.get("content") or "")
            if match:
                try:
                    return json.loads(match.group(1))
                except json.JSONDecodeError:
                    return None
    return None


def default_verdict(body: dict) -> dict:
    """A plausible verdict that depends on the judged conversation (deterministic)."""
    payload = conversation_payload(body) or {}
    follow_up = (payload.get("follow_up") or "").lower()
    if any(word in follow_up for word in ("wrong", "incorrect", "not right")):
        correction = re.search(r"it'?s (.+?)[.!]?$", follow_up)
        return {"rationale": "The user corrected the answer.", "quality": 3, "satisfaction": "dissatisfied",
                "feedback_category": "UR2" if correction else "UR3",
                "corrected_answer": f"It is {correction.group(1)}." if correction else None}
    if any(word in follow_up for word in ("thanks", "thank you", "worked")):
        return {"rationale": "The user confirmed it worked.", "quality": 9, "satisfaction": "satisfied",
                "feedback_category": "UR5", "corrected_answer": None}
    return {"rationale": "Plausible answer, no feedback.", "quality": 7, "satisfaction": "unclear",
            "feedback_category": "none", "corrected_answer": None}


@dataclass
class StubRequest:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict
    behaviour: str = ""

    @property
    def response_format_type(self) -> str | None:
        fmt = self.body.get("response_format")
        return fmt.get("type") if isinstance(fmt, dict) else None

    def message(self, role: str, index: int = 0) -> str:
        return [m["content"] for m in self.body.get("messages", []) if m.get("role") == role][index]


@dataclass
class OpenAIStub:
    script: list[Behaviour] = field(default_factory=list)
    default: Behaviour = "good"
    latency_s: float = 0.0
    reject_json_schema: bool = False
    verdict: Callable[[dict], dict] = default_verdict
    host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        self._queue: deque[Behaviour] = deque(self.script)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.requests: list[StubRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # -- control

    def push(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    @property
    def chat_requests(self) -> list[StubRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the stub first"
        return f"http://{self.host}:{self._server.server_address[1]}/v1"

    def start(self) -> "OpenAIStub":
        stub = self

        class Handler(_Handler):
            owner = stub

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="openai-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "OpenAIStub":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling (called from the handler threads)

    def _next_behaviour(self, body: dict) -> str:
        with self._lock:
            behaviour = self._queue.popleft() if self._queue else self.default
        return behaviour(body) if callable(behaviour) else behaviour

    def _completion(self, body: dict, content: str, usage: bool = True) -> dict:
        with self._lock:
            self._counter += 1
            number = self._counter
        prompt_chars = sum(len(m.get("content") or "") for m in body.get("messages", []))
        response: dict[str, Any] = {
            "id": f"chatcmpl-stub-{number}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "stub"), "system_fingerprint": "stub",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop", "logprobs": None}],
        }
        if usage:
            prompt_tokens, completion_tokens = prompt_chars // 4 + 1, len(content) // 4 + 1
            response["usage"] = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                 "total_tokens": prompt_tokens + completion_tokens}
        return response

    def respond(self, path: str, headers: dict[str, str], body: dict) -> tuple[int, dict[str, str], dict]:
        """(status, extra headers, JSON body) for one chat request."""
        behaviour = self._next_behaviour(body)
        record = StubRequest(path=path, headers=headers, body=body, behaviour=behaviour)
        with self._lock:
            self.requests.append(record)
        if self.latency_s:
            self._stop.wait(self.latency_s)

        wants_schema = (body.get("response_format") or {}).get("type") == "json_schema"
        if wants_schema and (self.reject_json_schema or behaviour == "reject_json_schema"):
            return 400, {}, _error("response_format of type 'json_schema' is not supported by this server",
                                   "invalid_request_error", param="response_format")
        if behaviour == "reject_json_schema":
            behaviour = "good"
        if behaviour.startswith("slow:"):
            self._stop.wait(float(behaviour.split(":", 1)[1]))
            behaviour = "good"

        good = self.verdict(body)
        if behaviour == "good":
            return 200, {}, self._completion(body, json.dumps(good))
        if behaviour == "no_usage":
            return 200, {}, self._completion(body, json.dumps(good), usage=False)
        if behaviour == "fenced":
            return 200, {}, self._completion(body, f"Here is my verdict:\n```json\n{json.dumps(good)}\n```\n")
        if behaviour == "malformed":
            return 200, {}, self._completion(body, "I think this answer is quite good, maybe an 8 of 10.")
        if behaviour == "schema_violation":
            return 200, {}, self._completion(body, json.dumps({**good, "quality": 42}))
        if behaviour == "missing_field":
            return 200, {}, self._completion(body, json.dumps({k: v for k, v in good.items() if k != "quality"}))
        if behaviour == "extra_field":
            return 200, {}, self._completion(body, json.dumps({**good, "confidence": 0.9}))
        if behaviour == "429":
            return 429, {"Retry-After": "0"}, _error("Rate limit reached", "rate_limit_exceeded")
        if behaviour == "500":
            return 500, {}, _error("The server had an error while processing your request", "server_error")
        if behaviour == "400":
            return 400, {}, _error("This model's maximum context length is 8192 tokens", "invalid_request_error",
                                   param="messages")
        raise ValueError(f"unknown stub behaviour {behaviour!r}")


def _error(message: str, kind: str, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


class _Handler(BaseHTTPRequestHandler):
    owner: OpenAIStub
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms a request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.close_connection = True

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": "stub-judge", "object": "model",
                                                          "created": 0, "owned_by": "stub"}]})
        else:
            self._send(404, _error("not found", "invalid_request_error"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0].rstrip("/")
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, _error(f"no route {path}", "invalid_request_error"))
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(400, _error("request body is not JSON", "invalid_request_error"))
            return
        try:
            status, headers, payload = self.owner.respond(path, {k.lower(): v for k, v in self.headers.items()}, body)
        except Exception as exc:  # a broken script must show up in the test, not hang it
            status, headers, payload = 500, {}, _error(f"stub error: {exc}", "server_error")
        self._send(status, payload, headers)
