"""The store's schema in one place: metadata keys, record ids and how records are built and read.

Two Chroma collections hold an archive. The chunk collection holds every chunk
with its article's metadata (so an article can be listed, filtered, replaced or
removed from its chunks alone) and the named entities inside it. The quote
collection holds every quotation with its speaker. Both key their ids on the
article and its content hash, so a new version is written beside the old one
and the old one removed after: a crash in between is detectable and repaired.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.models import ArticleRef, Chunk, Entity, Quote
from bot.text import speaker_key


class Meta:
    """Metadata keys of a chunk."""

    ARTICLE_ID = "article_id"
    TITLE = "title"
    SOURCE = "source"
    AUTHOR = "author"
    URL = "url"
    ORIGIN = "origin"
    PUBLISHED = "published"  # ISO date, "" when unknown
    PUBLISHED_DAY = "published_day"  # int YYYYMMDD, 0 when unknown (range filters)
    CONTENT_HASH = "content_hash"
    CHUNK_INDEX = "chunk_index"
    CHUNK_COUNT = "chunk_count"
    QUOTE_COUNT = "quote_count"  # quotes of this version: a version is complete when all are stored
    START = "start"
    END = "end"
    ENTITIES = "entities"  # JSON [[label, start, end], ...] in article offsets, those inside this chunk
    INGESTED_AT = "ingested_at"
    WRITER = "writer"  # the ingest run that wrote the record: the first writer of an id keeps it


class QuoteMeta:
    """Metadata keys of a quote (the article keys above are shared)."""

    SPEAKER = "speaker"
    SPEAKER_KEY = "speaker_key"  # folded name: what questions are matched against
    ROLE = "role"
    CUE = "cue"
    KIND = "kind"
    NAMED = "named"
    QUOTE_INDEX = "quote_index"
    CONTEXT_START = "context_start"
    CONTEXT_END = "context_end"
    CONTEXT = "context"  # the sentence(s) holding the quote and its attribution
    LEAD = "lead"  # the sentence before them: often what the quote is about
    QUOTATION_START = "quotation_start"  # the quotation a paragraph belongs to (-1: it stands alone)
    QUOTATION_END = "quotation_end"


COLLECTION_MODEL_KEY = "embedding_model"
COLLECTION_GENERATION_KEY = "generation"
QUOTES_SUFFIX = ".quotes"
COLLECTION_CONFIGURATION: dict[str, Any] = {"hnsw": {"space": "cosine"}}
_HASH_IN_ID = 12


def day_number(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def chunk_id(article_id: str, content_hash: str, index: int) -> str:
    return f"{article_id}:{content_hash[:_HASH_IN_ID]}:{index}"


def quote_id(article_id: str, content_hash: str, index: int) -> str:
    return f"{article_id}:{content_hash[:_HASH_IN_ID]}:q{index}"


def article_id_of(record_id: str) -> str:
    """The article a chunk or quote id belongs to."""
    return record_id.split(":", 1)[0]


def is_quote_id(record_id: str) -> bool:
    """Quote and chunk ids share a shape; a half-written version's leftovers mix both."""
    return record_id.rsplit(":", 1)[-1].startswith("q")


def whole_article_id(article_id: str) -> str:
    """The passage id of an article given whole: shaped like a chunk id so `article_id_of` reads it,
    but never stored (no hash, no index)."""
    return f"{article_id}:article"


def with_article(record_id: str, article_id: str) -> str:
    """The same record under another article's id (benchmarks replicate articles this way)."""
    return f"{article_id}:{record_id.split(':', 1)[1]}"


def embedding_text(title: str, text: str) -> str:
    """The headline goes with every chunk, embedded and matched: it names who and what the chunk is about."""
    return f"{title}\n{text}" if title else text


def quote_embedding_text(quote: Quote, article_text: str) -> str:
    """A quote is found by its topic, which its own words may not name ("it's done me no lasting
    damage" is about truancy): the sentence(s) around it are embedded with it."""
    start = quote.lead_start if quote.lead_start >= 0 else quote.context_start
    return article_text[start : quote.context_end] or quote.text


def stored_quote_embedding_text(document: str, meta: Mapping[str, Any]) -> str:
    """`quote_embedding_text` read back from a stored quote (lead + context are contiguous), so a
    reindex encodes the very text ingest did."""
    return str(meta.get(QuoteMeta.LEAD, "")) + str(meta.get(QuoteMeta.CONTEXT, "")) or document


def _article_meta(chunk_or_article: Any, ingested_at: float, writer: str) -> dict[str, Any]:
    article = chunk_or_article
    meta: dict[str, Any] = {
        Meta.ARTICLE_ID: article.article_id,
        Meta.TITLE: article.title,
        Meta.SOURCE: article.source,
        Meta.AUTHOR: article.author,
        Meta.URL: article.url,
        Meta.ORIGIN: article.origin,
        Meta.PUBLISHED: article.published.isoformat() if article.published else "",
        Meta.CONTENT_HASH: article.content_hash,
        Meta.PUBLISHED_DAY: day_number(article.published) if article.published else 0,
        Meta.INGESTED_AT: ingested_at,
        Meta.WRITER: writer,
    }
    return meta


def chunk_metadata(
    chunk: Chunk, quote_count: int, entities: list[Entity], ingested_at: float, writer: str = ""
) -> dict[str, Any]:
    inside = [[e.label, e.start, e.end] for e in entities if chunk.start <= e.start and e.end <= chunk.end]
    return {
        **_article_meta(chunk.article, ingested_at, writer),
        Meta.CHUNK_INDEX: chunk.index,
        Meta.CHUNK_COUNT: chunk.count,
        Meta.QUOTE_COUNT: quote_count,
        Meta.START: chunk.start,
        Meta.END: chunk.end,
        Meta.ENTITIES: json.dumps(inside, separators=(",", ":")),
    }


def quote_metadata(chunk: Chunk, quote: Quote, index: int, ingested_at: float, writer: str = "") -> dict[str, Any]:
    """`chunk` is any chunk of the quote's article: only its article is read."""
    return {
        **_article_meta(chunk.article, ingested_at, writer),
        QuoteMeta.SPEAKER: quote.speaker,
        QuoteMeta.SPEAKER_KEY: speaker_key(quote.speaker),
        QuoteMeta.ROLE: quote.role,
        QuoteMeta.CUE: quote.cue,
        QuoteMeta.KIND: quote.kind,
        QuoteMeta.NAMED: quote.named,
        QuoteMeta.QUOTE_INDEX: index,
        Meta.START: quote.start,
        Meta.END: quote.end,
        QuoteMeta.CONTEXT_START: quote.context_start,
        QuoteMeta.CONTEXT_END: quote.context_end,
        QuoteMeta.CONTEXT: chunk.article.text[quote.context_start : quote.context_end],
        QuoteMeta.LEAD: chunk.article.text[quote.lead_start : quote.context_start] if quote.lead_start >= 0 else "",
        QuoteMeta.QUOTATION_START: quote.quotation_start,
        QuoteMeta.QUOTATION_END: quote.quotation_end,
    }


def article_ref(meta: dict[str, Any]) -> ArticleRef:
    return ArticleRef(
        article_id=str(meta.get(Meta.ARTICLE_ID, "")),
        title=str(meta.get(Meta.TITLE, "")),
        source=str(meta.get(Meta.SOURCE, "")),
        author=str(meta.get(Meta.AUTHOR, "")),
        published=str(meta.get(Meta.PUBLISHED, "")),
        url=str(meta.get(Meta.URL, "")),
    )


def entities_of(meta: dict[str, Any]) -> list[Entity]:
    try:
        rows = json.loads(str(meta.get(Meta.ENTITIES) or "[]"))
    except ValueError:
        return []
    return [Entity(str(label), int(start), int(end)) for label, start, end in rows]


def stored_quote(document: str, meta: dict[str, Any]) -> Quote:
    return Quote(
        text=document,
        start=int(meta.get(Meta.START, 0)),
        end=int(meta.get(Meta.END, 0)),
        speaker=str(meta.get(QuoteMeta.SPEAKER, "")),
        role=str(meta.get(QuoteMeta.ROLE, "")),
        cue=str(meta.get(QuoteMeta.CUE, "")),
        kind=str(meta.get(QuoteMeta.KIND, "direct")),
        named=bool(meta.get(QuoteMeta.NAMED, True)),
        context_start=int(meta.get(QuoteMeta.CONTEXT_START, 0)),
        context_end=int(meta.get(QuoteMeta.CONTEXT_END, 0)),
        quotation_start=int(meta.get(QuoteMeta.QUOTATION_START, -1)),
        quotation_end=int(meta.get(QuoteMeta.QUOTATION_END, -1)),
    )
