"""The Newsdesk service: one object that owns the store, the model and the indexes.

Built once per process (CLI command, Slack app, eval run) from `Settings`, so
the embedding model loads once and the lexical cache is shared by every
question the process answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.answer.extractive import extractive_answer
from bot.config import Settings
from bot.embeddings import build_embedder, embedder_name
from bot.lexical import LexicalCache
from bot.models import Answer
from bot.retrieve import Filters, FusionWeights, Mode, Retriever
from bot.store import ArticleSummary, Store
from ingest.pipeline import Ingestor


@dataclass
class Stats:
    articles: int
    chunks: int
    sources: dict[str, int]
    embedding_model: str
    store: str
    oldest: str
    newest: str

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class Newsdesk:
    def __init__(
        self,
        settings: Settings,
        embedder: Embeddings | None = None,
        *,
        check_model: bool = True,
        weights: FusionWeights | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or build_embedder(settings)
        self.store = Store(settings, embedder_name(self.embedder), check_model=check_model)
        cache_dir = None if settings.chroma_host else settings.data_dir / "lexical"
        self.lexical = LexicalCache(self.store, cache_dir)
        self.retriever = Retriever(self.store, self.embedder, self.lexical, weights)

    # --- asking ----------------------------------------------------------
    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
    ) -> Answer:
        question = " ".join(question.split())
        vector = self.embedder.embed_query(question)
        passages = self.retriever.search(question, k or self.settings.top_k, filters, mode, query_vector=vector)
        return extractive_answer(question, passages, self.embedder, self.settings.min_relevance, vector)

    # --- ingest ----------------------------------------------------------
    def ingestor(self) -> Ingestor:
        return Ingestor(self.settings, self.store, self.embedder)

    # --- admin -----------------------------------------------------------
    def sources(self) -> list[ArticleSummary]:
        return self.store.articles()

    def remove(self, article_id: str) -> int:
        removed = self.store.delete_article(article_id)
        if removed:
            self.store.bump_generation()
            self.lexical.invalidate()
        return removed

    def stats(self) -> Stats:
        articles = self.sources()
        sources: dict[str, int] = {}
        dates = sorted(summary.ref.published for summary in articles if summary.ref.published)
        for summary in articles:
            name = summary.ref.source or "(none)"
            sources[name] = sources.get(name, 0) + 1
        where = (
            f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
            if self.settings.chroma_host
            else f"embedded {self.settings.data_dir / 'chroma'}"
        )
        return Stats(
            articles=len(articles),
            chunks=sum(summary.chunks for summary in articles),
            sources=dict(sorted(sources.items(), key=lambda item: -item[1])),
            embedding_model=self.store.built_with,
            store=where,
            oldest=dates[0] if dates else "",
            newest=dates[-1] if dates else "",
        )
