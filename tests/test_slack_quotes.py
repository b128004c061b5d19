"""`/newsdesk quotes SPEAKER [topic]` through the real Bolt app (signed slash command, response_url)."""

from __future__ import annotations

from tests.conftest import CHURKIN_QUOTE
from tests.fakes.slack_api import FakeSlack, post_form
from tests.slack_harness import RunningApp
from tests.test_slack import _command, _responses, bot, fake_slack

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
