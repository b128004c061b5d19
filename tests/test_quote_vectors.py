"""Quote vectors: the int8 graph beside fp32 chunks, each distinct text encoded once, and the same
vectors whether a quote was ingested or re-embedded by `reindex`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM, quote_embedder
from bot.models import Article, Quote
from bot.schema import stored_quote_embedding_text
from ingest.chunk import chunk_article
from ingest.pipeline import Ingestor
from ingest.quote_vectors import ArticleParts, chunk_and_quote_vectors
from tests.conftest import SEED_DIR, make_settings


def _stored_quotes(desk: Newsdesk) -> tuple[list[str], Any]:
    got = desk.store._quotes.get(include=["embeddings", "metadatas", "documents"])
    pairs = zip(got["documents"], got["metadatas"], strict=True)
    texts = [stored_quote_embedding_text(document, meta) for document, meta in pairs]
    order = np.argsort(got["ids"])
    return [texts[i] for i in order], np.asarray(got["embeddings"])[order]


def test_quotes_are_encoded_with_int8_beside_fp32_chunks_and_reindex_keeps_them(
    tmp_path: Path, embedder: LocalMiniLM
) -> None:
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    assert Ingestor.for_desk(desk).run([str(SEED_DIR)]).ok
    texts, vectors = _stored_quotes(desk)
    assert texts
    int8 = np.asarray(quote_embedder(embedder).embed_documents(texts))
    fp32 = np.asarray(embedder.embed_documents(texts))
    assert np.allclose(vectors, int8, atol=1e-5)
    assert not np.allclose(vectors, fp32, atol=1e-4)  # really the int8 graph
    assert float((vectors * fp32).sum(axis=1).min()) > 0.98  # and still the same vector space

    desk.store.recreate_with(
        desk.store.embedding_model, embedder.embed_documents, embed_quotes=quote_embedder(embedder).embed_documents
    )
    again_texts, again = _stored_quotes(Newsdesk(make_settings(tmp_path / "data"), embedder))
    assert again_texts == texts and np.allclose(again, vectors, atol=1e-5)


class _Counting(Embeddings):
    def __init__(self) -> None:
        self.encoded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.encoded.extend(texts)
        return [[float(len(text)), 1.0] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_two_quotes_in_one_sentence_are_encoded_once_and_each_gets_the_vector() -> None:
    text = 'He said "yes" and then "no" to the deal. Prices rose.'
    article = Article(article_id="a1", title="Deal", text=text, content_hash="h", source="Wire")
    quotes = [
        Quote(q, text.index(q), text.index(q) + len(q), "Joe Bloggs", "", "said", "direct", True, 0, 40)
        for q in ("yes", "no")
    ]
    chunks_model, quotes_model = _Counting(), _Counting()
    parts = [ArticleParts(text, chunk_article(article, 800, 200), quotes)]
    chunk_vectors, quote_vectors = chunk_and_quote_vectors(chunks_model, quotes_model, parts)
    assert quotes_model.encoded == [text[:40]]  # one sentence, encoded once
    assert quote_vectors == [[40.0, 1.0], [40.0, 1.0]] and len(chunk_vectors) == len(chunks_model.encoded) == 1
