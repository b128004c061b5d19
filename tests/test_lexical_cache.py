"""The lexical index on disk: reopened by a new process without a build, rebuilt when broken, and
never missing a write that landed while it was being built."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import lexical
from bot.lexical import FOLDER, LexicalCache, LexicalIndex, SyncReport
from bot.models import Article, Chunk
from bot.store import ArticleWrite, Store
from bot.text import query_terms
from tests.conftest import make_settings

ARTICLES = {
    "churkin": ("Russia digs in", "Vitaly Churkin said the attitude to sanctions continues to be negative."),
    "bridge": ("Mayor opens bridge", "The mayor opened the new river bridge on Monday morning."),
    "annan": ("Lavrov meets Annan", "Sergei Lavrov met Kofi Annan in Moscow to discuss the peace plan."),
}
QUERIES = ("Churkin sanctions", "river bridge", "Annan peace plan Moscow", "negative attitude")
MODEL = "test:lexical-only"


def _write(store: Store, article_id: str, title: str, text: str) -> None:
    """One single-chunk article; the lexical side never reads the vectors, so any will do."""
    article = Article(article_id, title, text, f"hash-{article_id}")
    store.write_articles([ArticleWrite([Chunk(article, 0, 1, 0, len(text), text)], [[1.0, 0.5, 0.25]])])


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = Store(make_settings(tmp_path / "data"), MODEL)
    for article_id, (title, text) in ARTICLES.items():
        _write(store, article_id, title, text)
    return store


def _results(index: LexicalIndex) -> dict[str, list[tuple[str, float]]]:
    return {query: index.search(query_terms(query), 5) for query in QUERIES}


def _never_builds(cache: LexicalCache) -> LexicalCache:
    def refuse(*args: object) -> SyncReport:
        raise AssertionError("the cache built the index from scratch instead of opening it from disk")

    cache._build = refuse  # type: ignore[method-assign,assignment]
    return cache


@pytest.fixture()
def built(store: Store, tmp_path: Path) -> Iterator[tuple[Path, dict[str, list[tuple[str, float]]]]]:
    """The index built once on disk, with the answers it gives."""
    cache_dir = tmp_path / "lexical"
    cache = LexicalCache(store, cache_dir)
    index = cache.get()
    assert cache.last_sync.full
    assert (cache_dir / FOLDER / "meta.json").is_file()
    yield cache_dir, _results(index)


def test_a_new_process_opens_the_index_on_disk_and_gets_the_same_results(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], tmp_path: Path
) -> None:
    cache_dir, expected = built
    assert expected["Churkin sanctions"][0][0].startswith("churkin:")
    reopened = Store(make_settings(tmp_path / "data"), MODEL)  # as a fresh process opens it
    cache = _never_builds(LexicalCache(reopened, cache_dir))
    assert _results(cache.get()) == expected
    assert cache.last_sync == SyncReport()  # nothing applied: it was already current


def _garbage(name: str) -> Callable[[Path], None]:
    def overwrite(folder: Path) -> None:
        (folder / name).write_bytes(b"\x00not what was saved{")

    return overwrite


def _truncated(pattern: str) -> Callable[[Path], None]:
    def cut(folder: Path) -> None:
        for path in folder.glob(pattern):
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])

    return cut


def _emptied(pattern: str) -> Callable[[Path], None]:
    def empty(folder: Path) -> None:
        for path in folder.glob(pattern):
            path.write_bytes(b"")

    return empty


def _removed(pattern: str) -> Callable[[Path], None]:
    def remove(folder: Path) -> None:
        for path in folder.glob(pattern):
            path.unlink()

    return remove


CORRUPTIONS = [
    pytest.param(_garbage("meta.json"), id="garbage-meta"),
    pytest.param(_truncated("meta.json"), id="truncated-meta"),
    pytest.param(_emptied("meta.json"), id="empty-meta"),
    pytest.param(_truncated("*.idx"), id="truncated-postings"),
    pytest.param(_emptied("*.term"), id="empty-term-dictionary"),
    pytest.param(_removed("*.store"), id="missing-document-store"),
    pytest.param(_truncated("*.fast"), id="truncated-fast-fields"),
]


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
def test_a_corrupt_index_is_rebuilt_not_a_crash(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], store: Store, corrupt: Callable[[Path], None]
) -> None:
    cache_dir, expected = built
    corrupt(cache_dir / FOLDER)
    cache = LexicalCache(store, cache_dir)
    assert _results(cache.get()) == expected
    assert cache.last_sync.full
    assert _results(_never_builds(LexicalCache(store, cache_dir)).get()) == expected  # repaired on disk


def test_an_index_of_another_format_is_rebuilt_and_said_to_be_no_damage(
    built: tuple[Path, dict[str, list[tuple[str, float]]]],
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A release that reads terms differently bumps FORMAT: the old index is rebuilt once, logged as
    expected (info), not as an unreadable index (warning)."""
    cache_dir, expected = built
    monkeypatch.setattr(lexical, "FORMAT", lexical.FORMAT + 1)
    with caplog.at_level(logging.INFO, logger="bot.lexical"):
        cache = LexicalCache(store, cache_dir)
        assert _results(cache.get()) == expected
    assert cache.last_sync.full
    assert any("for this release" in r.message and r.levelno == logging.INFO for r in caplog.records)
    assert not any("unreadable" in r.message for r in caplog.records)


def test_a_write_during_a_build_is_applied_by_the_next_sync(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process writes while this one reads the chunks: the build must not claim the write,
    and the next sync must apply it (as a change, not another build)."""
    read_chunks = store.iter_chunks
    writes: list[str] = []

    def read_then_someone_writes(include_documents: bool = True) -> Iterator[tuple[str, str, dict[str, object]]]:
        yield from read_chunks(include_documents)
        if not writes:
            _write(store, "late", "Late news", "A lighthouse keeper retired after forty years at Dungeness.")
            writes.append("late")

    monkeypatch.setattr(store, "iter_chunks", read_then_someone_writes)
    cache = LexicalCache(store, tmp_path / "lexical")
    during = cache.get()
    assert writes and cache.last_sync.full
    assert during.search(query_terms("lighthouse keeper"), 5) == []  # it really was built before the write

    cache.invalidate()
    after = cache.get()
    assert not cache.last_sync.full
    assert [cid.split(":")[0] for cid in cache.last_sync.added] == ["late"]
    assert after.search(query_terms("lighthouse keeper"), 5)[0][0].startswith("late:")


def test_no_cache_dir_means_no_files(store: Store, tmp_path: Path) -> None:
    cache = LexicalCache(store, None)
    assert _results(cache.get())["river bridge"][0][0].startswith("bridge:")
    _write(store, "late", "Late news", "A lighthouse keeper retired after forty years at Dungeness.")
    cache.invalidate()
    assert cache.get().search(query_terms("lighthouse"), 5)[0][0].startswith("late:")
    assert not cache.last_sync.full  # kept in step in memory, not rebuilt
    assert not (tmp_path / "lexical").exists()


def test_removing_the_index_folder_only_costs_a_rebuild(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], store: Store
) -> None:
    cache_dir, expected = built
    shutil.rmtree(cache_dir)
    cache = LexicalCache(store, cache_dir)
    assert _results(cache.get()) == expected
    assert cache.last_sync.full
    assert (cache_dir / FOLDER / "meta.json").is_file()


def test_caches_of_the_rebuild_per_write_index_are_removed(store: Store, tmp_path: Path) -> None:
    cache_dir = tmp_path / "lexical"
    old = cache_dir / "bm25-newsdesk_0123"
    old.mkdir(parents=True)
    (old / "chunks.json").write_text("{}")
    LexicalCache(store, cache_dir).get()
    assert not old.exists()
