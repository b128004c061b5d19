"""A fake Slack: the Web API on 127.0.0.1 (records every call), signed Events API delivery, and a
Socket Mode WebSocket server speaking Slack's envelope protocol.

It answers the methods Newsdesk calls the way Slack does, keeps the messages
posted so `conversations.replies` returns real thread history, and lets a
test wait for the calls an asynchronous Bolt listener makes.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.fakes.loopback import serve_handler

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM = "T0TEST01"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str


@dataclass
class FakeSlack:
    base_url: str = ""
    socket_url: str = ""
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    changed: threading.Condition = field(init=False)
    # What chat.startStream answers instead of a stream (e.g. "not_allowed", "missing_scope"): a
    # workspace or app that may not stream. None: streaming works.
    stream_error: str | None = None
    # What chat.postEphemeral answers instead (e.g. "channel_not_found" where the bot is no member).
    ephemeral_error: str | None = None
    # What assistant.threads.setStatus answers instead (e.g. "missing_scope" without assistant:write).
    status_error: str | None = None

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)  # notified whenever a call is recorded or a message changes

    def _record(self, call: Call) -> None:
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    # --- state -----------------------------------------------------------
    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def add_user_message(self, channel: str, text: str, user: str = "UHUMAN01", thread_ts: str | None = None) -> str:
        ts = self.next_ts()
        message = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self.changed:
            self.messages.setdefault(channel, []).append(message)
            self.changed.notify_all()
        return ts

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 120.0) -> None:
        """Block until `predicate` (over this fake's calls and messages) holds; fail the test after `timeout`.

        Woken by every recorded call or message change, so it returns as soon as the bot has done
        the thing, not after a fixed sleep."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout:g} s waiting; calls so far: {[c.method for c in self.calls]}"
                    )
                self.changed.wait(remaining)

    def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        where: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 120.0,
    ) -> list[Call]:
        """The calls to `method` (whose args satisfy `where`), once there are at least `count` of them."""

        def matching() -> list[Call]:
            return [call for call in self.calls_to(method) if where is None or where(call.args)]

        self.wait_for(lambda: len(matching()) >= count, timeout)
        return matching()

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self.lock:
            return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def final_answers(self, channel: str | None = None) -> list[dict[str, Any]]:
        """The last version of every bot message that carries an answer (has blocks with sources or buttons)."""
        with self.lock:
            found = []
            for chan, messages in self.messages.items():
                if channel and chan != channel:
                    continue
                found += [
                    m
                    for m in messages
                    if m.get("bot_id") and any(b.get("type") == "actions" for b in m.get("blocks") or [])
                ]
            return found

    # --- Web API ---------------------------------------------------------
    def handle(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        with self.changed:
            reply = self._reply(method, args, token)
            self.calls.append(Call(method, args, token))
            self.changed.notify_all()
        return reply

    def _reply(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        """Slack's answer to one Web API call, with the fake's state updated (the caller holds the lock)."""
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.socket_url}
        if token != BOT_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test Team",
                "user": "newsdesk",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = self.next_ts()
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "ts": ts,
                "text": args.get("text", ""),
                "blocks": args.get("blocks") or [],
            }
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            with self.lock:
                self.messages.setdefault(args["channel"], []).append(message)
            return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}
        if method == "chat.update":
            with self.lock:
                for message in self.messages.get(args["channel"], []):
                    if message["ts"] == args["ts"]:
                        message["text"] = args.get("text", message["text"])
                        message["blocks"] = args.get("blocks") or []
                        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": message["text"]}
            return {"ok": False, "error": "message_not_found"}
        if method == "chat.delete":
            with self.lock:
                kept = [m for m in self.messages.get(args["channel"], []) if m["ts"] != args["ts"]]
                if len(kept) == len(self.messages.get(args["channel"], [])):
                    return {"ok": False, "error": "message_not_found"}
                self.messages[args["channel"]] = kept
            return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        if method.endswith("Stream") and method.startswith("chat."):
            return self._stream(method, args)
        if method == "conversations.replies":
            with self.lock:
                thread = [
                    m
                    for m in self.messages.get(args["channel"], [])
                    if m["ts"] == args["ts"] or m.get("thread_ts") == args["ts"]
                ]
            # Oldest first, `limit` a page (Slack's default 1,000), the thread's root leading the first.
            thread.sort(key=lambda m: float(m["ts"]))
            limit = int(args.get("limit") or 1000)
            start = int(str(args.get("cursor") or "page:0").split(":")[1])
            page = thread[start : start + limit]
            more = start + limit < len(thread)
            reply: dict[str, Any] = {"ok": True, "messages": page, "has_more": more}
            reply["response_metadata"] = {"next_cursor": f"page:{start + limit}" if more else ""}
            return reply
        if method == "chat.postEphemeral":
            if self.ephemeral_error:
                return {"ok": False, "error": self.ephemeral_error}
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "assistant.threads.setStatus" and self.status_error:
            return {"ok": False, "error": self.status_error}
        if method.startswith("assistant.threads."):
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}

    def _stream(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """chat.startStream / appendStream / stopStream as docs.slack.dev/reference/methods/chat.startStream
        describes them: a stream is a reply in a thread, in a channel it names its recipient, text
        arrives as `markdown_text` or markdown_text chunks, and a stopped stream takes no more text;
        stopStream's `blocks` go below the streamed text."""
        if method == "chat.startStream":
            if self.stream_error:
                return {"ok": False, "error": self.stream_error}
            if not args.get("thread_ts"):
                return {"ok": False, "error": "invalid_arguments"}
            if not args["channel"].startswith("D") and not (
                args.get("recipient_user_id") and args.get("recipient_team_id")
            ):
                return {"ok": False, "error": "invalid_arguments"}
            ts = self.next_ts()
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "ts": ts,
                "thread_ts": args["thread_ts"],
                "text": _stream_text(args),
                "blocks": [],
                "streaming_state": "in_progress",
            }
            self.messages.setdefault(args["channel"], []).append(message)
            return {"ok": True, "channel": args["channel"], "ts": ts}
        message = self.message(args["channel"], args.get("ts", ""))
        if method not in ("chat.appendStream", "chat.stopStream"):
            return {"ok": False, "error": "unknown_method"}
        if message is None or "streaming_state" not in message:
            return {"ok": False, "error": "message_not_found"}
        if message["streaming_state"] != "in_progress":
            return {"ok": False, "error": "message_not_in_streaming_state"}
        message["text"] += _stream_text(args)
        if method == "chat.stopStream":
            message["blocks"] = list(args.get("blocks") or [])
            message["streaming_state"] = "completed"
        return {"ok": True, "channel": args["channel"], "ts": message["ts"]}


def _stream_text(args: dict[str, Any]) -> str:
    chunks = args.get("chunks") or []
    return str(args.get("markdown_text") or "") + "".join(
        str(chunk.get("text", "")) for chunk in chunks if chunk.get("type") == "markdown_text"
    )


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or b"{}")
    args: dict[str, Any] = dict(parse_qsl(raw.decode()))
    for key, value in list(args.items()):
        if isinstance(value, str) and value[:1] in "[{":
            with suppress(ValueError):
                args[key] = json.loads(value)
    return args


@contextmanager
def serve_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            args = _parse_body(raw, self.headers.get("Content-Type", ""))
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip() or str(
                args.get("token", "")
            )
            if self.path.startswith("/response/"):
                fake._record(Call("response_url", args, ""))
                payload, status = b"ok", 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
            else:
                method = self.path.removeprefix("/api/").strip("/")
                payload = json.dumps(fake.handle(method, args, token)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with serve_handler(Handler) as base_url:
        fake.base_url = base_url + "/api/"
        yield fake


# --- Events API delivery ----------------------------------------------------


def event_body(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-unused",
        "team_id": TEAM,
        "api_app_id": "A0TEST01",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def signed_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(timestamp or int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def post_event(
    url: str, body: dict[str, Any], *, secret: str = SIGNING_SECRET, retry: int | None = None
) -> httpx.Response:
    raw = json.dumps(body)
    headers = {"Content-Type": "application/json", **signed_headers(raw, secret)}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return httpx.post(url, content=raw, headers=headers, timeout=30)


def post_form(url: str, form: dict[str, str], *, secret: str = SIGNING_SECRET) -> httpx.Response:
    """Slash commands and interactivity arrive form-encoded (interactivity as payload=JSON)."""
    from urllib.parse import urlencode

    raw = urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(raw, secret)}
    return httpx.post(url, content=raw, headers=headers, timeout=30)


# --- Socket Mode --------------------------------------------------------------


@dataclass
class FakeSocketMode:
    """Slack's side of a Socket Mode connection: sends envelopes, collects acks."""

    connections: list[Any] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    connected: threading.Event = field(default_factory=threading.Event)
    acked: threading.Condition = field(default_factory=threading.Condition)

    def record_ack(self, ack: dict[str, Any]) -> None:
        with self.acked:
            self.acks.append(ack)
            self.acked.notify_all()

    def wait_for_acks(self, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        with self.acked:
            if not self.acked.wait_for(lambda: len(self.acks) >= count, timeout):
                raise AssertionError(f"timed out after {timeout:g} s waiting for {count} acks; got {self.acks}")
            return list(self.acks)

    def send_event(self, body: dict[str, Any], retry_attempt: int = 0) -> str:
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
            "payload": body,
        }
        self.connections[-1].send(json.dumps(envelope))
        return envelope_id


@contextmanager
def serve_socket_mode(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.server import serve

    socket_mode = FakeSocketMode()

    def handler(connection: Any) -> None:
        socket_mode.connections.append(connection)
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0TEST01"}}))
        socket_mode.connected.set()
        try:
            for message in connection:
                data = json.loads(message)
                if "envelope_id" in data:
                    socket_mode.record_ack(data)
        except ConnectionClosed:
            return

    with serve(handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        fake.socket_url = f"ws://127.0.0.1:{port}/link/?ticket=test"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield socket_mode
        finally:
            server.shutdown()
