"""`/newsdesk quotes SPEAKER [topic]` through the real Bolt app (signed slash command, response_url)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import speakers
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from ingest.pipeline import Ingestor
from tests.conftest import CHURKIN_QUOTE
from tests.fakes.slack_api import FakeSlack, post_form
from tests.slack_harness import RunningApp, run_http_app, slack_settings
from tests.test_slack import _command, _responses, bot, fake_slack
from tests.test_speakers import BUDGET, BUSH_ON_WALL_STREET

__all__ = ["bot", "fake_slack"]


def test_slash_quotes_lists_a_speakers_words_with_date_and_source(bot: RunningApp, fake_slack: FakeSlack) -> None:
    ack = post_form(bot.url, _command(fake_slack, "quotes Churkin sanctions"))
    assert ack.status_code == 200 and ack.json()["response_type"] == "ephemeral"
    fake_slack.wait_for(lambda: any("Vitaly Churkin" in r.get("text", "") for r in _responses(fake_slack)))
    (reply,) = [r for r in _responses(fake_slack) if "Vitaly Churkin" in r.get("text", "")]
    assert reply["response_type"] == "ephemeral"
    assert CHURKIN_QUOTE in reply["text"] and "Russia digs in its heels" in reply["text"]
    assert "2012-05-30" in reply["text"]


def test_slash_quotes_for_someone_never_quoted_says_so(bot: RunningApp, fake_slack: FakeSlack) -> None:
    post_form(bot.url, _command(fake_slack, "quotes Arsene Wenger"))
    fake_slack.wait_for(lambda: any("quotes no one called" in r.get("text", "") for r in _responses(fake_slack)))


def test_slash_quotes_about_a_topic_finds_the_quote_with_its_words(
    tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/newsdesk quotes` passes BM25's lookup on as the answers do (tests/test_speakers.py has the case:
    one candidate stands for the 40 nearest in meaning, and Bush's own Wall Street remark takes it)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "budget.md").write_text(BUDGET, encoding="utf-8")
    (folder / "wall.md").write_text(BUSH_ON_WALL_STREET, encoding="utf-8")
    desk = Newsdesk(slack_settings(tmp_path / "data", fake_slack), embedder)
    assert Ingestor.for_desk(desk).run([str(folder)]).ok
    monkeypatch.setattr(speakers, "CANDIDATES", 1)
    with run_http_app(desk.settings, desk) as running:
        topic = "a budget that will send the right signal to the financial markets"
        post_form(running.url, _command(fake_slack, f"quotes George W Bush {topic}"))
        fake_slack.wait_for(lambda: any("George W Bush" in r.get("text", "") for r in _responses(fake_slack)))
    (reply,) = [r for r in _responses(fake_slack) if "George W Bush" in r.get("text", "")]
    assert "It's a budget that I think will send the right signal" in reply["text"]
