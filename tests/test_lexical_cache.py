"""The BM25 index cached on disk: reused by a new process, rebuilt when broken, never stale when labelled current."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import bot.lexical
from bot.lexical import LexicalCache, LexicalIndex
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


def _write(store: Store, article_id: str, title: str, text: str) -> None:
    """One single-chunk article; the lexical side never reads the vectors, so any will do."""
    article = Article(article_id, title, text, f"hash-{article_id}")
    store.write_articles([ArticleWrite([Chunk(article, 0, 1, 0, len(text), text)], [[1.0, 0.5, 0.25]])])
    store.bump_generation()


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = Store(make_settings(tmp_path / "data"), "test:lexical-only")
    for article_id, (title, text) in ARTICLES.items():
        _write(store, article_id, title, text)
    return store


def _results(index: LexicalIndex) -> dict[str, list[tuple[str, float]]]:
    return {query: index.search(query_terms(query), 5) for query in QUERIES}


def _never_builds(cache: LexicalCache) -> LexicalCache:
    def refuse(generation: str) -> LexicalIndex:
        raise AssertionError("the cache rebuilt the index instead of loading it from disk")

    cache._build = refuse  # type: ignore[method-assign]
    return cache


def _cached_folders(cache_dir: Path) -> list[Path]:
    """Every cached index under the cache dir (however the generation is spelled in its name)."""
    return sorted(path.parent for path in cache_dir.rglob("chunks.json"))


def _folder(cache_dir: Path) -> Path:
    (folder,) = _cached_folders(cache_dir)
    return folder


@pytest.fixture()
def built(store: Store, tmp_path: Path) -> Iterator[tuple[Path, dict[str, list[tuple[str, float]]]]]:
    """The index built once and cached on disk, with the answers it gives."""
    cache_dir = tmp_path / "lexical"
    index = LexicalCache(store, cache_dir).get()
    assert index.generation == store.generation()
    assert _folder(cache_dir).is_dir()
    yield cache_dir, _results(index)


def test_a_new_process_loads_the_cached_index_and_gets_the_same_results(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], store: Store, tmp_path: Path
) -> None:
    cache_dir, expected = built
    assert expected["Churkin sanctions"][0][0].startswith("churkin:")
    reopened = Store(make_settings(tmp_path / "data"), "test:lexical-only")  # as a fresh process opens it
    loaded = _never_builds(LexicalCache(reopened, cache_dir)).get()
    assert loaded.generation == store.generation()
    assert _results(loaded) == expected


def _garbage(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(b"\x00not what was saved{")


def _truncated(name: str) -> Callable[[Path], None]:
    def cut(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: len(data) // 2])

    return cut


def _emptied(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(b"")


def _first_npy(folder: Path) -> str:
    return sorted(path.name for path in folder.glob("*.npy"))[0]


CORRUPTIONS = [
    pytest.param(_garbage("chunks.json"), id="garbage-chunk-list"),
    pytest.param(_truncated("chunks.json"), id="truncated-chunk-list"),
    pytest.param(lambda folder: _garbage(_first_npy(folder))(folder), id="garbage-matrix"),
    pytest.param(lambda folder: _truncated(_first_npy(folder))(folder), id="truncated-matrix"),
    pytest.param(_garbage("vocab.index.json"), id="garbage-vocabulary"),
    pytest.param(
        lambda folder: _emptied(_first_npy(folder))(folder),
        id="empty-matrix",
    ),
    pytest.param(
        lambda folder: (folder / "chunks.json").write_text("{}"),
        id="chunk-list-without-keys",
    ),
    pytest.param(
        lambda folder: (folder / "chunks.json").write_text(json.dumps({"ids": ["x"], "sources": [""], "days": [0]})),
        id="chunk-list-not-matching-the-index",
    ),
]


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
def test_a_corrupt_cache_is_rebuilt_not_a_crash(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], store: Store, corrupt: Callable[[Path], None]
) -> None:
    cache_dir, expected = built
    corrupt(_folder(cache_dir))
    index = LexicalCache(store, cache_dir).get()
    assert _results(index) == expected


def test_a_corrupt_cache_is_replaced_on_disk(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], store: Store
) -> None:
    cache_dir, expected = built
    _garbage("chunks.json")(_folder(cache_dir))
    LexicalCache(store, cache_dir).get()
    assert len(_cached_folders(cache_dir)) == 1
    assert not list(cache_dir.rglob(".bm25-*"))  # no temporary folders left behind
    assert _results(_never_builds(LexicalCache(store, cache_dir)).get()) == expected


def test_a_write_during_a_build_does_not_leave_a_stale_index_labelled_current(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process writes while this one reads the chunks: the index it built must not be cached or
    served as if it were the new generation's, and the new article must be found once rebuilt."""
    monkeypatch.setattr(bot.lexical, "REFRESH_SECONDS", 0.0)
    monkeypatch.setattr(bot.lexical, "REBUILD_SPACING_SECONDS", 0.0)
    cache_dir = tmp_path / "lexical"
    started_at = store.generation()
    read_chunks = store.iter_chunks
    writes: list[str] = []

    def read_then_someone_writes(include_documents: bool = True) -> Iterator[tuple[str, str, dict[str, object]]]:
        yield from read_chunks(include_documents)
        if not writes:
            _write(store, "late", "Late news", "A lighthouse keeper retired after forty years at Dungeness.")
            writes.append(store.generation())

    monkeypatch.setattr(store, "iter_chunks", read_then_someone_writes)
    cache = LexicalCache(store, cache_dir)
    during = cache.get()
    assert writes and writes[0] != started_at
    assert during.generation not in (started_at, writes[0])  # labelled current for neither generation
    assert _cached_folders(cache_dir) == []  # cached under neither generation
    assert during.search(query_terms("lighthouse keeper"), 5) == []  # it really was built before the write

    fresh = LexicalCache(store, cache_dir).get()  # another process starting now
    assert fresh.generation == writes[0]
    assert fresh.search(query_terms("lighthouse keeper"), 5)[0][0].startswith("late:")

    cache.get()  # notices the new generation and rebuilds in the background
    cache.wait_for_background()
    after = cache.get()
    assert after.generation == writes[0]
    assert after.search(query_terms("lighthouse keeper"), 5)[0][0].startswith("late:")


def test_cache_folders_of_older_generations_are_removed(store: Store, tmp_path: Path) -> None:
    cache_dir = tmp_path / "lexical"
    cache = LexicalCache(store, cache_dir)
    first = cache.get().generation
    _write(store, "late", "Late news", "A lighthouse keeper retired after forty years at Dungeness.")
    cache.invalidate()
    second = cache.get().generation
    assert first != second
    assert len(_cached_folders(cache_dir)) == 1
    assert _never_builds(LexicalCache(store, cache_dir)).get().generation == second


def test_no_cache_dir_means_no_files(store: Store, tmp_path: Path) -> None:
    index = LexicalCache(store, None).get()
    assert _results(index)["river bridge"][0][0].startswith("bridge:")
    assert not (tmp_path / "lexical").exists()


def test_removing_the_cache_folder_only_costs_a_rebuild(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], store: Store
) -> None:
    cache_dir, expected = built
    shutil.rmtree(cache_dir)
    assert _results(LexicalCache(store, cache_dir).get()) == expected
    assert _folder(cache_dir).is_dir()
