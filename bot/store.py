"""The Chroma store: client (embedded or server), collection schema, reads and writes.

Chroma is the single source of truth. Every chunk carries its article's
metadata, so an article can be listed, filtered, replaced or removed from the
chunks alone. Writes are ordered so a crash can be detected and repaired: a new
version's chunks are written first (ids include the content hash), the old
version is deleted after, and every chunk records how many siblings its
version has — a version with fewer chunks present than that is half-written.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.config import Settings
from bot.errors import ConfigError, EmbeddingMismatchError, StoreUnavailableError
from bot.models import ArticleRef, Chunk

log = logging.getLogger(__name__)


class Meta:
    """Metadata keys of a chunk: the collection schema, in one place."""

    ARTICLE_ID = "article_id"
    TITLE = "title"
    SOURCE = "source"
    AUTHOR = "author"
    URL = "url"
    ORIGIN = "origin"
    PUBLISHED = "published"  # ISO date, "" when unknown
    PUBLISHED_DAY = "published_day"  # int YYYYMMDD, absent when unknown (range filters)
    CONTENT_HASH = "content_hash"
    CHUNK_INDEX = "chunk_index"
    CHUNK_COUNT = "chunk_count"
    START = "start"
    END = "end"
    INGESTED_AT = "ingested_at"


COLLECTION_MODEL_KEY = "embedding_model"
COLLECTION_GENERATION_KEY = "generation"
GET_PAGE = 5000


def day_number(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def chunk_id(article_id: str, content_hash: str, index: int) -> str:
    return f"{article_id}:{content_hash[:12]}:{index}"


def chunk_metadata(chunk: Chunk, ingested_at: float) -> dict[str, Any]:
    article = chunk.article
    meta: dict[str, Any] = {
        Meta.ARTICLE_ID: article.article_id,
        Meta.TITLE: article.title,
        Meta.SOURCE: article.source,
        Meta.AUTHOR: article.author,
        Meta.URL: article.url,
        Meta.ORIGIN: article.origin,
        Meta.PUBLISHED: article.published.isoformat() if article.published else "",
        Meta.CONTENT_HASH: article.content_hash,
        Meta.CHUNK_INDEX: chunk.index,
        Meta.CHUNK_COUNT: chunk.count,
        Meta.START: chunk.start,
        Meta.END: chunk.end,
        Meta.INGESTED_AT: ingested_at,
    }
    if article.published:
        meta[Meta.PUBLISHED_DAY] = day_number(article.published)
    return meta


def article_ref(meta: dict[str, Any]) -> ArticleRef:
    return ArticleRef(
        article_id=str(meta.get(Meta.ARTICLE_ID, "")),
        title=str(meta.get(Meta.TITLE, "")),
        source=str(meta.get(Meta.SOURCE, "")),
        author=str(meta.get(Meta.AUTHOR, "")),
        published=str(meta.get(Meta.PUBLISHED, "")),
        url=str(meta.get(Meta.URL, "")),
    )


def embedding_text(title: str, text: str) -> str:
    """The headline is embedded with every chunk: it names who and what the chunk is about."""
    return f"{title}\n{text}" if title else text


@dataclass
class StoredVersion:
    """One content version of an article as found in the store."""

    content_hash: str
    expected: int
    ingested_at: float
    chunk_ids: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.chunk_ids) == self.expected


@dataclass
class ArticleWrite:
    """One article's new version, ready to store: its chunks and their vectors, in order."""

    chunks: Sequence[Chunk]
    embeddings: Sequence[Sequence[float]]
    replaces_versions: bool = True


@dataclass
class ArticleSummary:
    ref: ArticleRef
    chunks: int
    origin: str
    content_hash: str


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


class Store:
    """All reads and writes of the chunk collection go through here."""

    def __init__(self, settings: Settings, embedding_model: str, *, check_model: bool = True) -> None:
        self.settings = settings
        self.embedding_model = embedding_model
        self._client = make_client(settings)
        self._lock = threading.Lock()
        self._collection = self._guard(self._open_collection)
        if check_model:
            self.check_model()

    # --- plumbing --------------------------------------------------------
    def _guard(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """Turn a dead Chroma server into one clear, user-safe error."""
        try:
            return call(*args, **kwargs)
        except (ConnectionError, OSError) as exc:
            raise self._unavailable(exc) from exc
        except Exception as exc:
            name = exc.__class__.__name__
            if any(word in name for word in ("Connect", "Timeout", "Network")) or "Could not connect" in str(exc):
                raise self._unavailable(exc) from exc
            raise

    def _unavailable(self, exc: Exception) -> StoreUnavailableError:
        return unavailable(self.settings, exc)

    def _open_collection(self) -> Any:
        return self._client.get_or_create_collection(
            self.settings.collection,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={COLLECTION_MODEL_KEY: self.embedding_model, COLLECTION_GENERATION_KEY: uuid.uuid4().hex},
        )

    def _collection_metadata(self) -> dict[str, Any]:
        fresh = self._guard(self._client.get_collection, self.settings.collection, embedding_function=None)
        return dict(fresh.metadata or {})

    def check_model(self) -> None:
        built_with = self._collection_metadata().get(COLLECTION_MODEL_KEY)
        if built_with and built_with != self.embedding_model and self.count() > 0:
            raise EmbeddingMismatchError(
                f"the store was built with embeddings {built_with} but {self.embedding_model} is configured; "
                "run `newsdesk reindex` to rebuild it with the configured model, "
                "or set NEWSDESK_EMBEDDINGS back"
            )

    @property
    def built_with(self) -> str:
        return str(self._collection_metadata().get(COLLECTION_MODEL_KEY, self.embedding_model))

    def generation(self) -> str:
        """Changes after every write; derived caches (the lexical index) key on it."""
        return str(self._collection_metadata().get(COLLECTION_GENERATION_KEY, ""))

    def bump_generation(self) -> None:
        metadata = self._collection_metadata()
        metadata[COLLECTION_GENERATION_KEY] = uuid.uuid4().hex
        metadata[COLLECTION_MODEL_KEY] = self.embedding_model
        self._guard(self._collection.modify, metadata=metadata)

    def count(self) -> int:
        return int(self._guard(self._collection.count))

    # --- reads -----------------------------------------------------------
    def iter_chunks(self, include_documents: bool = True) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every chunk as (id, document, metadata), paged so 100k chunks fit in memory calmly."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        offset = 0
        while True:
            page = self._guard(self._collection.get, include=include, limit=GET_PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            documents = page.get("documents") or [""] * len(ids)
            for chunk_id_, document, meta in zip(ids, documents, page["metadatas"], strict=True):
                yield chunk_id_, document or "", dict(meta or {})
            offset += len(ids)
            if len(ids) < GET_PAGE:
                return

    def versions(self, article_ids: Sequence[str]) -> dict[str, list[StoredVersion]]:
        """Stored versions per article id, to decide added / updated / unchanged / repair."""
        found: dict[str, dict[str, StoredVersion]] = defaultdict(dict)
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), 200):
            batch = ids[start : start + 200]
            page = self._guard(self._collection.get, where={Meta.ARTICLE_ID: {"$in": batch}}, include=["metadatas"])
            for cid, meta in zip(page["ids"], page["metadatas"], strict=True):
                article_id = str(meta[Meta.ARTICLE_ID])
                content_hash = str(meta[Meta.CONTENT_HASH])
                version = found[article_id].get(content_hash)
                if version is None:
                    version = StoredVersion(
                        content_hash, int(meta[Meta.CHUNK_COUNT]), float(meta.get(Meta.INGESTED_AT, 0.0))
                    )
                    found[article_id][content_hash] = version
                version.chunk_ids.append(cid)
        return {article_id: list(by_hash.values()) for article_id, by_hash in found.items()}

    def article_ids_by_origin(self, origins: Sequence[str]) -> dict[str, set[str]]:
        """Stored article ids per origin (file path), for replacing an edited local file."""
        found: dict[str, set[str]] = defaultdict(set)
        wanted = [origin for origin in dict.fromkeys(origins) if origin]
        for start in range(0, len(wanted), 200):
            page = self._guard(
                self._collection.get, where={Meta.ORIGIN: {"$in": wanted[start : start + 200]}}, include=["metadatas"]
            )
            for meta in page["metadatas"]:
                found[str(meta[Meta.ORIGIN])].add(str(meta[Meta.ARTICLE_ID]))
        return found

    def articles(self) -> list[ArticleSummary]:
        summaries: dict[str, ArticleSummary] = {}
        for _cid, _doc, meta in self.iter_chunks(include_documents=False):
            article_id = str(meta.get(Meta.ARTICLE_ID, ""))
            summary = summaries.get(article_id)
            if summary is None:
                summaries[article_id] = ArticleSummary(
                    article_ref(meta), 1, str(meta.get(Meta.ORIGIN, "")), str(meta.get(Meta.CONTENT_HASH, ""))
                )
            else:
                summary.chunks += 1
        return sorted(summaries.values(), key=lambda s: (s.ref.published or "", s.ref.title), reverse=True)

    def dense_query(
        self, embedding: list[float], n_results: int, where: dict[str, Any] | None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """Nearest chunks as (id, document, metadata, cosine similarity)."""
        if n_results <= 0:
            return []
        result = self._guard(
            self._collection.query,
            query_embeddings=[embedding],
            n_results=n_results,
            where=where,
            include=["metadatas", "documents", "distances"],
        )
        rows = zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        )
        return [(cid, doc or "", dict(meta or {}), 1.0 - float(distance)) for cid, doc, meta, distance in rows]

    def embeddings_of(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        if not chunk_ids:
            return {}
        page = self._guard(self._collection.get, ids=list(chunk_ids), include=["embeddings"])
        return {cid: list(vector) for cid, vector in zip(page["ids"], page["embeddings"], strict=True)}

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, tuple[ArticleRef, str]]:
        """Each article's reference and text, rebuilt from its chunks' offsets (overlaps agree, so
        quotes from it are verbatim article text)."""
        if not article_ids:
            return {}
        page = self._guard(
            self._collection.get,
            where={Meta.ARTICLE_ID: {"$in": list(article_ids)}},
            include=["documents", "metadatas"],
        )
        pieces: dict[str, list[tuple[int, str]]] = defaultdict(list)
        refs: dict[str, ArticleRef] = {}
        for doc, meta in zip(page["documents"], page["metadatas"], strict=True):
            article_id = str(meta[Meta.ARTICLE_ID])
            refs[article_id] = article_ref(meta)
            pieces[article_id].append((int(meta.get(Meta.START, 0)), doc or ""))
        texts: dict[str, tuple[ArticleRef, str]] = {}
        for article_id, chunks in pieces.items():
            text = ""
            for start, chunk in sorted(chunks):
                if start > len(text):
                    text += " " * (start - len(text))
                text = text[:start] + chunk if start + len(chunk) > len(text) else text
            texts[article_id] = (refs[article_id], text)
        return texts

    def chunks_by_ids(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not chunk_ids:
            return {}
        page = self._guard(self._collection.get, ids=list(chunk_ids), include=["documents", "metadatas"])
        return {
            cid: (doc or "", dict(meta or {}))
            for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        }

    # --- writes ----------------------------------------------------------
    def write_article(
        self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]], replaces_versions: bool = True
    ) -> None:
        """One article; see `write_articles`."""
        self.write_articles([ArticleWrite(chunks, embeddings, replaces_versions)])

    def write_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """New versions first, then the old ones go: a crash in between leaves a detectable state.

        All the new chunks go in one upsert: Chroma's cost is mostly per call (300 one-article
        upserts take ~8x as long as one upsert of the same 1,300 chunks), so a batch of articles
        is written at once. A call that dies half-way leaves versions with fewer chunks than
        their `chunk_count`, which the next run repairs. `replaces_versions=False` (the caller
        has just seen that no other version is stored) skips that article's delete query."""
        if not writes:
            return
        ids: list[str] = []
        vectors: list[list[float]] = []
        documents: list[str] = []
        metadatas: list[dict[str, Any]] = []
        now = time.time()
        for write in writes:
            if not write.chunks:
                raise ConfigError("an article with no chunks cannot be stored")
            if len(write.chunks) != len(write.embeddings):
                raise ConfigError(f"{len(write.chunks)} chunks but {len(write.embeddings)} embeddings")
            article = write.chunks[0].article
            ids.extend(chunk_id(article.article_id, article.content_hash, chunk.index) for chunk in write.chunks)
            vectors.extend(list(vector) for vector in write.embeddings)
            documents.extend(chunk.text for chunk in write.chunks)
            metadatas.extend(chunk_metadata(chunk, now) for chunk in write.chunks)
        with self._lock:
            self._guard(self._collection.upsert, ids=ids, embeddings=vectors, documents=documents, metadatas=metadatas)
            for write in writes:
                if not write.replaces_versions:
                    continue
                article = write.chunks[0].article
                self._guard(
                    self._collection.delete,
                    where={
                        "$and": [
                            {Meta.ARTICLE_ID: article.article_id},
                            {Meta.CONTENT_HASH: {"$ne": article.content_hash}},
                        ]
                    },
                )

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        if chunk_ids:
            self._guard(self._collection.delete, ids=list(chunk_ids))

    def delete_article(self, article_id: str) -> int:
        page = self._guard(self._collection.get, where={Meta.ARTICLE_ID: article_id}, include=[])
        self.delete_chunks(page["ids"])
        return len(page["ids"])

    # --- rebuild ---------------------------------------------------------
    def recreate_with(self, new_model: str, embed: Any, batch: int = 256, progress: Any = None) -> int:
        """Re-embed every chunk with another model into a fresh collection, then swap names."""
        temp_name = f"{self.settings.collection}.reindex-{uuid.uuid4().hex[:8]}"
        target = self._client.create_collection(
            temp_name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={COLLECTION_MODEL_KEY: new_model, COLLECTION_GENERATION_KEY: uuid.uuid4().hex},
        )
        rows = list(self.iter_chunks())
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            vectors = embed([embedding_text(str(meta.get(Meta.TITLE, "")), doc) for _cid, doc, meta in part])
            target.add(
                ids=[cid for cid, _doc, _meta in part],
                embeddings=vectors,
                documents=[doc for _cid, doc, _meta in part],
                metadatas=[meta for _cid, _doc, meta in part],
            )
            if progress is not None:
                progress(len(part))
        self._client.delete_collection(self.settings.collection)
        target.modify(name=self.settings.collection)
        self.embedding_model = new_model
        self._collection = self._guard(self._open_collection)
        return len(rows)


def short_hash(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
