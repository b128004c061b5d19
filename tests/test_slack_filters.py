"""Filters typed in the question (`since:`, `until:`, `source:`) through the real Bolt app, on every
surface that takes a question: a mention, a DM, the assistant thread and `/newsdesk`. The answer
shows the filters that applied; a bad filter gets one line and no search.

Payload shapes: app_mention from https://docs.slack.dev/reference/events/app_mention; message.im
from https://docs.slack.dev/reference/events/message.im; the assistant thread's message from
bolt-python tests/scenario_tests/test_events_assistant.py (user_message_event_body); the slash
command form from https://docs.slack.dev/interactivity/implementing-slash-commands. Ids and
timestamps are the fake's, so the fake Web API can find the messages.
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import CHURKIN_QUOTE
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack, event_body, post_event, post_form
from tests.slack_harness import RunningApp, dm_event, mention_event
from tests.test_slack import CHANNEL, HUMAN, _command, _responses, answers_in, bot, fake_slack

__all__ = ["bot", "fake_slack"]

QUESTION = "What did Churkin say about sanctions?"


def _context_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]


def _mention(fake: FakeSlack, text: str) -> dict[str, Any]:
    # https://docs.slack.dev/reference/events/app_mention (the event inside its event_callback wrapper)
    return event_body(mention_event(CHANNEL, HUMAN, text, fake.add_user_message(CHANNEL, text, HUMAN)))


def test_mention_with_filters_in_curly_quotes_shows_them_with_the_answer(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    # Slack's clients turn typed quotes into “ ”; the wire text carries them as they are.
    body = _mention(fake_slack, f"<@{BOT_USER}> since:2012-05 {QUESTION} source:“abc news”")
    ts = body["event"]["ts"]
    assert post_event(bot.url, body).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, ts)) == 1)
    (answer,) = answers_in(fake_slack, ts)
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert ":mag: Filters: since 1 May 2012 · source ABC News" in _context_texts(answer["blocks"])


def test_dm_until_before_the_coverage_says_nothing_in_that_period(bot: RunningApp, fake_slack: FakeSlack) -> None:
    text = f"{QUESTION} until:2012-04"
    ts = fake_slack.add_user_message("D0DM0007", text, HUMAN)
    assert post_event(bot.url, event_body(dm_event("D0DM0007", HUMAN, text, ts))).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.final_answers("D0DM0007")) == 1)
    (answer,) = fake_slack.final_answers("D0DM0007")
    blocks = json.dumps(answer["blocks"], ensure_ascii=False)
    assert CHURKIN_QUOTE not in blocks  # the only article is dated 30 May 2012
    assert "The coverage doesn't say anything on this up to 30 April 2012." in blocks
    assert ":mag: Filters: until 30 April 2012" in _context_texts(answer["blocks"])


def test_time_read_from_the_question_words_is_shown_as_a_filter(bot: RunningApp, fake_slack: FakeSlack) -> None:
    body = _mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions in May 2012?")
    ts = body["event"]["ts"]
    assert post_event(bot.url, body).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, ts)) == 1)
    (answer,) = answers_in(fake_slack, ts)
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert ":mag: Filters: since 1 May 2012 · until 31 May 2012" in _context_texts(answer["blocks"])


def _assistant_message(fake: FakeSlack, channel: str, thread_ts: str, text: str) -> dict[str, Any]:
    # bolt-python tests/scenario_tests/test_events_assistant.py, user_message_event_body
    ts = fake.add_user_message(channel, text, HUMAN, thread_ts)
    return {
        "user": HUMAN,
        "type": "message",
        "ts": ts,
        "text": text,
        "team": TEAM,
        "user_team": TEAM,
        "source_team": TEAM,
        "user_profile": {},
        "thread_ts": thread_ts,
        "parent_user_id": HUMAN,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im",
    }


def test_assistant_thread_takes_filters_and_refuses_an_unknown_source(bot: RunningApp, fake_slack: FakeSlack) -> None:
    channel, thread_ts = "D0ASSIST7", fake_slack.next_ts()
    unknown = _assistant_message(fake_slack, channel, thread_ts, f"{QUESTION} source:Reuters")
    assert post_event(bot.url, event_body(unknown)).status_code == 200
    bot.listeners.wait_idle()
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 1)
    (reply,) = [c.args for c in fake_slack.calls_to("chat.postMessage")]
    assert reply["thread_ts"] == thread_ts and reply["text"] == (
        "Sorry, I couldn't answer that: source: no source called “Reuters” in the archive (sources: ABC News); "
        'write source:"Name"'
    )
    assert fake_slack.calls_to("assistant.threads.setStatus") == []  # no "Searching…": nothing was searched

    asked = _assistant_message(fake_slack, channel, thread_ts, f'source:"ABC NEWS" since:2012 {QUESTION}')
    assert post_event(bot.url, event_body(asked)).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, thread_ts, channel)) == 1)
    (answer,) = answers_in(fake_slack, thread_ts, channel)
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert ":mag: Filters: since 1 January 2012 · source ABC News" in _context_texts(answer["blocks"])


def test_bad_filter_in_a_mention_gets_one_line_and_no_search(bot: RunningApp, fake_slack: FakeSlack) -> None:
    body = _mention(fake_slack, f"<@{BOT_USER}> {QUESTION} since:yesterdayish")
    assert post_event(bot.url, body).status_code == 200
    bot.listeners.wait_idle()
    (reply,) = [c.args for c in fake_slack.calls_to("chat.postMessage")]
    assert reply["thread_ts"] == body["event"]["ts"]
    assert reply["text"] == (
        "Sorry, I couldn't answer that: since: “yesterdayish” is not a date; use since:YYYY-MM-DD, YYYY-MM or YYYY"
    )
    assert fake_slack.calls_to("chat.update") == []  # no "Searching…" placeholder was ever posted


def test_slash_command_with_filters_and_a_bad_range(bot: RunningApp, fake_slack: FakeSlack) -> None:
    form = {
        **_command(fake_slack, f"source:abc news until:2012-06-30 {QUESTION}"),
        "team_domain": "newsroom",
        "enterprise_id": "",
        "enterprise_name": "",
    }
    asked = post_form(bot.url, form)
    assert asked.status_code == 200 and asked.json()["response_type"] == "ephemeral"
    fake_slack.wait_for(lambda: any(r.get("response_type") == "in_channel" for r in _responses(fake_slack)))
    (answer,) = [r for r in _responses(fake_slack) if r.get("response_type") == "in_channel"]
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert ":mag: Filters: until 30 June 2012 · source ABC News" in _context_texts(answer["blocks"])

    refused = post_form(bot.url, _command(fake_slack, f"since:2012-06 until:2012-05 {QUESTION}"))
    assert refused.json() == {
        "response_type": "ephemeral",
        "text": "Sorry, I couldn't answer that: until 2012-05-31 is before since 2012-06-01; swap them or drop one",
    }
    bot.listeners.wait_idle()
    assert len(_responses(fake_slack)) == 1  # the refused one searched nothing and sent nothing more


def test_filters_typed_with_phone_punctuation_are_read() -> None:
    from bot.question_filters import read_filters

    typed = read_filters(f"since:2012\u201105 source:\u2018ABC News\u2019 {QUESTION}")
    assert typed.question == QUESTION
    assert (str(typed.filters.since), typed.filters.source) == ("2012-05-01", "ABC News")
