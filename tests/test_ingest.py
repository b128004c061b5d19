"""Ingest is idempotent, replaces changed articles, removes cleanly, keeps BM25 in step with Chroma."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.schema import QuoteMeta
from bot.store import ArticleWrite, Meta, Store
from ingest.analysis_version import ANALYSIS_VERSION
from ingest.chunk import chunk_article
from ingest.identity import article_id_from_user, canonical_url, to_article
from ingest.loaders import SUPPORTED_LIST, RawArticle
from ingest.parse_ahead import ParseAhead
from ingest.pipeline import Ingestor, IngestReport
from tests.conftest import SEED_DIR, make_settings


def _write(path: Path, title: str, body: str, **front: str) -> Path:
    header = "".join(f"{key}: {value}\n" for key, value in front.items())
    path.write_text(f"---\ntitle: {title}\n{header}---\n{body}\n" if front or title else body)
    return path


def _chunks_by_article(desk: Newsdesk) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for cid, _doc, meta in desk.store.iter_chunks(include_documents=False):
        found.setdefault(str(meta[Meta.ARTICLE_ID]), set()).add(cid)
    return found


def test_reingesting_unchanged_article_changes_nothing(desk: Newsdesk) -> None:
    first = Ingestor.for_desk(desk).run([str(SEED_DIR)])
    assert len(first.added) == 1 and first.chunks_written > 0
    generation = desk.store.generation()
    before = _chunks_by_article(desk)
    again = Ingestor.for_desk(desk).run([str(SEED_DIR), str(SEED_DIR / "russia-syria-intervention.txt")])
    assert (again.added, again.updated, len(again.unchanged), again.failed) == ([], [], 1, [])
    assert _chunks_by_article(desk) == before
    assert desk.store.generation() == generation


def test_a_new_analysis_revision_rewrites_the_same_sources_quotes(
    desk: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade that changes what is extracted, the same file is an update, not "unchanged":
    its chunks and quotes are written again and the old version's are gone."""
    Ingestor.for_desk(desk).run([str(SEED_DIR)])
    before = _chunks_by_article(desk)
    quotes = desk.store.quote_count()
    assert quotes > 0
    monkeypatch.setattr("ingest.identity.ANALYSIS_VERSION", ANALYSIS_VERSION + 1)
    again = Ingestor.for_desk(desk).run([str(SEED_DIR)])
    assert (again.added, len(again.updated), again.unchanged, again.failed) == ([], 1, [], [])
    after = _chunks_by_article(desk)
    assert after.keys() == before.keys()
    (old_ids,), (new_ids,) = before.values(), after.values()
    assert len(new_ids) == len(old_ids) and not new_ids & old_ids  # a new version, the old one removed
    assert desk.store.quote_count() == quotes


def test_new_chunk_settings_recut_the_same_source(desk: Newsdesk, embedder: LocalMiniLM) -> None:
    """Changing NEWSDESK_CHUNK_SIZE and ingesting again re-cuts the article, old chunks gone."""
    Ingestor.for_desk(desk).run([str(SEED_DIR)])
    (before,) = _chunks_by_article(desk).values()
    smaller = Newsdesk(make_settings(desk.settings.data_dir, chunk_size=400, chunk_overlap=100), embedder)
    again = Ingestor.for_desk(smaller).run([str(SEED_DIR)])
    assert (again.added, len(again.updated), again.unchanged) == ([], 1, [])
    (after,) = _chunks_by_article(smaller).values()
    assert len(after) > len(before) and not after & before


def test_changed_article_replaces_all_its_old_chunks(desk: Newsdesk, tmp_path: Path) -> None:
    body = " ".join(f"Sentence number {i} says the council met about the bridge." for i in range(120))
    path = _write(tmp_path / "bridge.md", "Council and the bridge", body, url="https://example.com/bridge")
    Ingestor.for_desk(desk).run([str(path)])
    old = _chunks_by_article(desk)
    assert len(old) == 1 and len(next(iter(old.values()))) > 3
    _write(
        tmp_path / "bridge.md",
        "Council and the bridge",
        "The council cancelled the bridge.",
        url="https://example.com/bridge",
    )
    report = Ingestor.for_desk(desk).run([str(path)])
    assert len(report.updated) == 1 and not report.added
    new = _chunks_by_article(desk)
    assert list(new) == list(old)  # same article id: the canonical URL
    (chunk_ids,) = new.values()
    assert len(chunk_ids) == 1 and not chunk_ids & next(iter(old.values()))
    assert desk.ask("What happened to the bridge?").citations[0].quote == "The council cancelled the bridge."


def test_edited_local_file_without_url_replaces_its_old_version(desk: Newsdesk, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Harbour reopens\n\nThe harbour reopened on Monday after storm repairs.")
    Ingestor.for_desk(desk).run([str(path)])
    path.write_text("Harbour reopens\n\nThe harbour reopened on Tuesday after storm repairs.")
    report = Ingestor.for_desk(desk).run([str(path)])
    assert len(report.updated) == 1
    assert [a.ref.title for a in desk.sources()] == ["Harbour reopens"]


def test_remove_deletes_chunks_and_lexical_entries(desk: Newsdesk, tmp_path: Path) -> None:
    Ingestor.for_desk(desk).run([str(SEED_DIR)])
    other = _write(tmp_path / "o.md", "Weather", "Rain is expected across the north tomorrow.", source="Met")
    Ingestor.for_desk(desk).run([str(other)])
    seed_id = next(a.ref.article_id for a in desk.sources() if a.ref.title.startswith("Russia"))
    assert any(cid.startswith(seed_id) for cid in desk.lexical.get().chunk_ids)
    assert desk.remove(seed_id) > 0
    assert [a.ref.title for a in desk.sources()] == ["Weather"]
    lexical_ids = set(desk.lexical.get().chunk_ids)
    chroma_ids = {cid for cid, _d, _m in desk.store.iter_chunks(include_documents=False)}
    assert lexical_ids == chroma_ids
    assert not desk.ask("What did Churkin say about sanctions?").found


def test_half_written_article_is_repaired_on_next_run(desk: Newsdesk, tmp_path: Path) -> None:
    body = " ".join(f"Line {i} of the long report on the port strike and its costs." for i in range(100))
    path = _write(tmp_path / "strike.md", "Port strike", body, url="https://example.com/strike")
    Ingestor.for_desk(desk).run([str(path)])
    ids = sorted(next(iter(_chunks_by_article(desk).values())))
    desk.store.delete_chunks(ids[: len(ids) // 2])  # what a kill mid-write leaves
    report = Ingestor.for_desk(desk).run([str(path)])
    assert len(report.repaired) == 1
    assert sorted(next(iter(_chunks_by_article(desk).values()))) == ids


def test_chunks_are_exact_slices_with_offsets_and_overlap() -> None:
    text = " ".join(f"This is sentence {i}, which talks about the economy and prices." for i in range(60))
    article = to_article(RawArticle(title="T", text=text))
    chunks = chunk_article(article, 300, 100)
    assert len(chunks) > 5
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.endswith(".")  # cut at sentence ends
        assert chunk.count == len(chunks)
    assert all(later.start < earlier.end for earlier, later in itertools.pairwise(chunks))


def test_canonical_url_drops_tracking_and_fragment() -> None:
    assert canonical_url("HTTPS://Example.com/a/b/?utm_source=x&id=3#top") == "https://example.com/a/b?id=3"


def test_cli_batch_with_bad_files_stores_the_good_ones(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SEED_DIR / "russia-syria-intervention.txt", batch)
    (batch / "empty.txt").write_text("")
    (batch / "bad.jsonl").write_text('{"title": "Ok", "text": "Fine text."}\nnot json\n')
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(batch), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 2 and len(report["failed"]) == 2
    assert any(f.startswith(str(batch / "empty.txt")) for f in report["failed"])
    assert any(f.startswith(f"{batch / 'bad.jsonl'} line 2") for f in report["failed"])
    listed = json.loads(runner.invoke(main, ["sources", "--json"]).stdout)
    assert sorted(row["title"] for row in listed) == ["Ok", "Russia digs in its heels against Syria intervention"]
    dry = json.loads(runner.invoke(main, ["ingest", str(batch / "bad.jsonl"), "--dry-run", "--json"]).stdout)
    assert dry["dry_run"] and dry["unchanged"] and not dry["added"]


def test_article_the_store_rejects_fails_alone_and_the_rest_of_its_batch_is_stored(
    desk: Newsdesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is written in one call; when that call fails, each article is retried alone."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in range(5):
        title = "Poisoned dispatch" if number == 2 else f"Dispatch {number}"
        _write(folder / f"d{number}.md", title, f"Report {number} on the harbour dredging and its cost.")
    real_write = Store.write_articles
    calls: list[int] = []

    def rejecting_write(store: Store, writes: list[ArticleWrite], writer: str = "") -> set[str]:
        calls.append(len(writes))
        if any(write.chunks[0].article.title == "Poisoned dispatch" for write in writes):
            raise ValueError("metadata value rejected")
        return real_write(store, writes, writer)

    monkeypatch.setattr(Store, "write_articles", rejecting_write)
    report = Ingestor.for_desk(desk).run([str(folder)])
    assert calls == [5, 1, 1, 1, 1, 1]  # one batch call, then one call per article
    assert len(report.added) == 4
    assert len(report.failed) == 1 and report.failed[0].startswith("Poisoned dispatch (")
    assert "could not be stored (ValueError: metadata value rejected)" in report.failed[0]
    titles = {str(meta[Meta.TITLE]) for _cid, _doc, meta in desk.store.iter_chunks(include_documents=False)}
    assert titles == {"Dispatch 0", "Dispatch 1", "Dispatch 3", "Dispatch 4"}


def test_remove_by_url_written_differently_removes_the_article(desk: Newsdesk, tmp_path: Path) -> None:
    path = _write(tmp_path / "b.md", "Budget", "The budget passed on Tuesday.", url="https://example.com/budget?id=9")
    assert len(Ingestor.for_desk(desk).run([str(path)]).added) == 1
    assert desk.remove(article_id_from_user("HTTPS://Example.com:443/budget/?utm_source=slack&id=9#top")) > 0
    assert desk.sources() == []


def test_report_counts_skipped_files_only_when_there_are_some() -> None:
    report = IngestReport(added=["a"], seconds=1.0)
    assert "skipped" not in report.summary()
    report.skipped.extend(["x.pdf: PDF is not a supported format", "y.png: PNG is not a supported format", "z"])
    assert report.summary() == "1 added, 0 updated, 0 unchanged, 0 failed, 3 skipped (0 chunks, 1.0 s)"
    assert report.ok
    as_dict = report.to_dict()
    assert as_dict["skipped"] == report.skipped and as_dict["interrupted"] is False
    merged = IngestReport().merge(report)
    assert merged.skipped == report.skipped


def test_unsupported_files_in_a_folder_are_skipped_but_named_ones_fail(desk: Newsdesk, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SEED_DIR / "russia-syria-intervention.txt", folder)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    line = f"{folder / 'notes.pdf'}: PDF is not a supported format ({SUPPORTED_LIST})"
    from_folder = Ingestor.for_desk(desk).run([str(folder)], dry_run=True)
    assert (len(from_folder.added), from_folder.failed, from_folder.skipped) == (1, [], [line])
    assert from_folder.ok
    named = Ingestor.for_desk(desk).run([str(folder / "notes.pdf"), "ftp://x"], dry_run=True)
    assert named.failed == [line, "ftp://x: only http and https URLs can be fetched"]
    assert named.skipped == [] and not named.ok


def test_cli_exit_status_is_zero_when_a_folder_only_had_files_to_skip(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SEED_DIR / "russia-syria-intervention.txt", folder)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    result = CliRunner().invoke(main, ["ingest", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 1 and report["failed"] == []
    assert report["skipped"] == [f"{folder / 'photo.jpg'}: JPG is not a supported format ({SUPPORTED_LIST})"]


class _InterruptingEmbedder:
    """The real model, but Ctrl-C arrives while it encodes a text containing `interrupt_at` (a later batch)."""

    def __init__(self, inner: LocalMiniLM, interrupt_at: str | None = None) -> None:
        self.inner = inner
        self.interrupt_at = interrupt_at

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.interrupt_at is not None and any(self.interrupt_at in text for text in texts):
            raise KeyboardInterrupt
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_ctrl_c_keeps_what_was_stored_and_reports_it(
    settings: Settings, embedder: LocalMiniLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.pipeline.FILES_PER_BATCH", 2)
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in range(5):
        _write(folder / f"d{number}.md", f"Dispatch {number}", f"Report {number} on the harbour dredging and its cost.")
    desk = Newsdesk(settings, embedder)
    interrupting = _InterruptingEmbedder(embedder, interrupt_at="Report 2 on")  # the second batch: d2, d3
    ingestor = Ingestor(settings, desk.store, interrupting, on_change=desk.lexical.invalidate)  # type: ignore[arg-type]
    report = ingestor.run([str(folder)])
    assert report.interrupted
    assert sorted(label.split(" (")[0] for label in report.added) == ["Dispatch 0", "Dispatch 1"]
    assert report.failed == [] and report.seconds > 0
    assert report.to_dict()["interrupted"] is True
    assert sorted(a.ref.title for a in desk.sources()) == ["Dispatch 0", "Dispatch 1"]
    again = Ingestor.for_desk(desk).run([str(folder)])
    assert (len(again.unchanged), len(again.added), again.interrupted) == (2, 3, False)


def test_two_concurrent_ingests_of_the_same_files_count_each_article_once(
    settings: Settings, embedder: LocalMiniLM, tmp_path: Path
) -> None:
    """The second ingest starts and finishes while the first is encoding: only one of them wrote each article."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in range(4):
        _write(folder / f"d{number}.md", f"Dispatch {number}", f"Report {number} on the harbour dredging and its cost.")
    first_desk = Newsdesk(settings, embedder)
    second_desk = Newsdesk(settings, embedder)
    reports: list[IngestReport] = []

    class _RacingEmbedder(_InterruptingEmbedder):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            if not reports:
                reports.append(Ingestor.for_desk(second_desk).run([str(folder)]))
            return self.inner.embed_documents(texts)

    racing = _RacingEmbedder(embedder)
    first = Ingestor(settings, first_desk.store, racing).run([str(folder)])  # type: ignore[arg-type]
    (second,) = reports
    assert len(second.added) == 4
    assert len(first.added) + len(second.added) == 4
    assert len(first.unchanged) == 4


def test_a_large_ingest_parses_in_a_worker_and_stores_what_an_inline_parse_stores(
    embedder: LocalMiniLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.pipeline.FILES_PER_BATCH", 2)
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in range(5):
        body = f'Harbour master Ann Lee{number} said: "The dredging of berth {number} will finish in May."'
        _write(folder / f"d{number}.md", f"Dispatch {number}", body)
    used: list[bool] = []
    original = ParseAhead.__init__

    def recording(self: ParseAhead, use_worker: bool) -> None:
        used.append(use_worker)
        original(self, use_worker)

    monkeypatch.setattr(ParseAhead, "__init__", recording)
    stored: list[set[tuple[str, str]]] = []
    for min_files in (4, 1_000):  # parsed in a worker beside the model, then inline
        monkeypatch.setattr("ingest.pipeline.PARSE_AHEAD_MIN_FILES", min_files)
        desk = Newsdesk(make_settings(tmp_path / f"data{min_files}"), embedder)
        assert len(Ingestor.for_desk(desk).run([str(folder)]).added) == 5
        stored.append({(str(meta[QuoteMeta.SPEAKER]), doc) for _id, doc, meta in desk.store.iter_quotes()})
    assert used == [True, False]
    assert len(stored[0]) == 5 and stored[0] == stored[1]


def test_the_main_process_parses_the_pieces_the_worker_has_not_started(monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.quotes

    texts = [f'Harbour master Ann Lee{n} said: "Berth {n} opens in May."' for n in range(40)]  # 5 pieces of 8
    expected = ingest.quotes.analyse(texts)
    inline: list[int] = []
    real = ingest.quotes.analyse

    def counting(batch: list[str]) -> list[ingest.quotes.Analysis]:  # the worker imports its own, uncounted
        inline.append(len(batch))
        return real(batch)

    monkeypatch.setattr(ingest.quotes, "analyse", counting)
    with ParseAhead(use_worker=True) as parser:
        analyses = parser.submit(texts)()  # asked for at once, while the worker is still starting
    assert analyses == expected
    assert inline and sum(inline) < len(texts)  # both processes parsed part of the batch
