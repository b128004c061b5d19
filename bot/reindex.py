"""Rebuild the archive with another embedding model, never losing it or a concurrent write.

Chroma cannot rename one collection over another atomically, so the live
collections are named by a pointer (`Store.pointer`), and a reindex:

1. claims the archive (the pointer records it, refreshed after every batch):
   new ingests and removals are refused with a clear message until it ends, and
   a claim left by a killed reindex goes stale after `REINDEX_STALE_S`;
2. copies every chunk and quote into new collections, re-embedding them;
3. catches up: writes that began before the claim (another process's batch in
   flight) are copied or removed by comparing ids, until a pass sees no change;
4. switches the pointer to the new collections: one metadata write, so the old
   collections stay authoritative until the new ones are complete;
5. drops the old collections and any left by an earlier, killed reindex.

A kill at any point leaves the archive readable and whole: before step 4 the old
collections are live; after it the new ones are, complete.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from bot.errors import ReindexRunningError
from bot.schema import QUOTES_SUFFIX, Meta, embedding_text, stored_quote_embedding_text
from bot.store import CHANGES_SUFFIX, POINTER_SUFFIX, Store, reindex_owner
from bot.store.collections import GET_PAGE, record_pages

log = logging.getLogger(__name__)

EMBED_BATCH = 256  # rows per re-embedding batch: one progress step and one claim refresh each
MAX_CATCH_UP_PASSES = 5
REBUILD_PREFIX = ".r"

Embed = Callable[[list[str]], list[list[float]]]


def reindex(
    store: Store,
    new_model: str,
    embed: Embed,
    progress: Callable[[int], Any] | None = None,
    embed_quotes: Embed | None = None,
) -> int:
    """Returns how many chunks the new collections hold."""
    embed_quotes = embed_quotes or embed
    owner = reindex_owner()
    _claim(store, owner)
    try:
        old_chunks, old_quotes = store.live_names()
        tag = uuid.uuid4().hex[:8]
        new_chunks_name = f"{store.settings.collection}{REBUILD_PREFIX}{tag}"
        new_chunks = store.open_collection(new_chunks_name, new_model)
        new_quotes = store.open_collection(new_chunks_name + QUOTES_SUFFIX, new_model)
        source_chunks = store._client.get_collection(old_chunks, embedding_function=None)
        source_quotes = store._client.get_or_create_collection(old_quotes, embedding_function=None)
        refresh = lambda: _claim(store, owner)  # noqa: E731 - a callback, named for what it does
        log.info("re-embedding %s into %s", old_chunks, new_chunks_name)
        _copy(source_chunks, new_chunks, None, _chunk_text, embed, progress, refresh)
        _copy(source_quotes, new_quotes, None, _quote_text, embed_quotes, None, refresh)
        for _ in range(MAX_CATCH_UP_PASSES):
            changed = _catch_up(source_chunks, new_chunks, _chunk_text, embed, refresh)
            changed += _catch_up(source_quotes, new_quotes, _quote_text, embed_quotes, refresh)
            if not changed:
                break
        store.write_pointer({"chunks": new_chunks_name, "quotes": new_chunks_name + QUOTES_SUFFIX, "reindex": ""})
        store.reopen(new_model)
        count = int(new_chunks.count())
        _drop_unused(store, keep={new_chunks_name, new_chunks_name + QUOTES_SUFFIX, new_chunks_name + CHANGES_SUFFIX})
        return count
    except BaseException:
        _release(store, owner)
        raise


def _claim(store: Store, owner: str) -> None:
    claim = store.reindex_claim()
    if claim and not claim.startswith(owner + "@"):
        raise ReindexRunningError("another `newsdesk reindex` is running; wait for it to finish")
    chunks, quotes = store.live_names()
    store.write_pointer({"chunks": chunks, "quotes": quotes, "reindex": f"{owner}@{time.time():.3f}"})


def _release(store: Store, owner: str) -> None:
    try:
        if store.reindex_claim().startswith(owner + "@"):
            chunks, quotes = store.live_names()
            store.write_pointer({"chunks": chunks, "quotes": quotes, "reindex": ""})
    except Exception:  # the claim goes stale on its own; the original error matters more
        log.warning("could not release the reindex claim", exc_info=True)


def _chunk_text(document: str, meta: dict[str, Any]) -> str:
    return embedding_text(str(meta.get(Meta.TITLE, "")), document)


def _quote_text(document: str, meta: dict[str, Any]) -> str:
    return stored_quote_embedding_text(document, meta)


def _copy(
    source: Any,
    target: Any,
    ids: list[str] | None,
    text_of: Callable[[str, dict[str, Any]], str],
    embed: Embed,
    progress: Callable[[int], Any] | None,
    refresh: Callable[[], None],
) -> int:
    copied = 0
    for page in record_pages(source.get, ["documents", "metadatas"], ids):
        rows = list(zip(page["ids"], page["documents"], page["metadatas"], strict=True))
        for start in range(0, len(rows), EMBED_BATCH):
            part = rows[start : start + EMBED_BATCH]
            vectors = embed([text_of(doc or "", dict(meta or {})) for _rid, doc, meta in part])
            target.upsert(
                ids=[rid for rid, _doc, _meta in part],
                embeddings=vectors,
                documents=[doc or "" for _rid, doc, _meta in part],
                metadatas=[dict(meta or {}) for _rid, _doc, meta in part],
            )
            copied += len(part)
            refresh()
            if progress is not None:
                progress(len(part))
    return copied


def _all_ids(collection: Any) -> set[str]:
    return set(collection.get(include=[])["ids"])


def _catch_up(
    source: Any, target: Any, text_of: Callable[[str, dict[str, Any]], str], embed: Embed, refresh: Callable[[], None]
) -> int:
    """Copy what appeared in the source since the copy and drop what left it; ids carry the
    content hash, so a changed article is a new id and an id never changes meaning."""
    have, want = _all_ids(target), _all_ids(source)
    missing, gone = sorted(want - have), sorted(have - want)
    if missing:
        _copy(source, target, missing, text_of, embed, None, refresh)
    for start in range(0, len(gone), GET_PAGE):
        target.delete(ids=gone[start : start + GET_PAGE])
    return len(missing) + len(gone)


def _drop_unused(store: Store, keep: set[str]) -> None:
    """Drop the replaced collections and any left by a killed reindex (never the pointer)."""
    prefix = store.settings.collection
    for name in _collection_names(store):
        if name in keep or name == prefix + POINTER_SUFFIX:
            continue
        replaced = (prefix, prefix + QUOTES_SUFFIX, prefix + CHANGES_SUFFIX)
        if name in replaced or name.startswith(prefix + REBUILD_PREFIX):
            try:
                store._client.delete_collection(name)
            except Exception:  # already gone: another cleanup got there first
                log.info("collection %s was already dropped", name)


def _collection_names(store: Store) -> list[str]:
    listed = store._client.list_collections()
    return [item if isinstance(item, str) else item.name for item in listed]
