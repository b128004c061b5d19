"""Answering a question inside Slack: progress first, then the Block Kit answer, never silence.

Shared by every surface (mentions, channel questions, DMs, the assistant
panel): each gives a channel, a thread and a question; this module applies the
channel's settings (its sources; private answers), shows progress, reads the
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
from dataclasses import dataclass, field, replace
from html import unescape
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answer.llm import Turn
from bot.config import Settings
from bot.core import Newsdesk
from bot.errors import NewsdeskError, QuestionTooLongError, StoreUnavailableError
from bot.question_filters import FilterError, TypedQuestion, read_filters
from bot.slack.blocks import answer_blocks, answer_fallback_text, draft_markdown, escape, plain_blocks
from bot.state import ChannelSettings, SharedState

log = logging.getLogger(__name__)

SEARCHING = "Searching the coverage…"
UNAVAILABLE = "The archive is unavailable right now; please try again shortly."
ATTACHMENTS_NOT_READ = "I don't read attachments; this answer is from the text you typed."
ATTACHMENT_ONLY = "I don't read attachments. Please type your question as a message."
STREAM_UPDATE_SECONDS = 1.5
# Native streaming (chat.appendStream): text goes out once this much has gathered, or this long after
# the last append, so a fast model makes a few calls a second rather than one per token.
STREAM_APPEND_CHARS = 200
STREAM_APPEND_SECONDS = 0.5
# The draft is replaced by the checked answer anyway; past this it stops growing (Slack caps a
# message's markdown_text at 12,000 characters per call).
STREAM_DRAFT_LIMIT = 11_000
# chat.startStream errors that say nothing about whether this app may stream: retried next answer.
TRANSIENT_STREAM_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_USER_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_SPECIAL = re.compile(r"<![^>]*>")


class StreamingSupport:
    """Whether Slack lets this app stream messages (chat.startStream). Learnt from the first refusal
    (`not_allowed`, `missing_scope`, `unknown_method`, …) and kept for the life of the process, so
    later answers go straight to editing their message instead of being refused every time."""

    def __init__(self) -> None:
        self.available = True
        self._lock = threading.Lock()

    def refused(self, exc: Exception) -> None:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) and exc.response is not None else None
        if not error or error in TRANSIENT_STREAM_ERRORS:
            log.info("chat.startStream failed (%s); this answer streams by editing its message", error or exc)
            return
        with self._lock:
            if self.available:
                self.available = False
                log.warning(
                    "Slack refused chat.startStream (%s); answers stream by editing their message from now on", error
                )


class SourceNames:
    """The source names stored in the archive, for matching `source:abc news` to "ABC News"
    (retrieval compares names exactly). Read again only when the store's generation changes."""

    def __init__(self, desk: Newsdesk) -> None:
        self.desk = desk
        self.generation: str | None = None
        self.names: list[str] = []
        self._lock = threading.Lock()

    def __call__(self) -> list[str]:
        generation = self.desk.store.generation()
        with self._lock:
            if generation != self.generation:
                self.names = sorted({summary.ref.source for summary in self.desk.sources() if summary.ref.source})
                self.generation = generation
            return self.names


@dataclass
class SlackDeps:
    settings: Settings
    desk: Newsdesk
    feedback: SharedState  # event claims, answer log, votes, channel settings (shared by replicas)
    streaming: StreamingSupport = field(default_factory=StreamingSupport)
    source_names: SourceNames = field(init=False)

    def __post_init__(self) -> None:
        self.source_names = SourceNames(self.desk)

    def read_question(self, question: str, channel: ChannelSettings | None = None) -> TypedQuestion:
        """The question without its typed filters, and those filters bounded by the channel's
        sources (raises `FilterError`, also for a typed source the channel does not draw on)."""
        typed = read_filters(question, known_sources=self.source_names)
        return typed if channel is None else within_channel(typed, channel)

    def channel_settings(self, channel_id: str) -> ChannelSettings:
        """The channel's settings; a DM (the assistant panel is one too) has none: the defaults."""
        if not channel_id or channel_id.startswith("D"):
            return ChannelSettings(channel_id)
        return self.feedback.get_channel_settings(channel_id)


def source_list(names: Sequence[str]) -> str:
    """Source names as a sentence says them: `BBC Sport`, `BBC Sport and ABC News`, `A, B and C`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def within_channel(typed: TypedQuestion, channel: ChannelSettings) -> TypedQuestion:
    """The question's filters limited to the channel's sources. A typed `source:` must be one of
    them: a sports desk asking for another source gets a one-line refusal, not a silent widening."""
    if not channel.sources:
        return typed
    source = typed.filters.source
    if source is not None and source.casefold() not in {name.casefold() for name in channel.sources}:
        raise FilterError(
            f"source: this channel draws only on {source_list(channel.sources)}; name one of them or leave source: out"
        )
    return replace(typed, filters=replace(typed.filters, sources=tuple(channel.sources)))


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
            question = _without_filters(question_from_message(message.get("text") or ""))
            pending = question or pending
    return turns


def _without_filters(question: str) -> str:
    """An earlier question as the model should read it: its filters applied to that answer only."""
    try:
        return read_filters(question).question
    except FilterError:
        return question


class AnswerDraft:
    """The LLM's words shown while it writes; the checked answer replaces them when it is done.

    Slack's own streaming (chat.startStream / appendStream / stopStream) where it can be used: it
    needs a thread, and in a channel the asker's user and team ids. Otherwise — a DM's top level, an
    edited question answered in place, a workspace that refuses streaming — the placeholder is
    edited instead, at most every STREAM_UPDATE_SECONDS (chat.update is tier 3). The draft is
    never the final word: the model's text may cite passages or quote words that checking removes.
    """

    def __init__(
        self,
        client: WebClient,
        support: StreamingSupport,
        *,
        channel: str,
        thread_ts: str | None,
        placeholder_ts: str | None,
        recipient_user_id: str = "",
        recipient_team_id: str = "",
        native: bool = True,
    ) -> None:
        self.client, self.support, self.channel, self.thread_ts = client, support, channel, thread_ts
        self.placeholder_ts = placeholder_ts
        self.recipient_user_id, self.recipient_team_id = recipient_user_id or None, recipient_team_id or None
        in_dm = channel.startswith("D")
        self.native = native and thread_ts is not None and (in_dm or bool(recipient_user_id and recipient_team_id))
        self.text = ""
        self.sent = 0  # characters of `text` already streamed
        self.stream_ts: str | None = None
        self.stream_broken = False
        self.draft_ts: str | None = None  # a message posted to edit when there was no placeholder
        self.last = 0.0

    def __call__(self, delta: str) -> None:
        self.text += delta
        if (self.stream_ts is not None or (self.native and self.support.available)) and self._stream():
            return
        self.native = False
        self._edit()

    def _stream(self) -> bool:
        """Send the whole words gathered so far; False when Slack would not start a stream."""
        cut = max(self.text.rfind(" "), self.text.rfind("\n")) + 1  # a broadcast word never splits in two
        ready = self.text[self.sent : cut]
        now = time.monotonic()
        if self.stream_ts is None:
            if not ready.strip():
                return True
            try:
                started = self.client.chat_startStream(
                    channel=self.channel,
                    thread_ts=str(self.thread_ts),
                    markdown_text=draft_markdown(ready),
                    recipient_user_id=self.recipient_user_id,
                    recipient_team_id=self.recipient_team_id,
                )
            except Exception as exc:
                self.support.refused(exc)
                return False
            self.stream_ts, self.sent, self.last = str(started["ts"]), cut, now
            return True
        due = len(ready) >= STREAM_APPEND_CHARS or now - self.last >= STREAM_APPEND_SECONDS
        if ready and due and not self.stream_broken and cut <= STREAM_DRAFT_LIMIT:
            try:
                self.client.chat_appendStream(
                    channel=self.channel, ts=self.stream_ts, markdown_text=draft_markdown(ready)
                )
            except Exception:  # the checked answer still replaces the draft at the end
                log.info("chat.appendStream failed; the draft stops here", exc_info=True)
                self.stream_broken = True
            self.sent, self.last = cut, now
        return True

    def _edit(self) -> None:
        now = time.monotonic()
        if now - self.last < STREAM_UPDATE_SECONDS:
            return
        self.last = now
        text = escape(self.text)[-2900:] + " …"
        try:
            target = self.placeholder_ts or self.draft_ts
            if target:
                self.client.chat_update(channel=self.channel, ts=target, text=text, blocks=plain_blocks(text))
            else:
                posted = self.client.chat_postMessage(
                    channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=plain_blocks(text)
                )
                self.draft_ts = str(posted["ts"])
        except Exception:
            log.debug("streaming update failed", exc_info=True)

    def finish(self, text: str, blocks: list[dict[str, Any]]) -> str | None:
        """Put the checked answer where the draft was; its message ts, or None when the caller
        should put it in the placeholder (or a new message) as if nothing had been streamed."""
        if self.stream_ts is not None:
            self._stop_stream()
            try:
                self.client.chat_update(channel=self.channel, ts=self.stream_ts, text=text, blocks=blocks)
            except Exception:
                log.warning("could not replace the streamed draft; posting the checked answer instead", exc_info=True)
                self.delete(self.stream_ts)
                return None
            return self.stream_ts  # the caller deletes the placeholder once it remembers this message
        if self.draft_ts is not None:
            self.client.chat_update(channel=self.channel, ts=self.draft_ts, text=text, blocks=blocks)
            return self.draft_ts
        return None

    def abandon(self) -> str | None:
        """Answering failed: the streamed draft goes; a posted draft is returned to hold the apology."""
        if self.stream_ts is not None:
            self._stop_stream()
            self.delete(self.stream_ts)
        return self.draft_ts

    def _stop_stream(self) -> None:
        try:
            self.client.chat_stopStream(channel=self.channel, ts=str(self.stream_ts))
        except Exception:  # already stopped or expired: chat.update still replaces it
            log.info("chat.stopStream failed", exc_info=True)

    def delete(self, ts: str) -> None:
        try:
            self.client.chat_delete(channel=self.channel, ts=ts)
        except Exception:
            log.warning("could not delete message %s in %s", ts, self.channel, exc_info=True)


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
    team_id: str = "",
    channel_settings: ChannelSettings | None = None,
) -> None:
    """Answer `question` in `channel` (in `thread_ts` when given), or in place of the bot's earlier
    message `reply_ts` (the asker edited their question). Filters typed in the question and the
    channel's sources (`channel_settings`, read when not given) bound the search; a bad filter gets
    a one-line reply and no search. A channel with private answers gets `_answer_privately`. The
    bot's message is remembered against `current_ts`, so a later edit can find it. Never raises."""
    placeholder_ts: str | None = reply_ts
    draft: AnswerDraft | None = None
    try:
        scope = channel_settings or deps.channel_settings(channel)
        if scope.private_answers:
            _answer_privately(
                deps,
                client,
                channel=channel,
                thread_ts=thread_ts,
                question=question,
                user_id=user_id,
                event_id=event_id,
                current_ts=current_ts,
                bot_user_id=bot_user_id,
                notes=notes,
                scope=scope,
            )
            return
        QuestionTooLongError.check(question, deps.settings.max_question_chars)
        typed = deps.read_question(question, scope)
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
        if deps.desk.writer is not None:  # extractive answers come whole: nothing to stream
            draft = AnswerDraft(
                client,
                deps.streaming,
                channel=channel,
                thread_ts=thread_ts,
                placeholder_ts=placeholder_ts,
                recipient_user_id=user_id,
                recipient_team_id=team_id,
                native=reply_ts is None,  # an edited question is answered in its earlier message
            )
        asked = time.perf_counter()
        answer = deps.desk.ask(typed.question, filters=typed.filters, history=history, on_text=draft)
        latency_ms = round((time.perf_counter() - asked) * 1000)
        answer_id = deps.feedback.record_answer(answer, user_id, channel, latency_ms=latency_ms)
        blocks = answer_blocks(answer, answer_id, notes=notes)
        text = answer_fallback_text(answer)
        log.info("event %s: answered (%s, %d sources)", event_id, answer.mode, len(answer.citations))
        final_ts = draft.finish(text, blocks) if draft is not None else None
        if final_ts is None and placeholder_ts:
            client.chat_update(channel=channel, ts=placeholder_ts, text=text, blocks=blocks)
            final_ts = placeholder_ts
        elif final_ts is None:
            posted = client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, unfurl_links=False
            )
            final_ts = str(posted["ts"])
        if final_ts != placeholder_ts:  # the placeholder (or the edited answer) is remembered already
            _remember(deps, channel, current_ts, question, final_ts)
            if placeholder_ts and draft is not None:
                draft.delete(placeholder_ts)  # the streamed message holds the answer now
    except Exception as exc:
        if draft is not None:
            posted_draft = draft.abandon()
            placeholder_ts = placeholder_ts or posted_draft
        apology_ts = _apologise(client, channel, thread_ts, placeholder_ts, event_id, exc)
        if apology_ts and not placeholder_ts:
            _remember(deps, channel, current_ts, question, apology_ts)


def _answer_privately(
    deps: SlackDeps,
    client: WebClient,
    *,
    channel: str,
    thread_ts: str | None,
    question: str,
    user_id: str,
    event_id: str,
    current_ts: str,
    bot_user_id: str | None,
    notes: Sequence[str],
    scope: ChannelSettings,
) -> None:
    """The answer as one ephemeral message (chat.postEphemeral) that only the asker sees.

    An ephemeral message cannot be edited through chat.update nor streamed, so there is no
    "Searching…" placeholder and no draft: the checked answer is the only message. Its 👍/👎
    buttons stay: a click on an ephemeral message still reaches the app with the answer id, user
    and channel. Nothing is remembered for edits (there is no message ts to update): an edited
    question gets no second answer. Never raises."""
    try:
        QuestionTooLongError.check(question, deps.settings.max_question_chars)
        typed = deps.read_question(question, scope)
        history = (
            thread_history(client, channel, thread_ts, current_ts, bot_user_id)
            if thread_ts and current_ts != thread_ts
            else []
        )
        asked = time.perf_counter()
        answer = deps.desk.ask(typed.question, filters=typed.filters, history=history)
        latency_ms = round((time.perf_counter() - asked) * 1000)
        answer_id = deps.feedback.record_answer(answer, user_id, channel, latency_ms=latency_ms)
        client.chat_postEphemeral(
            channel=channel,
            user=user_id,
            thread_ts=thread_ts,
            text=answer_fallback_text(answer),
            blocks=answer_blocks(answer, answer_id, notes=notes),
        )
        log.info("event %s: answered privately (%s, %d sources)", event_id, answer.mode, len(answer.citations))
    except Exception as exc:
        _apologise(client, channel, thread_ts, None, event_id, exc, private_to=user_id)


def post_reply(
    client: WebClient, *, channel: str, thread_ts: str | None, text: str, private_to: str = ""
) -> str | None:
    """A short reply in the thread, or only to `private_to` (ephemeral, which has no ts to return)."""
    if private_to:
        client.chat_postEphemeral(channel=channel, user=private_to, thread_ts=thread_ts, text=text)
        return None
    return str(client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)["ts"])


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
    channel_settings: ChannelSettings | None = None,
) -> None:
    """`answer_in_thread` for a Slack message event (mention, channel question, DM, assistant thread):
    one place that reads the event's channel, user, ts, event id and attached files. A message that
    is only files gets a short "type your question" reply."""
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
        team_id=str(message.get("team") or body.get("team_id") or ""),
        channel_settings=channel_settings,
    )


def _apologise(
    client: WebClient,
    channel: str,
    thread_ts: str | None,
    placeholder_ts: str | None,
    event_id: str,
    exc: Exception,
    private_to: str = "",
) -> str | None:
    """Say sorry in the placeholder (or a new message, whose ts is returned; or only to `private_to`)."""
    error_id = uuid.uuid4().hex[:8]
    if isinstance(exc, StoreUnavailableError):
        text = UNAVAILABLE
        log.warning("event %s (error %s): %s", event_id, error_id, exc)
    elif isinstance(exc, NewsdeskError):
        text = f"Sorry, I couldn't answer that: {escape(str(exc))}"
        level = logging.INFO if isinstance(exc, (QuestionTooLongError, FilterError)) else logging.WARNING
        log.log(level, "event %s (error %s): %s", event_id, error_id, exc)
    else:
        text = f"Sorry, something went wrong while answering (error id {error_id}). Please try again."
        log.exception("event %s (error %s): answering failed", event_id, error_id)
    try:
        if placeholder_ts:
            client.chat_update(channel=channel, ts=placeholder_ts, text=text, blocks=plain_blocks(text))
        else:
            return post_reply(client, channel=channel, thread_ts=thread_ts, text=text, private_to=private_to)
    except Exception:
        log.exception("event %s (error %s): could not even apologise", event_id, error_id)
    return None
