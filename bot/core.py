"""The Newsdesk service: one object that owns the store, the model, the indexes and the writer.

Built once per process (CLI command, Slack app, eval run) from `Settings`, so
the embedding model loads once and the lexical cache is shared by every
question the process answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.answer.extractive import ExtractiveParams
from bot.answer.llm import LLMWriter
from bot.answer.pipeline import AnswerPipeline
from bot.answer.speaker_index import SpeakerIndex
from bot.answer.speakers import SpeakerParams
from bot.config import Settings
from bot.embeddings import CachedEmbeddings, build_embedder, embedder_name
from bot.lexical import LexicalCache
from bot.retrieve import FusionWeights, Retriever
from bot.store import ArticleSummary, Store, store_location


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
    """The wiring: builds each part once from `Settings` and hands them to the answer pipeline.
    Ingest is wired in by the entry points (`ingest.pipeline.Ingestor.for_desk`), so this module,
    like everything on the answer path, never imports `ingest`."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embeddings | None = None,
        *,
        check_model: bool = True,
        weights: FusionWeights | None = None,
        extractive: ExtractiveParams | None = None,
    ) -> None:
        self.settings = settings
        self.extractive = extractive or ExtractiveParams(
            min_relevance=settings.min_relevance, min_coverage=settings.min_coverage
        )
        self.embedder = embedder or build_embedder(settings)
        self.sentence_embedder = CachedEmbeddings(self.embedder)
        self.store = Store(settings, embedder_name(self.embedder), check_model=check_model)
        cache_dir = None if settings.chroma_host else settings.data_dir / "lexical"
        self.lexical = LexicalCache(self.store, cache_dir)
        fusion = FusionWeights(settings.fusion_dense_weight, settings.fusion_lexical_weight, settings.fusion_method)
        self.retriever = Retriever(self.store, self.embedder, self.lexical, weights or fusion)
        self.writer = LLMWriter(settings) if settings.llm_enabled else None
        self.speakers = SpeakerIndex(self.store)
        self.speaker_params = SpeakerParams()
        self.answerer = self._answer_pipeline()
        # The one entry point every surface (CLI, Slack, eval) asks through: AnswerPipeline.ask itself.
        self.ask = self.answerer.ask

    def _answer_pipeline(self) -> AnswerPipeline:
        """The parts above, shared (not copied): eval and benchmarks read and tune them on the desk."""
        return AnswerPipeline(
            self.store,
            self.embedder,
            self.sentence_embedder,
            self.lexical,
            self.retriever,
            self.speakers,
            self.writer,
            self.extractive,
            self.speaker_params,
            self.settings.top_k,
        )

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
        return Stats(
            articles=len(articles),
            chunks=sum(summary.chunks for summary in articles),
            sources=dict(sorted(sources.items(), key=lambda item: -item[1])),
            embedding_model=self.store.built_with(),
            store=store_location(self.settings),
            oldest=dates[0] if dates else "",
            newest=dates[-1] if dates else "",
        )
