"""Chunk and quote vectors for a batch of articles.

Quotes outnumber chunks two to one (2,394 quotes beside 1,174 chunks in 300 BBC articles), and
encoding each quote's sentences held ingest to 0.66x its rate before quotes existed. They are
encoded with the int8 model when the chunks use fp32 ONNX: ~1.6x the rate, and its vectors stay
within ~0.006 cosine of fp32's (bot/onnx_minilm.py), which is far below the gaps the quote ranker
decides on — where chunk retrieval's int8 results did move (docs/EVAL.md, "int8 embeddings"), so
chunks stay fp32. Identical quote texts (two quotes in one sentence) are encoded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from bot.models import Chunk, Quote
from bot.schema import embedding_text, quote_embedding_text


@dataclass(frozen=True)
class ArticleParts:
    """One article's text, its chunks and the quotes found in it."""

    text: str
    chunks: Sequence[Chunk]
    quotes: Sequence[Quote]


def chunk_and_quote_vectors(
    embedder: Embeddings, quote_embedder: Embeddings, articles: Sequence[ArticleParts]
) -> tuple[list[list[float]], list[list[float]]]:
    """Vectors for every chunk and every quote, each flat in article order."""
    texts = [embedding_text(chunk.article.title, chunk.text) for parts in articles for chunk in parts.chunks]
    quote_texts = [quote_embedding_text(quote, parts.text) for parts in articles for quote in parts.quotes]
    distinct = list(dict.fromkeys(quote_texts))
    encoded = dict(zip(distinct, quote_embedder.embed_documents(distinct) if distinct else [], strict=True))
    return embedder.embed_documents(texts) if texts else [], [encoded[text] for text in quote_texts]
