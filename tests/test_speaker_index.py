"""The speaker index follows writes through the change log: a write costs its own articles, and
what it holds is always what a fresh read of every quote would give."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.answer.speaker_index import SpeakerIndex, _unfinished
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.store import SETTLE_NS, ChangeLog, ChangeRecord, Meta, SpeakerRow, Store
from ingest.pipeline import Ingestor
from tests.conftest import make_settings

ECONOMY = (
    "---\ntitle: Brown hails strong economy\nsource: Example Wire\ndate: 2012-06-04\n---\n"
    'Chancellor Gordon Brown said: "Inflation is low and unemployment is falling in every region."\n\n'
    'Shadow chancellor Oliver Letwin disagreed. "The figures on the economy do not add up," he said.\n'
)
FOOTBALL = (
    "---\ntitle: Wenger praises young side\nsource: Example Wire\ndate: 2012-06-05\n---\n"
    'Arsenal manager Arsene Wenger said: "The young players showed great character against a strong side."\n'
)
FOOTBALL_EDITED = (
    "---\ntitle: Wenger praises young side\nsource: Example Wire\ndate: 2012-06-05\n---\n"
    'Arsenal captain Patrick Vieira said: "The young players showed great character against a strong side."\n'
)


@pytest.fixture()
def no_lag(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-read nothing behind the last refresh, so a refresh reads exactly the articles written since."""
    monkeypatch.setattr("bot.answer.speaker_index.CHANGE_LAG_NS", 0)


@pytest.fixture()
def economy_desk(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    """A desk that has ingested ECONOMY and read its speakers once."""
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    _ingest(desk, tmp_path / "articles", "economy.md", ECONOMY)
    assert desk.speakers.match("Letwin") == ["oliver letwin"]
    return desk


@pytest.fixture()
def football_written(economy_desk: Newsdesk, tmp_path: Path) -> Newsdesk:
    """ECONOMY read, then FOOTBALL written and not read yet: the next refresh has one write to apply."""
    _ingest(economy_desk, tmp_path / "articles", "football.md", FOOTBALL)
    return economy_desk


def _ingest(desk: Newsdesk, folder: Path, name: str, text: str) -> str:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    report = Ingestor.for_desk(desk).run([str(folder / name)])
    assert report.ok
    return next(s.ref.article_id for s in desk.sources() if s.ref.title == text.split("title: ")[1].split("\n")[0])


def _fresh(store: Store) -> dict[str, tuple[str, int]]:
    return SpeakerIndex(store).speakers()


def test_a_write_reads_only_its_own_articles_and_matches_a_full_read(
    tmp_path: Path, embedder: LocalMiniLM, no_lag: None
) -> None:
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    folder = tmp_path / "articles"
    _ingest(desk, folder, "economy.md", ECONOMY)
    assert set(desk.speakers.speakers()) == {"gordon brown", "oliver letwin"}
    assert desk.speakers.last_read is None  # the first refresh reads everything

    football = _ingest(desk, folder, "football.md", FOOTBALL)
    assert desk.speakers.match("Wenger") == ["arsene wenger"]
    assert desk.speakers.last_read == (football,)
    assert desk.speakers.speakers() == _fresh(desk.store)

    edited = _ingest(desk, folder, "football.md", FOOTBALL_EDITED)  # the same file changed: a new version
    assert desk.speakers.match("Wenger") == []
    assert desk.speakers.match("Vieira") == ["patrick vieira"]
    assert set(desk.speakers.last_read or ()) == {football, edited}  # the old version went, the new one came
    assert desk.speakers.speakers() == _fresh(desk.store)

    economy = next(s.ref.article_id for s in desk.sources() if s.ref.title.startswith("Brown"))
    assert desk.remove(economy)
    assert set(desk.speakers.speakers()) == {"patrick vieira"}
    assert desk.speakers.last_read == (economy,)
    assert desk.speakers.speakers() == _fresh(desk.store)


def test_another_process_writes_are_seen(tmp_path: Path, embedder: LocalMiniLM) -> None:
    reader = Newsdesk(make_settings(tmp_path / "data"), embedder)
    writer = Newsdesk(make_settings(tmp_path / "data"), embedder)
    folder = tmp_path / "articles"
    _ingest(writer, folder, "economy.md", ECONOMY)
    assert reader.speakers.match("Letwin") == ["oliver letwin"]
    _ingest(writer, folder, "football.md", FOOTBALL)
    assert reader.speakers.match("Arsene Wenger") == ["arsene wenger"]
    assert reader.speakers.speakers() == _fresh(reader.store)


def test_a_reindex_reads_everything_again(tmp_path: Path, embedder: LocalMiniLM) -> None:
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    _ingest(desk, tmp_path / "articles", "economy.md", ECONOMY)
    before = dict(desk.speakers.speakers())
    desk.store.recreate_with(desk.store.embedding_model, desk.embedder.embed_documents)
    assert desk.speakers.speakers() == before
    assert desk.speakers.last_read is None


def test_a_question_keeps_the_snapshot_it_read_while_a_refresh_swaps_in_a_new_one(
    economy_desk: Newsdesk, tmp_path: Path
) -> None:
    desk = economy_desk
    before = desk.speakers.speakers()
    frozen = dict(before)
    _ingest(desk, tmp_path / "articles", "football.md", FOOTBALL)
    assert "arsene wenger" in desk.speakers.speakers()
    assert before == frozen  # the old snapshot was not edited under its reader


def test_a_refresh_that_fails_half_way_leaves_the_previous_snapshot(
    football_written: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = football_written
    reads = desk.store.speaker_rows

    def dies_half_way(article_ids: list[str] | None = None) -> Iterator[SpeakerRow]:
        yield next(iter(reads(article_ids)))
        raise ConnectionError("store went away")

    monkeypatch.setattr(desk.store, "speaker_rows", dies_half_way)
    with pytest.raises(ConnectionError):
        desk.speakers.match("Wenger")
    monkeypatch.setattr(desk.store, "speaker_rows", reads)
    assert desk.speakers.match("Letwin") == ["oliver letwin"]  # retried: both articles counted
    assert desk.speakers.match("Wenger") == ["arsene wenger"]
    assert desk.speakers.speakers() == _fresh(desk.store)


def test_a_change_log_compacted_past_the_last_refresh_means_a_full_read(
    football_written: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = football_written
    changes_since = desk.store.changes_since

    def compacted(seq: int) -> ChangeLog:
        log = changes_since(seq)
        return replace(log, horizon=seq + 1, records=log.records[-1:])  # what this reader needed is gone

    monkeypatch.setattr(desk.store, "changes_since", compacted)
    assert desk.speakers.match("Wenger") == ["arsene wenger"]
    assert desk.speakers.last_read is None


def test_deleting_only_quotes_is_logged_and_followed(tmp_path: Path, embedder: LocalMiniLM, no_lag: None) -> None:
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    football = _ingest(desk, tmp_path / "articles", "football.md", FOOTBALL)
    assert desk.speakers.match("Wenger") == ["arsene wenger"]
    quote_ids = [stored.quote_id for stored in desk.store.get_quotes({Meta.ARTICLE_ID: football})]
    desk.store.delete_chunks(quote_ids)  # the repair of a half-written version removes quotes alone
    desk.store.bump_generation()
    assert desk.speakers.match("Wenger") == []
    assert desk.speakers.last_read == (football,)


def test_a_write_still_open_at_a_refresh_is_read_again_until_it_settles() -> None:
    def record(seq: int, write: str, done: bool) -> ChangeRecord:
        return ChangeRecord(f"r{seq}", seq, write, done, ("a1",))

    now = 100 * 10**9
    changes = ChangeLog(
        "c",
        0,
        [record(now - 5, "open", False), record(now - 4, "closed", False), record(now - 3, "closed", True)],
    )
    assert _unfinished(changes, now) == {"open": now - 5}
    old = ChangeLog("c", 0, [record(now - SETTLE_NS - 1, "dead", False)])
    assert _unfinished(old, now) == {}  # its writer died: read once more, then no longer


def test_a_full_name_takes_the_quotes_filed_under_the_surname_alone_unless_a_namesake_is_quoted(
    economy_desk: Newsdesk, tmp_path: Path
) -> None:
    """An article that only ever says "Mr Panke" files his words under "panke"."""
    surname_only = (
        "---\ntitle: BMW plans crossover\nsource: Example Wire\ndate: 2012-06-06\n---\n"
        '"Customers are moving out of the mini-van," Mr Panke told reporters at the motor show.\n'
    )
    full = (
        "---\ntitle: BMW chief upbeat\nsource: Example Wire\ndate: 2012-06-07\n---\n"
        'BMW chief executive Helmut Panke said: "We expect record sales in Asia this year."\n'
    )
    namesake = (
        "---\ntitle: Panke joins board\nsource: Example Wire\ndate: 2012-06-08\n---\n"
        'Analyst Maria Panke said: "The board needed someone from outside the industry."\n'
    )
    _ingest(economy_desk, tmp_path / "articles", "surname.md", surname_only)
    _ingest(economy_desk, tmp_path / "articles", "full.md", full)
    assert economy_desk.speakers.match("Helmut Panke") == ["helmut panke", "panke"]
    _ingest(economy_desk, tmp_path / "articles", "namesake.md", namesake)
    assert economy_desk.speakers.match("Helmut Panke") == ["helmut panke"]
    assert economy_desk.speakers.match("Gordon Brown") == ["gordon brown"]
