"""Two bot replicas in HTTP mode against one Chroma server and one PostgreSQL: an event Slack delivers
to both (and retries) is answered once, an edit updates that answer once, and votes cast through
either replica land in one table.

Each replica is a real Bolt app on its own uvicorn port with its own Newsdesk, its own data dir
and its own database engine; they share nothing but the two servers, as two machines would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.slack.answering import SEARCHING
from bot.state import SharedState
from bot.state.db import SQLITE_FILE
from ingest.pipeline import Ingestor
from tests.chroma_server import chroma_server
from tests.conftest import CHURKIN_QUOTE, SEED_DIR
from tests.fakes.slack_api import BOT_USER, FakeSlack, event_body, post_event, post_form, serve_slack
from tests.slack_harness import RunningApp, feedback_click, run_http_app, seed_with_url, slack_settings

pytestmark = pytest.mark.slow

CHANNEL = "C0REPLICA"
HUMAN = "UHUMAN01"
QUESTION = "What did Churkin say about sanctions?"


def _thread_calls(fake: FakeSlack, method: str, ts: str) -> list[dict[str, Any]]:
    return [c.args for c in fake.calls_to(method) if c.args.get("channel") == CHANNEL and c.args.get("thread_ts") == ts]


def _answer_updates(fake: FakeSlack) -> list[dict[str, Any]]:
    """chat.update calls that put an answer (blocks with the vote buttons) in place."""
    return [
        c.args
        for c in fake.calls_to("chat.update")
        if c.args.get("channel") == CHANNEL and any(b.get("type") == "actions" for b in c.args.get("blocks") or [])
    ]


def _click(replica: RunningApp, fake: FakeSlack, answer: dict[str, Any], user: str, button: int) -> None:
    """A 👍 (0) or 👎 (1) click as Slack's block_actions payload, delivered to one replica."""
    payload = feedback_click(fake, CHANNEL, answer, user, button)
    assert post_form(replica.url, {"payload": json.dumps(payload)}).status_code == 200


def _feedback_json(database_url: str, data_dir: Path) -> dict[str, Any]:
    """`newsdesk feedback --json` in a third process, reading the shared database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "CHROMA_", "OPENAI_", "SLACK_"))}
    env.update({"NEWSDESK_DATABASE_URL": database_url, "NEWSDESK_DATA_DIR": str(data_dir)})
    command = [str(Path(sys.executable).parent / "newsdesk"), "feedback", "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_two_replicas_answer_an_event_once_and_share_the_votes(
    tmp_path: Path, embedder: LocalMiniLM, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with chroma_server(tmp_path / "chroma") as chroma, serve_slack() as fake:
        settings = [
            slack_settings(
                tmp_path / f"replica{n}",
                fake,
                chroma_host="127.0.0.1",
                chroma_port=chroma.port,
                database_url=postgres_url,
            )
            for n in (1, 2)
        ]
        desks = [Newsdesk(replica_settings, embedder) for replica_settings in settings]
        seed = seed_with_url(tmp_path, (SEED_DIR / "russia-syria-intervention.txt").read_text())
        assert Ingestor.for_desk(desks[0]).run([str(seed)]).added
        with run_http_app(settings[0], desks[0]) as one, run_http_app(settings[1], desks[1]) as two:
            ts = fake.add_user_message(CHANNEL, f"<@{BOT_USER}> {QUESTION}", HUMAN)
            mention = {"type": "app_mention", "user": HUMAN, "text": f"<@{BOT_USER}> {QUESTION}", "ts": ts}
            mention |= {"channel": CHANNEL, "event_ts": ts}
            body = event_body(mention)
            deliveries = [(one.url, None), (two.url, None), (two.url, 1), (one.url, 2)]
            with ThreadPoolExecutor(len(deliveries)) as pool:  # all at once, as a retry storm would
                statuses = list(pool.map(lambda d: post_event(d[0], body, retry=d[1]).status_code, deliveries))
            assert statuses == [200] * len(deliveries)
            fake.wait_for(lambda: len(_answer_updates(fake)) >= 1)
            one.listeners.wait_idle()
            two.listeners.wait_idle()

            placeholders = _thread_calls(fake, "chat.postMessage", ts)
            assert [p["text"] for p in placeholders] == [SEARCHING]  # one reply in the thread, not two
            (answered,) = _answer_updates(fake)
            assert CHURKIN_QUOTE in json.dumps(answered["blocks"])
            (answer,) = fake.final_answers(CHANNEL)

            # The asker edits the question; the edit reaches both replicas (Slack retried it to the other).
            edited_ts = fake.next_ts()
            changed = f"<@{BOT_USER}> What did Churkin say about arming the opposition?"
            edit = event_body({**mention, "text": changed, "edited": {"user": HUMAN, "ts": edited_ts}})
            calls_before_edit = len(fake.calls)
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda d: post_event(d[0], edit, retry=d[1]), [(two.url, None), (one.url, 1)]))
            fake.wait_for(lambda: len(_answer_updates(fake)) == 2)
            one.listeners.wait_idle()
            two.listeners.wait_idle()
            edit_calls = [(c.method, c.args.get("ts")) for c in fake.calls[calls_before_edit:]]
            assert edit_calls == [("chat.update", answer["ts"]), ("chat.update", answer["ts"])]

            (answer,) = fake.final_answers(CHANNEL)
            _click(one, fake, answer, "UVOTER01", 0)
            _click(two, fake, answer, "UVOTER02", 1)
            fake.wait_for(lambda: len(fake.calls_to("chat.postEphemeral")) == 2)
            acknowledgements = sorted(c.args["text"] for c in fake.calls_to("chat.postEphemeral"))
            assert acknowledgements == ["Thanks — your 👍 was recorded.", "Thanks — your 👎 was recorded."]
            api_calls = [c.method for c in fake.calls if c.method != "auth.test"]

        listing = _feedback_json(postgres_url, tmp_path / "reader")
        assert (listing["up"], listing["down"]) == (1, 1)
        assert sorted((v["user_id"], v["vote"]) for v in listing["votes"]) == [("UVOTER01", 1), ("UVOTER02", -1)]
        assert {v["question"] for v in listing["votes"]} == {"What did Churkin say about arming the opposition?"}
        log = SharedState.open(settings[0]).answers()  # the answer log both replicas write to
        assert [(row.question, row.user_id, row.channel_id) for row in log] == [
            ("What did Churkin say about arming the opposition?", HUMAN, CHANNEL),
            (QUESTION, HUMAN, CHANNEL),
        ]
        assert all(row.latency_ms is not None and row.latency_ms > 0 for row in log)
        for n in (1, 2):  # nothing about events or votes was kept beside either replica
            assert not (tmp_path / f"replica{n}" / SQLITE_FILE).exists()
        with capsys.disabled():
            print(
                f"\n[replicas] 1 mention delivered {len(deliveries)}x to 2 replicas -> "
                f"{len(placeholders)} reply; 1 edit delivered 2x -> {len(edit_calls)} chat.update; "
                f"votes up={listing['up']} down={listing['down']} in one table; "
                f"Web API calls: {', '.join(api_calls)}"
            )
