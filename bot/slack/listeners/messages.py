"""Plain messages: a DM to the bot is answered in the DM; in a channel whose admins turned on
"answer without mention", a message that is a question is answered in its thread.

Threaded DM replies belong to the assistant listener (Bolt routes them there). A DM
edited into another question has its answer replaced in place (as a mention's edit
does); deletions and other bots' messages are ignored. A message with files
(`file_share`) is answered from its text in a DM, saying the files were not
read. In a channel only new messages count (plain or with files, not edited), a
thread reply only where the bot already takes part, and never one addressed to
someone else. A channel without "answer without mention" still gets answers to
follow-up questions in a thread from whoever asked the bot there by mention. A
question that also mentions the bot arrives twice — as this `message` and as an
`app_mention` — and the per-message claim (channel + ts) lets exactly one of the
two listeners answer it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answering import answer_message, answer_once, question_from_message
from bot.slack.deps import SlackDeps
from bot.slack.listeners.filters import QUESTION_SUBTYPES, addressed_to_people, first_delivery, from_a_bot, is_question

log = logging.getLogger(__name__)

CHANNEL_TYPES = ("channel", "group")  # message.channels (public), message.groups (private channels)
# Replies read to see whether the bot takes part in a thread: one page of conversations.replies, oldest first.
THREAD_SCAN_MESSAGES = 200


def register(app: App, deps: SlackDeps) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") in CHANNEL_TYPES:
            _channel_question(deps, event, body, client, context)
            return
        if event.get("channel_type") != "im":
            return
        message = _dm_edit(event) if event.get("subtype") == "message_changed" else event
        if message is None or message.get("subtype") not in QUESTION_SUBTYPES or from_a_bot(message):
            return
        if message.get("thread_ts") and message.get("thread_ts") != message.get("ts"):
            return
        if not first_delivery(deps, body):
            return
        answer_once(deps, client, message=message, body=body, thread_ts=None, bot_user_id=context.bot_user_id)


def _dm_edit(event: dict[str, Any]) -> dict[str, Any] | None:
    """The edited message of a DM `message_changed` event, in the DM's channel; None when its text is
    unchanged (Slack sends `message_changed` for a link unfurled or a file added, too)."""
    message, previous = event.get("message") or {}, event.get("previous_message") or {}
    if not message.get("ts") or message.get("text") == previous.get("text"):
        return None
    return {**message, "channel": event["channel"]}


def _channel_question(
    deps: SlackDeps, event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Answer a channel message nobody mentioned the bot in, when the channel asks for it. The cheap
    checks come first: every message in every channel the bot is in arrives here."""
    if event.get("subtype") not in QUESTION_SUBTYPES or event.get("edited") or from_a_bot(event):
        return
    text = event.get("text", "")
    question = question_from_message(text, context.bot_user_id)
    if not is_question(question) or addressed_to_people(text, context.bot_user_id):
        return
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts")
    in_a_thread = bool(thread_ts and thread_ts != ts)
    settings = deps.channel_settings(channel)
    if not (settings.answer_without_mention or in_a_thread) or not first_delivery(deps, body):
        return
    if in_a_thread:
        talking, askers = _thread_roles(client, channel, str(thread_ts), context)
        # Unasked, the bot joins only threads it is in; elsewhere only the follow-up of someone who
        # asked it in this thread ("And what did he say about arming the opposition?").
        if not talking or not (settings.answer_without_mention or event.get("user") in askers):
            return
    if deps.shared.claim_message(channel, ts, question).action != "answer":
        log.info("event %s: message %s is answered already (as a mention)", body.get("event_id"), ts)
        return
    answer_message(
        deps,
        client,
        message=event,
        body=body,
        question=question,
        thread_ts=thread_ts or ts,
        bot_user_id=context.bot_user_id,
        channel_settings=settings,
    )


def _thread_roles(client: WebClient, channel: str, thread_ts: str, context: BoltContext) -> tuple[bool, set[str]]:
    """Whether the bot has posted in this thread, and who in it has mentioned the bot (asked it)."""
    try:
        replies = client.conversations_replies(channel=channel, ts=thread_ts, limit=THREAD_SCAN_MESSAGES)
    except Exception:
        log.warning("could not read thread %s in %s; not answering in it", thread_ts, channel, exc_info=True)
        return False, set()
    messages: list[dict[str, Any]] = replies.get("messages", []) or []
    talking = any(
        message.get("user") == context.bot_user_id or (context.bot_id and message.get("bot_id") == context.bot_id)
        for message in messages
    )
    mention = f"<@{context.bot_user_id}"
    askers = {str(message.get("user")) for message in messages if mention in (message.get("text") or "")}
    return talking, askers
