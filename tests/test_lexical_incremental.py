"""The lexical index grows with the archive: each write is applied as its own chunks, by whichever
process gets there first, and a sync killed half-way leaves nothing half-applied."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import bot.lexical
import bot.store
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.lexical import FOLDER, LexicalCache, LexicalIndex, SyncReport, _opened
from bot.schema import Meta
from bot.text import query_terms
from ingest.pipeline import Ingestor
from tests.conftest import REPO, SEED_DIR, make_settings

CROSS_PROCESS_SECONDS = 30.0  # generous on a shared CI box; the bench measures the real latency

WORKER = """
import json, os, signal, sys
from pathlib import Path
import bot.lexical
from bot.config import Settings
from bot.lexical import LexicalCache, SyncReport
from bot.store import Store
from bot.text import query_terms

data_dir, model, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
if mode == "kill-before-commit":
    bot.lexical.BEFORE_COMMIT = lambda: os.kill(os.getpid(), signal.SIGKILL)
store = Store(Settings(_env_file=None, data_dir=data_dir), model, check_model=False)
cache = LexicalCache(store, data_dir / "lexical")
print("ready", flush=True)
for line in sys.stdin:
    view = cache.get()
    report = cache.last_sync
    cache.last_sync = SyncReport()
    print(json.dumps({
        "hits": [cid for cid, _score in view.search(query_terms(line), 10)],
        "ids": sorted(view.chunk_ids),
        "full": report.full, "added": report.added, "removed": report.removed,
    }), flush=True)
"""


def _article(folder: Path, name: str, title: str, paragraphs: list[str]) -> Path:
    path = folder / f"{name}.txt"
    body = "\n\n".join(paragraphs)
    path.write_text(f"---\ntitle: {title}\nsource: Harbour Gazette\ndate: 2024-03-05\n---\n\n{body}\n")
    return path


LIGHTHOUSE = [
    "The keeper of the Dungeness lighthouse retired on Friday after forty years of service on the shingle.",
    "Margaret Oyelaran climbed the tower's 169 steps twice a day, polishing the lens and logging the weather.",
    "Trinity House said the light would now be run automatically from a control room in Harwich.",
]
FERRY = [
    "A new electric ferry began crossing the estuary at Tilbury, replacing a diesel boat built in 1962.",
    "The operator said the quayside charger fills the batteries in the twelve minutes between crossings.",
]


def _ingest(desk: Newsdesk, *paths: Path) -> None:
    report = Ingestor.for_desk(desk).run([str(path) for path in paths])
    assert report.ok, report.failed


def _chroma_ids(desk: Newsdesk, title: str | None = None) -> set[str]:
    return {
        cid
        for cid, _doc, meta in desk.store.iter_chunks(include_documents=False)
        if title is None or meta.get(Meta.TITLE) == title
    }


def _hits(index: LexicalIndex, question: str) -> list[str]:
    return [cid for cid, _score in index.search(query_terms(question), 10)]


def _committed(data_dir: Path) -> set[str]:
    """What the index folder holds right now, read without syncing it."""
    index = _opened(data_dir / "lexical" / FOLDER)
    return set(LexicalIndex(index.searcher()).chunk_ids)


@pytest.fixture()
def seeded(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    """An archive with one article and its lexical index built."""
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    _ingest(desk, SEED_DIR / "russia-syria-intervention.txt")
    assert _hits(desk.lexical.get(), "Churkin sanctions")
    assert desk.lexical.last_sync.full
    return desk


def test_an_ingested_article_is_applied_as_its_own_chunks_without_a_full_rebuild(
    seeded: Newsdesk, tmp_path: Path
) -> None:
    _ingest(seeded, _article(tmp_path, "lighthouse", "Dungeness keeper retires", LIGHTHOUSE))
    new_chunks = _chroma_ids(seeded, "Dungeness keeper retires")
    index = seeded.lexical.get()
    report = seeded.lexical.last_sync
    assert new_chunks and not report.full
    assert set(report.added) == new_chunks and report.removed == ()  # the documents the sync touched
    assert set(_hits(index, "Oyelaran lighthouse keeper")) & new_chunks
    assert set(index.chunk_ids) == _chroma_ids(seeded)


def test_an_updated_article_replaces_its_chunks(seeded: Newsdesk, tmp_path: Path) -> None:
    path = _article(tmp_path, "lighthouse", "Dungeness keeper retires", LIGHTHOUSE)
    _ingest(seeded, path)
    old_chunks = _chroma_ids(seeded, "Dungeness keeper retires")
    assert _hits(seeded.lexical.get(), "Harwich control room")
    _article(tmp_path, "lighthouse", "Dungeness keeper retires", [*LIGHTHOUSE[:2], "A museum will open in the tower."])
    _ingest(seeded, path)
    new_chunks = _chroma_ids(seeded, "Dungeness keeper retires")
    index = seeded.lexical.get()
    report = seeded.lexical.last_sync
    assert not report.full and new_chunks.isdisjoint(old_chunks)
    assert (set(report.added), set(report.removed)) == (new_chunks, old_chunks)
    assert _hits(index, "Harwich control room") == []
    assert set(_hits(index, "museum tower")) & new_chunks
    assert set(index.chunk_ids) == _chroma_ids(seeded)


def test_a_removed_article_leaves_the_index(seeded: Newsdesk, tmp_path: Path) -> None:
    _ingest(seeded, _article(tmp_path, "ferry", "Electric ferry for Tilbury", FERRY))
    assert _hits(seeded.lexical.get(), "electric ferry estuary")
    chunks = _chroma_ids(seeded, "Electric ferry for Tilbury")
    (article_id,) = {cid.split(":")[0] for cid in chunks}
    assert seeded.remove(article_id) == len(chunks)
    index = seeded.lexical.get()
    assert not seeded.lexical.last_sync.full and set(seeded.lexical.last_sync.removed) == chunks
    assert _hits(index, "electric ferry estuary") == []
    assert set(index.chunk_ids) == _chroma_ids(seeded)


def _worker(data_dir: Path, model: str, mode: str = "serve") -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(data_dir), model, mode],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read() if process.stderr else ""
    return process


def _ask(process: subprocess.Popen[str], question: str) -> dict[str, Any]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(question + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else "the worker died"
    return dict(json.loads(line))


def _stop(process: subprocess.Popen[str]) -> None:
    if process.stdin is not None:
        process.stdin.close()
    process.wait(timeout=60)


def test_a_sync_killed_before_its_commit_leaves_the_last_commit_and_a_fresh_process_converges(
    seeded: Newsdesk, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    lighthouse = _article(tmp_path, "lighthouse", "Dungeness keeper retires", LIGHTHOUSE)
    _ingest(seeded, lighthouse, _article(tmp_path, "ferry", "Electric ferry for Tilbury", FERRY))
    seeded.lexical.get()
    before = _committed(data_dir)
    # One batch for the killed sync: an update, a removal and a new article.
    _article(tmp_path, "lighthouse", "Dungeness keeper retires", [LIGHTHOUSE[0], "The lamp will be kept as it is."])
    _ingest(seeded, lighthouse, _article(tmp_path, "pier", "Pier reopens", ["Southwold pier reopened with a café."]))
    seeded.remove(next(iter(_chroma_ids(seeded, "Electric ferry for Tilbury"))).split(":")[0])

    killed = _worker(data_dir, seeded.store.embedding_model, "kill-before-commit")
    assert killed.stdin is not None
    killed.stdin.write("Southwold pier\n")
    killed.stdin.flush()
    assert killed.wait(timeout=120) == -signal.SIGKILL  # it died at the hook: documents added, not committed
    assert _committed(data_dir) == before  # nothing of the killed sync is visible

    fresh = _worker(data_dir, seeded.store.embedding_model)
    seen = _ask(fresh, "Southwold pier")
    _stop(fresh)
    assert not seen["full"] and seen["added"] and seen["removed"]  # it applied the changes, no rebuild
    assert set(seen["ids"]) == _chroma_ids(seeded) == _committed(data_dir)
    assert set(seen["hits"]) & _chroma_ids(seeded, "Pier reopens")


def test_a_running_process_finds_an_article_another_process_ingests(seeded: Newsdesk, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bot = _worker(data_dir, seeded.store.embedding_model)
    try:
        first = _ask(bot, "Oyelaran lighthouse keeper")
        assert first["hits"] == [] and not first["full"]
        _ingest(seeded, _article(tmp_path, "lighthouse", "Dungeness keeper retires", LIGHTHOUSE))
        new_chunks = _chroma_ids(seeded, "Dungeness keeper retires")
        written = time.monotonic()
        mine = set(seeded.lexical.get().chunk_ids) and set(seeded.lexical.last_sync.added)  # both may sync
        theirs: set[str] = set()
        while True:
            seen = _ask(bot, "Oyelaran lighthouse keeper")
            theirs |= set(seen["added"])
            if set(seen["hits"]) & new_chunks:
                break
            assert time.monotonic() - written < CROSS_PROCESS_SECONDS, "the running process never saw the article"
            time.sleep(0.1)
        assert not seen["full"]
        assert mine | theirs == new_chunks and not mine & theirs  # applied once, by whichever got there first
        assert set(seen["ids"]) == _chroma_ids(seeded)
    finally:
        _stop(bot)


def test_two_processes_starting_on_an_empty_folder_build_it_once(seeded: Newsdesk, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert seeded.lexical.get()
    shutil.rmtree(data_dir / "lexical")
    workers = [_worker(data_dir, seeded.store.embedding_model) for _ in range(2)]
    try:
        for worker in workers:  # both ask before either answers: they race for the writer
            assert worker.stdin is not None
            worker.stdin.write("Churkin sanctions\n")
            worker.stdin.flush()
        answers = []
        for worker in workers:
            assert worker.stdout is not None
            answers.append(json.loads(worker.stdout.readline()))
    finally:
        for worker in workers:
            _stop(worker)
    assert sorted(answer["full"] for answer in answers) == [False, True]
    assert all(set(answer["ids"]) == _chroma_ids(seeded) and answer["hits"] for answer in answers)


def test_a_reindex_moves_the_index_to_the_new_collection(
    seeded: Newsdesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.lexical, "REFRESH_SECONDS", 0.0)  # as if a question came a while later
    before = seeded.lexical.get().state
    assert before is not None
    seeded.lexical.last_sync = SyncReport()
    seeded.store.recreate_with(seeded.store.embedding_model, seeded.embedder.embed_documents)
    stale = seeded.lexical.get()  # starts the build in the background, answers from the old view
    assert stale.state == before
    seeded.lexical.wait_for_background()
    rebuilt = seeded.lexical.get()
    assert seeded.lexical.last_sync.full
    assert rebuilt.state is not None and rebuilt.state.collection_id != before.collection_id
    assert set(rebuilt.chunk_ids) == _chroma_ids(seeded)
    _ingest(seeded, _article(tmp_path, "ferry", "Electric ferry for Tilbury", FERRY))
    assert _hits(seeded.lexical.get(), "electric ferry estuary")
    assert set(seeded.lexical.last_sync.added) == _chroma_ids(seeded, "Electric ferry for Tilbury")


def test_the_change_log_is_compacted_and_a_process_too_far_behind_rebuilds(
    seeded: Newsdesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    behind = LexicalCache(seeded.store, data_dir / "lexical")
    assert behind.get().state is not None
    assert seeded.store.changes_since(0).records
    monkeypatch.setattr(bot.store, "CHANGE_RETENTION_S", 0.0)
    monkeypatch.setattr(seeded.store, "_changes_logged", 0)  # the next write compacts
    _ingest(seeded, _article(tmp_path, "ferry", "Electric ferry for Tilbury", FERRY))
    log = seeded.store.changes_since(0)
    assert log.records == [] and log.horizon > 0  # everything older than the retention is gone
    behind.invalidate()
    index = behind.get()
    assert behind.last_sync.full  # the records it needed are gone: it must rebuild
    assert set(index.chunk_ids) == _chroma_ids(seeded)
    assert _hits(index, "electric ferry estuary")


def test_a_writer_killed_before_logging_its_end_is_applied_once_its_start_settles(
    seeded: Newsdesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_change = seeded.store._log_change

    def killed_after_writing(article_ids: Any, write_id: str, done: bool) -> None:
        if not done:  # the record logged before the write survives; the one after never happens
            log_change(article_ids, write_id, done)

    monkeypatch.setattr(seeded.store, "_log_change", killed_after_writing)
    _ingest(seeded, _article(tmp_path, "ferry", "Electric ferry for Tilbury", FERRY))
    assert _hits(seeded.lexical.get(), "electric ferry estuary") == []  # the write may still be running
    monkeypatch.setattr(bot.lexical, "SETTLE_NS", 0)  # now it has surely finished or died
    seeded.lexical.invalidate()
    assert _hits(seeded.lexical.get(), "electric ferry estuary")
    assert set(seeded.lexical.last_sync.added) == _chroma_ids(seeded, "Electric ferry for Tilbury")
