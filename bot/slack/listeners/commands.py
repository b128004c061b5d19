"""`/newsdesk`: a question (answered in the channel), help, sources, stats, and admin-only ingest."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.answer.speakers import quotes_by, shown_words
from bot.errors import NewsdeskError, QuestionTooLongError, StoreUnavailableError
from bot.slack.answering import UNAVAILABLE, SlackDeps, question_from_message
from bot.slack.blocks import answer_blocks, answer_fallback_text, escape, plain_blocks, source_mrkdwn

log = logging.getLogger(__name__)

HELP = (
    "*Newsdesk* answers questions about the coverage we follow, with quotes and sources.\n"
    "• `/newsdesk What did Churkin say about sanctions?` — answer in this channel\n"
    "• `/newsdesk sources` — the newest articles in the archive (only you see it)\n"
    "• `/newsdesk stats` — what the archive holds (only you see it)\n"
    "• `/newsdesk quotes Churkin sanctions` — what a person is quoted as saying, newest first (only you see it)\n"
    "• `/newsdesk ingest <url> [<url>…]` — add articles (admins only)\n"
    "You can also @mention me in a channel (I answer in the thread) or send me a DM."
)
SOURCES_SHOWN = 15
_URL = re.compile(r"<?(https?://[^\s|>]+)(?:\|[^>]*)?>?")


def register(app: App, deps: SlackDeps) -> None:
    @app.command("/newsdesk")
    def newsdesk_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        raw = (command.get("text") or "").strip()
        text = question_from_message(raw)  # Slack's wire text (&amp;, <@U…|name>, <url|label>) → what was typed
        verb, _, rest = text.partition(" ")
        verb = verb.lower()
        if not text or verb == "help":
            ack(response_type="ephemeral", text=HELP, blocks=plain_blocks(HELP))
            return
        if verb == "ingest":
            _ingest(deps, ack, respond, command, raw.partition(" ")[2])  # the raw text keeps each link's URL
            return
        if verb == "quotes" and rest:
            ack(response_type="ephemeral", text="Looking…")
            _guarded(respond, lambda: _quotes(deps, rest), ephemeral=True)
            return
        if verb in ("sources", "stats") and not rest:
            ack(response_type="ephemeral", text="Looking…")
            _guarded(respond, lambda: _sources(deps) if verb == "sources" else _stats(deps), ephemeral=True)
            return
        try:
            QuestionTooLongError.check(text, deps.settings.max_question_chars)
        except QuestionTooLongError as exc:
            ack(response_type="ephemeral", text=f"Sorry, I couldn't answer that: {escape(str(exc))}")
            return
        # Only the asker sees "Searching…"; the channel gets one message, the question with its answer.
        ack(response_type="ephemeral", text=f"Searching the coverage for: {escape(text)}")

        def answer() -> tuple[str, list[dict[str, Any]]]:
            result = deps.desk.ask(text)
            answer_id = deps.feedback.record_answer(result, command.get("user_id", ""), command.get("channel_id", ""))
            question_line = f"*Q:* {escape(text)}"
            return answer_fallback_text(result), plain_blocks(question_line) + answer_blocks(result, answer_id)

        _guarded(respond, answer, ephemeral=False)


def _guarded(respond: Respond, build: Any, ephemeral: bool) -> None:
    """Send what `build` makes through the response_url: ephemeral results replace the ephemeral
    "Looking…" ack; an in-channel answer is a new message (an ephemeral message cannot become a
    channel one), so the channel holds exactly one message per question."""
    try:
        text, blocks = build()
        if ephemeral:
            respond(response_type="ephemeral", replace_original=True, text=text, blocks=blocks)
        else:
            respond(response_type="in_channel", replace_original=False, text=text, blocks=blocks)
    except Exception as exc:
        error_id = uuid.uuid4().hex[:8]
        if isinstance(exc, StoreUnavailableError):
            message = UNAVAILABLE
        elif isinstance(exc, NewsdeskError):
            message = f"Sorry, I couldn't do that: {escape(str(exc))}"
        else:
            message = f"Sorry, something went wrong (error id {error_id}). Please try again."
        log.exception("/newsdesk failed (error %s)", error_id)
        respond(response_type="ephemeral", replace_original=True, text=message)


def _sources(deps: SlackDeps) -> tuple[str, list[dict[str, Any]]]:
    articles = deps.desk.sources()
    lines = [f"• {source_mrkdwn(a.ref)}" for a in articles[:SOURCES_SHOWN]]
    header = f"*{len(articles)} articles in the archive*" + (
        f" — the newest {SOURCES_SHOWN}:" if len(articles) > SOURCES_SHOWN else ":"
    )
    text = (
        "\n".join([header, *lines])
        if lines
        else "The archive is empty. An admin can add articles with `/newsdesk ingest <url>`."
    )
    return text, plain_blocks(text)


QUOTES_SHOWN = 10


def _quotes(deps: SlackDeps, rest: str) -> tuple[str, list[dict[str, Any]]]:
    """`quotes <speaker> [topic]`: the longest run of leading words that names a quoted person is the
    speaker, the rest is the topic ("Gordon Brown economy", "Churkin sanctions")."""
    words = rest.split()
    desk = deps.desk
    for cut in range(min(len(words), 4), 0, -1):
        if desk.speakers.match(" ".join(words[:cut])):
            speaker, topic = " ".join(words[:cut]), " ".join(words[cut:])
            break
    else:
        text = f"The coverage quotes no one called {escape(rest)}."
        return text, plain_blocks(text)
    name, found = quotes_by(
        desk.store, desk.embedder, desk.speakers, speaker, topic, idf=desk.lexical.get().idf, params=desk.speaker_params
    )
    about = f" about {escape(topic)}" if topic else ""
    if not found:
        text = f"The coverage has no remark by {escape(name)}{about}."
        return text, plain_blocks(text)
    lines = [f"*{escape(name)}*{about}: {len(found)} quote{'s' if len(found) != 1 else ''}, newest first"]
    for stored in found[:QUOTES_SHOWN]:
        lines.append(f"> {escape(shown_words(stored).strip())}\n{source_mrkdwn(stored.article)}")
    if len(found) > QUOTES_SHOWN:
        lines.append(f"…and {len(found) - QUOTES_SHOWN} more (`newsdesk quotes` on the command line lists them all)")
    text = "\n".join(lines)
    return text, plain_blocks(text)


def _stats(deps: SlackDeps) -> tuple[str, list[dict[str, Any]]]:
    stats = deps.desk.stats()
    lines = [f"*Articles:* {stats.articles}   *Chunks:* {stats.chunks}"]
    if stats.oldest:
        lines.append(f"*Dates:* {stats.oldest} to {stats.newest}")
    top = ", ".join(f"{escape(name)} ({count})" for name, count in list(stats.sources.items())[:8])
    if top:
        lines.append(f"*Sources:* {top}")
    writer = f"written by {escape(deps.settings.llm_model)}" if deps.desk.writer else "quotes (no LLM configured)"
    lines.append(f"*Answers:* {writer}")
    text = "\n".join(lines)
    return text, plain_blocks(text)


def _ingest(deps: SlackDeps, ack: Ack, respond: Respond, command: dict[str, Any], rest: str) -> None:
    user = command.get("user_id", "")
    if user not in deps.settings.admin_ids:
        ack(
            response_type="ephemeral",
            text="Sorry, only Newsdesk admins can add articles. Ask an admin to run `/newsdesk ingest`.",
        )
        return
    urls = [match.group(1) for match in _URL.finditer(rest)]
    if not urls:
        ack(response_type="ephemeral", text="Give one or more article URLs: `/newsdesk ingest https://…`")
        return
    ack(response_type="ephemeral", text=f"Ingesting {len(urls)} URL(s)…")

    def run() -> tuple[str, list[dict[str, Any]]]:
        report = deps.desk.ingestor().run(urls)
        lines = [f"*Ingest:* {escape(report.summary())}"]
        lines += [f"• added: {escape(label)}" for label in report.added]
        lines += [f"• updated: {escape(label)}" for label in report.updated]
        lines += [f"• failed: {escape(reason)}" for reason in report.failed]
        text = "\n".join(lines)
        return text, plain_blocks(text)

    _guarded(respond, run, ephemeral=True)
