"""Content versions of an article: writing a new one as records, and finding the stored ones.

A version's records are keyed on the article and its content hash, so a new version is written
beside the old one, which is deleted after. Every chunk records how many chunks and quotes its
version has: a version with fewer present than that was half-written, and the next ingest
rewrites it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.errors import ConfigError
from bot.models import Chunk, Entity, Quote
from bot.schema import Meta, chunk_id, chunk_metadata, quote_id, quote_metadata


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

    @property
    def article_id(self) -> str:
        return self.chunks[0].article.article_id

    @property
    def content_hash(self) -> str:
        return self.chunks[0].article.content_hash

    @property
    def first_chunk_id(self) -> str:
        """The record whose writer says which ingest stored this version first."""
        return chunk_id(self.article_id, self.content_hash, 0)

    def check(self) -> None:
        """Refuse a write that would store a version its own counts call incomplete."""
        if not self.chunks:
            raise ConfigError("an article with no chunks cannot be stored")
        if len(self.chunks) != len(self.embeddings) or len(self.quotes) != len(self.quote_embeddings):
            raise ConfigError(
                f"{len(self.chunks)} chunks and {len(self.quotes)} quotes but "
                f"{len(self.embeddings)} and {len(self.quote_embeddings)} embeddings"
            )


class Rows:
    """Parallel lists for one `add`: Chroma's cost is mostly per call, so a batch goes in one."""

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

    def add_to(self, collection: Any) -> None:
        if self.ids:
            collection.add(ids=self.ids, embeddings=self.vectors, documents=self.documents, metadatas=self.metadatas)


def version_rows(writes: Sequence[ArticleWrite], now: float, writer: str) -> tuple[Rows, Rows]:
    """(chunk rows, quote rows) of every write; each record names its version's counts."""
    chunk_rows, quote_rows = Rows(), Rows()
    for write in writes:
        write.check()
        article_id, content_hash = write.article_id, write.content_hash
        for chunk, vector in zip(write.chunks, write.embeddings, strict=True):
            metadata = chunk_metadata(chunk, len(write.quotes), list(write.entities), now, writer)
            chunk_rows.add(chunk_id(article_id, content_hash, chunk.index), vector, chunk.text, metadata)
        for index, (quote, vector) in enumerate(zip(write.quotes, write.quote_embeddings, strict=True)):
            metadata = quote_metadata(write.chunks[0], quote, index, now, writer)
            quote_rows.add(quote_id(article_id, content_hash, index), vector, quote.text, metadata)
    return chunk_rows, quote_rows


def other_versions(article_id: str, content_hash: str) -> dict[str, Any]:
    """The filter for an article's records of every version but this one."""
    return {"$and": [{Meta.ARTICLE_ID: article_id}, {Meta.CONTENT_HASH: {"$ne": content_hash}}]}


class VersionTally:
    """Stored versions per article, filled from pages of chunk then quote metadata."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, StoredVersion]] = {}

    def add_chunks(self, page: dict[str, Any]) -> None:
        for cid, meta in zip(page["ids"], page["metadatas"], strict=True):
            by_hash = self.found.setdefault(str(meta[Meta.ARTICLE_ID]), {})
            content_hash = str(meta[Meta.CONTENT_HASH])
            version = by_hash.get(content_hash)
            if version is None:
                version = by_hash[content_hash] = StoredVersion(
                    content_hash,
                    int(meta[Meta.CHUNK_COUNT]),
                    int(meta.get(Meta.QUOTE_COUNT, 0)),
                    float(meta.get(Meta.INGESTED_AT, 0.0)),
                )
            version.chunk_ids.append(cid)

    def add_quotes(self, page: dict[str, Any]) -> None:
        """Quotes count only towards a version whose chunks were seen: orphans are not a version."""
        for qid, meta in zip(page["ids"], page["metadatas"], strict=True):
            owner = self.found.get(str(meta[Meta.ARTICLE_ID]), {}).get(str(meta[Meta.CONTENT_HASH]))
            if owner is not None:
                owner.quote_ids.append(qid)

    def versions(self) -> dict[str, list[StoredVersion]]:
        return {article_id: list(by_hash.values()) for article_id, by_hash in self.found.items()}
