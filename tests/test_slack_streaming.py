"""LLM answers streamed into Slack through the real Bolt app, the real `openai` client and the fake
Slack Web API: natively (chat.startStream / appendStream / stopStream) where Slack accepts it, by
editing the placeholder where it does not; either way the message left is the *checked* answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.embeddings import LocalMiniLM
from bot.slack.answering import SEARCHING
from tests.conftest import CHURKIN_QUOTE
from tests.fakes.openai_server import FakeOpenAI, serve_openai
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack, event_body, post_event
from tests.slack_harness import RunningApp, dm_event, run_http_app
from tests.test_slack import CHANNEL, HUMAN, _desk, answers_in, fake_slack, mention

__all__ = ["fake_slack"]

QUESTION = "What is Russia's attitude to sanctions against Syria?"
# Long enough to be streamed in several appends (STREAM_APPEND_CHARS); "[7]" cites no passage, so
# the checked answer drops it: the draft and the final message differ.
RAW_ANSWER = f'Churkin said "{CHURKIN_QUOTE}" [1]. Russia opposes new sanctions [1][7]. ' + " ".join(
    ["Russia says it opposes any outside intervention in Syria and will not back new sanctions [1]."] * 4
)


@pytest.fixture()
def fake_llm() -> Iterator[FakeOpenAI]:
    with serve_openai() as fake:
        yield fake


@pytest.fixture()
def llm_bot(tmp_path: Path, fake_slack: FakeSlack, fake_llm: FakeOpenAI, embedder: LocalMiniLM) -> Iterator[RunningApp]:
    desk = _desk(
        tmp_path, fake_slack, embedder, openai_api_key="sk-test", openai_base_url=fake_llm.base_url, llm_max_retries=0
    )
    with run_http_app(desk.settings, desk) as running:
        yield running


def _streamed_text(fake: FakeSlack) -> str:
    calls = [*fake.calls_to("chat.startStream"), *fake.calls_to("chat.appendStream")]
    return "".join(call.args.get("markdown_text", "") for call in calls)


def _bot_messages(fake: FakeSlack, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    with fake.lock:
        return [m for m in fake.messages.get(channel, []) if m.get("bot_id") and m.get("thread_ts") == thread_ts]


def test_mention_streams_natively_and_leaves_the_checked_answer(
    llm_bot: RunningApp, fake_slack: FakeSlack, fake_llm: FakeOpenAI
) -> None:
    fake_llm.script(RAW_ANSWER)
    body = mention(fake_slack, f"<@{BOT_USER}> {QUESTION}")
    body["event"]["team"] = TEAM
    ts = body["event"]["ts"]
    assert post_event(llm_bot.url, body).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, ts)) == 1)
    llm_bot.listeners.wait_idle()

    (start,) = fake_slack.calls_to("chat.startStream")
    assert start.args["thread_ts"] == ts and start.args["channel"] == CHANNEL
    assert (start.args["recipient_user_id"], start.args["recipient_team_id"]) == (HUMAN, TEAM)
    stream_ts = fake_slack.calls_to("chat.stopStream")[0].args["ts"]
    assert len(fake_slack.calls_to("chat.appendStream")) >= 1
    assert all(c.args["ts"] == stream_ts for c in fake_slack.calls_to("chat.appendStream"))
    draft = _streamed_text(fake_slack)
    assert draft.startswith("Churkin said") and "[1][7]" in draft  # the model's words, unchecked

    # One bot message is left in the thread: the stream, now holding the checked answer and sources.
    (answer,) = _bot_messages(fake_slack, CHANNEL, ts)
    assert answer["ts"] == stream_ts and answer["streaming_state"] == "completed"
    blocks = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "[7]" not in blocks and "[7]" not in answer["text"] and CHURKIN_QUOTE in blocks
    assert "Russia digs in its heels against Syria intervention" in blocks
    assert answer["blocks"][-1]["type"] == "actions"
    placeholder = fake_slack.calls_to("chat.postMessage")[0].args
    assert placeholder["text"] == SEARCHING
    deleted = [c.args["ts"] for c in fake_slack.calls_to("chat.delete")]
    assert len(deleted) == 1 and deleted[0] != stream_ts  # the "Searching…" placeholder went


def test_refused_streaming_falls_back_to_editing_and_is_not_retried(
    llm_bot: RunningApp, fake_slack: FakeSlack, fake_llm: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.stream_error = "not_allowed"
    caplog.set_level(logging.INFO, logger="bot.slack.deps")
    for _ in range(2):
        fake_llm.script(RAW_ANSWER)
        body = mention(fake_slack, f"<@{BOT_USER}> {QUESTION}")
        body["event"]["team"] = TEAM
        ts = body["event"]["ts"]
        assert post_event(llm_bot.url, body).status_code == 200
        fake_slack.wait_for(lambda ts=ts: len(answers_in(fake_slack, ts)) == 1)
        llm_bot.listeners.wait_idle()
        (answer,) = _bot_messages(fake_slack, CHANNEL, ts)
        assert "[7]" not in json.dumps(answer["blocks"]) and CHURKIN_QUOTE in json.dumps(answer["blocks"])
        drafts = [
            c.args["text"]
            for c in fake_slack.calls_to("chat.update")
            if c.args["ts"] == answer["ts"] and c.args["text"].endswith(" …")
        ]
        assert drafts and drafts[0].startswith("Churkin")  # the draft edited into the placeholder, throttled

    assert len(fake_slack.calls_to("chat.startStream")) == 1  # refused once, then not asked again
    assert fake_slack.calls_to("chat.appendStream") == fake_slack.calls_to("chat.stopStream") == []
    assert fake_slack.calls_to("chat.delete") == []  # each answer is its "Searching…" placeholder, edited
    refusals = [r for r in caplog.records if "refused chat.startStream (not_allowed)" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING


def test_assistant_thread_streams_without_a_placeholder(
    llm_bot: RunningApp, fake_slack: FakeSlack, fake_llm: FakeOpenAI
) -> None:
    fake_llm.script(RAW_ANSWER)
    channel, thread_ts = "D0ASSIST2", fake_slack.next_ts()
    ts = fake_slack.add_user_message(channel, QUESTION, HUMAN, thread_ts)
    # The assistant thread's user message of bolt-python tests/scenario_tests/test_events_assistant.py
    # (user_message_event_body), with the fake's ids.
    message = {
        "user": HUMAN,
        "type": "message",
        "ts": ts,
        "text": QUESTION,
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
    assert post_event(llm_bot.url, event_body(message)).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, thread_ts, channel)) == 1)
    llm_bot.listeners.wait_idle()
    (start,) = fake_slack.calls_to("chat.startStream")
    assert (start.args["channel"], start.args["thread_ts"]) == (channel, thread_ts)
    (answer,) = _bot_messages(fake_slack, channel, thread_ts)
    assert answer["ts"] == fake_slack.calls_to("chat.stopStream")[0].args["ts"]
    assert "[7]" not in json.dumps(answer["blocks"]) and CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert fake_slack.calls_to("chat.postMessage") == [] and fake_slack.calls_to("chat.delete") == []
    assert fake_slack.calls_to("assistant.threads.setStatus")[0].args["status"] == SEARCHING


def test_top_level_dm_and_extractive_answers_are_not_streamed(
    tmp_path: Path, fake_slack: FakeSlack, fake_llm: FakeOpenAI, embedder: LocalMiniLM
) -> None:
    """A DM answered at its top level has no thread to stream in: the placeholder is edited."""
    fake_llm.script(RAW_ANSWER)
    desk = _desk(
        tmp_path, fake_slack, embedder, openai_api_key="sk-test", openai_base_url=fake_llm.base_url, llm_max_retries=0
    )
    with run_http_app(desk.settings, desk) as running:
        ts = fake_slack.add_user_message("D0DM0003", QUESTION, HUMAN)
        assert post_event(running.url, event_body(dm_event("D0DM0003", HUMAN, QUESTION, ts))).status_code == 200
        fake_slack.wait_for(lambda: len(fake_slack.final_answers("D0DM0003")) == 1)
        running.listeners.wait_idle()
    assert fake_slack.calls_to("chat.startStream") == []
    (answer,) = fake_slack.final_answers("D0DM0003")
    assert "[7]" not in json.dumps(answer["blocks"]) and CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert any(c.args["text"].endswith(" …") for c in fake_slack.calls_to("chat.update"))
