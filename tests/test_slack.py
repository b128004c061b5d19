"""The real Bolt app end to end over HTTP: signed events in, Web API calls out to a recording fake."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.slack.answering import SEARCHING
from bot.state import SharedState
from ingest.pipeline import Ingestor
from tests.conftest import CHURKIN_QUOTE, SEED_DIR
from tests.fakes.openai_server import serve_openai
from tests.fakes.slack_api import (
    APP_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER,
    FakeSlack,
    event_body,
    post_event,
    post_form,
    serve_slack,
)
from tests.fakes.web import ARTICLE_HTML, serve_pages
from tests.slack_harness import (
    SEED_WITH_URL,
    RunningApp,
    feedback_click,
    run_http_app,
    seed_with_url,
    slack_settings,
    track_listeners,
)

CHANNEL = "C0NEWS001"
HUMAN = "UHUMAN01"


@pytest.fixture()
def fake_slack() -> Iterator[FakeSlack]:
    with serve_slack() as fake:
        yield fake


def _desk(tmp_path: Path, fake: FakeSlack, embedder: LocalMiniLM, **extra: object) -> Newsdesk:
    settings = slack_settings(tmp_path / "data", fake, **extra)
    desk = Newsdesk(settings, embedder)
    seed = seed_with_url(tmp_path, (SEED_DIR / "russia-syria-intervention.txt").read_text())
    assert Ingestor.for_desk(desk).run([str(seed)]).ok
    return desk


@pytest.fixture()
def bot(tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM) -> Iterator[RunningApp]:
    desk = _desk(tmp_path, fake_slack, embedder)
    with run_http_app(desk.settings, desk) as running:
        yield running


def mention(fake: FakeSlack, text: str, channel: str = CHANNEL, thread_ts: str | None = None) -> dict[str, Any]:
    ts = fake.add_user_message(channel, text, HUMAN, thread_ts)
    event = {"type": "app_mention", "user": HUMAN, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_body(event)


def answers_in(fake: FakeSlack, thread_ts: str | None, channel: str = CHANNEL) -> list[dict[str, Any]]:
    return [m for m in fake.final_answers(channel) if m.get("thread_ts") == thread_ts]


def _all_text(fake: FakeSlack) -> str:
    return json.dumps([call.args for call in fake.calls], ensure_ascii=False)


def test_mention_gets_threaded_answer_with_quote_and_source_link(bot: RunningApp, fake_slack: FakeSlack) -> None:
    body = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
    response = post_event(bot.url, body)
    assert response.status_code == 200
    ts = body["event"]["ts"]
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, ts)) == 1)
    placeholder = fake_slack.calls_to("chat.postMessage")[0].args
    assert placeholder["thread_ts"] == ts and placeholder["text"] == SEARCHING
    (answer,) = answers_in(fake_slack, ts)
    blocks = json.dumps(answer["blocks"], ensure_ascii=False)
    assert CHURKIN_QUOTE in blocks
    assert f"<{SEED_WITH_URL}|Russia digs in its heels against Syria intervention> · ABC News · 2012-05-30" in blocks
    assert [b["type"] for b in answer["blocks"]][-1] == "actions"
    assert CHURKIN_QUOTE in answer["text"]


def test_direct_message_is_answered_in_the_dm(bot: RunningApp, fake_slack: FakeSlack) -> None:
    ts = fake_slack.add_user_message("D0DM0001", "What did Churkin say about sanctions?", HUMAN)
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0DM0001",
        "user": HUMAN,
        "text": "What did Churkin say about sanctions?",
        "ts": ts,
        "event_ts": ts,
    }
    assert post_event(bot.url, event_body(event)).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.final_answers("D0DM0001")) == 1)
    (answer,) = fake_slack.final_answers("D0DM0001")
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])
    assert "thread_ts" not in answer


def test_own_and_other_bots_messages_are_ignored(bot: RunningApp, fake_slack: FakeSlack) -> None:
    for extra in (
        {"bot_id": "BOTHER01"},
        {"subtype": "bot_message", "bot_id": "BOTHER01"},
        {"user": BOT_USER, "bot_id": BOT_ID},
    ):
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": "D0DM0002",
            "user": "UOTHER01",
            "text": "What did Churkin say about sanctions?",
            "ts": fake_slack.next_ts(),
            **extra,
        }
        assert post_event(bot.url, event_body(event)).status_code == 200
    body = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say?")
    body["event"]["bot_id"] = "BOTHER01"
    assert post_event(bot.url, body).status_code == 200
    bot.listeners.wait_idle()  # every listener those events started has returned
    assert bot.listeners.finished >= 2  # the listeners did run (and chose to ignore), not just nothing at all
    assert fake_slack.calls_to("chat.postMessage") == []
    assert fake_slack.calls_to("chat.update") == []


def test_retried_event_is_answered_once(bot: RunningApp, fake_slack: FakeSlack) -> None:
    body = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
    assert post_event(bot.url, body).status_code == 200
    assert post_event(bot.url, body, retry=1).status_code == 200
    assert post_event(bot.url, body, retry=2).status_code == 200
    ts = body["event"]["ts"]
    bot.listeners.wait_idle()  # all three deliveries have been handled to the end
    assert bot.listeners.finished == 3
    assert len(answers_in(fake_slack, ts)) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_bad_signature_is_rejected_and_nothing_posted(bot: RunningApp, fake_slack: FakeSlack) -> None:
    body = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
    assert post_event(bot.url, body, secret="wrong-secret").status_code == 401
    # Bolt checks the signature before routing; a listener would have been queued before the response.
    assert bot.listeners.started == 0
    assert fake_slack.calls == []


def test_article_and_question_cannot_ping_anyone(tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM) -> None:
    desk = _desk(tmp_path, fake_slack, embedder)
    hostile = tmp_path / "notice.md"
    hostile.write_text(
        "---\ntitle: Council vote <!channel> called\nsource: <!here> Gazette\n---\n"
        "The council vote on the parking levy was called for Monday. <!channel> Everyone must vote @here now, "
        "said the council leader. <@U0BOSS01> and <!subteam^S0TEAM01> were told the parking levy vote is final.\n"
    )
    assert Ingestor.for_desk(desk).run([str(hostile)]).ok
    with run_http_app(desk.settings, desk) as running:
        body = mention(fake_slack, f"<@{BOT_USER}> What was said about the parking levy vote? <!everyone>")
        post_event(running.url, body)
        fake_slack.wait_for(lambda: len(answers_in(fake_slack, body["event"]["ts"])) == 1)
    (answer,) = answers_in(fake_slack, body["event"]["ts"])
    assert "parking levy" in json.dumps(answer["blocks"])
    posted = _all_text(fake_slack)
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS01>", "<!subteam"):
        assert ping not in posted
    assert re.search(r"@(here|channel|everyone)\b", posted) is None


def test_twenty_simultaneous_mentions_each_answered_once(bot: RunningApp, fake_slack: FakeSlack) -> None:
    bodies = [mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions? ({i})") for i in range(20)]
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda b=b: statuses.append(post_event(bot.url, b).status_code)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20
    fake_slack.wait_for(lambda: len(fake_slack.final_answers(CHANNEL)) == 20, timeout=300)
    for body in bodies:
        assert len(answers_in(fake_slack, body["event"]["ts"])) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 20


def _command(fake: FakeSlack, text: str, user: str = HUMAN) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": "T0TEST01",
        "channel_id": CHANNEL,
        "channel_name": "news",
        "user_id": user,
        "user_name": "someone",
        "command": "/newsdesk",
        "text": text,
        "api_app_id": "A0TEST01",
        "response_url": fake.base_url.replace("/api/", "/response/") + "T0TEST01/1/abc",
        "trigger_id": "1.2.3",
    }


def _responses(fake: FakeSlack) -> list[dict[str, Any]]:
    return [call.args for call in fake.calls_to("response_url")]


def test_slash_command_question_help_sources_stats(bot: RunningApp, fake_slack: FakeSlack) -> None:
    help_response = post_form(bot.url, _command(fake_slack, "help"))
    assert help_response.status_code == 200
    assert help_response.json()["response_type"] == "ephemeral" and "/newsdesk sources" in help_response.json()["text"]

    asked = post_form(bot.url, _command(fake_slack, "What did Churkin say about sanctions?"))
    assert asked.json()["response_type"] == "ephemeral"  # "Searching…" for the asker only
    fake_slack.wait_for(lambda: any(r.get("response_type") == "in_channel" for r in _responses(fake_slack)))
    (answer,) = [r for r in _responses(fake_slack) if r.get("response_type") == "in_channel"]
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"]) and answer["replace_original"] is False

    for verb, expected in (("sources", "Russia digs in its heels"), ("stats", "*Articles:* 1")):
        ack = post_form(bot.url, _command(fake_slack, verb))
        assert ack.json()["response_type"] == "ephemeral"
        fake_slack.wait_for(
            lambda expected=expected: any(expected in r.get("text", "") for r in _responses(fake_slack))
        )
        (reply,) = [r for r in _responses(fake_slack) if expected in r.get("text", "")]
        assert reply["response_type"] == "ephemeral"


def test_slash_near_misses_reach_the_subcommand_meant(bot: RunningApp, fake_slack: FakeSlack) -> None:
    for text, expected in (("sources?", "Russia digs in its heels"), ("stats please", "*Articles:* 1")):
        assert post_form(bot.url, _command(fake_slack, text)).json()["response_type"] == "ephemeral"
        fake_slack.wait_for(
            lambda expected=expected: any(expected in r.get("text", "") for r in _responses(fake_slack))
        )
    usage = post_form(bot.url, _command(fake_slack, "quotes")).json()
    assert usage["response_type"] == "ephemeral" and "/newsdesk quotes Churkin" in usage["text"]
    assert "/newsdesk sources" in post_form(bot.url, _command(fake_slack, "help with filters")).json()["text"]
    asked = post_form(bot.url, _command(fake_slack, "help me find what Churkin said about sanctions")).json()
    assert asked["text"].startswith("Searching the coverage for:")
    fake_slack.wait_for(lambda: any(r.get("response_type") == "in_channel" for r in _responses(fake_slack)))
    bot.listeners.wait_idle()
    (answer,) = [r for r in _responses(fake_slack) if r.get("response_type") == "in_channel"]
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])  # the only message the channel saw


def test_slash_ingest_is_for_admins_only(bot: RunningApp, fake_slack: FakeSlack) -> None:
    with serve_pages() as pages:
        url = pages.add("/world/lavrov", ARTICLE_HTML.format(canonical=pages.base_url + "/world/lavrov"))
        refused = post_form(bot.url, _command(fake_slack, f"ingest <{url}>"))
        assert refused.json()["response_type"] == "ephemeral" and "only Newsdesk admins" in refused.json()["text"]
        bot.listeners.wait_idle()  # the command's listener has finished after its ack
        assert _responses(fake_slack) == []
        assert len(bot.desk.sources()) == 1

        bot.desk.settings.allow_private_urls = True
        accepted = post_form(bot.url, _command(fake_slack, f"ingest <{url}>", user="UADMIN01"))
        assert accepted.json()["response_type"] == "ephemeral"
        fake_slack.wait_for(lambda: any("*Ingest:*" in r.get("text", "") for r in _responses(fake_slack)))
    (summary,) = [r for r in _responses(fake_slack) if "*Ingest:*" in r.get("text", "")]
    assert "1 added" in summary["text"] and "Lavrov meets Annan in Moscow" in summary["text"]
    assert {s.ref.title for s in bot.desk.sources()} >= {"Lavrov meets Annan in Moscow"}


def test_feedback_button_click_is_stored_and_acknowledged(
    bot: RunningApp, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
    post_event(bot.url, body)
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, body["event"]["ts"])) == 1)
    (answer,) = answers_in(fake_slack, body["event"]["ts"])
    button = answer["blocks"][-1]["elements"][1]
    assert button["action_id"] == "feedback_down"
    payload = feedback_click(fake_slack, CHANNEL, answer, "UVOTER01", 1)
    assert post_form(bot.url, {"payload": json.dumps(payload)}).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postEphemeral")) == 1)
    acknowledged = fake_slack.calls_to("chat.postEphemeral")[0].args
    assert "👎 was recorded" in acknowledged["text"]
    assert acknowledged["thread_ts"] == body["event"]["ts"]  # beside the answer clicked, in its thread
    (vote,) = SharedState.open(bot.settings).votes()
    assert (vote.vote, vote.user_id, vote.channel_id) == (-1, "UVOTER01", CHANNEL)
    assert vote.question == "What did Churkin say about sanctions?" and CHURKIN_QUOTE in vote.answer
    assert vote.article_ids == [bot.desk.sources()[0].ref.article_id]
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(bot.settings.data_dir))
    listing = CliRunner().invoke(main, ["feedback"])
    assert "1 votes: 0 up, 1 down" in listing.stdout


def test_failure_inside_gives_an_apology_not_silence(bot: RunningApp, fake_slack: FakeSlack) -> None:
    bot.desk.store._client.delete_collection(bot.settings.collection)  # the store breaks under the bot
    body = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
    post_event(bot.url, body)
    fake_slack.wait_for(lambda: any("Sorry" in c.args.get("text", "") for c in fake_slack.calls_to("chat.update")))
    (apology,) = [c.args["text"] for c in fake_slack.calls_to("chat.update") if "Sorry" in c.args.get("text", "")]
    assert re.fullmatch(
        r"Sorry, something went wrong while answering \(error id [0-9a-f]{8}\)\. Please try again\.", apology
    )
    assert "Traceback" not in _all_text(fake_slack)


def test_thread_follow_up_uses_the_thread_history(tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM) -> None:
    with serve_openai() as fake_llm:
        desk = _desk(
            tmp_path,
            fake_slack,
            embedder,
            openai_api_key="sk-test",
            openai_base_url=fake_llm.base_url,
            llm_max_retries=0,
        )
        with run_http_app(desk.settings, desk) as running:
            # A speaker question: answered from the quote index, so the LLM's first call is the rewrite.
            first = mention(fake_slack, f"<@{BOT_USER}> What did Vitaly Churkin say about sanctions?")
            post_event(running.url, first)
            root = first["event"]["ts"]
            fake_slack.wait_for(lambda: len(answers_in(fake_slack, root)) == 1)
            fake_llm.script(
                "What did Vitaly Churkin say about arming the opposition?",
                "Churkin also shot down suggestions of arming the opposition [1].",
            )
            follow = mention(
                fake_slack, f"<@{BOT_USER}> And what did he say about arming the opposition?", thread_ts=root
            )
            post_event(running.url, follow)
            fake_slack.wait_for(lambda: len(answers_in(fake_slack, root)) == 2)
        rewrite = fake_llm.chat_requests[0]["json"]["messages"][-1]["content"]
        assert "User: What did Vitaly Churkin say about sanctions?" in rewrite
        assert "Newsdesk: &gt; " not in rewrite and CHURKIN_QUOTE[:30] in rewrite
        assert "Follow-up question: And what did he say about arming the opposition?" in rewrite
        assert (
            "Question: What did Vitaly Churkin say about arming the opposition?"
            in fake_llm.chat_requests[1]["json"]["messages"][-1]["content"]
        )
        assert fake_slack.calls_to("conversations.replies")
        final = answers_in(fake_slack, root)[-1]
        assert "shot down suggestions of arming the opposition [1]" in json.dumps(final["blocks"])


def test_assistant_panel_prompts_status_title_and_answer(bot: RunningApp, fake_slack: FakeSlack) -> None:
    thread_ts = fake_slack.next_ts()
    started = {
        "type": "assistant_thread_started",
        "event_ts": thread_ts,
        "assistant_thread": {"user_id": HUMAN, "channel_id": "D0ASSIST1", "thread_ts": thread_ts, "context": {}},
    }
    assert post_event(bot.url, event_body(started)).status_code == 200
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("assistant.threads.setSuggestedPrompts")) == 1)
    prompts = fake_slack.calls_to("assistant.threads.setSuggestedPrompts")[0].args["prompts"]
    assert any("Russia digs in its heels" in p["message"] for p in prompts)
    text = "What did Churkin say about sanctions?"
    assert post_event(bot.url, _panel_message(fake_slack, text, thread_ts)).status_code == 200
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, thread_ts, "D0ASSIST1")) == 1)
    status = fake_slack.calls_to("assistant.threads.setStatus")[0].args
    assert status["status"] == SEARCHING and status["thread_ts"] == thread_ts
    assert fake_slack.calls_to("assistant.threads.setTitle")[0].args["title"] == text
    assert CHURKIN_QUOTE in json.dumps(answers_in(fake_slack, thread_ts, "D0ASSIST1")[0]["blocks"])


def test_startup_with_a_wrong_token_fails_with_one_line(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SLACK_API_URL", fake_slack.base_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-whatever")
    result = CliRunner().invoke(main, ["slack"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "error: Slack rejected SLACK_BOT_TOKEN (invalid_auth); check the token in your environment or .env"
    )


def test_doctor_checks_store_llm_and_slack(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_openai() as fake_llm:
        monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("SLACK_API_URL", fake_slack.base_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-doctor")
        monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.base_url)
        assert CliRunner().invoke(main, ["ingest", str(SEED_DIR)]).exit_code == 0
        result = CliRunner().invoke(main, ["doctor"])
        assert result.exit_code == 0, result.output
        assert re.search(r"^ok   slack: connected as newsdesk in Test Team$", result.stdout, re.M)
        assert re.search(
            r"^ok   slack mode: Socket Mode; SLACK_APP_TOKEN accepted \(apps\.connections\.open\)$", result.stdout, re.M
        )
        assert re.search(r"^ok   llm: gpt-4.1-mini at http://127\.0\.0\.1:\d+/v1$", result.stdout, re.M)
        assert re.search(r"^ok   store: \d+ chunks", result.stdout, re.M)
        monkeypatch.setenv("NEWSDESK_LLM_MODEL", "no-such-model")
        failed = CliRunner().invoke(main, ["doctor"])
        assert (
            failed.exit_code == 1
            and "FAIL  llm: " in failed.stdout
            and "does not list model no-such-model" in failed.stdout
        )


def test_socket_mode_mention_is_acked_and_answered(
    tmp_path: Path, fake_slack: FakeSlack, embedder: LocalMiniLM
) -> None:
    from bot.slack.app import create_app
    from bot.slack.server import socket_mode_handler
    from tests.fakes.slack_api import serve_socket_mode

    desk = _desk(tmp_path, fake_slack, embedder, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    app = create_app(desk.settings, desk, socket_mode=True)
    listeners = track_listeners(app)
    with serve_socket_mode(fake_slack) as socket_mode:
        handler = socket_mode_handler(app, desk.settings)
        handler.connect()
        try:
            assert socket_mode.connected.wait(30)
            assert fake_slack.calls_to("apps.connections.open")[0].token == APP_TOKEN
            body = mention(fake_slack, f"<@{BOT_USER}> What did Churkin say about sanctions?")
            envelope_id = socket_mode.send_event(body)
            retry_id = socket_mode.send_event(body, retry_attempt=1)  # a redelivery is acked but not answered again
            socket_mode.wait_for_acks(2)  # each ack is sent after its listener was queued
            listeners.wait_idle()  # so both listeners have now finished
            assert listeners.finished == 2
        finally:
            handler.close()
    assert {ack["envelope_id"] for ack in socket_mode.acks} == {envelope_id, retry_id}
    (answer,) = answers_in(fake_slack, body["event"]["ts"])
    assert CHURKIN_QUOTE in json.dumps(answer["blocks"])


def _panel_message(fake: FakeSlack, text: str, thread_ts: str) -> dict[str, Any]:
    # A user's message in an assistant thread (bolt-python tests/scenario_tests/test_events_assistant.py).
    ts = fake.add_user_message("D0ASSIST1", text, HUMAN, thread_ts)
    return event_body(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0ASSIST1",
            "user": HUMAN,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
            "event_ts": ts,
        }
    )


def test_panel_titles_a_thread_once_and_answers_when_its_status_cannot_be_set(
    bot: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.status_error = "missing_scope"  # an app installed without assistant:write
    thread_ts = fake_slack.next_ts()
    post_event(bot.url, _panel_message(fake_slack, "What did Churkin say about sanctions?", thread_ts))
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, thread_ts, "D0ASSIST1")) == 1)
    assert CHURKIN_QUOTE in json.dumps(answers_in(fake_slack, thread_ts, "D0ASSIST1")[0]["blocks"])
    placeholders = [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("text") == SEARCHING]
    assert len(placeholders) == 1  # progress shown as a message instead of the panel's status
    post_event(bot.url, _panel_message(fake_slack, "And what about arming the opposition?", thread_ts))
    fake_slack.wait_for(lambda: len(answers_in(fake_slack, thread_ts, "D0ASSIST1")) == 2)
    titles = [c.args["title"] for c in fake_slack.calls_to("assistant.threads.setTitle")]
    assert titles == ["What did Churkin say about sanctions?"]  # the follow-up does not rename the thread
