"""What the store reads back for people rather than for search: article listings, whole article
texts rebuilt from their chunks, quotes with their articles, and the speakers quoted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.models import ArticleRef, Entity, Quote
from bot.schema import Meta, QuoteMeta, article_ref, entities_of, stored_quote


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


def summarise(chunk_metas: Iterable[dict[str, Any]]) -> list[ArticleSummary]:
    """One summary per article, newest first (the archive listing's order)."""
    summaries: dict[str, ArticleSummary] = {}
    for meta in chunk_metas:
        article_id = str(meta.get(Meta.ARTICLE_ID, ""))
        summary = summaries.get(article_id)
        if summary is None:
            summaries[article_id] = ArticleSummary(article_ref(meta), 1, str(meta.get(Meta.CONTENT_HASH, "")))
        else:
            summary.chunks += 1
    return sorted(summaries.values(), key=lambda s: (s.ref.published or "", s.ref.title), reverse=True)


def article_texts(page: dict[str, Any]) -> dict[str, ArticleText]:
    """Each article's text rebuilt from its chunks' offsets: overlaps agree, so quotes taken from it
    are verbatim article text."""
    pieces: dict[str, list[tuple[int, str]]] = defaultdict(list)
    refs: dict[str, ArticleRef] = {}
    entities: dict[str, dict[Entity, None]] = defaultdict(dict)
    for doc, meta in zip(page["documents"], page["metadatas"], strict=True):
        article_id = str(meta[Meta.ARTICLE_ID])
        refs[article_id] = article_ref(meta)
        pieces[article_id].append((int(meta.get(Meta.START, 0)), doc or ""))
        entities[article_id].update(dict.fromkeys(entities_of(meta)))
    return {
        article_id: ArticleText(
            refs[article_id], _joined(chunks), sorted(entities[article_id], key=lambda e: (e.start, e.end))
        )
        for article_id, chunks in pieces.items()
    }


def _joined(chunks: list[tuple[int, str]]) -> str:
    text = ""
    for start, chunk in sorted(chunks):
        if start > len(text):
            text += " " * (start - len(text))
        text = text[:start] + chunk if start + len(chunk) > len(text) else text
    return text


@dataclass(frozen=True)
class SpeakerRow:
    """One named quote as the speaker index counts it."""

    article_id: str
    key: str  # the folded name questions are matched against
    name: str  # as the article wrote it
    role: str = ""  # as the article gave it beside the name ("Arsenal manager")


def speaker_rows(quote_metas: Iterable[dict[str, Any]]) -> Iterator[SpeakerRow]:
    """The named quotes among these (an unnamed "a Tesco spokesman" is no one to ask about)."""
    for meta in quote_metas:
        if meta.get(QuoteMeta.NAMED, True):
            yield SpeakerRow(
                str(meta.get(Meta.ARTICLE_ID, "")),
                str(meta.get(QuoteMeta.SPEAKER_KEY, "")),
                str(meta.get(QuoteMeta.SPEAKER, "")),
                str(meta.get(QuoteMeta.ROLE, "")),
            )


def quote_of(record_id: str, document: str, meta: dict[str, Any], similarity: float = 0.0) -> StoredQuote:
    return StoredQuote(
        record_id,
        stored_quote(document, meta),
        article_ref(meta),
        str(meta.get(QuoteMeta.CONTEXT, "")),
        similarity,
        str(meta.get(QuoteMeta.LEAD, "")),
    )
