"""Answering a question inside Slack: progress first, then the Block Kit answer, never silence.

Shared by every surface (mentions, DMs, the assistant panel): each gives a
channel, a thread and a question; this module shows progress, reads the
thread's earlier turns, asks the core, records the answer for feedback and
posts it — or a short apology with an error id if anything fails.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any

from slack_sdk import WebClient

from bot.answer.llm import Turn
from bot.config import Settings
from bot.core import Newsdesk
from bot.errors import NewsdeskError, QuestionTooLongError, StoreUnavailableError
from bot.feedback import FeedbackStore
from bot.slack.blocks import answer_blocks, answer_fallback_text, escape, plain_blocks

log = logging.getLogger(__name__)

SEARCHING = "Searching the coverage…"
UNAVAILABLE = "The archive is unavailable right now; please try again shortly."
ATTACHMENTS_NOT_READ = "I don't read attachments; this answer is from the text you typed."
ATTACHMENT_ONLY = "I don't read attachments. Please type your question as a message."
STREAM_UPDATE_SECONDS = 1.5
_USER_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_SPECIAL = re.compile(r"<![^>]*>")


@dataclass
class SlackDeps:
    settings: Settings
    desk: Newsdesk
    feedback: FeedbackStore


def question_from_message(text: str) -> str:
    """Slack's wire format (messages, mentions and /newsdesk text alike) → the words the user typed:
    bare mentions dropped, labelled ones (`<@U1|ana>`, `<#C1|general>`) as their names, links as
    their labels, entities (&amp; &lt; &gt;) decoded."""
    text = _USER_MENTION.sub(lambda m: f" {m.group(1)} " if m.group(1) else " ", text or "")
    text = _CHANNEL_REF.sub(lambda m: f" #{m.group(1)} " if m.group(1) else " ", text)
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(" ", text)
    return " ".join(unescape(text).split())


def thread_history(
    client: WebClient, channel: str, thread_ts: str, current_ts: str, bot_user_id: str | None
) -> list[Turn]:
    """Earlier (question, answer) pairs of a thread, for follow-up questions."""
    try:
        replies = client.conversations_replies(channel=channel, ts=thread_ts, limit=50)
    except Exception:  # history is a nicety: answer without it rather than fail
        log.warning("could not read thread %s in %s", thread_ts, channel, exc_info=True)
        return []
    turns: list[Turn] = []
    pending: str | None = None
    messages: list[dict[str, Any]] = replies.get("messages", []) or []
    for message in messages:
        if message.get("ts") == current_ts:
            break
        from_bot = bool(message.get("bot_id")) or (bot_user_id is not None and message.get("user") == bot_user_id)
        if from_bot:
            text = unescape(message.get("text") or "")
            if pending and text and text != SEARCHING:
                turns.append((pending, text))
                pending = None
        else:
            question = question_from_message(message.get("text") or "")
            pending = question or pending
    return turns


class _StreamingUpdater:
    """Edits the placeholder with the LLM's text as it arrives, at most every 1.5 s (chat.update is tier 3)."""

    def __init__(self, client: WebClient, channel: str, ts: str) -> None:
        self.client, self.channel, self.ts = client, channel, ts
        self.parts: list[str] = []
        self.last = 0.0
        self.lock = threading.Lock()

    def __call__(self, delta: str) -> None:
        with self.lock:
            self.parts.append(delta)
            now = time.monotonic()
            if now - self.last < STREAM_UPDATE_SECONDS:
                return
            self.last = now
            text = escape("".join(self.parts))[-2900:] + " …"
        try:
            self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=plain_blocks(text))
        except Exception:
            log.debug("streaming update failed", exc_info=True)


def answer_in_thread(
    deps: SlackDeps,
    client: WebClient,
    *,
    channel: str,
    thread_ts: str | None,
    question: str,
    user_id: str,
    event_id: str,
    current_ts: str = "",
    bot_user_id: str | None = None,
    set_status: Callable[[str], Any] | None = None,
    reply_ts: str | None = None,
    notes: Sequence[str] = (),
) -> None:
    """Answer `question` in `channel` (in `thread_ts` when given), or in place of the bot's earlier
    message `reply_ts` (the asker edited their question). The bot's message is remembered against
    `current_ts`, so a later edit can find it. Never raises."""
    placeholder_ts: str | None = reply_ts
    try:
        QuestionTooLongError.check(question, deps.settings.max_question_chars)
        if placeholder_ts:
            client.chat_update(
                channel=channel, ts=placeholder_ts, text=SEARCHING, blocks=plain_blocks(f"_{SEARCHING}_")
            )
        elif set_status is not None:
            set_status(SEARCHING)
        else:
            posted = client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=SEARCHING, blocks=plain_blocks(f"_{SEARCHING}_")
            )
            placeholder_ts = posted["ts"]
            _remember(deps, channel, current_ts, question, placeholder_ts)
        history = (
            thread_history(client, channel, thread_ts, current_ts, bot_user_id)
            if thread_ts and current_ts != thread_ts
            else []
        )
        on_text = _StreamingUpdater(client, channel, placeholder_ts) if placeholder_ts and deps.desk.writer else None
        answer = deps.desk.ask(question, history=history, on_text=on_text)
        answer_id = deps.feedback.record_answer(answer, user_id, channel)
        blocks = answer_blocks(answer, answer_id, notes=notes)
        text = answer_fallback_text(answer)
        log.info("event %s: answered (%s, %d sources)", event_id, answer.mode, len(answer.citations))
        if placeholder_ts:
            client.chat_update(channel=channel, ts=placeholder_ts, text=text, blocks=blocks)
        else:
            posted = client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, unfurl_links=False
            )
            _remember(deps, channel, current_ts, question, posted["ts"])
    except Exception as exc:
        apology_ts = _apologise(client, channel, thread_ts, placeholder_ts, event_id, exc)
        if apology_ts and not placeholder_ts:
            _remember(deps, channel, current_ts, question, apology_ts)


def _remember(deps: SlackDeps, channel: str, message_ts: str, question: str, reply_ts: str) -> None:
    if not message_ts:
        return
    try:
        deps.feedback.remember_reply(channel, message_ts, question, reply_ts)
    except Exception:  # an edit then gets no update; the answer itself still goes out
        log.warning("could not remember the reply to %s in %s", message_ts, channel, exc_info=True)


def attachment_notes(message: dict[str, Any]) -> list[str]:
    """The context line an answer carries when its question came with files (which are not read)."""
    return [ATTACHMENTS_NOT_READ] if message.get("files") else []


def answer_message(
    deps: SlackDeps,
    client: WebClient,
    *,
    message: dict[str, Any],
    body: dict[str, Any],
    question: str,
    thread_ts: str | None,
    bot_user_id: str | None,
    set_status: Callable[[str], Any] | None = None,
    reply_ts: str | None = None,
) -> None:
    """`answer_in_thread` for a Slack message event (mention, DM, assistant thread): one place that reads
    the event's channel, user, ts, event id and attached files. A message that is only files gets a
    short "type your question" reply."""
    if not question:
        if message.get("files"):
            client.chat_postMessage(channel=message["channel"], thread_ts=thread_ts, text=ATTACHMENT_ONLY)
        return
    answer_in_thread(
        deps,
        client,
        channel=message["channel"],
        thread_ts=thread_ts,
        question=question,
        user_id=message.get("user", ""),
        event_id=str(body.get("event_id", "")),
        current_ts=message["ts"],
        bot_user_id=bot_user_id,
        set_status=set_status,
        reply_ts=reply_ts,
        notes=attachment_notes(message),
    )


def _apologise(
    client: WebClient, channel: str, thread_ts: str | None, placeholder_ts: str | None, event_id: str, exc: Exception
) -> str | None:
    """Say sorry in the placeholder (or a new message, whose ts is returned)."""
    error_id = uuid.uuid4().hex[:8]
    if isinstance(exc, StoreUnavailableError):
        text = UNAVAILABLE
        log.warning("event %s (error %s): %s", event_id, error_id, exc)
    elif isinstance(exc, NewsdeskError):
        text = f"Sorry, I couldn't answer that: {escape(str(exc))}"
        level = logging.INFO if isinstance(exc, QuestionTooLongError) else logging.WARNING
        log.log(level, "event %s (error %s): %s", event_id, error_id, exc)
    else:
        text = f"Sorry, something went wrong while answering (error id {error_id}). Please try again."
        log.exception("event %s (error %s): answering failed", event_id, error_id)
    try:
        if placeholder_ts:
            client.chat_update(channel=channel, ts=placeholder_ts, text=text, blocks=plain_blocks(text))
        else:
            return str(client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)["ts"])
    except Exception:
        log.exception("event %s (error %s): could not even apologise", event_id, error_id)
    return None
