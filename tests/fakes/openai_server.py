"""An OpenAI-compatible HTTP server on 127.0.0.1, scripted per test.

Speaks `/v1/chat/completions` (plain JSON and SSE streaming) and
`/v1/embeddings`, and records every request so tests can assert on what the
real `openai` client and langchain actually sent.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.loopback import serve_handler


@dataclass
class Reply:
    """One scripted reply: text to answer with, or an HTTP error, optionally after a delay."""

    text: str = ""
    status: int = 200
    error_body: dict[str, Any] | None = None
    delay_s: float = 0.0


@dataclass
class FakeOpenAI:
    base_url: str = ""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(text="NOT_COVERED"))
    lock: threading.Lock = field(default_factory=threading.Lock)
    models: list[str] = field(default_factory=lambda: ["gpt-4.1-mini", "text-embedding-3-small"])

    def script(self, *replies: Reply | str) -> None:
        with self.lock:
            self.replies.extend(r if isinstance(r, Reply) else Reply(text=r) for r in replies)

    def next_reply(self) -> Reply:
        with self.lock:
            return self.replies.pop(0) if self.replies else self.default

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]


def fake_embedding(text: str, dim: int = 64) -> list[float]:
    vector = [0.0] * dim
    for word in text.lower().split():
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    norm = sum(v * v for v in vector) ** 0.5 or 1.0
    return [v / norm for v in vector]


@contextmanager
def serve_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            return

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with fake.lock:
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append({"path": self.path, "headers": headers, "json": None})
            if self.path.endswith("/models"):
                models = [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in fake.models]
                self._json(200, {"object": "list", "data": models})
            else:
                self._json(404, {"error": {"message": "unknown path", "type": "invalid_request_error"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with fake.lock:
                fake.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": body}
                )
            if self.path.endswith("/embeddings"):
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                self._json(
                    200,
                    {
                        "object": "list",
                        "model": body.get("model"),
                        "data": [
                            {"object": "embedding", "index": i, "embedding": fake_embedding(t)}
                            for i, t in enumerate(inputs)
                        ],
                        "usage": {"prompt_tokens": 1, "total_tokens": 1},
                    },
                )
                return
            if not self.path.endswith("/chat/completions"):
                self._json(404, {"error": {"message": "unknown path", "type": "invalid_request_error"}})
                return
            reply = fake.next_reply()
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status != 200:
                self._json(
                    reply.status,
                    reply.error_body
                    or {"error": {"message": f"scripted {reply.status}", "type": "error", "code": None}},
                )
                return
            created = int(time.time())
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                words = reply.text.split(" ")
                pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
                for index, piece in enumerate([None, *pieces, ""]):
                    delta: dict[str, Any] = (
                        {"role": "assistant", "content": ""} if piece is None else {"content": piece}
                    )
                    chunk = {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "delta": delta if piece != "" or index == 0 else {},
                                "finish_reason": "stop" if piece == "" and index > 0 else None,
                            }
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True
                return
            self._json(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": created,
                    "model": body.get("model"),
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                },
            )

    with serve_handler(Handler) as base_url:
        fake.base_url = base_url + "/v1"
        yield fake
