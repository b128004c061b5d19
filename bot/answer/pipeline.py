"""The answer pipeline: a question in, a cited answer (or a clear refusal) out.

Order matters and is the product's promise: the question's time and speaker are
read first; "what did X say" is answered from X's quotes; everything else is
retrieved (dense + lexical), answered extractively, and — when an LLM is
configured — written by the LLM and verified against the passages, with the
extractive answer as the net under every failure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from langchain_core.embeddings import Embeddings

from bot.answer.citations import closest_line, display_date
from bot.answer.extractive import (
    ExtractiveParams,
    ScoredWindow,
    closest_articles,
    compose,
    mentions,
    not_covered_text,
    score_windows,
)
from bot.answer.llm import LLMWriter, Turn, WriterUnavailable, fit_passages
from bot.answer.role_speakers import speaker_in_quotes
from bot.answer.speaker_index import SpeakerIndex
from bot.answer.speakers import (
    RankedQuote,
    SpeakerAsk,
    SpeakerParams,
    answer_from_story,
    answer_speaker,
    answer_who_said,
    archive_role_ask,
    asks_role_view,
    asks_who_said,
    in_role,
    quotes_in_articles,
    read_speaker_question,
    role_speaker_ask,
    speaker_on_topic,
    speaker_quotes,
)
from bot.answer.standalone import standalone_question
from bot.answer.verify import Checked, verify_answer
from bot.chatter import without_chatter
from bot.embeddings import CachedEmbeddings
from bot.lexical import LexicalCache
from bot.models import Answer, Citation, Passage
from bot.prompts import NOT_COVERED
from bot.retrieve import Filters, Mode, Retriever
from bot.schema import embedding_text, whole_article_id
from bot.store import Store
from bot.text import names_written, terms
from bot.timeframe import TimeFrame, read_timeframe

log = logging.getLogger(__name__)

FALLBACK_SUFFIX = "showing quotes from the coverage instead"
# Whole articles read as answer candidates: the answer is often beside the retrieved chunk; three
# covered every dev-set answer while keeping the sentence scoring under ~100 ms.
WHOLE_ARTICLES = 3

Idf = Callable[[list[str]], dict[str, float]]


@dataclass(frozen=True)
class _Asked:
    """One question as the pipeline reads it: the words, their standalone form, time and filters."""

    question: str
    standalone: str
    frame: TimeFrame
    filters: Filters


@dataclass
class AnswerPipeline:
    """Everything answering needs, built once per process by `bot.core.Newsdesk`."""

    store: Store
    embedder: Embeddings
    sentence_embedder: CachedEmbeddings
    lexical: LexicalCache
    retriever: Retriever
    speakers: SpeakerIndex
    writer: LLMWriter | None
    extractive: ExtractiveParams
    speaker_params: SpeakerParams
    top_k: int

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
        """Read the question's time and speaker, then answer. Time in the question is read against
        `as_of` (today); an empty answer inside a time bound names the newest coverage outside it."""
        question = without_chatter(question) or " ".join(question.split())
        as_of = as_of or date.today()
        standalone, notice = standalone_question(question, history, self.writer)
        frame = read_timeframe(standalone, as_of)
        asked = _Asked(question, standalone, frame, _with_timeframe(filters or Filters(), frame))
        never_named = self._never_named(asked)
        answer = self._answer(asked, k, mode, on_text, never_named=never_named)
        bounded = (frame.bounded and asked.filters.since is not None) or asked.filters.until is not None
        if bounded and not answer.found and not never_named:
            answer = self._outside_timeframe(answer, asked)
        answer.notice = answer.notice or notice
        answer.as_of = as_of.isoformat()
        answer.filters = asked.filters.describe()
        return answer

    def _never_named(self, asked: _Asked) -> list[str]:
        """The names in the question (capitalised words past its first) that no article the
        question may draw on mentions, nor a word a typo away: "How many Nintendo Wii consoles were
        sold?" over an archive that never says "Wii" is not answered by what it says about the
        Nintendo DS, however near that comes. Only the words of the message as typed (a follow-up's
        borrowed words were checked in their own turn); not acronyms ("CFO", "TIA"), words with
        digits ("Q4", "Live8") or the bot's own name, which a question may hold without being about
        them. Read off the BM25 index in every retrieval mode; the channel's sources apply, its
        dates do not (a name outside the period is "not in this period", said elsewhere)."""
        names = {
            term: word
            for term, word in names_written(asked.question).items()
            if not _acronym(word) and not any(c.isdigit() for c in word) and term not in _OWN_NAMES
        }
        unmentioned = self.lexical.get().unmentioned(names, asked.filters.source, asked.filters.sources)
        return [names[term] for term in unmentioned]

    def _not_in_archive(self, asked: _Asked, never_named: Sequence[str], mode: Mode) -> Answer:
        query = asked.frame.question if asked.frame.phrase else asked.standalone
        closest = closest_articles(self.retriever.search(query, self.top_k, asked.filters, mode))
        text = not_covered_text(closest, never_named)
        return Answer(asked.question, text, False, closest=closest, standalone_question=asked.standalone)

    def _answer(
        self,
        asked: _Asked,
        k: int | None,
        mode: Mode,
        on_text: Callable[[str], None] | None,
        write: bool = True,
        never_named: Sequence[str] = (),
    ) -> Answer:
        """Quotes first for speaker questions; then retrieval, the extractive answer, and the LLM.
        A question naming what no article mentions (`_never_named`) is refused before retrieval
        answers it from something else; a speaker's refusal says so and keeps what they did say."""
        idf = self.lexical.get().idf
        speaker, from_quotes, ranked = self._from_quotes(asked, idf, mode)
        if from_quotes is not None and (from_quotes.found or speaker is None):
            return from_quotes
        mismatch = from_quotes  # unless the articles say it in words the quote index did not attribute
        if never_named and mismatch is not None:
            mismatch.text = f"No article mentions {mentions(never_named)}. {mismatch.text}"
            return mismatch
        if never_named:
            return self._not_in_archive(asked, never_named, mode)
        query = asked.frame.question if asked.frame.phrase else asked.standalone
        vector = self.embedder.embed_query(query)
        passages = self.retriever.search(query, k or self.top_k, asked.filters, mode, query_vector=vector)
        passages = self._undated_written_before(passages, asked)
        story = passages[0].article.article_id if passages else None  # before a sort by date
        if asked.frame.latest:
            passages.sort(key=lambda p: p.article.published, reverse=True)
        candidates, article_terms = self._whole_articles(passages)
        windows = score_windows(query, candidates, self.sentence_embedder, idf, self.extractive, vector, article_terms)
        extractive = compose(query, windows, candidates, self.extractive)
        extractive.question, extractive.standalone_question = asked.question, asked.standalone
        if mismatch is not None and not (extractive.found and speaker_on_topic(extractive, speaker, idf)):
            # The speaker's words in the story the whole question retrieves first, if it speaks to the
            # topic; else say they never spoke on it, and what they did speak on.
            told = None
            if speaker is not None and story is not None:
                story_terms = article_terms.get(story, set())
                told = answer_from_story(asked.question, speaker, ranked, story, story_terms, idf, self.speaker_params)
            if told is None:
                return mismatch
            told.standalone_question, told.mode = asked.standalone, "quotes"
            return told
        if self.writer is None or not extractive.found or not write:
            return extractive  # nothing relevant: the LLM is not called at all
        return self._written(asked, query, passages, extractive, windows, on_text)

    def _from_quotes(
        self, asked: _Asked, idf: Idf, mode: Mode
    ) -> tuple[SpeakerAsk | None, Answer | None, list[RankedQuote]]:
        """The answer from the quote index for "who said …" and "what did X say about …" questions:
        found, or (for a speaker) the refusal with what they did say; None for other questions. The
        words asked about are looked up by BM25 too, unless dense retrieval alone was asked for.
        Last, the speaker's quotes as ranked for the topic."""
        lexical = None if mode == "dense" else self.retriever.lexical_articles
        if asks_who_said(asked.standalone):
            said = answer_who_said(
                asked.standalone,
                self.store,
                self.embedder,
                idf,
                self.speaker_params,
                asked.filters,
                lexical,
            )
            if said is not None:
                said.question, said.standalone_question, said.mode = asked.question, asked.standalone, "quotes"
                return None, said, []
        speaker = read_speaker_question(asked.frame.question, self.speakers) or self._role_in_coverage(asked, mode)
        if speaker is None:
            return None, None, []
        ranked = speaker_quotes(
            self.store,
            self.embedder,
            speaker.speaker_keys,
            speaker.topic,
            idf,
            self.speaker_params,
            asked.filters,
            lexical,
            speaker.asked_name,
            speaker.wants_figure,
        )
        if speaker.by_role:
            ranked = in_role(ranked, speaker.role)
        answer = answer_speaker(asked.question, speaker, ranked, self.speaker_params)
        if speaker.by_role and not answer.found:
            return None, None, []  # the role's usual holder never spoke on it; another holder may have: search
        answer.standalone_question, answer.mode = asked.standalone, "quotes"
        return speaker, answer, ranked

    def _role_in_coverage(self, asked: _Asked, mode: Mode) -> SpeakerAsk | None:
        """A speaker the question names by a role the archive gives no one in particular ("toshiba's
        storage boss"): the one of that role quoted in the articles retrieved for it
        (bot/answer/role_speakers.py); else the role's usual holder, in any phrasing."""
        question = asked.frame.question
        if not asks_role_view(question):
            return None
        passages = self.retriever.search(question, self.top_k, asked.filters, mode)
        article_ids = list(dict.fromkeys(p.article.article_id for p in passages))[:WHOLE_ARTICLES]
        found = speaker_in_quotes(question, quotes_in_articles(self.store, article_ids, asked.filters))
        if found is not None:
            return role_speaker_ask(question, found, self.speakers)
        return archive_role_ask(question, self.speakers)

    def _written(
        self,
        asked: _Asked,
        query: str,
        passages: list[Passage],
        extractive: Answer,
        windows: Sequence[ScoredWindow],
        on_text: Callable[[str], None] | None,
    ) -> Answer:
        """The LLM's answer, checked against the passages it was given; the extractive one when the
        LLM is down or cites nothing that checks out."""
        assert self.writer is not None
        used = fit_passages(passages, self.writer.budget)
        try:
            raw = self.writer.write(query, used, on_text)
        except WriterUnavailable as exc:
            extractive.notice = f"{exc}; {FALLBACK_SUFFIX}"
            return extractive
        if raw.strip().strip(".").upper() == NOT_COVERED:
            return _not_covered(asked, used)
        checked = _verified(raw, used)
        if not checked.has_citations:
            extractive.notice = f"the written answer cited nothing that could be checked; {FALLBACK_SUFFIX}"
            extractive.unverified_quotes = checked.unverified_quotes
            return extractive
        _add_supporting_quotes(checked.citations, windows)
        return Answer(
            question=asked.question,
            text=checked.text,
            found=True,
            citations=checked.citations,
            mode="llm",
            unverified_quotes=checked.unverified_quotes,
            standalone_question=asked.standalone,
            passage_ids=[p.chunk_id for p in used],
        )

    def _outside_timeframe(self, answer: Answer, asked: _Asked) -> Answer:
        """Nothing in the asked period: say so, and name the newest coverage that does answer."""
        unbounded = Filters(source=asked.filters.source, sources=asked.filters.sources)
        timeless = _Asked(
            asked.frame.question, asked.frame.question, TimeFrame(latest=True, question=asked.frame.question), unbounded
        )
        elsewhere = self._answer(timeless, None, "hybrid", None, write=False)
        text = f"The coverage doesn't say anything on this {_period(asked.filters)}."
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

    def _undated_written_before(self, passages: list[Passage], asked: _Asked) -> list[Passage]:
        """A year typed in the question admits an undated article (no date rules it out) unless every
        year the article names is before it: news names the year it is written in or earlier ones, so
        a story naming 1999 and 2001 is not about "the 2006 Academy Awards", nor one naming 1970 and
        2000 about "the 2005 Ashes". A story naming no year may be from any. Relative times ("this
        summer") are left alone: no year is typed."""
        since = asked.filters.since
        if not (asked.filters.include_undated and since and _YEAR.search(asked.frame.phrase)):
            return passages
        undated = list(dict.fromkeys(p.article.article_id for p in passages if not p.article.published))
        if not undated:
            return passages
        earlier = set()
        for aid, found in self.store.article_texts(undated).items():
            named = [int(year) for year in _YEAR.findall(f"{found.ref.title}\n{found.text}")]
            if named and max(named) < since.year:
                earlier.add(aid)
        return [p for p in passages if p.article.article_id not in earlier]

    def _whole_articles(
        self, passages: Sequence[Passage], count: int = WHOLE_ARTICLES
    ) -> tuple[list[Passage], dict[str, set[str]]]:
        """The top articles in full as candidate text (the answer is often beside the retrieved chunk),
        and every retrieved article's terms (does it speak to every part of the question?)."""
        ids = list(dict.fromkeys(p.article.article_id for p in passages))
        texts = self.store.article_texts(ids)
        article_terms = {aid: set(terms(embedding_text(found.ref.title, found.text))) for aid, found in texts.items()}
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


# The bot's own name: "Hey Newsdesk, what did …" is addressed to it, not about it.
_OWN_NAMES = frozenset({"newsdesk"})
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")  # a number like "2000 people" read as a year only keeps an article


def _not_covered(asked: _Asked, passages: Sequence[Passage]) -> Answer:
    """The LLM found nothing in the passages: the refusal names the closest articles."""
    closest = closest_articles(passages)
    text = not_covered_text(closest)
    return Answer(asked.question, text, False, mode="llm", closest=closest, standalone_question=asked.standalone)


def _verified(raw: str, passages: list[Passage]) -> Checked:
    """The LLM's text with markers and quotes that the passages don't support taken out (logged)."""
    checked = verify_answer(raw, passages)
    if checked.dropped_markers or checked.unverified_quotes:
        log.info(
            "llm answer corrected: dropped markers %s, unverified quotes %d",
            checked.dropped_markers,
            len(checked.unverified_quotes),
        )
    return checked


def _add_supporting_quotes(citations: Sequence[Citation], windows: Sequence[ScoredWindow]) -> None:
    """A citation the LLM gave without a quote shows its article's most relevant sentence instead."""
    for citation in citations:
        if citation.quotes:
            continue
        article_id = citation.article.article_id
        best = next((w.texts[0] for w in windows if w.passage.article.article_id == article_id), "")
        if best:
            citation.quotes.append(best)


def _with_timeframe(filters: Filters, frame: TimeFrame) -> Filters:
    """Explicit --since/--until win; a time read from the question fills what they leave open."""
    if not frame.bounded or filters.since or filters.until:
        return filters
    return replace(filters, since=frame.since, until=frame.until, include_undated=True)


def _period(filters: Filters) -> str:
    """The bound as people say it: "in 2006", "in May 2005", else "from … to …"."""
    since, until = filters.since, filters.until
    if since and until and since.day == 1 and (until + timedelta(days=1)).day == 1:
        if since.year == until.year and (since.month, until.month) == (1, 12):
            return f"in {since.year}"
        if (since.year, since.month) == (until.year, until.month):
            return f"in {since:%B} {since.year}"
    if filters.since and filters.until:
        if filters.since == filters.until:
            return f"on {display_date(filters.since.isoformat())}"
        return f"from {display_date(filters.since.isoformat())} to {display_date(filters.until.isoformat())}"
    if filters.since:
        return f"since {display_date(filters.since.isoformat())}"
    if filters.until:
        return f"up to {display_date(filters.until.isoformat())}"
    return ""


def _acronym(word: str) -> bool:
    """ "CFO", and its plural "XLRs" (the archive's "XLR" is no typo away from "xlrs")."""
    return word.isupper() or (len(word) > 2 and word.endswith("s") and word[:-1].isupper())
