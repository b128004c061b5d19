"""The Newsdesk service: one object that owns the store, the model, the indexes and the writer.

Built once per process (CLI command, Slack app, eval run) from `Settings`, so
the embedding model loads once and the lexical cache is shared by every
question the process answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.answer.citations import closest_line, display_date
from bot.answer.extractive import (
    ExtractiveParams,
    ScoredWindow,
    closest_articles,
    compose,
    not_covered_text,
    score_windows,
)
from bot.answer.llm import LLMWriter, Turn, WriterUnavailable, fit_passages
from bot.answer.speakers import (
    SpeakerAsk,
    SpeakerIndex,
    SpeakerParams,
    answer_speaker,
    answer_who_said,
    asks_who_said,
    read_speaker_question,
    speaker_quotes,
)
from bot.answer.verify import verify_answer
from bot.config import Settings
from bot.embeddings import CachedEmbeddings, build_embedder, embedder_name
from bot.lexical import LexicalCache
from bot.models import Answer, Passage
from bot.prompts import NOT_COVERED
from bot.retrieve import Filters, FusionWeights, Mode, Retriever
from bot.schema import whole_article_id
from bot.store import ArticleSummary, Store, store_location
from bot.text import query_terms, speaker_key, terms
from bot.timeframe import TimeFrame, read_timeframe
from ingest.pipeline import Ingestor

log = logging.getLogger(__name__)

FALLBACK_SUFFIX = "showing quotes from the coverage instead"
# Whole articles read as answer candidates: the answer is often beside the retrieved chunk; three
# covered every dev-set answer while keeping the sentence scoring under ~100 ms.
WHOLE_ARTICLES = 3
# Share of a speaker question's (idf-weighted) topic terms an extractive fallback must quote.
TOPIC_COVERAGE = 0.5
_ANAPHORA = re.compile(r"\b(he|she|they|it|his|her|their|its|him|them|that|this|those|these)\b", re.IGNORECASE)
_QUESTION_OPENERS = frozenset({"what", "who", "how", "why", "when", "where", "which", "did", "does", "is", "and"})
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
    names = []
    for found in _NAME.findall(previous):
        words = found.split()
        while words and words[0].lower() in _QUESTION_OPENERS:  # "Did Lavrov" is the name "Lavrov"
            words = words[1:]
        if words:
            names.append(" ".join(words))
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
        self.speakers = SpeakerIndex(self.store)
        self.speaker_params = SpeakerParams()

    # --- asking ----------------------------------------------------------
    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        history: Sequence[Turn] = (),
        on_text: Callable[[str], None] | None = None,
        as_of: date | None = None,
    ) -> Answer:
        """Read the question's time and speaker, then answer: from the speaker's quotes when it asks
        what someone said; else retrieve, the LLM (when configured) writes, code verifies, and the
        extractive answer is the net. Time in the question is read against `as_of` (today)."""
        question = " ".join(question.split())
        as_of = as_of or date.today()
        standalone, notice = self._standalone(question, history)
        frame = read_timeframe(standalone, as_of)
        filters = _with_timeframe(filters or Filters(), frame)
        answer = self._answer(question, standalone, frame, filters, k, mode, on_text)
        if (frame.bounded and not answer.found and filters.since is not None) or filters.until is not None:
            answer = self._outside_timeframe(answer, frame, filters, standalone) if not answer.found else answer
        answer.notice = answer.notice or notice
        answer.as_of = as_of.isoformat()
        answer.filters = filters.describe()
        return answer

    def _answer(
        self,
        question: str,
        standalone: str,
        frame: TimeFrame,
        filters: Filters,
        k: int | None,
        mode: Mode,
        on_text: Callable[[str], None] | None,
        write: bool = True,
    ) -> Answer:
        idf = self.lexical.get().idf
        speaker, from_quotes = self._from_quotes(question, standalone, frame, filters, idf)
        if from_quotes is not None and (from_quotes.found or speaker is None):
            return from_quotes
        mismatch = from_quotes  # unless the articles say it in words the quote index did not attribute
        query = frame.question if frame.phrase else standalone
        vector = self.embedder.embed_query(query)
        passages = self.retriever.search(query, k or self.settings.top_k, filters, mode, query_vector=vector)
        if frame.latest:
            passages.sort(key=lambda p: p.article.published, reverse=True)
        candidates, article_terms = self._whole_articles(passages)
        windows = score_windows(query, candidates, self.sentence_vectors, idf, self.extractive, vector, article_terms)
        extractive = compose(query, windows, candidates, self.extractive)
        extractive.question, extractive.standalone_question = question, standalone
        if mismatch is not None and not (extractive.found and _speaker_on_topic(extractive, speaker, idf)):
            return mismatch  # the speaker never spoke on it: say so, and what they did speak on
        if self.writer is None or not extractive.found or not write:
            return extractive  # nothing relevant: the LLM is not called at all
        used = fit_passages(passages, self.writer.budget)
        try:
            raw = self.writer.write(query, used, on_text)
        except WriterUnavailable as exc:
            extractive.notice = f"{exc}; {FALLBACK_SUFFIX}"
            return extractive
        return self._checked(question, standalone, raw, used, extractive, windows)

    def _from_quotes(
        self,
        question: str,
        standalone: str,
        frame: TimeFrame,
        filters: Filters,
        idf: Callable[[list[str]], dict[str, float]],
    ) -> tuple[SpeakerAsk | None, Answer | None]:
        """The answer from the quote index for "who said …" and "what did X say about …" questions:
        found, or (for a speaker) the refusal with what they did say; None for other questions."""
        if asks_who_said(standalone):
            said = answer_who_said(standalone, self.store, self.embedder, idf, self.speaker_params, filters)
            if said is not None:
                said.question, said.standalone_question, said.mode = question, standalone, "quotes"
                return None, said
        speaker = read_speaker_question(frame.question, self.speakers)
        if speaker is None:
            return None, None
        ranked = speaker_quotes(
            self.store, self.embedder, speaker.speaker_keys, speaker.topic, idf, self.speaker_params, filters
        )
        answer = answer_speaker(question, speaker, ranked, self.speaker_params)
        answer.standalone_question, answer.mode = standalone, "quotes"
        return speaker, answer

    def _outside_timeframe(self, answer: Answer, frame: TimeFrame, filters: Filters, standalone: str) -> Answer:
        """Nothing in the asked period: say so, and name the newest coverage that does answer."""
        unbounded = Filters(source=filters.source, sources=filters.sources)
        timeless = TimeFrame(latest=True, question=frame.question)
        elsewhere = self._answer(frame.question, frame.question, timeless, unbounded, None, "hybrid", None, write=False)
        text = f"The coverage doesn't say anything on this {_period(filters)}."
        dated = sorted(
            (c.article for c in elsewhere.citations if c.article.published and elsewhere.found),
            key=lambda ref: ref.published,
            reverse=True,
        )
        if dated:
            text += f" The newest coverage of it is {closest_line(dated[:1])}."
            answer.closest = dated[:1]
        answer.text = text
        return answer

    def _whole_articles(
        self, passages: Sequence[Passage], count: int = WHOLE_ARTICLES
    ) -> tuple[list[Passage], dict[str, set[str]]]:
        """The top articles in full as candidate text (the answer is often beside the retrieved chunk),
        and every retrieved article's terms (does it speak to every part of the question?)."""
        ids = list(dict.fromkeys(p.article.article_id for p in passages))
        texts = self.store.article_texts(ids)
        article_terms = {aid: set(terms(f"{found.ref.title}\n{found.text}")) for aid, found in texts.items()}
        whole = [
            Passage(
                chunk_id=whole_article_id(aid),
                article=texts[aid].ref,
                text=texts[aid].text,
                chunk_index=0,
                start=0,
                end=len(texts[aid].text),
                entities=texts[aid].entities,
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
            passage_ids=[p.chunk_id for p in passages],
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
        return Stats(
            articles=len(articles),
            chunks=sum(summary.chunks for summary in articles),
            sources=dict(sorted(sources.items(), key=lambda item: -item[1])),
            embedding_model=self.store.built_with(),
            store=store_location(self.settings),
            oldest=dates[0] if dates else "",
            newest=dates[-1] if dates else "",
        )


def _with_timeframe(filters: Filters, frame: TimeFrame) -> Filters:
    """Explicit --since/--until win; a time read from the question fills what they leave open."""
    if not frame.bounded or filters.since or filters.until:
        return filters
    return replace(filters, since=frame.since, until=frame.until, include_undated=True)


def _period(filters: Filters) -> str:
    if filters.since and filters.until:
        if filters.since == filters.until:
            return f"on {display_date(filters.since.isoformat())}"
        return f"from {display_date(filters.since.isoformat())} to {display_date(filters.until.isoformat())}"
    if filters.since:
        return f"since {display_date(filters.since.isoformat())}"
    if filters.until:
        return f"up to {display_date(filters.until.isoformat())}"
    return ""


def _speaker_on_topic(answer: Answer, speaker: SpeakerAsk | None, idf: Callable[[list[str]], dict[str, float]]) -> bool:
    """An extractive answer to "what did X say about Y" stands only if its quoted lines name X and
    speak to Y: otherwise it would pass someone else's words, or X's words on another subject, off
    as the answer."""
    if speaker is None:
        return True
    surname = speaker_key(speaker.display_name).split()[-1:]
    wanted = list(dict.fromkeys(query_terms(speaker.topic)))
    weights = idf(wanted) if wanted else {}
    total = sum(weights.values())

    def names_speaker_on_topic(quoted: str) -> bool:  # one article's lines, not the whole answer's
        if not surname or surname[0] not in speaker_key(quoted).split():
            return False
        present = set(terms(quoted))
        covered = sum(w for t, w in weights.items() if t in present)
        return not wanted or (total > 0 and covered / total >= TOPIC_COVERAGE)

    return any(names_speaker_on_topic(" ".join(citation.quotes)) for citation in answer.citations)
