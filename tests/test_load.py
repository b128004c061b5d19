"""Under load: while the whole BBC corpus is being ingested into a Chroma server by another process,
200 questions from 8 concurrent Slack clients are all answered, with no errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.evaluate.metrics import percentile
from ingest.pipeline import Ingestor
from tests.chroma_server import chroma_server
from tests.conftest import EVAL_DIR, SEED_DIR
from tests.fakes.slack_api import BOT_USER, event_body, post_event, serve_slack
from tests.slack_harness import run_http_app, slack_settings

CLIENTS = 8
QUESTIONS = 200


@pytest.mark.slow
def test_200_questions_from_8_clients_while_ingesting_the_corpus(
    tmp_path: Path, bbc_dir: Path, embedder: LocalMiniLM, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = [json.loads(line)["question"] for line in (EVAL_DIR / "bbc_dev.jsonl").read_text().splitlines() if line]
    with chroma_server(tmp_path / "server") as server, serve_slack() as fake:
        settings = slack_settings(tmp_path / "data", fake, chroma_host="127.0.0.1", chroma_port=server.port)
        desk = Newsdesk(settings, embedder)
        Ingestor.for_desk(desk).run([str(SEED_DIR)])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "CHROMA_", "OPENAI_", "SLACK_"))}
        env.update(
            {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(server.port), "NEWSDESK_DATA_DIR": str(tmp_path / "ingest")}
        )
        ingest = subprocess.Popen(
            [str(Path(sys.executable).parent / "newsdesk"), "ingest", str(bbc_dir), "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        try:
            time.sleep(10)  # let the ingest get going: model loaded, writes under way
            with run_http_app(settings, desk) as running:

                def client(number: int) -> None:
                    for turn in range(QUESTIONS // CLIENTS):
                        channel = f"C{number:02d}LOAD"
                        text = f"<@{BOT_USER}> {questions[(number * 25 + turn) % len(questions)]}"
                        ts = fake.add_user_message(channel, text)
                        body = event_body(
                            {
                                "type": "app_mention",
                                "user": "UHUMAN01",
                                "text": text,
                                "ts": ts,
                                "channel": channel,
                                "event_ts": ts,
                            }
                        )
                        started = time.perf_counter()
                        response = post_event(running.url, body)
                        if response.status_code != 200:
                            with lock:
                                errors.append(f"HTTP {response.status_code}")
                            continue
                        try:
                            fake.wait_for(
                                lambda ts=ts, channel=channel: any(
                                    m.get("thread_ts") == ts for m in fake.final_answers(channel)
                                ),
                                timeout=300,
                            )
                        except AssertionError:
                            with lock:
                                errors.append(f"no answer for {ts}")
                            continue
                        with lock:
                            latencies.append(time.perf_counter() - started)

                threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            still_ingesting = ingest.poll() is None
        finally:
            ingest.kill()
            ingest.wait()
    apologies = [
        c.args["text"]
        for c in fake.calls_to("chat.update")
        if "Sorry" in c.args.get("text", "") or "unavailable" in c.args.get("text", "")
    ]
    assert errors == [] and apologies == []
    assert len(latencies) == QUESTIONS
    answers = fake.final_answers()
    assert len(answers) == QUESTIONS and len({m["thread_ts"] for m in answers}) == QUESTIONS
    assert still_ingesting, "the ingest finished before the questions did: the test did not measure under load"
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    with capsys.disabled():
        print(
            f"\n[load] {QUESTIONS} questions from {CLIENTS} clients during a BBC ingest: all answered, 0 errors; "
            f"latency p50 {p50:.2f} s, p95 {p95:.2f} s"
        )
