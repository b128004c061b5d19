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
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any

from slack_sdk import WebClient

from bot.answer.llm import Turn
from bot.chatter import without_chatter
from bot.errors import NewsdeskError, QuestionTooLongError, StoreUnavailableError
from bot.models import Answer
from bot.question_filters import FilterError, TypedQuestion, read_filters
from bot.slack.blocks import answer_blocks, answer_fallback_text, draft_markdown, escape, plain_blocks
from bot.slack.deps import SlackDeps, StreamingSupport
from bot.slack.threads import by_this_bot, from_another_bot, messages_before
from bot.state import ChannelSettings
from bot.text import query_terms

log = logging.getLogger(__name__)

SEARCHING = "Searching the coverage…"
UNAVAILABLE = "The archive is unavailable right now; please try again shortly."
ATTACHMENTS_NOT_READ = "I don't read attachments; this answer is from the text you typed."
ATTACHMENT_ONLY = "I don't read attachments. Please type your question as a message."
ASK_HINT = "Ask me about the coverage, e.g. “What did Churkin say about sanctions?” — or `/newsdesk help`."
YOU_ARE_WELCOME = "You're welcome! Ask me anything else about the coverage."
_THANKS = re.compile(r"\b(thanks|thank you|thx|ty|cheers)\b|:(?:pray|\+1|thumbsup|raised_hands|heart):", re.IGNORECASE)
# Without native streaming the draft is edited into its message (chat.update, tier 3: about 50 a
# minute per workspace), at most this often.
STREAM_UPDATE_SECONDS = 1.5
# Native streaming (chat.appendStream): text goes out once this much has gathered, or this long after
# the last append, so a fast model makes a few calls a second rather than one per token.
STREAM_APPEND_CHARS = 200
STREAM_APPEND_SECONDS = 0.5
# The draft is replaced by the checked answer anyway; past this it stops growing (Slack caps a
# message's markdown_text at 12,000 characters per call).
STREAM_DRAFT_LIMIT = 11_000
# An edited draft shows its newest words, cut to fit one section (3,000 characters) with " …" after.
EDITED_DRAFT_CHARS = 2900
ERROR_ID_CHARS = 8  # enough to find one traceback in the logs, short enough to read out to an admin
MS_PER_SECOND = 1000
_USER_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")
_SLACK_LINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^|>]+)(?:\|([^>]+))?>", re.IGNORECASE)  # https:, mailto:, tel:, slack:
_SPECIAL = re.compile(r"<![^>]*>")
# Slack's mrkdwn as people type it around a question: *bold*, _italic_, `code`, ```a fenced block```,
# each marker pair hugging its words (so "2 * 3", "snake_case" and "~50" are left alone). Struck-out
# words (~Lavrov~) are a correction, left out. Slack's own <…> entities (links, mentions) and the
# insides of `code` are kept as written: "<https://bbc.co.uk/_live_/x>" is a URL, not emphasis. An
# emphasised run never holds its own marker, so a line of unclosed markers is read in linear time.
_FENCE = re.compile(r"```")
_ENTITY_OR_CODE = re.compile(r"<[^<>\n]*>|`[^`\n]+`")
_KEPT = re.compile("\x00(\\d+)\x00")
_EMPHASIS = re.compile(r"(?<![\w*_])([*_])(?=\S)((?:(?!\1)[^\n])+?)(?<=\S)\1(?![\w*_])")
_STRUCK = re.compile(r"(?<![\w~])~(?=\S)[^~\n]+?(?<=\S)~(?![\w~])")
_QUOTE_MARKS = ' "“”'
_WHO_SAID_THIS = re.compile(r"(?:so\s+)?who\s+(?:said|says|say)\s+(?:this|that|it)\b", re.IGNORECASE)


def question_from_message(text: str, bot_user_id: str | None = None) -> str:
    """Slack's wire format (messages, mentions and /newsdesk text alike) → the question the user typed:
    the bot's own mention dropped whatever its label, other labelled mentions (`<@U1|ana>`,
    `<#C1|general>`) as their names, links as their labels, entities (&amp; &lt; &gt;) decoded, quoted
    lines (`> …`, `>>> …`) left out when the message asks something of its own (else the quoted
    question is the question: "> What did Blair say about Iraq?" then "@Newsdesk any idea?"; a
    one-term question is asked about the quoted text: "what did Putin say?" above a headline), and
    the chat around the question (greetings, sign-offs, emoji: `bot.chatter`) taken off — "" when
    nothing is left."""
    text = _without_formatting(text or "")
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _USER_MENTION.sub(lambda m: f" {m.group(1)} " if m.group(1) else " ", text)
    text = _CHANNEL_REF.sub(lambda m: f" #{m.group(1)} " if m.group(1) else " ", text)
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(" ", text)
    own, quoted = _own_and_quoted(text)
    question = without_chatter(" ".join(unescape(" ".join(own)).split()))
    if len(query_terms(question)) < 2 and quoted:
        topic = without_chatter(" ".join(unescape(" ".join(quoted)).split()))
        if _WHO_SAID_THIS.match(question):  # "Who said this?" above a quote: the quote's speaker
            return f"Who said “{topic.strip(_QUOTE_MARKS)}”?"
        if not query_terms(question) or topic.endswith(("?", "？")):  # "&gt; What did Blair say…?" / "this ^"
            return topic
        # "what did Putin say?" above a quoted headline: his name and the headline's words, together
        return f"{question.rstrip(' ?？')} about {topic.rstrip(' ?？')}?"
    return question


def _without_formatting(text: str) -> str:
    """The words of a message without its mrkdwn markers: "What did *Churkin* say?" asks about
    Churkin (the bold name was no name to the speaker reader)."""
    kept: list[str] = []

    def keep(found: re.Match[str]) -> str:
        token = found.group(0)
        kept.append(token[1:-1] if token.startswith("`") else token)
        return f"\x00{len(kept) - 1}\x00"

    text = _STRUCK.sub(" ", _ENTITY_OR_CODE.sub(keep, _FENCE.sub(" ", text)))
    previous = None
    while previous != text:  # nested: *_Churkin_*
        previous, text = text, _EMPHASIS.sub(lambda found: found.group(2), text)
    return _KEPT.sub(lambda found: kept[int(found.group(1))], text)


def _own_and_quoted(text: str) -> tuple[list[str], list[str]]:
    """A message's own lines, and the lines it quotes (`> …`, or every line after `>>>`) without
    their markers."""
    own: list[str] = []
    quoted: list[str] = []
    block = False
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("&gt;&gt;&gt;"):
            block, stripped = True, stripped[len("&gt;&gt;&gt;") :]
        elif stripped.startswith("&gt;") and not block:
            quoted.append(stripped[len("&gt;") :])
            continue
        (quoted if block else own).append(stripped)
    return [line for line in own if line.strip()], [line for line in quoted if line.strip()]


def small_talk_reply(text: str) -> str:
    """The reply to a message with no question in it: thanks are acknowledged, anything else
    ("hi", an emoji, the bot's name alone) gets the hint of what to ask."""
    return YOU_ARE_WELCOME if _THANKS.search(text or "") else ASK_HINT


def thread_history(
    client: WebClient, channel: str, thread_ts: str, current_ts: str, bot_user_id: str | None, bot_id: str | None = None
) -> list[Turn]:
    """Earlier (question, answer) pairs of a thread, for follow-up questions: a person's message and
    this bot's reply to it; other bots' messages are neither."""
    try:
        messages = messages_before(client, channel, thread_ts, current_ts)
    except Exception:  # history is a nicety: answer without it rather than fail
        log.warning("could not read thread %s in %s", thread_ts, channel, exc_info=True)
        return []
    turns: list[Turn] = []
    pending: str | None = None
    for message in messages:
        if by_this_bot(message, bot_user_id, bot_id):
            text = unescape(message.get("text") or "")
            if pending and text and text != SEARCHING:
                turns.append((pending, text))
                pending = None
        elif not from_another_bot(message, bot_user_id, bot_id):
            question = _without_filters(question_from_message(message.get("text") or "", bot_user_id))
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
        text = escape(self.text)[-EDITED_DRAFT_CHARS:] + " …"
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


@dataclass(frozen=True)
class SlackQuestion:
    """One question as Slack delivered it: where the answer goes, who asked, and the notes the answer
    carries. Every step of answering needs most of it, so it travels as one value."""

    channel: str
    thread_ts: str | None
    question: str
    user_id: str
    event_id: str
    current_ts: str = ""  # the asker's message: the bot's reply is remembered against it, for edits
    bot_user_id: str | None = None
    bot_id: str | None = None  # this app's bot id (auth.test): its messages in a thread are the answers
    notes: Sequence[str] = ()
    team_id: str = ""


@dataclass
class RecordedAnswer:
    """An answer and the id it was logged under, which its 👍/👎 buttons carry back."""

    answer: Answer
    answer_id: str


@dataclass
class _Progress:
    """What the asker has been shown so far. The failure path needs it to put the apology where the
    answer would have gone: in the placeholder, or in the draft the LLM had started."""

    placeholder_ts: str | None = None
    draft: AnswerDraft | None = None


def answer_in_thread(
    deps: SlackDeps,
    client: WebClient,
    asked: SlackQuestion,
    *,
    set_status: Callable[[str], Any] | None = None,
    reply_ts: str | None = None,
    channel_settings: ChannelSettings | None = None,
) -> None:
    """Answer `asked` in its channel (in its thread when it has one), or in place of the bot's earlier
    message `reply_ts` (the asker edited their question). Filters typed in the question and the
    channel's sources (`channel_settings`, read when not given) bound the search; a bad filter gets
    a one-line reply and no search. A channel with private answers gets `_answer_privately`. The
    bot's message is remembered against `asked.current_ts`, so a later edit can find it. Never raises."""
    progress = _Progress(placeholder_ts=reply_ts)
    try:
        scope = channel_settings or deps.channel_settings(asked.channel)
        if scope.private_answers:
            _answer_privately(deps, client, asked, scope)
            return
        typed = _typed_question(deps, asked.question, scope)
        progress.placeholder_ts = _show_searching(deps, client, asked, reply_ts, set_status)
        history = _earlier_turns(client, asked)
        progress.draft = _start_draft(deps, client, asked, progress.placeholder_ts, edited=reply_ts is not None)
        recorded = ask_and_record(
            deps, typed, user_id=asked.user_id, channel=asked.channel, history=history, on_text=progress.draft
        )
        if _overtaken(deps, asked):  # the asker edited the question meanwhile: that answer goes into the message
            if progress.draft is not None:
                progress.draft.abandon()  # a streamed draft of this answer is a message of its own: it goes
            return
        _post_answer(deps, client, asked, recorded, progress)
    except Exception as exc:
        _apologise_in_thread(deps, client, asked, progress, exc)


def _overtaken(deps: SlackDeps, asked: SlackQuestion) -> bool:
    """Whether an edit has since claimed the asker's message for another question: its answer is on
    its way into the same message, and this one, finishing later, must not overwrite it."""
    if not asked.current_ts:
        return False
    try:
        current = deps.shared.current_question(asked.channel, asked.current_ts)
    except Exception:  # the state store is down: post this answer rather than none
        log.warning("could not read the question of %s in %s", asked.current_ts, asked.channel, exc_info=True)
        return False
    if current is None or current == asked.question:
        return False
    log.info("event %s: the question was edited while it was answered; the edit's answer replaces it", asked.event_id)
    return True


def _typed_question(deps: SlackDeps, question: str, scope: ChannelSettings) -> TypedQuestion:
    """Refuse a question too long to search before anything is shown or searched; then read its
    filters, bounded by the channel's sources."""
    QuestionTooLongError.check(question, deps.settings.max_question_chars)
    return deps.read_question(question, scope)


def _show_searching(
    deps: SlackDeps,
    client: WebClient,
    asked: SlackQuestion,
    reply_ts: str | None,
    set_status: Callable[[str], Any] | None,
) -> str | None:
    """Show progress before the slow part, so the asker never meets silence: the earlier answer to an
    edited question says it is searching again, the assistant panel shows a status, anywhere else a
    placeholder is posted (in the panel too when its status cannot be set) — and remembered at once,
    so an edit arriving mid-answer finds it.
    Returns the message the answer will replace, if there is one."""
    if reply_ts:
        client.chat_update(channel=asked.channel, ts=reply_ts, text=SEARCHING, blocks=plain_blocks(f"_{SEARCHING}_"))
        return reply_ts
    if set_status is not None:
        try:
            set_status(SEARCHING)
            return None
        except Exception:  # no assistant:write, or a DM thread that is not the panel's: a placeholder instead
            log.warning("could not set the assistant status in %s; posting a placeholder", asked.channel, exc_info=True)
    posted = client.chat_postMessage(
        channel=asked.channel, thread_ts=asked.thread_ts, text=SEARCHING, blocks=plain_blocks(f"_{SEARCHING}_")
    )
    placeholder_ts = str(posted["ts"])
    _remember(deps, asked, placeholder_ts)
    return placeholder_ts


def _earlier_turns(client: WebClient, asked: SlackQuestion) -> list[Turn]:
    """A message that starts its thread has no earlier turns, so Slack is not asked for them."""
    if not asked.thread_ts or asked.current_ts == asked.thread_ts:
        return []
    return thread_history(client, asked.channel, asked.thread_ts, asked.current_ts, asked.bot_user_id, asked.bot_id)


def _start_draft(
    deps: SlackDeps, client: WebClient, asked: SlackQuestion, placeholder_ts: str | None, *, edited: bool
) -> AnswerDraft | None:
    """Only an LLM writes word by word; extractive answers come whole, with nothing to stream. An
    edited question is answered in its earlier message, so it is not streamed as a new one."""
    if deps.desk.writer is None:
        return None
    return AnswerDraft(
        client,
        deps.streaming,
        channel=asked.channel,
        thread_ts=asked.thread_ts,
        placeholder_ts=placeholder_ts,
        recipient_user_id=asked.user_id,
        recipient_team_id=asked.team_id,
        native=not edited,
    )


def ask_and_record(
    deps: SlackDeps,
    typed: TypedQuestion,
    *,
    user_id: str,
    channel: str,
    history: Sequence[Turn] = (),
    on_text: Callable[[str], None] | None = None,
) -> RecordedAnswer:
    """Ask the core and log the answer before it is posted, so a vote on it can always be tied back
    to the question; the log keeps how long answering took, for studying quality later."""
    asked_at = time.perf_counter()
    answer = deps.desk.ask(typed.question, filters=typed.filters, history=history, on_text=on_text)
    latency_ms = round((time.perf_counter() - asked_at) * MS_PER_SECOND)
    answer_id = deps.shared.record_answer(answer, user_id, channel, latency_ms=latency_ms)
    return RecordedAnswer(answer, answer_id)


def _post_answer(
    deps: SlackDeps, client: WebClient, asked: SlackQuestion, recorded: RecordedAnswer, progress: _Progress
) -> None:
    """Put the checked answer in front of the asker, then tidy up: a new message is remembered for
    edits, and a placeholder the streamed answer made redundant is deleted."""
    answer = recorded.answer
    blocks = answer_blocks(answer, recorded.answer_id, notes=asked.notes)
    text = answer_fallback_text(answer)
    log.info("event %s: answered (%s, %d sources)", asked.event_id, answer.mode, len(answer.citations))
    final_ts = _final_message(client, asked, text, blocks, progress)
    if final_ts != progress.placeholder_ts:  # the placeholder (or the edited answer) is remembered already
        _remember(deps, asked, final_ts)
        if progress.placeholder_ts and progress.draft is not None:
            progress.draft.delete(progress.placeholder_ts)  # the streamed message holds the answer now


def _final_message(
    client: WebClient, asked: SlackQuestion, text: str, blocks: list[dict[str, Any]], progress: _Progress
) -> str:
    """Where the checked answer lands, and that message's ts: the draft the asker watched being
    written, else the placeholder, else (the assistant panel, which had only a status) a new message."""
    final_ts = progress.draft.finish(text, blocks) if progress.draft is not None else None
    if final_ts is not None:
        return final_ts
    if progress.placeholder_ts:
        client.chat_update(channel=asked.channel, ts=progress.placeholder_ts, text=text, blocks=blocks)
        return progress.placeholder_ts
    posted = client.chat_postMessage(
        channel=asked.channel, thread_ts=asked.thread_ts, text=text, blocks=blocks, unfurl_links=False
    )
    return str(posted["ts"])


def _apologise_in_thread(
    deps: SlackDeps, client: WebClient, asked: SlackQuestion, progress: _Progress, exc: Exception
) -> None:
    """The apology replaces whatever the asker was watching (a streamed draft is taken down first);
    an apology posted as a new message is remembered, so an edited question can still replace it."""
    placeholder_ts = progress.placeholder_ts
    if progress.draft is not None:
        posted_draft = progress.draft.abandon()  # always: a half-streamed draft must not stay up
        placeholder_ts = placeholder_ts or posted_draft
    apology_ts = _apologise(client, asked.channel, asked.thread_ts, placeholder_ts, asked.event_id, exc)
    if apology_ts and not placeholder_ts:
        _remember(deps, asked, apology_ts)


def _answer_privately(deps: SlackDeps, client: WebClient, asked: SlackQuestion, scope: ChannelSettings) -> None:
    """The answer as one ephemeral message (chat.postEphemeral) that only the asker sees.

    An ephemeral message cannot be edited through chat.update nor streamed, so there is no
    "Searching…" placeholder and no draft: the checked answer is the only message. Its 👍/👎
    buttons stay: a click on an ephemeral message still reaches the app with the answer id, user
    and channel. Nothing is remembered for edits (there is no message ts to update): an edited
    question gets no second answer. Never raises."""
    try:
        typed = _typed_question(deps, asked.question, scope)
        history = _earlier_turns(client, asked)
        recorded = ask_and_record(deps, typed, user_id=asked.user_id, channel=asked.channel, history=history)
        answer = recorded.answer
        client.chat_postEphemeral(
            channel=asked.channel,
            user=asked.user_id,
            thread_ts=asked.thread_ts,
            text=answer_fallback_text(answer),
            blocks=answer_blocks(answer, recorded.answer_id, notes=asked.notes),
        )
        log.info("event %s: answered privately (%s, %d sources)", asked.event_id, answer.mode, len(answer.citations))
    except Exception as exc:
        _apologise(client, asked.channel, asked.thread_ts, None, asked.event_id, exc, private_to=asked.user_id)


def post_reply(
    client: WebClient, *, channel: str, thread_ts: str | None, text: str, private_to: str = ""
) -> str | None:
    """A short reply in the thread, or only to `private_to` (ephemeral, which has no ts to return)."""
    if private_to:
        client.chat_postEphemeral(channel=channel, user=private_to, thread_ts=thread_ts, text=text)
        return None
    return str(client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)["ts"])


def _remember(deps: SlackDeps, asked: SlackQuestion, reply_ts: str) -> None:
    """Note which bot message answers the asker's message, so an edit of the question updates it."""
    if not asked.current_ts:
        return
    try:
        deps.shared.remember_reply(asked.channel, asked.current_ts, asked.question, reply_ts, asked.thread_ts)
    except Exception:  # an edit then gets no update; the answer itself still goes out
        log.warning("could not remember the reply to %s in %s", asked.current_ts, asked.channel, exc_info=True)


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
    bot_id: str | None = None,
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
    asked = SlackQuestion(
        channel=message["channel"],
        thread_ts=thread_ts,
        question=question,
        user_id=message.get("user", ""),
        event_id=str(body.get("event_id", "")),
        current_ts=message["ts"],
        bot_user_id=bot_user_id,
        bot_id=bot_id,
        notes=attachment_notes(message),
        team_id=str(message.get("team") or body.get("team_id") or ""),
    )
    answer_in_thread(deps, client, asked, set_status=set_status, reply_ts=reply_ts, channel_settings=channel_settings)


def answer_once(
    deps: SlackDeps,
    client: WebClient,
    *,
    message: dict[str, Any],
    body: dict[str, Any],
    thread_ts: str | None,
    bot_user_id: str | None,
    bot_id: str | None = None,
    private_to: Callable[[], str] = lambda: "",
) -> None:
    """One reply per Slack message (its channel and ts), whatever Slack sends: the first event
    answers; an edit that changes the question replaces that reply in place (a mention's edit comes
    as a new `app_mention`, a DM's as `message_changed`); a retry or an edit that leaves the question
    as it was is ignored. A message with no question gets its one-line reply under the same rule, so
    "hi" edited into a question is answered in place of the hint. `private_to` names who alone should
    see a short reply (a channel with private answers); it is read only when one is posted."""
    channel, ts = message["channel"], message["ts"]
    question = question_from_message(message.get("text", ""), bot_user_id)
    claim = deps.shared.claim_message(channel, ts, question)
    if claim.action == "ignore":
        log.info("event %s: message %s already answered for this question", body.get("event_id"), ts)
        return
    if question:
        answer_message(
            deps,
            client,
            message=message,
            body=body,
            question=question,
            thread_ts=thread_ts,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            reply_ts=claim.reply_ts,
        )
        return
    text = ATTACHMENT_ONLY if message.get("files") else small_talk_reply(message.get("text", ""))
    if claim.reply_ts:
        client.chat_update(channel=channel, ts=claim.reply_ts, text=text, blocks=plain_blocks(text))
        return
    posted_ts = post_reply(client, channel=channel, thread_ts=thread_ts, text=text, private_to=private_to())
    if posted_ts:
        deps.shared.remember_reply(channel, ts, question, posted_ts, thread_ts)


def new_error_id() -> str:
    """The id a user quotes from an apology; the same id is logged with the traceback."""
    return uuid.uuid4().hex[:ERROR_ID_CHARS]


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
    error_id = new_error_id()
    if isinstance(exc, StoreUnavailableError):
        text = UNAVAILABLE
        log.warning("event %s (error %s): %s", event_id, error_id, exc)
    elif isinstance(exc, NewsdeskError):
        text = f"Sorry, I couldn't answer that: {escape(exc.for_asker)}"
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
