"""Plain messages: a DM to the bot is answered in the DM; in a channel whose admins turned on
"answer without mention", a message that is a question is answered in its thread.

Threaded DM replies belong to the assistant listener (Bolt routes them there), except one
also sent to the DM (`thread_broadcast`), answered here in its thread. A DM edited into
another question has its answer replaced in place (as a mention's edit does), in a DM
thread or the assistant panel too (`register_thread_edits`); deletions and other bots'
messages are ignored. A message with files
(`file_share`) is answered from its text in a DM, saying the files were not
read. In a channel only new messages count (plain, with files, or a thread reply also
sent to the channel; not edited), a thread reply only where the bot already takes part, and never one addressed to
someone else. A channel without "answer without mention" still gets answers to
follow-up questions in a thread from whoever asked the bot there by mention. A
question that also mentions the bot arrives twice — as this `message` and as an
`app_mention` — and the per-message claim (channel + ts) lets exactly one of the
two listeners answer it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack.answering import answer_message, answer_once, question_from_message
from bot.slack.deps import SlackDeps
from bot.slack.listeners.filters import QUESTION_SUBTYPES, addressed_to_people, first_delivery, is_question
from bot.slack.threads import from_a_bot, messages_before

log = logging.getLogger(__name__)

CHANNEL_TYPES = ("channel", "group")  # message.channels (public), message.groups (private channels)


def register(app: App, deps: SlackDeps) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") in CHANNEL_TYPES:
            _channel_question(deps, event, body, client, context)
            return
        if event.get("channel_type") != "im":
            return
        message = _dm_edit(event) if event.get("subtype") == "message_changed" else event
        if message is None:
            return
        in_a_thread = _in_a_thread(message)
        # Bolt gives plain thread replies to the assistant listener; a reply also sent to the DM
        # (`thread_broadcast`) it does not, so it is answered here, in its thread.
        if in_a_thread and message.get("subtype") != "thread_broadcast":
            return
        _answer_dm(deps, message, body, client, context)


def register_thread_edits(app: App, deps: SlackDeps) -> None:
    """A question edited in a DM thread (the assistant panel's threads are DM threads), or a DM question
    that has thread replies under it, gets its answer replaced, as any DM's edit does. Bolt's assistant
    middleware acks every DM edit whose message has a `thread_ts` and drops it, so this middleware
    must be registered before the assistant: it takes those edits, acks them at once, and answers in
    the background like any listener."""

    @app.middleware
    def dm_thread_edits(
        body: dict[str, Any], next: Callable[[], BoltResponse | None], client: WebClient, context: BoltContext
    ) -> BoltResponse | None:
        event = body.get("event") or {}
        if not (
            body.get("type") == "event_callback"
            and event.get("type") == "message"
            and event.get("channel_type") == "im"
            and event.get("subtype") == "message_changed"
        ):
            return next()
        message = _dm_edit(event)
        if message is None or not message.get("thread_ts"):  # Bolt drops every DM edit with a thread_ts
            return next()
        # Bolt's own listener threads (app.listener_runner), where its listeners run after their ack.
        app.listener_runner.listener_executor.submit(_answer_dm_quietly, deps, message, body, client, context)
        return BoltResponse(status=200, body="")


def _answer_dm(
    deps: SlackDeps, message: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """A DM question, its edit, or a thread reply there: answered once, in its thread if it has one."""
    if message.get("subtype") not in QUESTION_SUBTYPES or from_a_bot(message) or not first_delivery(deps, body):
        return
    answer_once(
        deps,
        client,
        message=message,
        body=body,
        thread_ts=message.get("thread_ts") if _in_a_thread(message) else None,
        bot_user_id=context.bot_user_id,
        bot_id=context.bot_id,
    )


def _answer_dm_quietly(
    deps: SlackDeps, message: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """`_answer_dm` off Bolt's request thread, where no listener's error handler would see a failure."""
    try:
        _answer_dm(deps, message, body, client, context)
    except Exception:
        log.exception("event %s: could not answer the edited DM thread message", body.get("event_id"))


def _in_a_thread(message: dict[str, Any]) -> bool:
    return bool(message.get("thread_ts") and message.get("thread_ts") != message.get("ts"))


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
    in_a_thread = _in_a_thread(event)
    settings = deps.channel_settings(channel)
    if not (settings.answer_without_mention or in_a_thread) or not first_delivery(deps, body):
        return
    if in_a_thread:
        # Unasked, the bot joins only threads it has answered in: known from its own replies (shared by
        # replicas), so the thread replies of every channel it is in cost no call to Slack. There,
        # unless the channel answers without a mention, only the follow-up of someone who asked it in
        # this thread ("And what did he say about arming the opposition?").
        if not deps.shared.replied_in_thread(channel, str(thread_ts)):
            return
        if not settings.answer_without_mention and event.get("user") not in _askers(
            client, channel, str(thread_ts), ts, context
        ):
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
        bot_id=context.bot_id,
        channel_settings=settings,
    )


def _askers(client: WebClient, channel: str, thread_ts: str, before_ts: str, context: BoltContext) -> set[str]:
    """Who in this thread has mentioned the bot (asked it), before this message; nobody when the
    thread cannot be read."""
    try:
        messages = messages_before(client, channel, thread_ts, before_ts)
    except Exception:
        log.warning("could not read thread %s in %s; not answering in it", thread_ts, channel, exc_info=True)
        return set()
    mention = f"<@{context.bot_user_id}"
    return {str(message.get("user")) for message in messages if mention in (message.get("text") or "")}
