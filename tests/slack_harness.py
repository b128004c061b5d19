"""Runs the real Bolt app on uvicorn on 127.0.0.1 against the fake Slack Web API."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from bot.config import Settings
from bot.core import Newsdesk
from bot.slack.app import create_app
from bot.slack.server import asgi_app
from tests.conftest import make_settings
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack

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
    title, _, body = seed_text.partition("\n")
    path = folder / "seed.md"
    path.write_text(f"---\ntitle: {title}\nsource: ABC News\ndate: 2012-05-30\nurl: {SEED_WITH_URL}\n---\n{body}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningApp:
    url: str
    desk: Newsdesk
    settings: Settings


@contextmanager
def run_http_app(settings: Settings, desk: Newsdesk) -> Iterator[RunningApp]:
    app = create_app(settings, desk)
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
        yield RunningApp(f"http://127.0.0.1:{port}/slack/events", desk, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
