"""`/newsdesk`: a question (answered in the channel), help, sources, stats, channel settings (`config`),
and admin-only ingest. In a channel with settings, everything that searches stays within the
channel's sources, and with private answers the answer replaces the asker's "Searching…" instead of
going to the channel."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.answer.speakers import quotes_by, shown_words
from bot.errors import NewsdeskError, QuestionTooLongError, StoreUnavailableError
from bot.question_filters import TypedQuestion
from bot.slack.answering import UNAVAILABLE, ask_and_record, new_error_id, question_from_message
from bot.slack.blocks import answer_blocks, answer_fallback_text, escape, plain_blocks, source_list, source_mrkdwn
from bot.slack.channel_config import (
    NOT_A_CHANNEL,
    ConfigChange,
    ConfigUsageError,
    parse_change,
    refusal,
    resolve_sources,
    settings_text,
)
from bot.slack.deps import SlackDeps
from bot.state import ChannelSettings
from bot.text import query_terms

log = logging.getLogger(__name__)

HELP = (
    "*Newsdesk* answers questions about the coverage we follow, with quotes and sources.\n"
    "• `/newsdesk What did Churkin say about sanctions?` — answer in this channel\n"
    '• `/newsdesk since:2012-05 source:"ABC News" What did Churkin say?` — only that period and source '
    "(`since:`/`until:` take YYYY-MM-DD, YYYY-MM or YYYY)\n"
    "• `/newsdesk sources` — the newest articles in the archive (only you see it)\n"
    "• `/newsdesk stats` — what the archive holds (only you see it)\n"
    "• `/newsdesk quotes Churkin sanctions` — what a person is quoted as saying, newest first (only you see it)\n"
    "• `/newsdesk ingest <url> [<url>…]` — add articles (admins only)\n"
    "• `/newsdesk config` — this channel's settings (only you see it); admins change them with "
    '`config sources "BBC Sport" "ABC News"` (or `sources all`), `config answer-without-mention on|off` '
    "(answer questions asked here without a mention) and `config private on|off` (answers only the asker sees)\n"
    "You can also @mention me in a channel (I answer in the thread) or send me a DM."
)
QUOTES_USAGE = "Whose quotes? e.g. `/newsdesk quotes Churkin` or `/newsdesk quotes Churkin sanctions`."
HELP_TOPIC_TERMS = 3  # "help with the since filter" is help; "help me find what Churkin said" a question
_COURTESIES = frozenset({"", "please", "pls", "plz", "thanks", "thank you"})
# How much each ephemeral listing shows: enough to scan in one message.
SOURCES_SHOWN = 15
QUOTES_SHOWN = 10
STATS_SOURCES_SHOWN = 8
SPEAKER_NAME_WORDS = 4  # the longest name `quotes` tries as the speaker ("Lord Browne of Madingley")
_URL = re.compile(r"<?(https?://[^\s|>]+)(?:\|[^>]*)?>?")

Reply = tuple[str, list[dict[str, Any]]]  # a reply's fallback text and its blocks


@dataclass(frozen=True)
class Subcommand:
    """`/newsdesk <verb> <rest>` as the user typed it, and who typed it where."""

    text: str  # the whole text, Slack's wire format (&amp;, <@U…|name>, <url|label>) read back as typed
    verb: str  # the first word, lower-cased
    rest: str  # the words after it
    raw_rest: str  # the words after it in Slack's wire format: `ingest` needs each link's URL, not its label
    channel_id: str
    user_id: str


def register(app: App, deps: SlackDeps) -> None:
    @app.command("/newsdesk")
    def newsdesk_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        _route(deps, ack, respond, command)


def parse_subcommand(command: dict[str, Any]) -> Subcommand:
    """Split the command's text into its verb and the rest, keeping the raw rest beside the read one."""
    raw = (command.get("text") or "").strip()
    text = question_from_message(raw)
    verb, _, rest = text.partition(" ")
    verb = verb.lower().rstrip("?!.:,")  # "sources?", "stats."
    if rest.strip(" ?!.").lower() in _COURTESIES:  # "stats please": the verb alone
        rest = ""
    return Subcommand(
        text=text,
        verb=verb,
        rest=rest,
        raw_rest=[*re.split(r"\s+", raw, maxsplit=1), ""][1],  # the verb may end its line: "ingest\n<url>\n<url>"
        channel_id=command.get("channel_id", ""),
        user_id=command.get("user_id", ""),
    )


def _route(deps: SlackDeps, ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
    """Send `/newsdesk …` to its subcommand by the first word; text that names none is a question.
    Each branch acks (Slack wants that within 3 seconds) before any slow work."""
    sub = parse_subcommand(command)
    if not sub.text or (sub.verb == "help" and len(query_terms(sub.rest)) < HELP_TOPIC_TERMS):
        ack(response_type="ephemeral", text=HELP, blocks=plain_blocks(HELP))
    elif sub.verb == "quotes" and not sub.rest:
        ack(response_type="ephemeral", text=QUOTES_USAGE)
    elif sub.verb == "ingest":
        _ingest(deps, ack, respond, command, sub.raw_rest)
    elif sub.verb == "config":
        _config(deps, ack, respond, command, sub.rest)
    elif sub.verb == "quotes" and sub.rest:
        _look_up(ack, respond, lambda: _quotes(deps, sub.rest, deps.channel_settings(sub.channel_id)))
    elif sub.verb in ("sources", "stats") and not sub.rest:
        listing = _sources if sub.verb == "sources" else _stats
        _look_up(ack, respond, lambda: listing(deps, deps.channel_settings(sub.channel_id)))
    else:
        _question(deps, ack, respond, sub)


def _look_up(ack: Ack, respond: Respond, build: Callable[[], Reply]) -> None:
    """A lookup only the asker sees: acked with "Looking…" at once, which the result replaces."""
    ack(response_type="ephemeral", text="Looking…")
    _guarded(respond, build, ephemeral=True)


def _question(deps: SlackDeps, ack: Ack, respond: Respond, sub: Subcommand) -> None:
    """Only the asker sees "Searching…"; the channel gets one message, the question with its answer
    (in a channel with private answers, the answer replaces "Searching…" for the asker alone). A
    question that cannot be searched is refused in the ack, before anything is posted."""
    try:
        QuestionTooLongError.check(sub.text, deps.settings.max_question_chars)
        scope = deps.channel_settings(sub.channel_id)
        typed = deps.read_question(sub.text, scope)  # since:/until:/source: typed, within the channel's sources
    except NewsdeskError as exc:  # too long, a bad filter, or the store down while naming sources
        ack(response_type="ephemeral", text=f"Sorry, I couldn't answer that: {escape(exc.for_asker)}")
        return
    ack(response_type="ephemeral", text=f"Searching the coverage for: {escape(sub.text)}")
    _guarded(respond, lambda: _answer(deps, sub, typed), ephemeral=scope.private_answers)


def _answer(deps: SlackDeps, sub: Subcommand, typed: TypedQuestion) -> Reply:
    """The question repeated above its answer: the channel sees what was asked, not only the reply."""
    recorded = ask_and_record(deps, typed, user_id=sub.user_id, channel=sub.channel_id)
    question_line = f"*Q:* {escape(sub.text)}"
    return (
        answer_fallback_text(recorded.answer),
        answer_blocks(recorded.answer, recorded.answer_id, lead=plain_blocks(question_line)),
    )


def _guarded(respond: Respond, build: Callable[[], Reply], ephemeral: bool) -> None:
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
        error_id = new_error_id()
        if isinstance(exc, StoreUnavailableError):
            message = UNAVAILABLE
        elif isinstance(exc, NewsdeskError):
            message = f"Sorry, I couldn't do that: {escape(exc.for_asker)}"
        else:
            message = f"Sorry, something went wrong (error id {error_id}). Please try again."
        log.exception("/newsdesk failed (error %s)", error_id)
        respond(response_type="ephemeral", replace_original=True, text=message)


def _config(deps: SlackDeps, ack: Ack, respond: Respond, command: dict[str, Any], rest: str) -> None:
    """`config` shows the channel's settings to anyone; `config <setting> <value>` changes one, for
    admins only. Every reply is ephemeral and one message: a refusal or a usage line in the ack, a
    change as "Saving…" replaced by the settings it left."""
    channel, user = command.get("channel_id", ""), command.get("user_id", "")
    admins = deps.settings.admin_ids
    if not channel or channel.startswith("D"):
        ack(response_type="ephemeral", text=NOT_A_CHANNEL)
        return
    try:
        change = parse_change(rest)
    except ConfigUsageError as exc:
        ack(response_type="ephemeral", text=str(exc))
        return
    if change is not None and user not in admins:
        ack(response_type="ephemeral", text=refusal(admins))
        return
    ack(response_type="ephemeral", text="Looking…" if change is None else "Saving…")

    def run() -> Reply:
        if change is None:
            text = settings_text(deps.shared.get_channel_settings(channel), admins)
        else:
            text = settings_text(_apply(deps, channel, user, change), admins, changed=True)
        return text, plain_blocks(text)

    _guarded(respond, run, ephemeral=True)


def _apply(deps: SlackDeps, channel: str, user: str, change: ConfigChange) -> ChannelSettings:
    """Store an admin's change; source names must name sources in the archive (any case)."""
    sources = resolve_sources(change.sources, deps.source_names()) if change.sources else change.sources
    log.info("channel %s: settings changed by %s: %s", channel, user, change)
    return deps.shared.set_channel_settings(
        channel,
        updated_by=user,
        sources=sources,
        answer_without_mention=change.answer_without_mention,
        private_answers=change.private_answers,
    )


def _allowed(scope: ChannelSettings, source: str) -> bool:
    return not scope.sources or source.casefold() in {name.casefold() for name in scope.sources}


def _sources(deps: SlackDeps, scope: ChannelSettings) -> Reply:
    articles = [a for a in deps.desk.sources() if _allowed(scope, a.ref.source)]
    lines = [f"• {source_mrkdwn(a.ref)}" for a in articles[:SOURCES_SHOWN]]
    where = f"from {escape(source_list(scope.sources))} (this channel's sources)" if scope.sources else "in the archive"
    header = f"*{len(articles)} articles {where}*" + (
        f" — the newest {SOURCES_SHOWN}:" if len(articles) > SOURCES_SHOWN else ":"
    )
    text = (
        "\n".join([header, *lines])
        if lines
        else "The archive is empty. An admin can add articles with `/newsdesk ingest <url>`."
    )
    return text, plain_blocks(text)


def _quotes(deps: SlackDeps, rest: str, scope: ChannelSettings) -> Reply:
    """`quotes <speaker> [topic]`: the longest run of leading words that names a quoted person is the
    speaker, the rest is the topic ("Gordon Brown economy", "Churkin sanctions"). In a channel with
    sources, only quotes from those."""
    words = rest.split()
    desk = deps.desk
    for cut in range(min(len(words), SPEAKER_NAME_WORDS), 0, -1):
        if desk.speakers.match(" ".join(words[:cut])):
            speaker, topic = " ".join(words[:cut]), " ".join(words[cut:])
            break
    else:
        text = f"The coverage quotes no one called {escape(rest)}."
        return text, plain_blocks(text)
    name, found = quotes_by(
        desk.store,
        desk.embedder,
        desk.speakers,
        speaker,
        topic,
        idf=desk.lexical.get().idf,
        params=desk.speaker_params,
        lexical_articles=desk.retriever.lexical_articles,
        sources=scope.sources,
    )
    found = [stored for stored in found if _allowed(scope, stored.article.source)]
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


def _stats(deps: SlackDeps, scope: ChannelSettings) -> Reply:
    stats = deps.desk.stats()
    lines = [f"*Articles:* {stats.articles}   *Chunks:* {stats.chunks}"]
    if stats.oldest:
        lines.append(f"*Dates:* {stats.oldest} to {stats.newest}")
    top = ", ".join(f"{escape(name)} ({count})" for name, count in list(stats.sources.items())[:STATS_SOURCES_SHOWN])
    if top:
        lines.append(f"*Sources:* {top}")
    writer = f"written by {escape(deps.settings.llm_model)}" if deps.desk.writer else "quotes (no LLM configured)"
    lines.append(f"*Answers:* {writer}")
    if scope.sources:
        lines.append(f"*This channel draws on:* {escape(source_list(scope.sources))}")
    text = "\n".join(lines)
    return text, plain_blocks(text)


def ingest_urls(raw: str) -> list[str]:
    """The URLs in `/newsdesk ingest`'s text as Slack sends it: bare or as `<url|label>`, with "&"
    written "&amp;" (a query string read as sent would fetch another page)."""
    return [unescape(match.group(1)) for match in _URL.finditer(raw)]


def _ingest(deps: SlackDeps, ack: Ack, respond: Respond, command: dict[str, Any], rest: str) -> None:
    user = command.get("user_id", "")
    if user not in deps.settings.admin_ids:
        ack(
            response_type="ephemeral",
            text="Sorry, only Newsdesk admins can add articles. Ask an admin to run `/newsdesk ingest`.",
        )
        return
    urls = ingest_urls(rest)
    if not urls:
        ack(response_type="ephemeral", text="Give one or more article URLs: `/newsdesk ingest https://…`")
        return
    ack(response_type="ephemeral", text=f"Ingesting {len(urls)} URL(s)…")

    def run() -> Reply:
        from ingest.pipeline import Ingestor  # spaCy and the parse worker: loaded by the first ingest, not at start

        report = Ingestor.for_desk(deps.desk).run(urls)
        lines = [f"*Ingest:* {escape(report.summary())}"]
        lines += [f"• added: {escape(label)}" for label in report.added]
        lines += [f"• updated: {escape(label)}" for label in report.updated]
        lines += [f"• failed: {escape(reason)}" for reason in report.failed]
        text = "\n".join(lines)
        return text, plain_blocks(text)

    _guarded(respond, run, ephemeral=True)
