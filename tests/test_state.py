"""The shared-state database (bot/state): migrations, atomic claims, answer log, votes, channel settings,
feed state — on SQLite (the default) and on a real PostgreSQL server."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.errors import ConfigError
from bot.models import Answer, ArticleRef, Citation
from bot.prompts import ANSWER, load_prompt
from bot.state import ChannelSettings, Claim, DatabaseUnavailableError, SharedState, database_url
from bot.state.db import SQLITE_FILE, connect, current_revision, head_revision
from bot.state.events import SEEN_EVENT_SECONDS
from bot.state.tables import metadata
from tests.conftest import REPO, make_settings

# The schema bot/feedback.py created before this package existed (copied verbatim from it).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    article_ids TEXT NOT NULL,
    mode TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    vote INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE TABLE IF NOT EXISTS seen_events (
    event_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS replies (
    channel_id TEXT NOT NULL,
    message_ts TEXT NOT NULL,
    question TEXT NOT NULL,
    reply_ts TEXT,
    created_at REAL NOT NULL,
    PRIMARY KEY (channel_id, message_ts)
);
"""
RACERS_PER_PROCESS = 4
PROCESSES = 2
RACED_IDS = 25


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture()
def state(state_url: str, tmp_path: Path) -> Iterator[SharedState]:
    opened = SharedState.open(make_settings(tmp_path / "data", database_url=state_url, llm_model="gpt-test"))
    yield opened
    opened.close()


def _answer(question: str = "What did Churkin say about sanctions?", mode: str = "extractive") -> Answer:
    ref = ArticleRef(article_id="a1", title="Russia warns against intervention in Syria")
    return Answer(
        question, "He said sanctions were wrong [1].", True, [Citation(1, ref)], mode=mode, passage_ids=["a1:h:0"]
    )


def test_a_feedback_file_from_before_alembic_upgrades_in_place_and_keeps_its_rows(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    old = sqlite3.connect(data_dir / SQLITE_FILE)
    old.executescript(OLD_SCHEMA)
    old.execute(
        "INSERT INTO answers VALUES ('ans1', 'Who won?', 'Labour [1].', '[\"art1\"]', 'extractive', 'U1', 'C1', 1.0)"
    )
    old.execute("INSERT INTO votes VALUES ('ans1', 'UVOTER', 'C1', -1, 2.0)")
    old.execute("INSERT INTO seen_events VALUES ('EvOLD', ?)", (time.time(),))
    old.execute("INSERT INTO replies VALUES ('C1', '100.1', 'Who won?', '100.2', ?)", (time.time(),))
    old.commit()
    old.close()

    state = SharedState.open(make_settings(data_dir))
    (vote,) = state.votes()
    assert (vote.question, vote.answer, vote.article_ids, vote.user_id, vote.vote, vote.created_at) == (
        "Who won?",
        "Labour [1].",
        ["art1"],
        "UVOTER",
        -1,
        2.0,
    )
    assert current_revision(state.db) == head_revision()
    assert state.first_sight("EvOLD") is False  # a retry of an event answered before the upgrade
    assert state.claim_message("C1", "100.1", "Who lost?") == Claim("update", "100.2")
    assert state.record_vote("ans1", "UVOTER", "C1", 1) and [v.vote for v in state.votes()] == [1]
    state.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_new_database_gets_exactly_the_tables_the_code_queries(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    database = connect(make_url(url))
    with database.transaction() as connection:
        found = inspect(connection)
        for table in metadata.sorted_tables:
            assert {c["name"] for c in found.get_columns(table.name)} == set(table.columns.keys()), table.name
            assert set(found.get_pk_constraint(table.name)["constrained_columns"]) == {
                c.name for c in table.primary_key
            }
    again = connect(make_url(url))  # a second start (another replica) finds it current and changes nothing
    assert current_revision(again) == head_revision()
    again.dispose()
    database.dispose()


def _race_first_sight(url: str, start: object, results: object) -> None:
    """One process of the race: its threads claim every id as soon as all racers are ready."""
    database = connect(make_url(url))
    state = SharedState(database)
    won: list[str] = []

    def racer() -> None:
        start.wait()  # type: ignore[attr-defined]
        for n in range(RACED_IDS):
            if state.first_sight(f"Ev{n:03d}"):
                won.append(f"Ev{n:03d}")

    threads = [threading.Thread(target=racer) for _ in range(RACERS_PER_PROCESS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(won)  # type: ignore[attr-defined]
    database.dispose()


def test_each_event_id_is_claimed_exactly_once_by_racing_processes_and_threads(
    state: SharedState, state_url: str
) -> None:
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(PROCESSES * RACERS_PER_PROCESS)
    results = spawn.Queue()
    processes = [spawn.Process(target=_race_first_sight, args=(state_url, start, results)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    won = [event_id for _ in processes for event_id in results.get(timeout=120)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sorted(won) == [f"Ev{n:03d}" for n in range(RACED_IDS)]  # every id won once, none twice


def test_the_threads_the_bot_answered_in_are_known_without_slack(state: SharedState) -> None:
    """A reply inside a thread marks that thread; a reply remembered before migration 0004 (no thread)
    marks the thread its message started; a claim whose reply was never posted marks nothing."""
    state.claim_message("C1", "300.5", "And who is Fursenko?")
    state.remember_reply("C1", "300.5", "And who is Fursenko?", "300.6", "300.1")
    assert state.replied_in_thread("C1", "300.1")
    assert not state.replied_in_thread("C1", "300.5") and not state.replied_in_thread("C2", "300.1")
    state.remember_reply("C1", "400.1", "Who won?", "400.2")  # as before 0004: no thread recorded
    assert state.replied_in_thread("C1", "400.1")
    state.claim_message("C1", "500.1", "Who lost?")  # claimed, never answered
    assert not state.replied_in_thread("C1", "500.1")


def test_an_edit_seen_by_many_replicas_at_once_updates_the_answer_once(state: SharedState) -> None:
    assert state.claim_message("C1", "200.1", "Who won?") == Claim("answer")
    state.remember_reply("C1", "200.1", "Who won?", "200.2")
    start = threading.Barrier(8)
    claims: list[Claim] = []

    def replica() -> None:
        start.wait()
        claims.append(state.claim_message("C1", "200.1", "Who won the election?"))

    threads = [threading.Thread(target=replica) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claim.action for claim in claims) == ["ignore"] * 7 + ["update"]
    assert Claim("update", "200.2") in claims
    assert state.claim_message("C1", "200.1", "Who won the election?") == Claim("ignore")


def test_a_message_whose_reply_is_not_posted_yet_is_not_answered_twice(state: SharedState) -> None:
    assert state.claim_message("C1", "300.1", "Who won?") == Claim("answer")
    assert state.claim_message("C1", "300.1", "Who won, really?") == Claim("ignore")


def test_event_ids_older_than_a_day_are_pruned(state: SharedState) -> None:
    with state.db.transaction() as connection:
        connection.execute(
            text("INSERT INTO seen_events (event_id, seen_at) VALUES ('EvANCIENT', :at)"),
            {"at": time.time() - SEEN_EVENT_SECONDS - 60},
        )
    assert state.first_sight("EvNEW")
    with state.db.transaction() as connection:
        kept = {row[0] for row in connection.execute(text("SELECT event_id FROM seen_events"))}
    assert kept == {"EvNEW"}


def test_the_answer_log_keeps_what_quality_studies_need(state: SharedState) -> None:
    extractive_id = state.record_answer(_answer(), "U1", "C1", latency_ms=812)
    written_id = state.record_answer(_answer(mode="llm"), "U2", "C2")
    logged = {row.answer_id: row for row in state.answers()}
    extractive, written = logged[extractive_id], logged[written_id]
    assert (extractive.mode, extractive.found, extractive.article_ids, extractive.latency_ms) == (
        "extractive",
        True,
        ["a1"],
        812,
    )
    assert extractive.passage_ids == ["a1:h:0"]
    assert (extractive.model, extractive.prompt_hash) == (None, None)  # no prompt wrote it
    assert (written.model, written.prompt_hash) == ("gpt-test", load_prompt(ANSWER).sha)
    assert (written.user_id, written.channel_id) == ("U2", "C2")


def test_one_vote_per_user_per_answer_and_none_for_unknown_answers(state: SharedState) -> None:
    answer_id = state.record_answer(_answer(), "U1", "C1")
    assert state.record_vote(answer_id, "UA", "C1", 1)
    assert state.record_vote(answer_id, "UB", "C1", -1)
    assert state.record_vote(answer_id, "UA", "C1", -1)  # changed their mind
    assert not state.record_vote("no-such-answer", "UA", "C1", 1)
    assert sorted((v.user_id, v.vote) for v in state.votes()) == [("UA", -1), ("UB", -1)]


def test_channel_settings_default_then_change_one_field_at_a_time(state: SharedState) -> None:
    assert state.get_channel_settings("CSPORT") == ChannelSettings("CSPORT")
    state.set_channel_settings("CSPORT", updated_by="UADMIN01", sources=["BBC Sport", " ", "ESPN"])
    changed = state.set_channel_settings("CSPORT", updated_by="UADMIN02", private_answers=True)
    stored = state.get_channel_settings("CSPORT")
    assert stored == changed
    assert (stored.sources, stored.answer_without_mention, stored.private_answers, stored.updated_by) == (
        ["BBC Sport", "ESPN"],
        False,
        True,
        "UADMIN02",
    )
    assert stored.updated_at is not None and abs(stored.updated_at - time.time()) < 60
    assert state.get_channel_settings("COTHER") == ChannelSettings("COTHER")


def test_admins_changing_different_settings_of_a_new_channel_at_once_both_keep_their_change(
    state: SharedState,
) -> None:
    start = threading.Barrier(8)

    def admin(n: int) -> None:
        start.wait()
        if n % 2:
            state.set_channel_settings("CNEW", updated_by=f"UADMIN{n}", private_answers=True)
        else:
            state.set_channel_settings("CNEW", updated_by=f"UADMIN{n}", answer_without_mention=True)

    threads = [threading.Thread(target=admin, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = state.get_channel_settings("CNEW")
    assert (stored.private_answers, stored.answer_without_mention, stored.sources) == (True, True, [])


def test_feed_state_is_shared_and_an_old_feeds_json_is_imported_once(tmp_path: Path) -> None:
    from ingest.feeds import FeedEntry, FeedState

    settings = make_settings(tmp_path / "data")
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "feeds.json").write_text(json.dumps({"https://x.test/a": "fp-a"}))
    entries = [
        FeedEntry("https://x.test/a", "A", None, "", "X", "fp-a"),
        FeedEntry("https://x.test/b", "B", None, "", "X", "fp-b"),
    ]
    first = FeedState(settings)
    assert [e.link for e in first.new_or_changed(entries)] == ["https://x.test/b"]
    assert (settings.data_dir / "feeds.json.imported").exists() and not (settings.data_dir / "feeds.json").exists()
    first.remember(entries[1:])
    first.close()
    other_watcher = FeedState(settings)
    assert other_watcher.new_or_changed(entries) == []
    other_watcher.close()


def test_database_url_defaults_to_the_data_dir_and_bad_urls_are_one_line(tmp_path: Path) -> None:
    assert database_url(make_settings(tmp_path)).database == str(tmp_path / SQLITE_FILE)
    plain = database_url(make_settings(tmp_path, database_url="postgresql://u:p@db.internal/newsdesk"))
    assert plain.drivername == "postgresql+psycopg"  # the driver we ship, not psycopg2
    with pytest.raises(ConfigError, match=r"^NEWSDESK_DATABASE_URL=not a url is not a database URL; use sqlite"):
        database_url(make_settings(tmp_path, database_url="not a url"))
    with pytest.raises(ConfigError, match=r"mysql is not supported; use sqlite:///"):
        database_url(make_settings(tmp_path, database_url="mysql://u:secret@db/newsdesk"))


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    from tests.postgres_server import _free_port

    url = f"postgresql+psycopg://newsdesk:hunter2@127.0.0.1:{_free_port()}/newsdesk?connect_timeout=2"
    with pytest.raises(DatabaseUnavailableError) as failure:
        SharedState.open(make_settings(tmp_path, database_url=url))
    message = str(failure.value)
    assert "\n" not in message and "hunter2" not in message
    assert message.startswith("the database postgresql+psycopg://newsdesk:***@127.0.0.1:")
    assert message.endswith("; check NEWSDESK_DATABASE_URL")


def test_newsdesk_feedback_reads_votes_from_postgresql(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = SharedState.open(make_settings(tmp_path / "writer", database_url=postgres_url))
    state.record_vote(state.record_answer(_answer(), "U1", "C1"), "UVOTER01", "C1", 1)
    state.close()
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "reader"))
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", postgres_url)
    listing = CliRunner().invoke(main, ["feedback", "--json"])
    assert listing.exit_code == 0, listing.output
    assert json.loads(listing.stdout)["up"] == 1
    assert not (tmp_path / "reader" / SQLITE_FILE).exists()


@pytest.mark.slow
def test_a_wheel_install_migrates_a_new_database_from_the_packaged_migrations(tmp_path: Path) -> None:
    import subprocess
    import sys
    import sysconfig
    import venv

    def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)

    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", "dist", str(REPO)]
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("newsdesk-*.whl")
    shipped = {Path(n).name for n in zipfile.ZipFile(wheel).namelist() if n.startswith("bot/state/migrations/")}
    assert {p.name for p in (REPO / "bot" / "state" / "migrations").rglob("*.py")} <= shipped

    # A venv with only the wheel's own code; third-party packages borrowed through a plain path line
    # (as in test_wheel_install), so `bot.state` and its migrations can only come from the wheel.
    venv.EnvBuilder(with_pip=False).create(tmp_path / "venv")
    python = str(tmp_path / "venv" / "bin" / "python")
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", str(wheel)])
    assert installed.returncode == 0, installed.stderr
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NEWSDESK_DATA_DIR": str(tmp_path / "store")}
    listing = run([str(tmp_path / "venv" / "bin" / "newsdesk"), "feedback", "--json"], env)
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout) == {"votes": [], "up": 0, "down": 0}
    with sqlite3.connect(tmp_path / "store" / SQLITE_FILE) as migrated:
        assert migrated.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
