"""The Chroma store: client (embedded or server), the two collections, reads and writes.

Chroma is the single source of truth (the schema is in `bot.schema`). Writes
are ordered so a crash can be detected and repaired: a new version's chunks are
written first (ids include the content hash), then its quotes, and the old
version is deleted after; every chunk records how many chunks and quotes its
version has, so a version with fewer present than that is half-written and the
next ingest rewrites it.

Which collections are live is read from a small pointer collection
(`<collection>.live`), so `reindex` can build new collections beside the live
ones and switch to them with one metadata write (see `bot.reindex`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.config import Settings
from bot.errors import ConfigError, EmbeddingMismatchError, ReindexRunningError, StoreUnavailableError
from bot.models import ArticleRef, Chunk, Entity, Quote
from bot.schema import (
    COLLECTION_CONFIGURATION,
    COLLECTION_GENERATION_KEY,
    COLLECTION_MODEL_KEY,
    QUOTES_SUFFIX,
    Meta,
    QuoteMeta,
    article_id_of,
    article_ref,
    chunk_id,
    chunk_metadata,
    day_number,
    embedding_text,
    entities_of,
    quote_id,
    quote_metadata,
    stored_quote,
)

__all__ = ["Meta", "QuoteMeta", "Store", "article_ref", "day_number", "embedding_text"]

log = logging.getLogger(__name__)

GET_PAGE = 5000  # rows per paged read: 100k chunks stream through in calm memory
ID_BATCH = 200  # ids per `$in` filter: Chroma's query planner slows on long lists
POINTER_SUFFIX = ".live"
# A reindex refreshes its claim after every batch; a claim older than this was left by a killed
# reindex and no longer blocks writers.
REINDEX_STALE_S = 120.0
# The change log (`<live chunk collection>.changes`) is Chroma's missing change feed: every chunk
# write or delete appends a record naming the articles it touches, read by the lexical index.
CHANGES_SUFFIX = ".changes"
# Records older than this are compacted away; a reader that last synced before then rebuilds.
CHANGE_RETENTION_S = 24 * 3600.0
CHANGES_HORIZON_KEY = "compacted_before"
COMPACT_EVERY = 50  # change records a process writes between two compactions of the log


@dataclass
class StoredVersion:
    """One content version of an article as found in the store."""

    content_hash: str
    expected: int
    expected_quotes: int
    ingested_at: float
    chunk_ids: list[str] = field(default_factory=list)
    quote_ids: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.chunk_ids) == self.expected and len(self.quote_ids) == self.expected_quotes


@dataclass
class ArticleWrite:
    """One article's new version, ready to store: chunks, quotes and entities with their vectors."""

    chunks: Sequence[Chunk]
    embeddings: Sequence[Sequence[float]]
    replaces_versions: bool = True
    quotes: Sequence[Quote] = ()
    quote_embeddings: Sequence[Sequence[float]] = ()
    entities: Sequence[Entity] = ()


@dataclass(frozen=True)
class ChangeRecord:
    """One write or delete of some articles' chunks, as the change log holds it.

    `seq` is the writer's clock (ns) when it logged the record, so records of concurrent writers
    may become visible slightly out of order: readers re-read a window behind their last sync.
    Each write logs twice under one `write_id`: `done=False` before touching the chunks (it
    survives a writer killed mid-write) and `done=True` after."""

    record_id: str
    seq: int
    write_id: str
    done: bool
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class ChangeLog:
    """The change records after some point, with what a reader must check before trusting them."""

    collection_id: str  # the live chunk collection's id: another one (a reindex) means rebuild
    horizon: int  # records older than this were compacted away
    records: list[ChangeRecord]


@dataclass
class ArticleSummary:
    ref: ArticleRef
    chunks: int
    content_hash: str


@dataclass(frozen=True)
class ArticleText:
    """An article rebuilt from its chunks, with its named entities."""

    ref: ArticleRef
    text: str
    entities: list[Entity]


@dataclass(frozen=True)
class StoredQuote:
    """A quote read back from the store: the quote, its article, and its similarity to a query."""

    quote_id: str
    quote: Quote
    article: ArticleRef
    context: str
    similarity: float = 0.0
    lead: str = ""


def store_location(settings: Settings) -> str:
    """Where the archive lives, as users are told it."""
    if settings.chroma_host:
        return f"chroma server {settings.chroma_host}:{settings.chroma_port}"
    return f"embedded {settings.data_dir / 'chroma'}"


def unavailable(settings: Settings, exc: Exception) -> StoreUnavailableError:
    where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "on disk"
    hint = "; check CHROMA_HOST/CHROMA_PORT and that the server runs" if settings.chroma_host else ""
    return StoreUnavailableError(
        f"the archive ({where}) is unavailable ({exc.__class__.__name__}){hint}; try again shortly"
    )


def make_client(settings: Settings) -> Any:
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma_host:
        headers: dict[str, str] = {}
        if settings.chroma_auth_token is not None:
            token = settings.chroma_auth_token.get_secret_value()
            header = settings.chroma_auth_header
            headers[header] = f"Bearer {token}" if header.lower() == "authorization" else token
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                headers=headers or None,
                tenant=settings.chroma_tenant,
                database=settings.chroma_database,
                settings=chroma_settings,
            )
        except Exception as exc:
            raise unavailable(settings, exc) from exc
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.data_dir / "chroma"), settings=chroma_settings)


def reindex_owner() -> str:
    """host:pid-nonce: a claim whose process is gone from this host is released at once."""
    return f"{socket.gethostname()}:{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _dead_here(owner: str) -> bool:
    host, _sep, rest = owner.partition(":")
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(rest.split("-", 1)[0]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError):
        return False
    return False


def _is_unavailable(exc: Exception) -> bool:
    if isinstance(exc, ConnectionError | OSError | TimeoutError):
        return True
    try:
        import httpx

        if isinstance(exc, httpx.TransportError):
            return True
    except ImportError:  # pragma: no cover - chromadb depends on httpx
        pass
    return "Could not connect" in str(exc)


def _is_missing_collection(exc: Exception) -> bool:
    return exc.__class__.__name__ in ("NotFoundError", "InvalidCollectionException") or "does not exist" in str(exc)


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
    def _guard(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Turn a dead Chroma server into one clear, user-safe error; follow a reindex's switch."""
        for attempt in range(2):
            try:
                return call(*args, **kwargs)
            except Exception as exc:
                if _is_unavailable(exc):
                    raise unavailable(self.settings, exc) from exc
                if attempt == 0 and _is_missing_collection(exc) and self._open():
                    continue  # a reindex switched collections under us: call again on the new ones
                raise
        raise AssertionError("unreachable")

    @property
    def pointer_name(self) -> str:
        return self.settings.collection + POINTER_SUFFIX

    def pointer(self) -> dict[str, Any]:
        """The pointer's metadata ({} until the first reindex: the configured names are live)."""
        try:
            found = self._client.get_collection(self.pointer_name, embedding_function=None)
        except Exception as exc:
            if _is_unavailable(exc):
                raise
            return {}
        return dict(found.metadata or {})

    def live_names(self) -> tuple[str, str]:
        pointer = self.pointer()
        chunks = str(pointer.get("chunks") or self.settings.collection)
        return chunks, str(pointer.get("quotes") or chunks + QUOTES_SUFFIX)

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
        return self._client.get_or_create_collection(
            name,
            embedding_function=None,
            configuration=COLLECTION_CONFIGURATION,
            metadata={COLLECTION_MODEL_KEY: model, COLLECTION_GENERATION_KEY: uuid.uuid4().hex},
        )

    @property
    def _collection(self) -> Any:
        """The live chunk collection (benchmarks write to it directly)."""
        return self._chunks

    def _collection_metadata(self) -> dict[str, Any]:
        self._guard(self._open)
        fresh = self._guard(self._client.get_collection, self._live[0], embedding_function=None)
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
        return int(self._guard(lambda: self._chunks.count()))

    def quote_count(self) -> int:
        return int(self._guard(lambda: self._quotes.count()))

    # --- reindex claim ---------------------------------------------------
    def reindex_claim(self) -> str:
        """The running reindex's claim ("" when none, or when its owner stopped refreshing it)."""
        claim = str(self.pointer().get("reindex") or "")
        if not claim:
            return ""
        owner, _sep, stamp = claim.rpartition("@")
        try:
            fresh = time.time() - float(stamp) < REINDEX_STALE_S
        except ValueError:
            fresh = False
        return claim if fresh and not _dead_here(owner) else ""

    def check_writable(self) -> None:
        claim = self.reindex_claim()
        if claim:
            started = time.strftime("%H:%M:%S", time.localtime(float(claim.rpartition("@")[2])))
            raise ReindexRunningError(
                f"a reindex is rebuilding the archive (last progress {started}); "
                "run this again when `newsdesk reindex` has finished"
            )

    def write_pointer(self, metadata: dict[str, Any]) -> None:
        """One metadata write: what makes a reindex's switch atomic."""
        pointer = self._client.get_or_create_collection(self.pointer_name, embedding_function=None)
        pointer.modify(metadata=metadata)

    # --- reads -----------------------------------------------------------
    def iter_chunks(self, include_documents: bool = True) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every chunk as (id, document, metadata), paged."""
        yield from self._iter(self._chunks, include_documents)

    def iter_quotes(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        yield from self._iter(self._quotes, True)

    def _iter(self, collection: Any, include_documents: bool) -> Iterator[tuple[str, str, dict[str, Any]]]:
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        offset = 0
        while True:
            page = self._guard(collection.get, include=include, limit=GET_PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            documents = page.get("documents") or [""] * len(ids)
            for record_id, document, meta in zip(ids, documents, page["metadatas"], strict=True):
                yield record_id, document or "", dict(meta or {})
            offset += len(ids)
            if len(ids) < GET_PAGE:
                return

    def versions(self, article_ids: Sequence[str]) -> dict[str, list[StoredVersion]]:
        """Stored versions per article id, to decide added / updated / unchanged / repair."""
        found: dict[str, dict[str, StoredVersion]] = defaultdict(dict)
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), ID_BATCH):
            where = {Meta.ARTICLE_ID: {"$in": ids[start : start + ID_BATCH]}}
            page = self._guard(lambda w=where: self._chunks.get(where=w, include=["metadatas"]))
            for cid, meta in zip(page["ids"], page["metadatas"], strict=True):
                article_id, content_hash = str(meta[Meta.ARTICLE_ID]), str(meta[Meta.CONTENT_HASH])
                version = found[article_id].get(content_hash)
                if version is None:
                    version = found[article_id][content_hash] = StoredVersion(
                        content_hash,
                        int(meta[Meta.CHUNK_COUNT]),
                        int(meta.get(Meta.QUOTE_COUNT, 0)),
                        float(meta.get(Meta.INGESTED_AT, 0.0)),
                    )
                version.chunk_ids.append(cid)
            quotes = self._guard(lambda w=where: self._quotes.get(where=w, include=["metadatas"]))
            for qid, meta in zip(quotes["ids"], quotes["metadatas"], strict=True):
                owner = found.get(str(meta[Meta.ARTICLE_ID]), {}).get(str(meta[Meta.CONTENT_HASH]))
                if owner is not None:
                    owner.quote_ids.append(qid)
        return {article_id: list(by_hash.values()) for article_id, by_hash in found.items()}

    def article_ids_by_origin(self, origins: Sequence[str]) -> dict[str, set[str]]:
        """Stored article ids per origin (file path), for replacing an edited local file."""
        found: dict[str, set[str]] = defaultdict(set)
        wanted = [origin for origin in dict.fromkeys(origins) if origin]
        for start in range(0, len(wanted), ID_BATCH):
            where = {Meta.ORIGIN: {"$in": wanted[start : start + ID_BATCH]}}
            page = self._guard(lambda w=where: self._chunks.get(where=w, include=["metadatas"]))
            for meta in page["metadatas"]:
                found[str(meta[Meta.ORIGIN])].add(str(meta[Meta.ARTICLE_ID]))
        return found

    def articles(self) -> list[ArticleSummary]:
        summaries: dict[str, ArticleSummary] = {}
        for _cid, _doc, meta in self.iter_chunks(include_documents=False):
            article_id = str(meta.get(Meta.ARTICLE_ID, ""))
            summary = summaries.get(article_id)
            if summary is None:
                summaries[article_id] = ArticleSummary(article_ref(meta), 1, str(meta.get(Meta.CONTENT_HASH, "")))
            else:
                summary.chunks += 1
        return sorted(summaries.values(), key=lambda s: (s.ref.published or "", s.ref.title), reverse=True)

    def dense_query(
        self, embedding: list[float], n_results: int, where: dict[str, Any] | None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """Nearest chunks as (id, document, metadata, cosine similarity)."""
        return self._query(self._chunks, embedding, n_results, where)

    def _query(
        self, collection: Any, embedding: list[float], n_results: int, where: dict[str, Any] | None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        if n_results <= 0:
            return []
        result = self._guard(
            lambda: collection.query(
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
        page = self._guard(lambda: self._chunks.get(ids=list(chunk_ids), include=["embeddings"]))
        return {cid: list(vector) for cid, vector in zip(page["ids"], page["embeddings"], strict=True)}

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, ArticleText]:
        """Each article's reference, text and entities, rebuilt from its chunks' offsets (overlaps
        agree, so quotes from it are verbatim article text)."""
        if not article_ids:
            return {}
        where = {Meta.ARTICLE_ID: {"$in": list(article_ids)}}
        page = self._guard(lambda: self._chunks.get(where=where, include=["documents", "metadatas"]))
        pieces: dict[str, list[tuple[int, str]]] = defaultdict(list)
        refs: dict[str, ArticleRef] = {}
        entities: dict[str, dict[Entity, None]] = defaultdict(dict)
        for doc, meta in zip(page["documents"], page["metadatas"], strict=True):
            article_id = str(meta[Meta.ARTICLE_ID])
            refs[article_id] = article_ref(meta)
            pieces[article_id].append((int(meta.get(Meta.START, 0)), doc or ""))
            entities[article_id].update(dict.fromkeys(entities_of(meta)))
        texts: dict[str, ArticleText] = {}
        for article_id, chunks in pieces.items():
            text = ""
            for start, chunk in sorted(chunks):
                if start > len(text):
                    text += " " * (start - len(text))
                text = text[:start] + chunk if start + len(chunk) > len(text) else text
            found = sorted(entities[article_id], key=lambda e: (e.start, e.end))
            texts[article_id] = ArticleText(refs[article_id], text, found)
        return texts

    def chunks_by_ids(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not chunk_ids:
            return {}
        page = self._guard(lambda: self._chunks.get(ids=list(chunk_ids), include=["documents", "metadatas"]))
        return {
            cid: (doc or "", dict(meta or {}))
            for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        }

    # --- quotes ----------------------------------------------------------
    def speakers(self) -> dict[str, tuple[str, int]]:
        """speaker_key -> (the name as most often written, number of quotes)."""
        names: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        offset = 0
        while True:
            page = self._guard(lambda o=offset: self._quotes.get(include=["metadatas"], limit=GET_PAGE, offset=o))
            for meta in page["metadatas"]:
                if meta.get(QuoteMeta.NAMED, True):
                    names[str(meta.get(QuoteMeta.SPEAKER_KEY, ""))][str(meta.get(QuoteMeta.SPEAKER, ""))] += 1
            offset += len(page["ids"])
            if len(page["ids"]) < GET_PAGE:
                break
        return {
            key: (max(spellings, key=lambda name: spellings[name]), sum(spellings.values()))
            for key, spellings in names.items()
            if key
        }

    def query_quotes(self, embedding: list[float], n_results: int, where: dict[str, Any] | None) -> list[StoredQuote]:
        n_results = min(n_results, self.quote_count())
        return [
            _stored_quote(rid, doc, meta, similarity)
            for rid, doc, meta, similarity in self._query(self._quotes, embedding, n_results, where)
        ]

    def get_quotes(self, where: dict[str, Any] | None) -> list[StoredQuote]:
        page = self._guard(lambda: self._quotes.get(where=where, include=["documents", "metadatas"]))
        return [
            _stored_quote(rid, doc or "", dict(meta or {}))
            for rid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        ]

    # --- writes ----------------------------------------------------------
    def write_articles(self, writes: Sequence[ArticleWrite], writer: str = "") -> set[str]:
        """New versions first (chunks, then quotes), then the old ones go; returns the ids of the
        articles this call wrote first.

        Records are added, not upserted: an id holds its content hash, so an existing id already
        holds the same content, and the first writer keeps it. Two ingests of the same files at once
        can then tell which of them stored each article (`writer` marks the records).

        All new chunks go in one upsert, all quotes in another: Chroma's cost is mostly per call
        (300 one-article upserts take ~8x as long as one upsert of the same 1,300 chunks). A call
        that dies half-way leaves versions with fewer chunks or quotes than their counts say,
        which the next run repairs. `replaces_versions=False` (the caller has just seen that no
        other version is stored) skips that article's delete query."""
        if not writes:
            return set()
        self.check_writable()
        now = time.time()
        chunk_rows = _Rows()
        quote_rows = _Rows()
        for write in writes:
            if not write.chunks:
                raise ConfigError("an article with no chunks cannot be stored")
            if len(write.chunks) != len(write.embeddings) or len(write.quotes) != len(write.quote_embeddings):
                raise ConfigError(
                    f"{len(write.chunks)} chunks and {len(write.quotes)} quotes but "
                    f"{len(write.embeddings)} and {len(write.quote_embeddings)} embeddings"
                )
            article = write.chunks[0].article
            for chunk, vector in zip(write.chunks, write.embeddings, strict=True):
                chunk_rows.add(
                    chunk_id(article.article_id, article.content_hash, chunk.index),
                    vector,
                    chunk.text,
                    chunk_metadata(chunk, len(write.quotes), list(write.entities), now, writer),
                )
            for index, (quote, vector) in enumerate(zip(write.quotes, write.quote_embeddings, strict=True)):
                quote_rows.add(
                    quote_id(article.article_id, article.content_hash, index),
                    vector,
                    quote.text,
                    quote_metadata(write.chunks[0], quote, index, now, writer),
                )
        changed = [write.chunks[0].article.article_id for write in writes]
        write_id = uuid.uuid4().hex
        with self._lock:
            self._log_change(changed, write_id, done=False)
            chunk_rows.add_to(self, self._chunks)
            quote_rows.add_to(self, self._quotes)
            for write in writes:
                if write.replaces_versions:
                    article = write.chunks[0].article
                    self._delete_other_versions(article.article_id, article.content_hash)
            self._log_change(changed, write_id, done=True)
        firsts = [chunk_id(w.chunks[0].article.article_id, w.chunks[0].article.content_hash, 0) for w in writes]
        page = self._guard(lambda: self._chunks.get(ids=firsts, include=["metadatas"]))
        return {str(meta[Meta.ARTICLE_ID]) for meta in page["metadatas"] if meta.get(Meta.WRITER, "") == writer}

    def _delete_other_versions(self, article_id: str, content_hash: str) -> None:
        where = {"$and": [{Meta.ARTICLE_ID: article_id}, {Meta.CONTENT_HASH: {"$ne": content_hash}}]}
        self._guard(lambda: self._quotes.delete(where=where))
        self._guard(lambda: self._chunks.delete(where=where))

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        """Remove records by id: chunk ids, and the quote ids of a half-written version."""
        if chunk_ids:
            self.check_writable()
            quotes = [rid for rid in chunk_ids if rid.rsplit(":", 1)[-1].startswith("q")]
            chunks = [rid for rid in chunk_ids if rid not in set(quotes)]
            if quotes:
                self._guard(lambda: self._quotes.delete(ids=quotes))
            if chunks:
                changed, write_id = [article_id_of(cid) for cid in chunks], uuid.uuid4().hex
                self._log_change(changed, write_id, done=False)
                self._guard(lambda: self._chunks.delete(ids=chunks))
                self._log_change(changed, write_id, done=True)

    def delete_article(self, article_id: str) -> int:
        """Quotes first, then chunks: a crash in between leaves chunks, which a re-ingest repairs."""
        self.check_writable()
        self._guard(lambda: self._quotes.delete(where={Meta.ARTICLE_ID: article_id}))
        page = self._guard(lambda: self._chunks.get(where={Meta.ARTICLE_ID: article_id}, include=[]))
        if page["ids"]:
            write_id = uuid.uuid4().hex
            self._log_change([article_id], write_id, done=False)
            self._guard(lambda: self._chunks.delete(ids=page["ids"]))
            self._log_change([article_id], write_id, done=True)
        return len(page["ids"])

    # --- change log ------------------------------------------------------
    def _change_collection(self) -> Any:
        """The live chunk collection's change log: a reindex's new collection gets a new one."""
        name = self._live[0] + CHANGES_SUFFIX
        if self._changes is None or self._changes.name != name:
            self._changes = self._guard(self._client.get_or_create_collection, name, embedding_function=None)
        return self._changes

    def _log_change(self, article_ids: Sequence[str], write_id: str, done: bool) -> None:
        """Append one change record (Chroma requires a vector: a constant one-dimensional one)."""
        ids = sorted(set(article_ids))
        if not ids:
            return
        seq = time.time_ns()
        changes = self._change_collection()
        self._guard(
            changes.add,
            ids=[f"{seq:020d}-{uuid.uuid4().hex[:8]}"],
            embeddings=[[1.0]],
            documents=[json.dumps(ids)],
            metadatas=[{"seq": seq, "write": write_id, "done": done}],
        )
        if done:
            self._changes_logged += 1
            if self._changes_logged % COMPACT_EVERY == 1:
                self._compact_changes()

    def _compact_changes(self) -> None:
        """Drop records past the retention; the horizon is raised first, so a reader never
        mistakes a compacted gap for "nothing happened"."""
        changes = self._change_collection()
        fresh = self._guard(self._client.get_collection, changes.name, embedding_function=None)
        cutoff = time.time_ns() - int(CHANGE_RETENTION_S * 1e9)
        horizon = max(cutoff, int((fresh.metadata or {}).get(CHANGES_HORIZON_KEY, 0)))
        self._guard(changes.modify, metadata={CHANGES_HORIZON_KEY: horizon})
        self._guard(changes.delete, where={"seq": {"$lt": horizon}})

    def chunk_ids_of_articles(self, article_ids: Sequence[str]) -> set[str]:
        """The stored chunk ids of these articles (ids only: what a change record is checked against)."""
        wanted = sorted(set(article_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), ID_BATCH):
            where = {Meta.ARTICLE_ID: {"$in": wanted[start : start + ID_BATCH]}}
            found.update(self._guard(self._chunks.get, where=where, include=[])["ids"])
        return found

    def changes_since(self, seq: int) -> ChangeLog:
        """Change records of the live chunk collection logged after `seq`, oldest first."""
        self._guard(self._open)
        changes = self._change_collection()
        fresh = self._guard(self._client.get_collection, changes.name, embedding_function=None)
        page = self._guard(changes.get, where={"seq": {"$gt": seq}}, include=["metadatas", "documents"])
        records = [
            ChangeRecord(
                record_id,
                int(meta["seq"]),
                str(meta.get("write", record_id)),
                bool(meta["done"]),
                tuple(json.loads(document or "[]")),
            )
            for record_id, document, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        ]
        records.sort(key=lambda record: (record.seq, record.record_id))
        horizon = int((fresh.metadata or {}).get(CHANGES_HORIZON_KEY, 0))
        return ChangeLog(str(self._chunks.id), horizon, records)

    # --- rebuild ---------------------------------------------------------
    def recreate_with(
        self, new_model: str, embed: Callable[[list[str]], list[list[float]]], progress: Any = None
    ) -> int:
        """Re-embed everything with `new_model` into new collections and switch to them (see bot.reindex)."""
        from bot.reindex import reindex

        return reindex(self, new_model, embed, progress)

    def reopen(self, model: str) -> None:
        self.embedding_model = model
        self._live = ("", "")
        self._guard(self._open)


def _stored_quote(record_id: str, document: str, meta: dict[str, Any], similarity: float = 0.0) -> StoredQuote:
    return StoredQuote(
        record_id,
        stored_quote(document, meta),
        article_ref(meta),
        str(meta.get(QuoteMeta.CONTEXT, "")),
        similarity,
        str(meta.get(QuoteMeta.LEAD, "")),
    )


class _Rows:
    """Parallel lists for one upsert."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.vectors: list[list[float]] = []
        self.documents: list[str] = []
        self.metadatas: list[dict[str, Any]] = []

    def add(self, record_id: str, vector: Sequence[float], document: str, metadata: dict[str, Any]) -> None:
        self.ids.append(record_id)
        self.vectors.append(list(vector))
        self.documents.append(document)
        self.metadatas.append(metadata)

    def add_to(self, store: Store, collection: Any) -> None:
        if self.ids:
            store._guard(
                lambda: collection.add(
                    ids=self.ids, embeddings=self.vectors, documents=self.documents, metadatas=self.metadatas
                )
            )
