"""The Newsdesk service: one object that owns the store, the model, the indexes and the writer.

Built once per process (CLI command, Slack app, eval run) from `Settings`, so
the embedding model loads once and the lexical cache is shared by every
question the process answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.answer.extractive import (
    ExtractiveParams,
    ScoredWindow,
    closest_articles,
    compose,
    not_covered_text,
    score_windows,
)
from bot.answer.llm import LLMWriter, Turn, WriterUnavailable, fit_passages
from bot.answer.verify import verify_answer
from bot.config import Settings
from bot.embeddings import CachedEmbeddings, build_embedder, embedder_name
from bot.lexical import LexicalCache
from bot.models import Answer, Passage
from bot.prompts import NOT_COVERED
from bot.retrieve import Filters, FusionWeights, Mode, Retriever
from bot.store import ArticleSummary, Store
from bot.text import terms
from ingest.pipeline import Ingestor

log = logging.getLogger(__name__)

FALLBACK_SUFFIX = "showing quotes from the coverage instead"
_ANAPHORA = re.compile(r"\b(he|she|they|it|his|her|their|its|him|them|that|this|those|these)\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")


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


def heuristic_standalone(question: str, history: Sequence[Turn]) -> str:
    """Without an LLM, a follow-up that says "he" borrows the names of the previous question."""
    if not history or not _ANAPHORA.search(question):
        return question
    previous = history[-1][0]
    names = [
        name
        for name in _NAME.findall(previous)
        if name.split()[0].lower()
        not in {"what", "who", "how", "why", "when", "where", "which", "did", "does", "is", "and"}
    ]
    return f"{question} ({', '.join(dict.fromkeys(names))})" if names else f"{question} ({previous})"


class Newsdesk:
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
            min_score=settings.min_relevance, min_context=settings.min_coverage
        )
        self.embedder = embedder or build_embedder(settings)
        self.sentence_vectors = CachedEmbeddings(self.embedder)
        self.store = Store(settings, embedder_name(self.embedder), check_model=check_model)
        cache_dir = None if settings.chroma_host else settings.data_dir / "lexical"
        self.lexical = LexicalCache(self.store, cache_dir)
        self.retriever = Retriever(
            self.store,
            self.embedder,
            self.lexical,
            weights
            or FusionWeights(settings.fusion_dense_weight, settings.fusion_lexical_weight, settings.fusion_method),
        )
        self.writer = LLMWriter(settings) if settings.llm_enabled else None

    # --- asking ----------------------------------------------------------
    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        history: Sequence[Turn] = (),
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Retrieve, then answer; the LLM (when configured) writes, code verifies, extractive is the net."""
        question = " ".join(question.split())
        standalone, notice = self._standalone(question, history)
        vector = self.embedder.embed_query(standalone)
        passages = self.retriever.search(standalone, k or self.settings.top_k, filters, mode, query_vector=vector)
        candidates, article_terms = self._whole_articles(passages)
        windows = score_windows(
            standalone,
            candidates,
            self.sentence_vectors,
            self.lexical.get().idf,
            self.extractive,
            vector,
            article_terms,
        )
        extractive = compose(standalone, windows, candidates, self.extractive)
        extractive.question, extractive.standalone_question = question, standalone
        if self.writer is None or not extractive.found:
            extractive.notice = notice
            return extractive  # nothing relevant: the LLM is not called at all
        used = fit_passages(passages, self.writer.budget)
        try:
            raw = self.writer.write(standalone, used, on_text)
        except WriterUnavailable as exc:
            extractive.notice = f"{exc}; {FALLBACK_SUFFIX}"
            return extractive
        return self._checked(question, standalone, raw, used, extractive, windows)

    def _whole_articles(self, passages: Sequence[Passage], count: int = 3) -> tuple[list[Passage], dict[str, set[str]]]:
        """The top articles in full as candidate text (the answer is often beside the retrieved chunk),
        and every retrieved article's terms (does it speak to every part of the question?)."""
        ids = list(dict.fromkeys(p.article.article_id for p in passages))
        texts = self.store.article_texts(ids)
        article_terms = {aid: set(terms(f"{ref.title}\n{text}")) for aid, (ref, text) in texts.items()}
        whole = [
            Passage(
                chunk_id=f"{aid}:article",
                article=texts[aid][0],
                text=texts[aid][1],
                chunk_index=0,
                start=0,
                end=len(texts[aid][1]),
            )
            for aid in ids[:count]
            if aid in texts
        ]
        rest = [p for p in passages if p.article.article_id not in {w.article.article_id for w in whole}]
        return whole + rest, article_terms

    def _standalone(self, question: str, history: Sequence[Turn]) -> tuple[str, str]:
        if not history:
            return question, ""
        if self.writer is None:
            return heuristic_standalone(question, history), ""
        try:
            return self.writer.rewrite(question, history), ""
        except WriterUnavailable as exc:
            return heuristic_standalone(question, history), str(exc)

    def _checked(
        self,
        question: str,
        standalone: str,
        raw: str,
        passages: list[Passage],
        extractive: Answer,
        windows: Sequence[ScoredWindow],
    ) -> Answer:
        if raw.strip().strip(".").upper() == NOT_COVERED:
            closest = closest_articles(passages)
            return Answer(
                question, not_covered_text(closest), False, mode="llm", closest=closest, standalone_question=standalone
            )
        checked = verify_answer(raw, passages)
        if checked.dropped_markers or checked.unverified_quotes:
            log.info(
                "llm answer corrected: dropped markers %s, unverified quotes %d",
                checked.dropped_markers,
                len(checked.unverified_quotes),
            )
        if not checked.has_citations:
            extractive.notice = f"the written answer cited nothing that could be checked; {FALLBACK_SUFFIX}"
            extractive.unverified_quotes = checked.unverified_quotes
            return extractive
        for citation in checked.citations:
            if not citation.quotes:  # show the article's most relevant sentence as its supporting quote
                best = next(
                    (w.texts[0] for w in windows if w.passage.article.article_id == citation.article.article_id), ""
                )
                if best:
                    citation.quotes.append(best)
        return Answer(
            question=question,
            text=checked.text,
            found=True,
            citations=checked.citations,
            mode="llm",
            unverified_quotes=checked.unverified_quotes,
            standalone_question=standalone,
        )

    # --- ingest ----------------------------------------------------------
    def ingestor(self) -> Ingestor:
        return Ingestor(self.settings, self.store, self.embedder, on_change=self.lexical.invalidate)

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
