"""Threads as real workspaces have them, through the real Bolt app: a question edited in the assistant
panel (a DM thread, whose edits Bolt's assistant middleware would drop), a follow-up sent with "Also
send to channel" (`thread_broadcast`), and a thread's history when other bots post in it or it is
longer than one page of `conversations.replies`. Payload shapes as in the events reference
(docs.slack.dev/reference/events/message/message_changed, …/message/thread_broadcast)."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk import WebClient

from bot.slack.answering import thread_history
from bot.slack.threads import PAGE_MESSAGES
from tests.conftest import CHURKIN_QUOTE
from tests.fakes.slack_api import BOT_ID, BOT_TOKEN, BOT_USER, FakeSlack, event_body, post_event, serve_slack
from tests.test_slack import CHANNEL, HUMAN, answers_in, bot, fake_slack, mention

__all__ = ["bot", "fake_slack"]

PANEL = "D0PANEL01"
ARMING = "arming the opposition"


def _thread_reply(
    fake: FakeSlack, channel: str, channel_type: str, thread_ts: str, text: str, subtype: str | None = None
) -> dict[str, Any]:
    """A person's reply in a thread, as …/events/message shows it; `thread_broadcast` for one sent with
    "Also send to channel"."""
    ts = fake.add_user_message(channel, text, HUMAN, thread_ts)
    event = {
        "type": "message",
        "channel": channel,
        "channel_type": channel_type,
        "user": HUMAN,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
    }
    return {**event, "subtype": subtype} if subtype else event


def _changed(message: dict[str, Any], new_text: str, edit_ts: str) -> dict[str, Any]:
    """`message_changed` for a message in a DM thread: the edited message nested, with its thread_ts."""
    original = {key: message[key] for key in ("type", "user", "text", "ts", "thread_ts")}
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": message["channel"],
        "channel_type": "im",
        "ts": edit_ts,
        "event_ts": edit_ts,
        "message": {**original, "text": new_text, "edited": {"user": message["user"], "ts": edit_ts}},
        "previous_message": original,
    }


def _bot_replies(fake: FakeSlack, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    return [m for m in fake.messages.get(channel, []) if m.get("bot_id") and m.get("thread_ts") == thread_ts]


def test_a_question_edited_in_the_assistant_panel_replaces_its_answer(bot: Any, fake_slack: FakeSlack) -> None:
    thread_ts = fake_slack.next_ts()
    asked = _thread_reply(fake_slack, PANEL, "im", thread_ts, "What did Churkin say about sanctions?")
    assert post_event(bot.url, event_body(asked)).status_code == 200
    fake_slack.wait_for(lambda: len(_bot_replies(fake_slack, PANEL, thread_ts)) == 1)
    bot.listeners.wait_idle()
    (first,) = _bot_replies(fake_slack, PANEL, thread_ts)
    assert CHURKIN_QUOTE in json.dumps(first["blocks"])
    first_id = first["blocks"][-1]["elements"][0]["value"]

    edited = _changed(asked, f"What did Churkin say about {ARMING}?", fake_slack.next_ts())
    assert post_event(bot.url, event_body(edited)).status_code == 200
    fake_slack.wait_for(lambda: any(call.args.get("ts") == first["ts"] for call in fake_slack.calls_to("chat.update")))
    bot.listeners.wait_idle()
    (answer,) = _bot_replies(fake_slack, PANEL, thread_ts)  # the same message, not a second reply
    assert answer["ts"] == first["ts"]
    assert answer["blocks"][-1]["elements"][0]["value"] != first_id  # answered again, for the new question
    assert ARMING in json.dumps(answer["blocks"]).replace("\\u2019", "'")

    # Another app's message edited in the thread is no question (the bot's own edits Bolt drops itself).
    calls = len(fake_slack.calls)
    other = {**answer, "channel": PANEL, "user": "UOTHERAPP", "text": "Reminder: standup"}
    theirs = _changed(other, "What did Churkin say about sanctions?", fake_slack.next_ts())
    theirs["message"]["bot_id"] = "BOTHERAPP"
    assert post_event(bot.url, event_body(theirs)).status_code == 200
    bot.listeners.wait_idle()
    assert len(fake_slack.calls) == calls


def test_an_edited_dm_question_with_replies_under_it_replaces_its_answer(bot: Any, fake_slack: FakeSlack) -> None:
    """A top-level DM question someone replied to in a thread: its edit carries `thread_ts` (== its ts),
    which Bolt's assistant middleware would drop; the answer beside it in the DM is replaced."""
    dm, text = "D0DM0099", "What did Churkin say about sanctions?"
    ts = fake_slack.add_user_message(dm, text, HUMAN)
    asked = {"type": "message", "channel_type": "im", "channel": dm, "user": HUMAN, "text": text, "ts": ts}
    assert post_event(bot.url, event_body({**asked, "event_ts": ts})).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.final_answers(dm)) == 1)
    bot.listeners.wait_idle()
    (first,) = fake_slack.final_answers(dm)
    fake_slack.add_user_message(dm, "thanks!", HUMAN, ts)  # a reply makes the question a thread's root

    edited = _changed({**asked, "thread_ts": ts}, f"What did Churkin say about {ARMING}?", fake_slack.next_ts())
    updates = len(fake_slack.calls_to("chat.update"))  # the first answer replaced its placeholder with one
    assert post_event(bot.url, event_body(edited)).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.update")) > updates)
    bot.listeners.wait_idle()
    (answer,) = fake_slack.final_answers(dm)
    assert answer["ts"] == first["ts"] and "thread_ts" not in answer  # in place, beside the question
    assert ARMING in json.dumps(answer["blocks"]).replace("\\u2019", "'")


def test_a_follow_up_also_sent_to_the_channel_is_answered_in_its_thread(bot: Any, fake_slack: FakeSlack) -> None:
    """The asker's unmentioned follow-up, sent with "Also send to channel", is a `thread_broadcast`."""
    first = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
    post_event(bot.url, first)
    root = first["event"]["ts"]
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, root)) == 1)
    bot.listeners.wait_idle()

    text = f"And what did he say about {ARMING}?"
    broadcast = _thread_reply(fake_slack, CHANNEL, "channel", root, text, "thread_broadcast")
    broadcast["root"] = {"type": "message", "user": HUMAN, "text": first["event"]["text"], "ts": root}
    assert post_event(bot.url, event_body(broadcast)).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, root)) == 2)
    bot.listeners.wait_idle()
    follow_up = answers_in(fake_slack, root)[-1]
    assert follow_up["thread_ts"] == root
    assert ARMING in json.dumps(follow_up["blocks"]).replace("\\u2019", "'")  # "he" read from the thread


def _post(fake: FakeSlack, channel: str, thread_ts: str, text: str, **who: str) -> str:
    """A message straight into the fake's thread (a person's by default; `bot_id=…` for a bot's)."""
    ts = fake.next_ts()
    fake.messages.setdefault(channel, []).append(
        {"type": "message", "user": HUMAN, **who, "text": text, "ts": ts, "thread_ts": thread_ts}
    )
    return ts


def test_thread_history_is_the_newest_turns_and_only_this_bots_answers() -> None:
    """A thread longer than a page: the follow-up's last turn is its newest question and this bot's
    answer to it, not the first page's, and a GIF another bot posts after it is nobody's answer."""
    with serve_slack() as fake:
        root = fake.add_user_message(CHANNEL, f"<@{BOT_USER}> What did Churkin say about sanctions?", HUMAN)
        _post(fake, CHANNEL, root, "Churkin said sanctions were counterproductive.", user=BOT_USER, bot_id=BOT_ID)
        for number in range(PAGE_MESSAGES + 30):
            _post(fake, CHANNEL, root, f"side chat {number}", user="UOTHER01")
        _post(fake, CHANNEL, root, f"<@{BOT_USER}> What did Lavrov say about the talks?")
        _post(fake, CHANNEL, root, "Lavrov said the talks would go on.", user=BOT_USER, bot_id=BOT_ID)
        _post(fake, CHANNEL, root, "what do you think, Ann?", user="UOTHER01")
        _post(fake, CHANNEL, root, "(giphy) shrug", user="UGIPHY01", bot_id="BGIPHY01", subtype="bot_message")
        current = _post(fake, CHANNEL, root, f"<@{BOT_USER}> and what did he say about Ukraine?")
        _post(fake, CHANNEL, root, "a later message, after the question", user="UOTHER01")

        client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
        turns = thread_history(client, CHANNEL, root, current, BOT_USER, BOT_ID)

    assert turns == [
        ("What did Churkin say about sanctions?", "Churkin said sanctions were counterproductive."),
        ("What did Lavrov say about the talks?", "Lavrov said the talks would go on."),
    ]
    assert len(fake.calls_to("conversations.replies")) == 2  # two pages, then the current message


def test_a_dm_thread_reply_also_sent_to_the_dm_is_answered_in_its_thread(bot: Any, fake_slack: FakeSlack) -> None:
    """Bolt hands plain DM thread replies to the assistant listener but not a `thread_broadcast`."""
    dm, root = "D0DM0077", fake_slack.next_ts()
    broadcast = _thread_reply(fake_slack, dm, "im", root, "What did Churkin say about sanctions?", "thread_broadcast")
    assert post_event(bot.url, event_body(broadcast)).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.final_answers(dm)) == 1)
    bot.listeners.wait_idle()
    (answer,) = fake_slack.final_answers(dm)
    assert answer["thread_ts"] == root and CHURKIN_QUOTE in json.dumps(answer["blocks"])
