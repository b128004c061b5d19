"""Chroma as a real server (`chroma run`): the same ingest → ask → Slack path, shared by processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.lexical import REFRESH_SECONDS
from ingest.pipeline import Ingestor
from tests.chroma_server import ChromaServer, chroma_server
from tests.conftest import CHURKIN_QUOTE, SEED_DIR, make_settings
from tests.fakes.slack_api import BOT_USER, FakeSlack, event_body, post_event, serve_slack
from tests.slack_harness import run_http_app, seed_with_url, slack_settings

# Documented bound (README): a bot process sees another process's ingest or removal within this.
CROSS_PROCESS_SECONDS = 15.0


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    with chroma_server(tmp_path / "chroma-server") as running:
        yield running


def _server_settings(tmp_path: Path, server: ChromaServer, **extra: object) -> Settings:
    return make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=server.port, **extra)


def _env(server: ChromaServer, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "CHROMA_", "OPENAI_", "SLACK_"))}
    env.update(
        {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(server.port), "NEWSDESK_DATA_DIR": str(tmp_path / "other")}
    )
    return env


def _newsdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "newsdesk"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def _mention(fake: FakeSlack, text: str) -> dict:  # type: ignore[type-arg]
    ts = fake.add_user_message("C0SERVER1", text)
    return event_body(
        {"type": "app_mention", "user": "UHUMAN01", "text": text, "ts": ts, "channel": "C0SERVER1", "event_ts": ts}
    )


def test_ingest_ask_and_slack_answer_against_a_chroma_server(
    tmp_path: Path, server: ChromaServer, embedder: LocalMiniLM
) -> None:
    with serve_slack() as fake:
        settings = slack_settings(tmp_path / "data", fake, chroma_host="127.0.0.1", chroma_port=server.port)
        desk = Newsdesk(settings, embedder)
        seed = seed_with_url(tmp_path, (SEED_DIR / "russia-syria-intervention.txt").read_text())
        assert Ingestor.for_desk(desk).run([str(seed)]).added
        assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded: the server holds it
        answer = desk.ask("What did Churkin say about sanctions?")
        assert answer.found and CHURKIN_QUOTE in answer.text
        assert desk.stats().store == f"chroma server 127.0.0.1:{server.port}"
        with run_http_app(settings, desk) as running:
            body = _mention(fake, f"<@{BOT_USER}> What did Churkin say about sanctions?")
            post_event(running.url, body)
            fake.wait_for(lambda: len(fake.final_answers("C0SERVER1")) == 1)
        assert CHURKIN_QUOTE in json.dumps(fake.final_answers("C0SERVER1")[0]["blocks"])


def test_bot_sees_another_process_ingest_and_remove_without_restart(
    tmp_path: Path, server: ChromaServer, embedder: LocalMiniLM, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = Newsdesk(_server_settings(tmp_path, server), embedder)
    question = "What did Churkin say about sanctions?"
    assert not bot.ask(question).found
    env = _env(server, tmp_path)
    added = _newsdesk("ingest", str(SEED_DIR), "--json", env=env)
    assert added.returncode == 0, added.stderr
    done = time.monotonic()
    while not bot.ask(question).found:
        assert time.monotonic() - done < CROSS_PROCESS_SECONDS, "the bot never saw the new article"
        time.sleep(0.2)
    seen_after = time.monotonic() - done
    bot.lexical.wait_for_background()
    bot.lexical.get()
    chroma_ids = {cid for cid, _d, _m in bot.store.iter_chunks(include_documents=False)}
    assert set(bot.lexical.get().chunk_ids) == chroma_ids and chroma_ids
    assert bot.retriever.search("Churkin", 3, mode="lexical")

    article_id = bot.sources()[0].ref.article_id
    removed = _newsdesk("remove", article_id, env=env)
    assert removed.returncode == 0, removed.stderr
    done = time.monotonic()
    while bot.ask(question).found:
        assert time.monotonic() - done < CROSS_PROCESS_SECONDS, "the bot still answers from a removed article"
        time.sleep(0.2)
    gone_after = time.monotonic() - done
    deadline = time.monotonic() + CROSS_PROCESS_SECONDS
    while bot.lexical.get().chunk_ids and time.monotonic() < deadline:
        time.sleep(0.2)
    assert bot.lexical.get().chunk_ids == []
    with capsys.disabled():
        print(
            f"\n[cross-process] ingest seen after {seen_after:.1f} s, removal after {gone_after:.1f} s "
            f"(lexical refresh every {REFRESH_SECONDS:g} s)"
        )


def test_archive_down_gives_a_polite_reply_and_the_bot_recovers(
    tmp_path: Path, server: ChromaServer, embedder: LocalMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_slack() as fake:
        settings = slack_settings(tmp_path / "data", fake, chroma_host="127.0.0.1", chroma_port=server.port)
        desk = Newsdesk(settings, embedder)
        assert Ingestor.for_desk(desk).run([str(SEED_DIR)]).added
        with run_http_app(settings, desk) as running:
            server.stop()
            down = _mention(fake, f"<@{BOT_USER}> What did Churkin say about sanctions?")
            post_event(running.url, down)
            fake.wait_for(
                lambda: any("archive is unavailable" in c.args.get("text", "") for c in fake.calls_to("chat.update"))
            )

            monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
            monkeypatch.setenv("CHROMA_PORT", str(server.port))
            monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "cli"))
            result = CliRunner().invoke(main, ["ask", "What did Churkin say?"])
            assert result.exit_code == 2
            assert result.stderr.startswith(f"error: the archive (127.0.0.1:{server.port}) is unavailable")

            server.start()
            up = _mention(fake, f"<@{BOT_USER}> What did Churkin say about sanctions?")
            post_event(running.url, up)
            fake.wait_for(lambda: len(fake.final_answers("C0SERVER1")) == 1)
        assert CHURKIN_QUOTE in json.dumps(fake.final_answers("C0SERVER1")[0]["blocks"])
