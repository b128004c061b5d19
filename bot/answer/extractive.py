"""The answer with no LLM: the retrieved sentences that answer the question, quoted verbatim.

Every sentence is scored by how much of the question it covers (terms, with
names weighted up) and by its embedding similarity to the question. Below a
relevance bar the answer is a plain "the coverage doesn't say", with the
closest headlines — never unrelated text passed off as an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from bot.answer.citations import closest_line, marker
from bot.models import Answer, ArticleRef, Citation, Passage
from bot.text import name_terms, normalise_space, query_terms, sentences, terms

MAX_SENTENCES = 3
RELATIVE_KEEP = 0.85
SEMANTIC_WEIGHT = 0.55
_QUOTE_CHARS = re.compile(r"[\"“”]")
_SAYING_QUESTION = re.compile(r"\b(say|said|says|describe|described|call|called|tell|told|react|respond)", re.I)


@dataclass
class ScoredSentence:
    passage: Passage
    text: str
    score: float
    lexical: float
    semantic: float


def not_covered_text(closest: list[ArticleRef]) -> str:
    text = "The coverage doesn't say."
    if closest:
        text += f" The closest articles are {closest_line(closest)}."
    return text


def score_sentences(
    question: str, passages: list[Passage], embedder: Embeddings, question_vector: list[float] | None = None
) -> list[ScoredSentence]:
    wanted = query_terms(question)
    names = name_terms(question)
    weights = {term: (2.0 if term in names else 1.0) for term in wanted}
    total = sum(weights.values()) or 1.0
    wants_quote = bool(_SAYING_QUESTION.search(question))

    candidates: list[tuple[Passage, str, float]] = []
    seen: set[tuple[str, str]] = set()
    for passage in passages:
        context_terms = set(terms(f"{passage.article.title}\n{passage.text}"))
        name_cover = (len(names & context_terms) / len(names)) if names else 1.0
        for position, (start, end) in enumerate(sentences(passage.text)):
            sentence = passage.text[start:end]
            if len(sentence.split()) < 4:
                continue
            if position == 0 and passage.start > 0 and sentence[:1].islower():
                continue  # a fragment cut by the chunk boundary
            key = (passage.article.article_id, normalise_space(sentence).lower())
            if key in seen:
                continue
            seen.add(key)
            sentence_terms = set(terms(sentence))
            covered = sum(weight for term, weight in weights.items() if term in sentence_terms)
            # A sentence that says "he" may still be about the named person its article covers.
            lexical = (covered / total) * (0.5 + 0.5 * name_cover)
            candidates.append((passage, sentence, lexical))
    if not candidates:
        return []
    vectors = embedder.embed_documents([question] + [sentence for _p, sentence, _l in candidates])
    query = question_vector or vectors[0]
    scored: list[ScoredSentence] = []
    for (passage, sentence, lexical), vector in zip(candidates, vectors[1:], strict=True):
        semantic = max(0.0, sum(a * b for a, b in zip(query, vector, strict=True)))
        score = SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * lexical
        if wants_quote and _QUOTE_CHARS.search(sentence):
            score += 0.05
        scored.append(ScoredSentence(passage, sentence, score, lexical, semantic))
    scored.sort(key=lambda item: item.score, reverse=True)
    return scored


def closest_articles(passages: list[Passage], limit: int = 3) -> list[ArticleRef]:
    refs: dict[str, ArticleRef] = {}
    for passage in passages:
        refs.setdefault(passage.article.article_id, passage.article)
    return list(refs.values())[:limit]


def extractive_answer(
    question: str,
    passages: list[Passage],
    embedder: Embeddings,
    min_relevance: float,
    question_vector: list[float] | None = None,
) -> Answer:
    scored = score_sentences(question, passages, embedder, question_vector)
    if not scored or scored[0].score < min_relevance:
        closest = closest_articles(passages)
        return Answer(question=question, text=not_covered_text(closest), found=False, closest=closest)
    best = scored[0].score
    keep = [item for item in scored if item.score >= max(min_relevance, RELATIVE_KEEP * best)][:MAX_SENTENCES]
    citations: dict[str, Citation] = {}
    lines: list[str] = []
    for item in keep:
        article_id = item.passage.article.article_id
        citation = citations.get(article_id)
        if citation is None:
            citation = Citation(n=len(citations) + 1, article=item.passage.article)
            citations[article_id] = citation
        citation.quotes.append(item.text)
        lines.append(f"> {normalise_space(item.text)} {marker(citation.n)}")
    return Answer(question=question, text="\n".join(lines), found=True, citations=list(citations.values()))
