"""Runs the real Bolt app on uvicorn on 127.0.0.1 against the fake Slack Web API."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from slack_bolt import App

from bot.config import Settings
from bot.core import Newsdesk
from bot.slack.app import create_app
from bot.slack.server import asgi_app
from tests.conftest import make_settings
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack

SEED_WITH_URL = "https://news.example.com/2012/05/30/russia-syria-intervention"


def slack_settings(data_dir: Path, fake: FakeSlack, **extra: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.base_url,
        "admins": "UADMIN01",
    }
    values.update(extra)
    return make_settings(data_dir, **values)


def seed_with_url(folder: Path, seed_text: str) -> Path:
    """The seed article as a published page would have it: with a URL, source and date."""
    from ingest.loaders import split_front_matter

    front, body = split_front_matter(seed_text)
    title = str(front.get("title", ""))
    if not title:
        title, _, body = body.partition("\n")
    path = folder / "seed.md"
    path.write_text(f"---\ntitle: {title}\nsource: ABC News\ndate: 2012-05-30\nurl: {SEED_WITH_URL}\n---\n{body}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ListenerTracker(Executor):
    """Stands in for the Bolt app's listener executor and knows when every listener has finished.

    Over HTTP (and Socket Mode) Bolt acks first and runs the listener afterwards in this executor,
    so a test that must show something did *not* happen (no second answer, no reply to a bot) waits
    here for the listeners to complete instead of sleeping and hoping they were quick."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.started = 0
        self.finished = 0
        self.idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self.idle:
            self.started += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self.idle:
                    self.finished += 1
                    self.idle.notify_all()

        return self.inner.submit(run)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait, cancel_futures=cancel_futures)

    def wait_idle(self, timeout: float = 120.0) -> None:
        """Every listener started so far has returned (fails the test after `timeout`)."""
        with self.idle:
            if not self.idle.wait_for(lambda: self.finished == self.started, timeout):
                raise AssertionError(f"{self.started - self.finished} listener(s) still running after {timeout:g} s")


def track_listeners(app: App) -> ListenerTracker:
    """Route the app's listeners (and lazy listeners) through a tracker; call before it serves requests."""
    runner = app.listener_runner
    tracker = ListenerTracker(runner.listener_executor)
    runner.listener_executor = tracker
    runner.lazy_listener_runner.executor = tracker  # type: ignore[attr-defined]
    return tracker


@dataclass
class RunningApp:
    url: str
    desk: Newsdesk
    settings: Settings
    listeners: ListenerTracker


@contextmanager
def run_http_app(settings: Settings, desk: Newsdesk) -> Iterator[RunningApp]:
    app = create_app(settings, desk)
    listeners = track_listeners(app)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(asgi_app(app), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield RunningApp(f"http://127.0.0.1:{port}/slack/events", desk, settings, listeners)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- Slack payloads, one builder per shape, so every test sends what Slack sends ---------------------
def mention_event(channel: str, user: str, text: str, ts: str) -> dict[str, Any]:
    """An `app_mention` event as https://docs.slack.dev/reference/events/app_mention shows it."""
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "client_msg_id": "6cb3204b-b615-4a07-b865-322e58140737",
        "team": TEAM,
    }


def dm_event(channel: str, user: str, text: str, ts: str) -> dict[str, Any]:
    """A direct message as https://docs.slack.dev/reference/events/message.im shows it."""
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
    }


def feedback_click(fake: FakeSlack, channel: str, answer: dict[str, Any], user: str, button: int) -> dict[str, Any]:
    """A 👍 (0) or 👎 (1) click on an answer's buttons, as Slack's block_actions payload
    (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload)."""
    pressed = answer["blocks"][-1]["elements"][button]
    container = {"type": "message", "channel_id": channel, "message_ts": answer["ts"], "is_ephemeral": False}
    if answer.get("thread_ts"):
        container["thread_ts"] = answer["thread_ts"]
    return {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": TEAM},
        "api_app_id": "A0TEST01",
        "channel": {"id": channel},
        "container": container,
        "message": answer,
        "trigger_id": "1.2.3",
        "response_url": fake.base_url.replace("/api/", "/response/") + "x",
        "actions": [
            {
                "type": "button",
                "action_id": pressed["action_id"],
                "block_id": "newsdesk_feedback",
                "value": pressed["value"],
            }
        ],
    }
