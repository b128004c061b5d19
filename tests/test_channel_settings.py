"""Channel settings (`/newsdesk config`) through the real Bolt app: which sources a channel draws on,
answering questions asked without a mention, private answers; admins change them, everyone reads.

Payload shapes: the slash command form from
https://docs.slack.dev/interactivity/implementing-slash-commands (the fields Slack posts);
app_mention from https://docs.slack.dev/reference/events/app_mention; a channel message from
https://docs.slack.dev/reference/events/message.channels (example event, `channel_type: "channel"`;
message.groups is the same with `"group"`); a thread reply carries `thread_ts` and `parent_user_id`
as in https://docs.slack.dev/reference/events/message/message_replied; the click on a button in an
ephemeral message from https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
(its `container` says `is_ephemeral: true`, and there is no `message`). Ids and timestamps are the
fake's, so the fake Web API can find the messages.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.retrieve import Filters, Mode
from bot.slack.channel_config import ConfigChange, ConfigUsageError, parse_change
from bot.slack.listeners.filters import addressed_to_people, is_question
from bot.state import SharedState
from ingest.pipeline import Ingestor
from tests.conftest import CHURKIN_QUOTE, SEED_DIR
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack, event_body, post_event, post_form, serve_slack
from tests.slack_harness import RunningApp, mention_event, run_http_app, seed_with_url, slack_settings

SPORTS = "C0SPORTS1"  # the sports desk: BBC Sport only
NEWS = "C0NEWS002"  # another channel, never configured
ADMIN = "UADMIN01"  # NEWSDESK_ADMINS in slack_settings
HUMAN = "UHUMAN01"
QUESTION = "What did Churkin say about sanctions?"
SPORT_ARTICLE = """---
title: Uefa keeps its sanctions on Russian clubs
source: BBC Sport
date: 2012-06-02
url: https://sport.example.com/football/uefa-russia-sanctions
---
Uefa will keep its sanctions on Russian football clubs for the rest of the season, the governing body
said on Saturday after a meeting of its executive committee in Nyon.

"The sanctions on our clubs punish players who have done nothing wrong," said Russian Football Union
president Sergei Fursenko. Clubs had hoped the ban on European competition would be lifted before the
qualifying rounds in July.
"""
SETTINGS_HEADER = "*Newsdesk settings for this channel*"


@pytest.fixture()
def fake_slack() -> Iterator[FakeSlack]:
    with serve_slack() as fake:
        yield fake


def _desk(tmp_path: Path, fake: FakeSlack, embedder: LocalMiniLM, **extra: object) -> Newsdesk:
    """An archive of two sources: the Churkin article (ABC News) and a football one (BBC Sport)."""
    desk = Newsdesk(slack_settings(tmp_path / "data", fake, **extra), embedder)
    seed = seed_with_url(tmp_path, (SEED_DIR / "russia-syria-intervention.txt").read_text())
    sport = tmp_path / "uefa.md"
    sport.write_text(SPORT_ARTICLE)
    assert Ingestor.for_desk(desk).run([str(seed), str(sport)]).ok
    return desk


@pytest.fixture()
def bot(tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM) -> Iterator[RunningApp]:
    desk = _desk(tmp_path, fake_slack, embedder)
    with run_http_app(desk.settings, desk) as running:
        yield running


def _command(fake: FakeSlack, text: str, *, user: str = HUMAN, channel: str = SPORTS) -> dict[str, str]:
    # The form Slack posts for a slash command (docs.slack.dev/interactivity/implementing-slash-commands).
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "newsroom",
        "channel_id": channel,
        "channel_name": "sports" if channel == SPORTS else "news",
        "user_id": user,
        "user_name": "someone",
        "command": "/newsdesk",
        "text": text,
        "api_app_id": "A0TEST01",
        "is_enterprise_install": "false",
        "response_url": fake.base_url.replace("/api/", "/response/") + f"{TEAM}/{channel}/{user}",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }


def _responses(fake: FakeSlack) -> list[dict[str, Any]]:
    return [call.args for call in fake.calls_to("response_url")]


def _config(bot: RunningApp, fake: FakeSlack, words: str, *, user: str = ADMIN, channel: str = SPORTS) -> str:
    """Run `/newsdesk config <words>` and return the settings it replies with (ephemeral, replacing its ack)."""
    before = len(_responses(fake))
    ack = post_form(bot.url, _command(fake, f"config {words}".strip(), user=user, channel=channel))
    assert ack.status_code == 200 and ack.json()["response_type"] == "ephemeral"
    fake.wait_for(lambda: len(_responses(fake)) > before)
    reply = _responses(fake)[before]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is True
    return str(reply["text"])


def _mention(fake: FakeSlack, text: str, channel: str = SPORTS, thread_ts: str | None = None) -> dict[str, Any]:
    # docs.slack.dev/reference/events/app_mention
    event = mention_event(channel, HUMAN, text, fake.add_user_message(channel, text, HUMAN, thread_ts))
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_body(event)


def _channel_message(
    fake: FakeSlack,
    text: str,
    channel: str = SPORTS,
    thread_ts: str | None = None,
    ts: str | None = None,
    user: str = HUMAN,
) -> dict[str, Any]:
    # docs.slack.dev/reference/events/message.channels (example event); a reply as in message_replied.
    ts = ts or fake.add_user_message(channel, text, user, thread_ts)
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        "client_msg_id": "a9c1c2d1-2a5b-4f0e-9f51-5a2d6e3f4b11",
        "team": TEAM,
    }
    if thread_ts:
        event.update(thread_ts=thread_ts, parent_user_id=HUMAN)
    return event_body(event)


def _answers(fake: FakeSlack, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    return [m for m in fake.final_answers(channel) if m.get("thread_ts") == thread_ts]


def _context_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]


# --- reading and changing the settings ------------------------------------------------------------


def test_config_shows_the_defaults_to_anyone_privately(bot: RunningApp, fake_slack: FakeSlack) -> None:
    shown = _config(bot, fake_slack, "", user=HUMAN)
    assert shown.splitlines() == [
        SETTINGS_HEADER,
        "• Sources: every source in the archive",
        "• Answers questions asked without a mention: off",
        "• Answers only the asker sees: off",
        "_The defaults: no admin has changed them._",
        f"Admins (<@{ADMIN}>) change them with `/newsdesk config …` (see `/newsdesk help`).",
    ]
    help_text = post_form(bot.url, _command(fake_slack, "help")).json()["text"]
    assert "`/newsdesk config`" in help_text and "answer-without-mention on|off" in help_text


def test_non_admin_is_refused_privately_and_nothing_changes(bot: RunningApp, fake_slack: FakeSlack) -> None:
    refused = post_form(bot.url, _command(fake_slack, 'config sources "BBC Sport"'))
    assert refused.json() == {
        "response_type": "ephemeral",
        "text": f"Sorry, only Newsdesk admins can change this channel's settings; ask <@{ADMIN}>.",
    }
    bot.listeners.wait_idle()
    assert _responses(fake_slack) == []  # the refusal is the whole reply
    assert SharedState.open(bot.settings).get_channel_settings(SPORTS).sources == []


def test_unknown_settings_bad_values_and_unknown_sources_get_one_line(bot: RunningApp, fake_slack: FakeSlack) -> None:
    for words, start in (
        ("colour blue", "There is no setting called “colour”. Usage: `/newsdesk config` shows"),
        ("private maybe", "`private` takes on or off, e.g. `/newsdesk config private on`. Usage:"),
        ("sources", "Name the sources, e.g. `/newsdesk config sources"),
        ('sources "BBC Sport', "Quote every source name (a quote is unclosed or a name is bare). Usage:"),
    ):
        reply = post_form(bot.url, _command(fake_slack, f"config {words}", user=ADMIN)).json()
        assert reply["response_type"] == "ephemeral" and reply["text"].startswith(start), reply
        assert "\n" not in reply["text"]
    unknown = _config(bot, fake_slack, 'sources "BBC Sport" "Reuters"')
    assert unknown == (
        "Sorry, I couldn't do that: source: no source called “Reuters” in the archive (sources: ABC News, BBC Sport); "
        'quote each name, e.g. `/newsdesk config sources "BBC Sport" "ABC News"`'
    )
    assert SharedState.open(bot.settings).get_channel_settings(SPORTS).sources == []


def test_admin_limits_a_channel_to_its_sources_and_other_channels_are_unaffected(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    shown = _config(bot, fake_slack, "sources bbc sport")  # any case: stored as the archive names it
    assert f"{SETTINGS_HEADER} (updated)" in shown and "• Sources: only BBC Sport" in shown
    assert f"_Last changed by <@{ADMIN}> on " in shown

    asked = _mention(fake_slack, f"<@{BOT_USER}> {QUESTION}")
    post_event(bot.url, asked)
    elsewhere = _mention(fake_slack, f"<@{BOT_USER}> {QUESTION}", channel=NEWS)
    post_event(bot.url, elsewhere)
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, asked["event"]["ts"])) == 1)
    fake_slack.wait_for(lambda: len(_answers(fake_slack, NEWS, elsewhere["event"]["ts"])) == 1)
    (sports_answer,) = _answers(fake_slack, SPORTS, asked["event"]["ts"])
    sports_blocks = json.dumps(sports_answer["blocks"], ensure_ascii=False)
    assert CHURKIN_QUOTE not in sports_blocks and "ABC News" not in sports_blocks  # the quote index kept out too
    assert ":mag: Filters: this channel's sources (BBC Sport)" in _context_texts(sports_answer["blocks"])
    (news_answer,) = _answers(fake_slack, NEWS, elsewhere["event"]["ts"])
    assert CHURKIN_QUOTE in json.dumps(news_answer["blocks"])
    assert not any("Filters" in text for text in _context_texts(news_answer["blocks"]))

    general = _mention(fake_slack, f"<@{BOT_USER}> Why are there sanctions on Russian clubs?")
    post_event(bot.url, general)
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, general["event"]["ts"])) == 1)
    (cited,) = _answers(fake_slack, SPORTS, general["event"]["ts"])
    assert "Uefa keeps its sanctions on Russian clubs> · BBC Sport" in json.dumps(cited["blocks"], ensure_ascii=False)

    typed = _mention(fake_slack, f'<@{BOT_USER}> {QUESTION} source:"ABC News"')
    post_event(bot.url, typed)
    fake_slack.wait_for_calls("chat.postMessage", where=lambda args: args.get("thread_ts") == typed["event"]["ts"])
    bot.listeners.wait_idle()
    (refusal,) = [
        c.args for c in fake_slack.calls_to("chat.postMessage") if c.args["thread_ts"] == typed["event"]["ts"]
    ]
    assert refusal["text"] == (
        "Sorry, I couldn't answer that: source: this channel draws only on BBC Sport; "
        "name one of them or leave source: out"
    )

    before = len(_responses(fake_slack))
    post_form(bot.url, _command(fake_slack, QUESTION))  # /newsdesk in the channel is bounded the same way
    fake_slack.wait_for(lambda: any(r.get("response_type") == "in_channel" for r in _responses(fake_slack)[before:]))
    (slash,) = [r for r in _responses(fake_slack)[before:] if r.get("response_type") == "in_channel"]
    assert CHURKIN_QUOTE not in json.dumps(slash["blocks"])
    assert ":mag: Filters: this channel's sources (BBC Sport)" in _context_texts(slash["blocks"])

    assert "• Sources: every source in the archive" in _config(bot, fake_slack, "sources all")


def test_channel_sources_bound_dense_lexical_and_quote_search(
    tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM
) -> None:
    """The filter a channel's sources become is honoured by each retrieval path on its own."""
    from bot.answer.speakers import speaker_quotes

    desk = _desk(tmp_path, fake_slack, embedder)
    sport_only = Filters(sources=("BBC Sport",))
    modes: tuple[Mode, ...] = ("dense", "lexical", "hybrid")
    for mode in modes:
        found = desk.retriever.search("Churkin sanctions Russia", 10, sport_only, mode)
        assert found and {p.article.source for p in found} == {"BBC Sport"}, mode
        unbounded = desk.retriever.search("Churkin sanctions Russia", 10, Filters(), mode)
        assert "ABC News" in {p.article.source for p in unbounded}, mode
    keys = desk.speakers.match("Churkin")
    assert keys
    idf = desk.lexical.get().idf
    assert speaker_quotes(desk.store, embedder, keys, "sanctions", idf, desk.speaker_params, sport_only) == []
    assert speaker_quotes(desk.store, embedder, keys, "sanctions", idf, desk.speaker_params, Filters())


def test_nothing_in_the_period_names_no_article_outside_the_channel_sources(
    tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM
) -> None:
    desk = _desk(tmp_path, fake_slack, embedder)
    answer = desk.ask(
        "What did Russia's ambassador say about sanctions in 2010?", filters=Filters(sources=("BBC Sport",))
    )
    assert "ABC News" not in answer.text and {ref.source for ref in answer.closest} <= {"BBC Sport"}


# --- answering without a mention --------------------------------------------------------------------


def test_questions_without_a_mention_are_answered_only_where_turned_on(bot: RunningApp, fake_slack: FakeSlack) -> None:
    off = _channel_message(fake_slack, QUESTION, channel=NEWS)
    assert post_event(bot.url, off).status_code == 200
    bot.listeners.wait_idle()
    assert bot.listeners.finished >= 1 and fake_slack.calls_to("chat.postMessage") == []  # off by default

    assert "• Answers questions asked without a mention: on" in _config(bot, fake_slack, "answer-without-mention on")
    asked = _channel_message(fake_slack, "what did churkin say about sanctions")  # no "?": the first word decides
    chatter = _channel_message(fake_slack, "The sanctions story is up on the site.")
    to_someone = _channel_message(fake_slack, "<@U0EDITOR1> did you see the Uefa story?")
    edited = _channel_message(fake_slack, "Who is Fursenko?")
    edited["event"]["edited"] = {"user": HUMAN, "ts": "1700009999.000100"}
    for body in (asked, chatter, to_someone, edited):
        assert post_event(bot.url, body).status_code == 200
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, asked["event"]["ts"])) == 1)
    bot.listeners.wait_idle()
    (answer,) = _answers(fake_slack, SPORTS, asked["event"]["ts"])
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])
    threads = {c.args.get("thread_ts") for c in fake_slack.calls_to("chat.postMessage")}
    assert threads == {asked["event"]["ts"]}  # chatter, a question to a person and an edit: silence

    assert "• Answers questions asked without a mention: off" in _config(bot, fake_slack, "answer-without-mention off")
    later = _channel_message(fake_slack, "Who is Fursenko?")
    post_event(bot.url, later)
    bot.listeners.wait_idle()
    assert {c.args.get("thread_ts") for c in fake_slack.calls_to("chat.postMessage")} == threads


def test_a_mention_that_is_also_a_channel_message_is_answered_once(bot: RunningApp, fake_slack: FakeSlack) -> None:
    _config(bot, fake_slack, "answer-without-mention on")
    text = f"<@{BOT_USER}> {QUESTION}"
    mention = _mention(fake_slack, text)
    ts = mention["event"]["ts"]
    message = _channel_message(fake_slack, text, ts=ts)  # Slack sends both for one message, each its own event id
    statuses: list[int] = []
    senders = [
        threading.Thread(target=lambda b=b: statuses.append(post_event(bot.url, b).status_code))
        for b in (message, mention)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert statuses == [200, 200]
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, ts)) == 1)
    bot.listeners.wait_idle()
    assert len(_answers(fake_slack, SPORTS, ts)) == 1
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == ts]) == 1


def test_thread_replies_are_answered_only_in_threads_the_bot_is_in(bot: RunningApp, fake_slack: FakeSlack) -> None:
    _config(bot, fake_slack, "answer-without-mention on")
    people = fake_slack.add_user_message(SPORTS, "Team lunch on Friday", HUMAN)
    theirs = _channel_message(fake_slack, "Which restaurant is it?", thread_ts=people)
    post_event(bot.url, theirs)
    bot.listeners.wait_idle()
    assert fake_slack.calls_to("chat.postMessage") == []
    # Its own replies say it is not in that thread: Slack is not asked (every thread reply in every
    # channel the bot is in arrives here, and conversations.replies is rate limited).
    assert fake_slack.calls_to("conversations.replies") == []

    first = _channel_message(fake_slack, "Why are there sanctions on Russian clubs?")
    root = first["event"]["ts"]
    post_event(bot.url, first)
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, root)) == 1)
    follow = _channel_message(fake_slack, "Who is Fursenko?", thread_ts=root)
    post_event(bot.url, follow)
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, root)) == 2)


def test_follow_ups_of_whoever_asked_by_mention_are_answered_without_the_setting(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    first = _mention(fake_slack, f"<@{BOT_USER}> Why are there sanctions on Russian clubs?")
    root = first["event"]["ts"]
    post_event(bot.url, first)
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, root)) == 1)
    colleague = _channel_message(fake_slack, "Is the ban lifted in July?", thread_ts=root, user="UCOLLEAG1")
    top_level = _channel_message(fake_slack, "Who is Fursenko?")
    for body in (colleague, top_level):
        post_event(bot.url, body)
    bot.listeners.wait_idle()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # neither: the setting is off, they never asked it
    follow = _channel_message(fake_slack, "And who is Fursenko?", thread_ts=root)
    post_event(bot.url, follow)
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, root)) == 2)
    assert "Russian Football Union" in json.dumps(_answers(fake_slack, SPORTS, root)[-1]["blocks"])


def test_a_question_posted_with_a_file_is_answered_from_its_text(bot: RunningApp, fake_slack: FakeSlack) -> None:
    from bot.slack.answering import ATTACHMENTS_NOT_READ
    from tests.test_slack_payloads import _file

    _config(bot, fake_slack, "answer-without-mention on")
    body = _channel_message(fake_slack, "Who is Fursenko?")
    body["event"].update(subtype="file_share", files=[_file()], upload=False)  # message.channels, file_share
    post_event(bot.url, body)
    ts = body["event"]["ts"]
    fake_slack.wait_for(lambda: len(_answers(fake_slack, SPORTS, ts)) == 1)
    assert ATTACHMENTS_NOT_READ in json.dumps(_answers(fake_slack, SPORTS, ts)[0]["blocks"])


def test_slackbot_reminders_are_not_questions(bot: RunningApp, fake_slack: FakeSlack) -> None:
    _config(bot, fake_slack, "answer-without-mention on")
    reminder = _channel_message(fake_slack, "Reminder: what did Churkin say about sanctions?", user="USLACKBOT")
    post_event(bot.url, reminder)
    bot.listeners.wait_idle()
    assert fake_slack.calls_to("chat.postMessage") == []


# --- private answers ---------------------------------------------------------------------------------


def test_private_answers_go_to_the_asker_alone_and_can_still_be_rated(bot: RunningApp, fake_slack: FakeSlack) -> None:
    assert "• Answers only the asker sees: on" in _config(bot, fake_slack, "private on", channel=NEWS)
    asked = _mention(fake_slack, f"<@{BOT_USER}> {QUESTION}", channel=NEWS)
    post_event(bot.url, asked)
    (private,) = fake_slack.wait_for_calls("chat.postEphemeral")
    bot.listeners.wait_idle()
    args = private.args
    assert (args["channel"], args["user"], args["thread_ts"]) == (NEWS, HUMAN, asked["event"]["ts"])
    assert CHURKIN_QUOTE in json.dumps(args["blocks"])
    button = args["blocks"][-1]["elements"][0]
    assert button["action_id"] == "feedback_up"
    for public in ("chat.postMessage", "chat.update", "chat.startStream"):
        assert fake_slack.calls_to(public) == [], public  # no "Searching…", nothing the channel sees

    # docs.slack.dev/reference/interaction-payloads/block_actions-payload: a click in an ephemeral message
    click = {
        "type": "block_actions",
        "user": {"id": HUMAN, "username": "someone", "team_id": TEAM},
        "api_app_id": "A0TEST01",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000999.000100", "channel_id": NEWS, "is_ephemeral": True},
        "trigger_id": "1.2.3",
        "team": {"id": TEAM, "domain": "newsroom"},
        "channel": {"id": NEWS, "name": "news"},
        "response_url": fake_slack.base_url.replace("/api/", "/response/") + "click",
        "actions": [
            {
                "type": "button",
                "action_id": "feedback_up",
                "block_id": "newsdesk_feedback",
                "value": button["value"],
                "action_ts": "1700001000.000200",
            }
        ],
    }
    assert post_form(bot.url, {"payload": json.dumps(click)}).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postEphemeral")) == 2)
    (vote,) = SharedState.open(bot.settings).votes()
    assert (vote.vote, vote.user_id, vote.channel_id) == (1, HUMAN, NEWS)

    before = len(_responses(fake_slack))
    post_form(bot.url, _command(fake_slack, QUESTION, channel=NEWS))
    fake_slack.wait_for(lambda: len(_responses(fake_slack)) > before)
    (slash,) = _responses(fake_slack)[before:]
    assert slash["response_type"] == "ephemeral" and slash["replace_original"] is True  # replaces "Searching…"
    assert CHURKIN_QUOTE in json.dumps(slash["blocks"])


# --- the answer log, persistence ---------------------------------------------------------------------


def test_slash_command_answers_log_their_latency(bot: RunningApp, fake_slack: FakeSlack) -> None:
    post_form(bot.url, _command(fake_slack, QUESTION, channel=NEWS))
    fake_slack.wait_for(lambda: any(r.get("response_type") == "in_channel" for r in _responses(fake_slack)))
    (logged,) = SharedState.open(bot.settings).answers()
    assert logged.channel_id == NEWS and logged.latency_ms is not None and logged.latency_ms > 0


def test_settings_persist_in_postgresql_across_restarts(
    tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM, postgres_url: str
) -> None:
    desk = _desk(tmp_path, fake_slack, embedder, database_url=postgres_url)
    with run_http_app(desk.settings, desk) as first:
        _config(first, fake_slack, 'sources "BBC Sport" "abc news"')
        _config(first, fake_slack, "private on")
    with run_http_app(desk.settings, desk) as restarted:
        shown = _config(restarted, fake_slack, "", user=HUMAN)
    assert "• Sources: only BBC Sport and ABC News" in shown and "• Answers only the asker sees: on" in shown
    stored = SharedState.open(desk.settings).get_channel_settings(SPORTS)
    assert stored.sources == ["BBC Sport", "ABC News"] and stored.private_answers and stored.updated_by == ADMIN


# --- the rules, without Slack ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("What did Churkin say about sanctions?", True),
        ("what's the latest on Syria", True),
        ("Did Uefa lift the ban", True),
        ('source:"BBC Sport" who is Fursenko', True),
        ("Lunch at noon?", True),
        ("why?", False),
        ("The sanctions story is up on the site.", False),
        ("Thanks, that helps", False),
    ],
)
def test_what_counts_as_a_question(text: str, question: bool) -> None:
    assert is_question(text) is question


def test_a_message_to_someone_else_is_left_alone() -> None:
    assert addressed_to_people("<@U0EDITOR1> did you see it?", BOT_USER)
    assert addressed_to_people("<!here> who has the Uefa story?", BOT_USER)
    assert not addressed_to_people(f"<@{BOT_USER}> who has the Uefa story?", BOT_USER)


def test_config_words_parse_into_changes() -> None:
    assert parse_change("") is None
    assert parse_change('sources "BBC Sport" “ABC News”') == ConfigChange(sources=["BBC Sport", "ABC News"])
    assert parse_change("sources BBC Sport, ABC News") == ConfigChange(sources=["BBC Sport", "ABC News"])
    assert parse_change("sources ALL") == ConfigChange(sources=[])
    assert parse_change("Private ON") == ConfigChange(private_answers=True)
    assert parse_change("answer-without-mention off") == ConfigChange(answer_without_mention=False)
    with pytest.raises(ConfigUsageError):
        parse_change('sources "BBC Sport" ABC')
