"""What people send around a question in a real workspace, through the real Bolt app: a greeting
before the mention, the bot's mention with its label, a quoted line above the question, "hi" and
"thanks" in a DM, a mention inside a DM (Slack delivers it twice), a retried assistant thread
start, a vote on an answer in a conversation the bot is not in, and Slack's rate-limit notice.
Payload shapes as in the events reference (docs.slack.dev/reference/events/…)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from bot.slack import answering
from bot.slack.answering import ASK_HINT, YOU_ARE_WELCOME
from tests.conftest import CHURKIN_QUOTE
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack, event_body, post_event, post_form
from tests.slack_harness import RunningApp, dm_event, feedback_click, mention_event
from tests.test_slack import CHANNEL, HUMAN, answers_in, bot, fake_slack

__all__ = ["bot", "fake_slack"]

DM = "D0DM0042"


def _mention(fake: FakeSlack, text: str) -> dict[str, Any]:
    return mention_event(CHANNEL, HUMAN, text, fake.add_user_message(CHANNEL, text, HUMAN))


def _answer_text(fake: FakeSlack, ts: str) -> str:
    fake.wait_for(lambda: len(answers_in(fake, ts)) == 1)
    return json.dumps(answers_in(fake, ts)[0]["blocks"])


def test_a_greeting_around_the_mention_is_not_part_of_the_question(bot: RunningApp, fake_slack: FakeSlack) -> None:
    """ "Hi @Newsdesk, what did …" was read as "Hi , what did …" and answered "no remark by Vitaly
    Churkin about Hi sanctions"."""
    event = _mention(fake_slack, f"Hi <@{BOT_USER}>, what did Churkin say about sanctions? thanks :pray:")
    assert post_event(bot.url, event_body(event)).status_code == 200
    assert CHURKIN_QUOTE in _answer_text(fake_slack, event["ts"])


def test_the_bots_own_labelled_mention_and_a_quoted_line_are_not_the_question(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    text = f"&gt; colleague pasted this line\n<@{BOT_USER}|newsdesk> What did Churkin say about sanctions?"
    event = _mention(fake_slack, text)
    assert post_event(bot.url, event_body(event)).status_code == 200
    assert CHURKIN_QUOTE in _answer_text(fake_slack, event["ts"])


def test_a_bold_name_and_a_struck_out_one_are_read_as_typed(bot: RunningApp, fake_slack: FakeSlack) -> None:
    """ "What did *Churkin* say …" kept its asterisks, and the speaker reader saw no name: the answer
    was a passage about Russia, not his quote."""
    event = _mention(fake_slack, f"<@{BOT_USER}> What did ~Lavrov~ *Churkin* say about _sanctions_?")
    assert post_event(bot.url, event_body(event)).status_code == 200
    assert CHURKIN_QUOTE in _answer_text(fake_slack, event["ts"])


def test_hi_and_thanks_in_a_dm_get_a_reply_not_a_search(bot: RunningApp, fake_slack: FakeSlack) -> None:
    for text, reply in (("hi", ASK_HINT), (":wave:", ASK_HINT), ("thanks!", YOU_ARE_WELCOME)):
        before = len(fake_slack.calls_to("chat.postMessage"))
        event = dm_event(DM, HUMAN, text, fake_slack.add_user_message(DM, text, HUMAN))
        assert post_event(bot.url, event_body(event)).status_code == 200
        fake_slack.wait_for(lambda b=before: len(fake_slack.calls_to("chat.postMessage")) == b + 1)  # type: ignore[misc]
        bot.listeners.wait_idle()
        assert fake_slack.calls_to("chat.postMessage")[-1].args["text"] == reply
    assert not fake_slack.calls_to("chat.update")  # no "Searching…" replaced by an answer


def test_a_mention_in_a_dm_is_answered_once(bot: RunningApp, fake_slack: FakeSlack) -> None:
    """Slack sends a DM that mentions the bot as `app_mention` and as `message.im`, with different
    event ids; whichever comes first, one answer."""
    text = f"<@{BOT_USER}> What did Churkin say about sanctions?"
    ts = fake_slack.add_user_message(DM, text, HUMAN)
    mention = {**mention_event(DM, HUMAN, text, ts)}
    assert post_event(bot.url, event_body(mention)).status_code == 200
    assert post_event(bot.url, event_body(dm_event(DM, HUMAN, text, ts))).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.final_answers(DM)) >= 1)
    bot.listeners.wait_idle()
    (answer,) = fake_slack.final_answers(DM)
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])


def test_a_retried_assistant_thread_start_greets_once(bot: RunningApp, fake_slack: FakeSlack) -> None:
    thread_ts = fake_slack.next_ts()
    started = {
        "type": "assistant_thread_started",
        "event_ts": thread_ts,
        "assistant_thread": {
            "user_id": HUMAN,
            "context": {"channel_id": CHANNEL, "team_id": TEAM, "enterprise_id": None},
            "channel_id": "D0ASSIST7",
            "thread_ts": thread_ts,
        },
    }
    body = event_body(started)
    assert post_event(bot.url, body).status_code == 200
    assert post_event(bot.url, body, retry=1).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("assistant.threads.setSuggestedPrompts")) >= 1)
    bot.listeners.wait_idle()
    assert len(fake_slack.calls_to("assistant.threads.setSuggestedPrompts")) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    prompts = fake_slack.calls_to("assistant.threads.setSuggestedPrompts")[0].args["prompts"]
    assert prompts and all(bot.desk.ask(prompt["message"]).found for prompt in prompts)  # each one answers


def test_a_vote_where_the_bot_is_no_member_is_acknowledged_through_response_url(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    event = _mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
    post_event(bot.url, event_body(event))
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, event["ts"])) == 1)
    fake_slack.ephemeral_error = "channel_not_found"
    payload = feedback_click(fake_slack, CHANNEL, answers_in(fake_slack, event["ts"])[0], "UVOTER01", 0)
    assert post_form(bot.url, {"payload": json.dumps(payload)}).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("response_url")) == 1)
    (acknowledged,) = [call.args for call in fake_slack.calls_to("response_url")]
    assert "👍 was recorded" in acknowledged["text"]
    assert acknowledged["response_type"] == "ephemeral" and acknowledged["replace_original"] is False


def test_slacks_rate_limit_notice_is_acked(bot: RunningApp) -> None:
    # https://docs.slack.dev/apis/events-api/#rate-limiting
    notice = {
        "token": "legacy-unused",
        "type": "app_rate_limited",
        "team_id": TEAM,
        "minute_rate_limited": 1518467820,
        "api_app_id": "A0TEST01",
    }
    assert post_event(bot.url, notice).status_code == 200


def test_hi_in_the_assistant_panel_gets_the_hint_in_its_thread(bot: RunningApp, fake_slack: FakeSlack) -> None:
    channel, thread_ts = "D0ASSIST8", fake_slack.next_ts()
    ts = fake_slack.add_user_message(channel, "hi :wave:", HUMAN, thread_ts)
    message = {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": HUMAN,
        "text": "hi :wave:",
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
    }
    assert post_event(bot.url, event_body(message)).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 1)
    bot.listeners.wait_idle()
    (reply,) = [call.args for call in fake_slack.calls_to("chat.postMessage")]
    assert reply["text"] == ASK_HINT and reply["thread_ts"] == thread_ts
    assert not fake_slack.calls_to("assistant.threads.setStatus")  # no search was started


def _dm_changed(fake: FakeSlack, ts: str, old: str, new: str) -> dict[str, Any]:
    """A DM edit as https://docs.slack.dev/reference/events/message/message_changed shows it: the
    edited message nested under `message`, the earlier one under `previous_message`."""
    edit_ts = fake.next_ts()
    original = {"type": "message", "user": HUMAN, "text": old, "ts": ts}
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": DM,
        "channel_type": "im",
        "ts": edit_ts,
        "event_ts": edit_ts,
        "message": {**original, "text": new, "edited": {"user": HUMAN, "ts": edit_ts}},
        "previous_message": original,
    }


def test_a_dm_edited_into_a_question_is_answered_in_place_of_the_earlier_reply(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    """ "hi" gets the hint; edited into a question, the hint becomes the answer; an unfurl (the text
    unchanged) is no edit; edited into another question, the same message is answered again."""
    ts = fake_slack.add_user_message(DM, "hi", HUMAN)
    assert post_event(bot.url, event_body(dm_event(DM, HUMAN, "hi", ts))).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 1)
    bot.listeners.wait_idle()
    (hint_ts,) = [message["ts"] for message in fake_slack.messages[DM] if message["ts"] != ts]

    asked = "What did Churkin say about sanctions?"
    assert post_event(bot.url, event_body(_dm_changed(fake_slack, ts, "hi", asked))).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.final_answers(DM)) == 1)
    bot.listeners.wait_idle()
    (answer,) = fake_slack.final_answers(DM)
    assert answer["ts"] == hint_ts and CHURKIN_QUOTE in json.dumps(answer["blocks"])
    first_id = answer["blocks"][-1]["elements"][0]["value"]  # read now: the fake edits its messages in place
    calls = len(fake_slack.calls)

    assert post_event(bot.url, event_body(_dm_changed(fake_slack, ts, asked, asked))).status_code == 200
    bot.listeners.wait_idle()
    assert len(fake_slack.calls) == calls

    other = "What did Churkin say about arming the opposition?"
    assert post_event(bot.url, event_body(_dm_changed(fake_slack, ts, asked, other))).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.update")) >= 4)
    bot.listeners.wait_idle()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # every reply went into the one message
    assert {call.args["ts"] for call in fake_slack.calls_to("chat.update")} == {hint_ts}
    (again,) = fake_slack.final_answers(DM)
    assert again["blocks"][-1]["elements"][0]["value"] != first_id  # a new answer, to the new question


def test_an_edit_made_while_the_first_answer_is_written_is_not_overwritten_by_it(
    bot: RunningApp, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first question's answer is held back until the edit's answer is in the message; when it
    then finishes it must not replace it (the review of this change reproduced exactly that)."""
    first, edited = "What did Churkin say about sanctions?", "What did Churkin say about arming the opposition?"
    release, ids = threading.Event(), {}
    real = answering.ask_and_record

    def held(deps: Any, typed: Any, **kwargs: Any) -> Any:
        if typed.question == first:
            assert release.wait(60)
        recorded = real(deps, typed, **kwargs)
        ids[typed.question] = recorded.answer_id
        return recorded

    monkeypatch.setattr(answering, "ask_and_record", held)
    ts = fake_slack.add_user_message(DM, first, HUMAN)
    assert post_event(bot.url, event_body(dm_event(DM, HUMAN, first, ts))).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 1)  # "Searching…"
    assert post_event(bot.url, event_body(_dm_changed(fake_slack, ts, first, edited))).status_code == 200
    fake_slack.wait_for(lambda: edited in ids and len(fake_slack.final_answers(DM)) == 1)
    release.set()
    bot.listeners.wait_idle()
    assert set(ids) == {first, edited}  # both were answered
    (answer,) = fake_slack.final_answers(DM)
    assert answer["blocks"][-1]["elements"][0]["value"] == ids[edited]


def test_the_bots_own_edit_of_its_reply_in_a_dm_is_not_a_question(bot: RunningApp, fake_slack: FakeSlack) -> None:
    """Every chat.update the bot makes in a DM comes back as `message_changed` with its own message
    nested (`bot_id` set): answering it would edit the answer in a loop."""
    event = _dm_changed(fake_slack, fake_slack.next_ts(), "Searching the coverage…", "What did Churkin say?")
    event["message"] = {**event["message"], "user": BOT_USER, "bot_id": "BBOT0001"}
    assert post_event(bot.url, event_body(event)).status_code == 200
    bot.listeners.wait_idle()
    assert [call.method for call in fake_slack.calls if call.method != "auth.test"] == []
