"""The Chroma store: every read and write of the archive goes through `Store`.

Chroma is the single source of truth (the record schema is in `bot.schema`). The pieces:

- `client`: the embedded or server client, where the archive is, which failures are an outage,
  and the retry of idempotent reads;
- `collections`: creating the chunk and quote collections, and the pointer naming the live ones;
- `claims`: the reindex claim that holds writers off while a reindex copies (see `bot.reindex`);
- `versions`: writing an article's content version and finding the stored ones (crash repair);
- `summaries`: listings, whole article texts, quotes and speakers as read back;
- `changes`: the change log the lexical index syncs from.

`Store` ties them to the live collections. Writes are ordered so a crash can be detected and
repaired: a new version's chunks are written first, then its quotes, and the old version is deleted
after (see `versions`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from bot.config import Settings
from bot.errors import EmbeddingMismatchError
from bot.schema import (
    COLLECTION_GENERATION_KEY,
    COLLECTION_MODEL_KEY,
    Meta,
    QuoteMeta,
    article_id_of,
    article_ref,
    day_number,
    embedding_text,
    is_quote_id,
)
from bot.store.changes import (
    CHANGE_LAG_NS,
    CHANGE_RETENTION_S,
    CHANGES_HORIZON_KEY,
    CHANGES_SUFFIX,
    COMPACT_EVERY,
    SETTLE_NS,
    ChangeLog,
    ChangeRecord,
    change_log_name,
    change_records,
    change_row,
    compaction_horizon,
    horizon_of,
)
from bot.store.claims import REINDEX_STALE_S, live_claim, refuse_writes, reindex_owner
from bot.store.client import (
    is_missing_collection,
    is_unavailable,
    make_client,
    retry_read,
    store_location,
    unavailable,
)
from bot.store.collections import (
    GET_PAGE,
    POINTER_SUFFIX,
    live_names,
    open_bookkeeping,
    open_collection,
    pointer_name,
    record_pages,
)
from bot.store.summaries import (
    ArticleSummary,
    ArticleText,
    SpeakerRow,
    StoredQuote,
    article_texts,
    quote_of,
    speaker_rows,
    summarise,
)
from bot.store.versions import ArticleWrite, StoredVersion, VersionTally, other_versions, version_rows

__all__ = [
    "CHANGES_HORIZON_KEY",
    "CHANGES_SUFFIX",
    "CHANGE_LAG_NS",
    "CHANGE_RETENTION_S",
    "COLLECTION_MODEL_KEY",
    "GET_PAGE",
    "ID_BATCH",
    "POINTER_SUFFIX",
    "REINDEX_STALE_S",
    "SETTLE_NS",
    "ArticleSummary",
    "ArticleText",
    "ArticleWrite",
    "ChangeLog",
    "ChangeRecord",
    "Meta",
    "QuoteMeta",
    "SpeakerRow",
    "Store",
    "StoredQuote",
    "StoredVersion",
    "article_ref",
    "day_number",
    "embedding_text",
    "make_client",
    "reindex_owner",
    "store_location",
    "unavailable",
]

T = TypeVar("T")
Row = tuple[str, str, dict[str, Any]]

ID_BATCH = 200  # ids per `$in` filter: Chroma's query planner slows on long lists


class Store:
    """All reads and writes of the chunk and quote collections go through here."""

    def __init__(self, settings: Settings, embedding_model: str, *, check_model: bool = True) -> None:
        self.settings = settings
        self.embedding_model = embedding_model
        self._client = make_client(settings)
        self._lock = threading.Lock()
        self._live: tuple[str, str] = ("", "")
        self._chunks: Any = None
        self._quotes: Any = None
        self._changes: Any = None
        self._changes_logged = 0
        self._guard(self._open)
        if check_model:
            self.check_model()

    # --- plumbing --------------------------------------------------------
    def _guard(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a write (once): a dead Chroma server becomes one clear, user-safe error, and a
        reindex's switch of collections is followed."""
        return self._call(call, args, kwargs, retry=False)

    def _read(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run an idempotent read as `_guard` does, retried over a transient transport error."""
        return self._call(call, args, kwargs, retry=True)

    def _call(self, call: Callable[..., T], args: Any, kwargs: Any, *, retry: bool) -> T:
        for attempt in range(2):
            try:
                return retry_read(call, *args, **kwargs) if retry else call(*args, **kwargs)
            except Exception as exc:
                if is_unavailable(exc):
                    raise unavailable(self.settings, exc) from exc
                if attempt == 0 and is_missing_collection(exc) and self._open():
                    continue  # a reindex switched collections under us: call again on the new ones
                raise
        raise AssertionError("unreachable")

    @property
    def pointer_name(self) -> str:
        return pointer_name(self.settings.collection)

    def pointer(self) -> dict[str, Any]:
        """The pointer's metadata ({} until the first reindex: the configured names are live)."""
        try:
            found = retry_read(self._client.get_collection, self.pointer_name, embedding_function=None)
        except Exception as exc:
            if is_missing_collection(exc):
                return {}
            if is_unavailable(exc):
                raise unavailable(self.settings, exc) from exc
            raise
        return dict(found.metadata or {})

    def live_names(self) -> tuple[str, str]:
        return live_names(self.pointer(), self.settings.collection)

    def _open(self) -> bool:
        """(Re)open the live collections; True when they changed."""
        live = self.live_names()
        if live == self._live and self._chunks is not None:
            return False
        self._chunks = self.open_collection(live[0], self.embedding_model)
        self._quotes = self.open_collection(live[1], self.embedding_model)
        self._live = live
        return True

    def open_collection(self, name: str, model: str) -> Any:
        return open_collection(self._client, name, model)

    @property
    def _collection(self) -> Any:
        """The live chunk collection (benchmarks write to it directly)."""
        return self._chunks

    def _collection_metadata(self) -> dict[str, Any]:
        self._guard(self._open)
        fresh = self._read(self._client.get_collection, self._live[0], embedding_function=None)
        return dict(fresh.metadata or {})

    def check_model(self) -> None:
        from bot.embeddings import same_vector_space  # fp32 and int8 MiniLM share a space (see there)

        built_with = self._collection_metadata().get(COLLECTION_MODEL_KEY)
        if built_with and not same_vector_space(str(built_with), self.embedding_model) and self.count() > 0:
            raise EmbeddingMismatchError(
                f"the store was built with embeddings {built_with} but {self.embedding_model} is configured; "
                "run `newsdesk reindex` to rebuild it with the configured model, "
                "or set NEWSDESK_EMBEDDINGS back"
            )

    def built_with(self) -> str:
        """The embedding model named in the live collection (a read from Chroma)."""
        return str(self._collection_metadata().get(COLLECTION_MODEL_KEY, self.embedding_model))

    def generation(self) -> str:
        """Changes after every write and every reindex; derived caches (the lexical index) key on it."""
        metadata = self._collection_metadata()
        return f"{self._live[0]}/{metadata.get(COLLECTION_GENERATION_KEY, '')}"

    def bump_generation(self) -> None:
        metadata = self._collection_metadata()
        metadata[COLLECTION_GENERATION_KEY] = uuid.uuid4().hex
        metadata[COLLECTION_MODEL_KEY] = self.embedding_model
        self._guard(lambda: self._chunks.modify(metadata=metadata))

    def count(self) -> int:
        return int(self._read(lambda: self._chunks.count()))

    def quote_count(self) -> int:
        return int(self._read(lambda: self._quotes.count()))

    # --- reindex claim ---------------------------------------------------
    def reindex_claim(self) -> str:
        """The running reindex's claim ("" when none, or when its owner stopped refreshing it)."""
        return live_claim(str(self.pointer().get("reindex") or ""))

    def check_writable(self) -> None:
        claim = self.reindex_claim()
        if claim:
            raise refuse_writes(claim)

    def write_pointer(self, metadata: dict[str, Any]) -> None:
        """One metadata write: what makes a reindex's switch atomic."""
        open_bookkeeping(self._client, self.pointer_name).modify(metadata=metadata)

    # --- reads -----------------------------------------------------------
    def iter_chunks(self, include_documents: bool = True) -> Iterator[Row]:
        """Every chunk as (id, document, metadata), paged."""
        yield from self._iter(self._chunks, include_documents)

    def iter_quotes(self) -> Iterator[Row]:
        yield from self._iter(self._quotes, True)

    def _iter(self, collection: Any, include_documents: bool) -> Iterator[Row]:
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        for page in record_pages(lambda **query: self._read(collection.get, **query), include):
            ids = page["ids"]
            documents = page.get("documents") or [""] * len(ids)
            for record_id, document, meta in zip(ids, documents, page["metadatas"], strict=True):
                yield record_id, document or "", dict(meta or {})

    def versions(self, article_ids: Sequence[str]) -> dict[str, list[StoredVersion]]:
        """Stored versions per article id, to decide added / updated / unchanged / repair."""
        tally = VersionTally()
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), ID_BATCH):
            where = {Meta.ARTICLE_ID: {"$in": ids[start : start + ID_BATCH]}}
            tally.add_chunks(self._read(lambda w=where: self._chunks.get(where=w, include=["metadatas"])))
            tally.add_quotes(self._read(lambda w=where: self._quotes.get(where=w, include=["metadatas"])))
        return tally.versions()

    def article_ids_by_origin(self, origins: Sequence[str]) -> dict[str, set[str]]:
        """Stored article ids per origin (file path), for replacing an edited local file."""
        found: dict[str, set[str]] = defaultdict(set)
        wanted = [origin for origin in dict.fromkeys(origins) if origin]
        for start in range(0, len(wanted), ID_BATCH):
            where = {Meta.ORIGIN: {"$in": wanted[start : start + ID_BATCH]}}
            page = self._read(lambda w=where: self._chunks.get(where=w, include=["metadatas"]))
            for meta in page["metadatas"]:
                found[str(meta[Meta.ORIGIN])].add(str(meta[Meta.ARTICLE_ID]))
        return found

    def articles(self) -> list[ArticleSummary]:
        return summarise(meta for _cid, _doc, meta in self.iter_chunks(include_documents=False))

    def dense_query(
        self, embedding: list[float], n_results: int, where: dict[str, Any] | None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """Nearest chunks as (id, document, metadata, cosine similarity)."""
        return self._query(lambda: self._chunks, embedding, n_results, where)

    def _query(
        self, collection: Callable[[], Any], embedding: list[float], n_results: int, where: dict[str, Any] | None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        if n_results <= 0:
            return []
        result = self._read(
            lambda: collection().query(
                query_embeddings=[embedding],
                n_results=n_results,
                where=where,
                include=["metadatas", "documents", "distances"],
            )
        )
        rows = zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        )
        return [(rid, doc or "", dict(meta or {}), 1.0 - float(distance)) for rid, doc, meta, distance in rows]

    def embeddings_of(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        if not chunk_ids:
            return {}
        page = self._read(lambda: self._chunks.get(ids=list(chunk_ids), include=["embeddings"]))
        return {cid: list(vector) for cid, vector in zip(page["ids"], page["embeddings"], strict=True)}

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, ArticleText]:
        """Each article's reference, text and entities, rebuilt from its chunks (see `summaries`)."""
        if not article_ids:
            return {}
        where = {Meta.ARTICLE_ID: {"$in": list(article_ids)}}
        return article_texts(self._read(lambda: self._chunks.get(where=where, include=["documents", "metadatas"])))

    def chunks_by_ids(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not chunk_ids:
            return {}
        page = self._read(lambda: self._chunks.get(ids=list(chunk_ids), include=["documents", "metadatas"]))
        return {
            cid: (doc or "", dict(meta or {}))
            for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        }

    # --- quotes ----------------------------------------------------------
    def speaker_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[SpeakerRow]:
        """Who every named quote is by, or only those of these articles (the speaker index's reads)."""
        if article_ids is None:
            yield from speaker_rows(meta for _qid, _doc, meta in self._iter(self._quotes, include_documents=False))
            return
        wanted = sorted(set(article_ids))
        for start in range(0, len(wanted), ID_BATCH):
            where = {Meta.ARTICLE_ID: {"$in": wanted[start : start + ID_BATCH]}}
            page = self._read(lambda w=where: self._quotes.get(where=w, include=["metadatas"]))
            yield from speaker_rows(dict(meta or {}) for meta in page["metadatas"])

    def query_quotes(self, embedding: list[float], n_results: int, where: dict[str, Any] | None) -> list[StoredQuote]:
        n_results = min(n_results, self.quote_count())
        return [
            quote_of(rid, doc, meta, similarity)
            for rid, doc, meta, similarity in self._query(lambda: self._quotes, embedding, n_results, where)
        ]

    def get_quotes(self, where: dict[str, Any] | None) -> list[StoredQuote]:
        page = self._read(lambda: self._quotes.get(where=where, include=["documents", "metadatas"]))
        return [
            quote_of(rid, doc or "", dict(meta or {}))
            for rid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        ]

    # --- writes ----------------------------------------------------------
    def write_articles(self, writes: Sequence[ArticleWrite], writer: str = "") -> set[str]:
        """New versions first (chunks, then quotes), then the old ones go; returns the ids of the
        articles this call wrote first.

        Records are added, not upserted: an id holds its content hash, so an existing id already
        holds the same content, and the first writer keeps it. Two ingests of the same files at once
        can then tell which of them stored each article (`writer` marks the records).

        All new chunks go in one add, all quotes in another: Chroma's cost is mostly per call
        (300 one-article upserts take ~8x as long as one upsert of the same 1,300 chunks). A call
        that dies half-way leaves versions with fewer chunks or quotes than their counts say,
        which the next run repairs. `replaces_versions=False` (the caller has just seen that no
        other version is stored) skips that article's delete query."""
        if not writes:
            return set()
        self.check_writable()
        chunk_rows, quote_rows = version_rows(writes, time.time(), writer)
        changed = [write.article_id for write in writes]
        write_id = uuid.uuid4().hex
        with self._lock:
            self._log_change(changed, write_id, done=False)
            self._guard(chunk_rows.add_to, self._chunks)
            self._guard(quote_rows.add_to, self._quotes)
            for write in writes:
                if write.replaces_versions:
                    self._delete_other_versions(write.article_id, write.content_hash)
            self._log_change(changed, write_id, done=True)
        firsts = [write.first_chunk_id for write in writes]
        page = self._read(lambda: self._chunks.get(ids=firsts, include=["metadatas"]))
        return {str(meta[Meta.ARTICLE_ID]) for meta in page["metadatas"] if meta.get(Meta.WRITER, "") == writer}

    def _delete_other_versions(self, article_id: str, content_hash: str) -> None:
        where = other_versions(article_id, content_hash)
        self._guard(lambda: self._quotes.delete(where=where))
        self._guard(lambda: self._chunks.delete(where=where))

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        """Remove records by id: chunk ids, and the quote ids of a half-written version."""
        if not chunk_ids:
            return
        self.check_writable()
        quotes = [rid for rid in chunk_ids if is_quote_id(rid)]
        chunks = [rid for rid in chunk_ids if not is_quote_id(rid)]
        changed, write_id = [article_id_of(rid) for rid in chunk_ids], uuid.uuid4().hex
        self._log_change(changed, write_id, done=False)  # quotes too: the speaker index follows them
        if quotes:
            self._guard(lambda: self._quotes.delete(ids=quotes))
        if chunks:
            self._guard(lambda: self._chunks.delete(ids=chunks))
        self._log_change(changed, write_id, done=True)

    def delete_article(self, article_id: str) -> int:
        """Quotes first, then chunks: a crash in between leaves chunks, which a re-ingest repairs.
        The change is logged before either goes, so readers of the log (the lexical and speaker
        indexes) learn of it even if the writer dies half-way."""
        self.check_writable()
        write_id = uuid.uuid4().hex
        self._log_change([article_id], write_id, done=False)
        self._guard(lambda: self._quotes.delete(where={Meta.ARTICLE_ID: article_id}))
        page = self._read(lambda: self._chunks.get(where={Meta.ARTICLE_ID: article_id}, include=[]))
        if page["ids"]:
            self._guard(lambda: self._chunks.delete(ids=page["ids"]))
        self._log_change([article_id], write_id, done=True)
        return len(page["ids"])

    # --- change log (see `changes`) ----------------------------------------
    def _change_collection(self) -> Any:
        """The live chunk collection's change log: a reindex's new collection gets a new one."""
        name = change_log_name(self._live[0])
        if self._changes is None or self._changes.name != name:
            self._changes = self._guard(open_bookkeeping, self._client, name)
        return self._changes

    def _log_change(self, article_ids: Sequence[str], write_id: str, done: bool) -> None:
        """Append one change record; every COMPACT_EVERY-th write compacts the log."""
        if not article_ids:
            return
        self._guard(self._change_collection().add, **change_row(article_ids, write_id, done))
        if done:
            self._changes_logged += 1
            if self._changes_logged % COMPACT_EVERY == 1:
                self._compact_changes()

    def _compact_changes(self) -> None:
        """Drop records past the retention; the horizon is raised first, so a reader never
        mistakes a compacted gap for "nothing happened"."""
        changes = self._change_collection()
        fresh = self._read(self._client.get_collection, changes.name, embedding_function=None)
        horizon = compaction_horizon(fresh.metadata, CHANGE_RETENTION_S)  # read here: tests shorten it
        self._guard(changes.modify, metadata={CHANGES_HORIZON_KEY: horizon})
        self._guard(changes.delete, where={"seq": {"$lt": horizon}})

    def chunk_ids_of_articles(self, article_ids: Sequence[str]) -> set[str]:
        """The stored chunk ids of these articles (ids only: what a change record is checked against)."""
        wanted = sorted(set(article_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), ID_BATCH):
            where = {Meta.ARTICLE_ID: {"$in": wanted[start : start + ID_BATCH]}}
            found.update(self._read(self._chunks.get, where=where, include=[])["ids"])
        return found

    def changes_since(self, seq: int) -> ChangeLog:
        """Change records of the live chunk collection logged after `seq`, oldest first."""
        self._guard(self._open)
        changes = self._change_collection()
        page = self._read(changes.get, where={"seq": {"$gt": seq}}, include=["metadatas", "documents"])
        # The horizon is read after the records: a compaction in between then shows as a raised
        # horizon (the reader rebuilds), never as records silently missing under an old one.
        fresh = self._read(self._client.get_collection, changes.name, embedding_function=None)
        return ChangeLog(str(self._chunks.id), horizon_of(fresh.metadata), change_records(page))

    # --- rebuild ---------------------------------------------------------
    def recreate_with(
        self,
        new_model: str,
        embed: Callable[[list[str]], list[list[float]]],
        progress: Any = None,
        embed_quotes: Callable[[list[str]], list[list[float]]] | None = None,
    ) -> int:
        """Re-embed everything with `new_model` into new collections and switch to them (see bot.reindex);
        quotes with `embed_quotes` when given, as ingest encodes them."""
        from bot.reindex import reindex

        return reindex(self, new_model, embed, progress, embed_quotes)

    def reopen(self, model: str) -> None:
        self.embedding_model = model
        self._live = ("", "")
        self._guard(self._open)
