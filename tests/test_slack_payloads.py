"""Real Slack payload shapes through the real Bolt app: edits, canvas mentions, files, slash-command
wire text, events the bot does not handle, and questions that are too long.

Each payload follows an example from Slack's event reference (docs.slack.dev/reference/events/…)
or a fixture in bolt-python's tests (slackapi/bolt-python tests/scenario_tests/…); the source is
named above each one. Ids and timestamps are the fake's, so the fake Web API can find the messages.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest

from bot.slack.answering import ATTACHMENT_ONLY, ATTACHMENTS_NOT_READ, SEARCHING
from bot.slack.listeners.commands import parse_subcommand
from tests.conftest import CHURKIN_QUOTE
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack, event_body, post_event, post_form
from tests.slack_harness import RunningApp, mention_event
from tests.test_slack import CHANNEL, HUMAN, _command, _responses, answers_in, bot, fake_slack

__all__ = ["bot", "fake_slack"]

QUESTION = "What did Churkin say about sanctions?"
DM = "D0DM0009"


def _mention_event(fake: FakeSlack, text: str, ts: str | None = None) -> dict[str, Any]:
    # https://docs.slack.dev/reference/events/app_mention (event wrapper and event structure)
    return mention_event(CHANNEL, HUMAN, text, ts or fake.add_user_message(CHANNEL, text, HUMAN))


def _edited(fake: FakeSlack, event: dict[str, Any], text: str) -> dict[str, Any]:
    """An edit of a mention reaches the app as a fresh `app_mention` for the same message `ts`, with a
    new event id and an `edited` object ({"user", "ts"}: who edited, when) — @slack/types AppMentionEvent."""
    edit_ts = fake.next_ts()
    return {**event, "text": text, "edited": {"user": HUMAN, "ts": edit_ts}, "event_ts": edit_ts}


def _file(name: str = "chart.png") -> dict[str, Any]:
    # A `files` entry as in bolt-python tests/scenario_tests/test_message_file_share.py (trimmed).
    return {
        "id": "F0FILE001",
        "created": 1652227642,
        "timestamp": 1652227642,
        "name": name,
        "title": name,
        "mimetype": "image/png",
        "filetype": "png",
        "pretty_type": "PNG",
        "user": HUMAN,
        "size": 92582,
        "mode": "hosted",
        "is_external": False,
        "is_public": False,
        "url_private": f"https://files.slack.com/files-pri/T111-F111/{name}",
        "url_private_download": f"https://files.slack.com/files-pri/T111-F111/download/{name}",
        "permalink": f"https://xxx.slack.com/files/U111/F111/{name}",
    }


def _file_share(fake: FakeSlack, channel: str, text: str, thread_ts: str | None = None) -> dict[str, Any]:
    # The `message` / `file_share` event of bolt-python's test_message_file_share.py, in a DM (channel_type im).
    ts = fake.add_user_message(channel, text, HUMAN, thread_ts)
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "file_share",
        "text": text,
        "files": [_file()],
        "upload": False,
        "user": HUMAN,
        "display_as_bot": False,
        "ts": ts,
        "client_msg_id": "ca088267-717f-41a8-9db8-c98ae14ad6a0",
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = HUMAN
    return event


def _api_calls(fake: FakeSlack) -> list[tuple[str, dict[str, Any]]]:
    return [(c.method, c.args) for c in fake.calls if c.method != "auth.test"]


def _context_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]


# --- 1. an edited mention -------------------------------------------------------------------------


def test_edited_mention_updates_its_answer_in_place_and_never_answers_twice(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    original = _mention_event(fake_slack, f"<@{BOT_USER}> {QUESTION}")
    ts = original["ts"]
    assert post_event(bot.url, event_body(original)).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, ts)) == 1)
    first = copy.deepcopy(answers_in(fake_slack, ts)[0])  # the fake edits its messages in place

    same = _edited(fake_slack, original, f"<@{BOT_USER}>  {QUESTION} ")  # only whitespace changed
    assert post_event(bot.url, event_body(same)).status_code == 200
    bot.listeners.wait_idle()
    calls_before_edit = len(fake_slack.calls)
    assert [m for m, _ in _api_calls(fake_slack)] == ["chat.postMessage", "chat.update"]

    changed = _edited(fake_slack, original, f"<@{BOT_USER}> What did Churkin say about arming the opposition?")
    assert post_event(bot.url, event_body(changed)).status_code == 200
    fake_slack.wait_for_calls("chat.update", 3)
    bot.listeners.wait_idle()

    edit_calls = [(c.method, c.args) for c in fake_slack.calls[calls_before_edit:]]
    assert [m for m, _ in edit_calls] == ["chat.update", "chat.update"]
    assert all(args["ts"] == first["ts"] and args["channel"] == CHANNEL for _, args in edit_calls)
    assert edit_calls[0][1]["text"] == SEARCHING
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # still one reply in the thread
    (updated,) = answers_in(fake_slack, ts)
    assert updated["ts"] == first["ts"]
    old_id = first["blocks"][-1]["elements"][0]["value"]
    assert updated["blocks"][-1]["elements"][0]["value"] != old_id  # a new answer, to the new question


def test_edit_retried_by_slack_updates_once(bot: RunningApp, fake_slack: FakeSlack) -> None:
    original = _mention_event(fake_slack, f"<@{BOT_USER}> {QUESTION}")
    post_event(bot.url, event_body(original))
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, original["ts"])) == 1)
    edit = event_body(_edited(fake_slack, original, f"<@{BOT_USER}> What did Churkin say about Assad?"))
    post_event(bot.url, edit)
    post_event(bot.url, edit, retry=1)
    bot.listeners.wait_idle()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.calls_to("chat.update")) == 3  # first answer; the edit's "Searching…" and answer


# --- 2. a canvas mention --------------------------------------------------------------------------


def test_canvas_mention_is_ignored_silently(bot: RunningApp, fake_slack: FakeSlack) -> None:
    # https://docs.slack.dev/reference/events/message/document_mention
    ts = fake_slack.next_ts()
    event = {
        "user": HUMAN,
        "subtype": "document_mention",
        "document_mention": {
            "file_id": "F123ABCDEFG",
            "section_id": "temp:C:GQL71204e5bd23942c79f0a22a51",
            "mentioning_user_ids": [HUMAN],
        },
        "type": "app_mention",
        "ts": ts,
        "text": f"<@{BOT_USER}> was mentioned in a canvas",
        "team": TEAM,
        "blocks": [
            {
                "type": "section",
                "block_id": "gcn3v",
                "text": {"type": "mrkdwn", "text": f"&gt;&gt;&gt;Hey <@{BOT_USER}>", "verbatim": False},
            }
        ],
        "channel": CHANNEL,
        "event_ts": ts,
    }
    assert post_event(bot.url, event_body(event)).status_code == 200
    bot.listeners.wait_idle()
    assert bot.listeners.finished == 1
    assert _api_calls(fake_slack) == []


# --- 3. files attached ----------------------------------------------------------------------------


def test_dm_question_with_a_file_is_answered_saying_the_file_was_not_read(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    assert post_event(bot.url, event_body(_file_share(fake_slack, DM, QUESTION))).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.final_answers(DM)) == 1)
    (answer,) = fake_slack.final_answers(DM)
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert any(ATTACHMENTS_NOT_READ in text for text in _context_texts(answer["blocks"]))


def test_dm_file_without_text_asks_for_a_typed_question(bot: RunningApp, fake_slack: FakeSlack) -> None:
    assert post_event(bot.url, event_body(_file_share(fake_slack, DM, ""))).status_code == 200
    fake_slack.wait_for_calls("chat.postMessage")
    bot.listeners.wait_idle()
    assert [(m, a["text"]) for m, a in _api_calls(fake_slack)] == [("chat.postMessage", ATTACHMENT_ONLY)]


def test_assistant_thread_question_with_a_file_is_answered(bot: RunningApp, fake_slack: FakeSlack) -> None:
    # bolt-python tests/scenario_tests/test_events_assistant.py: a user message in an assistant thread
    # is a DM message with thread_ts; with a file it has subtype file_share (Bolt routes it to user_message).
    channel, thread_ts = "D0ASSIST9", fake_slack.next_ts()
    event = _file_share(fake_slack, channel, QUESTION, thread_ts=thread_ts)
    assert post_event(bot.url, event_body(event)).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, thread_ts, channel)) == 1)
    (answer,) = answers_in(fake_slack, thread_ts, channel)
    assert any(ATTACHMENTS_NOT_READ in text for text in _context_texts(answer["blocks"]))
    assert fake_slack.calls_to("assistant.threads.setStatus")[0].args["status"] == SEARCHING


# --- 4. /newsdesk wire text and one message per question ------------------------------------------


def test_slash_question_is_cleaned_like_a_message_and_leaves_one_channel_message(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    # Slash command text arrives HTML-escaped, with "Escape channels, users, and links" mentions as
    # <@U…|name>, <#C…|name> and links as <url|label> (bolt-python tests/scenario_tests/test_slash_command.py
    # carries the form fields; https://docs.slack.dev/interactivity/implementing-slash-commands for the text).
    wire = (
        "What did Churkin say about sanctions &amp; <https://example.com/un|the UN>? "
        "cc <@U0ANA0001|ana> in <#C0GEN0001|general>"
    )
    ack = post_form(bot.url, _command(fake_slack, wire))
    assert ack.status_code == 200
    assert ack.json()["response_type"] == "ephemeral"
    fake_slack.wait_for(lambda: len(_responses(fake_slack)) >= 1)
    bot.listeners.wait_idle()
    (answer,) = _responses(fake_slack)
    assert answer["response_type"] == "in_channel" and answer["replace_original"] is False
    question_line = answer["blocks"][0]["text"]["text"]
    assert question_line == "*Q:* What did Churkin say about sanctions &amp; the UN? cc ana in #general"
    everything = json.dumps([ack.json(), *_responses(fake_slack)])
    for wire_only in ("&amp;amp;", "<@U0ANA0001", "<#C0GEN0001", "<https://example.com/un"):
        assert wire_only not in everything


# --- 5. events the bot does not handle ------------------------------------------------------------

UNHANDLED_EVENTS: list[dict[str, Any]] = [
    # https://docs.slack.dev/reference/events/reaction_added
    {
        "type": "reaction_added",
        "user": HUMAN,
        "reaction": "thumbsup",
        "item_user": "U222222222",
        "item": {"type": "message", "channel": CHANNEL, "ts": "1360782400.498405", "channel_type": "channel"},
        "event_ts": "1360782804.083113",
    },
    # https://docs.slack.dev/reference/events/member_joined_channel
    {
        "type": "member_joined_channel",
        "user": "W123ABC456",
        "channel": CHANNEL,
        "channel_type": "C",
        "team": TEAM,
        "inviter": "U123456789",
        "event_ts": "1360782804.083114",
    },
    # https://docs.slack.dev/reference/events/app_home_opened
    {
        "type": "app_home_opened",
        "user": HUMAN,
        "channel": "D0HOME001",
        "event_ts": "1515449522000016",
        "tab": "home",
    },
    # https://docs.slack.dev/reference/events/message/message_changed
    {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": CHANNEL,
        "channel_type": "channel",
        "ts": "1358878755.000001",
        "message": {
            "type": "message",
            "user": HUMAN,
            "text": "Hello, world!",
            "ts": "1355517523.000005",
            "edited": {"user": HUMAN, "ts": "1358878755.000001"},
        },
        "event_ts": "1358878755.000001",
    },
    # https://docs.slack.dev/reference/events/channel_created — `channel` is an object here
    {
        "type": "channel_created",
        "channel": {"id": "C024BE91L", "name": "fun", "created": 1360782804, "creator": "U024BE7LH"},
        "event_ts": "1360782804.083115",
    },
]


@pytest.mark.parametrize("event", UNHANDLED_EVENTS, ids=[e.get("subtype") or e["type"] for e in UNHANDLED_EVENTS])
def test_events_the_bot_does_not_handle_are_acked_quietly(
    bot: RunningApp, fake_slack: FakeSlack, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = post_event(bot.url, event_body(event))
        bot.listeners.wait_idle()
    assert response.status_code == 200, response.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert _api_calls(fake_slack) == []


# --- 6. questions that are too long ---------------------------------------------------------------

LONG = "What did Churkin say about sanctions " + "and the Security Council " * 100  # about 2,500 characters


def _too_long_reply(text: str) -> bool:
    """The limit is stated as the asker can act on it; the setting that changes it is for admins."""
    return (
        text.startswith("Sorry, I couldn't answer that: the question is")
        and "I can read up to 2,000" in text
        and "NEWSDESK_" not in text
    )


def test_too_long_mention_gets_a_short_reply_not_a_search(bot: RunningApp, fake_slack: FakeSlack) -> None:
    event = _mention_event(fake_slack, f"<@{BOT_USER}> {LONG}")
    post_event(bot.url, event_body(event))
    fake_slack.wait_for_calls("chat.postMessage")
    bot.listeners.wait_idle()
    ((method, args),) = _api_calls(fake_slack)
    assert method == "chat.postMessage" and args["thread_ts"] == event["ts"] and _too_long_reply(args["text"])


def test_too_long_dm_and_assistant_question_get_a_short_reply(bot: RunningApp, fake_slack: FakeSlack) -> None:
    ts = fake_slack.add_user_message(DM, LONG, HUMAN)
    dm = {"type": "message", "channel_type": "im", "channel": DM, "user": HUMAN, "text": LONG, "ts": ts}
    post_event(bot.url, event_body({**dm, "event_ts": ts}))
    thread_ts = fake_slack.next_ts()
    ts = fake_slack.add_user_message("D0ASSIST8", LONG, HUMAN, thread_ts)
    assistant = {**dm, "channel": "D0ASSIST8", "ts": ts, "thread_ts": thread_ts, "event_ts": ts}
    post_event(bot.url, event_body(assistant))
    fake_slack.wait_for_calls("chat.postMessage", 2)
    bot.listeners.wait_idle()
    posts = [args for method, args in _api_calls(fake_slack) if method == "chat.postMessage"]
    assert len(posts) == 2 and all(_too_long_reply(args["text"]) for args in posts)
    assert not fake_slack.calls_to("assistant.threads.setStatus")  # no "Searching…" for a refused question
    assert not fake_slack.final_answers()


def test_too_long_slash_question_is_refused_in_the_ack(bot: RunningApp, fake_slack: FakeSlack) -> None:
    ack = post_form(bot.url, _command(fake_slack, LONG))
    assert ack.json()["response_type"] == "ephemeral" and _too_long_reply(ack.json()["text"])
    bot.listeners.wait_idle()
    assert _responses(fake_slack) == []


@pytest.mark.parametrize("between", [" ", "\n", "\n\n", "\t"])
def test_slash_ingest_reads_the_urls_after_the_verb_whatever_separates_them(between: str) -> None:
    """Shift+Enter keeps a newline in a slash command's text: "ingest" may end its own line."""
    text = f"ingest{between}<https://a.example/x>\n<https://b.example/y|b.example/y>"
    sub = parse_subcommand({"text": text, "channel_id": CHANNEL, "user_id": "UADMIN01"})
    assert sub.verb == "ingest"
    assert sub.raw_rest.split() == ["<https://a.example/x>", "<https://b.example/y|b.example/y>"]
