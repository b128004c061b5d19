"""Metric functions, pure and small: a bug here would poison every tuning decision, so each is tested."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from bot.text import fold

# The report's `mrr@10`: a gold article ranked below 10 scores 0, as in the usual MRR@10 of retrieval
# benchmarks; 10 is also the largest default hit@k cutoff of `newsdesk eval`.
MRR_CUTOFF = 10


def unique_in_order(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def hit_at_k(ranked_articles: Sequence[str], gold: str, k: int) -> bool:
    """Gold among the top-k distinct articles (several chunks of one article count once)."""
    return gold in unique_in_order(ranked_articles)[:k]


def reciprocal_rank(ranked_articles: Sequence[str], gold: str, cutoff: int = MRR_CUTOFF) -> float:
    articles = unique_in_order(ranked_articles)[:cutoff]
    return 1.0 / (articles.index(gold) + 1) if gold in articles else 0.0


def contains_span(text: str, spans: Sequence[str]) -> bool:
    haystack = fold(text)
    return any(fold(span) in haystack for span in spans if span.strip())


def answer_hit(answer_text: str, cited_quotes: Sequence[str], gold_spans: Sequence[str], mode: str) -> bool:
    """A gold span in the answer — or, for extractive answers, in a cited quote."""
    if contains_span(answer_text, gold_spans):
        return True
    return mode in ("extractive", "quotes") and any(contains_span(quote, gold_spans) for quote in cited_quotes)


def citation_precision(
    citations: Sequence[tuple[str, Sequence[str]]], gold_article: str, gold_spans: Sequence[str]
) -> float | None:
    """Share of cited sources that are the gold article or quote a gold span; None when nothing is cited."""
    if not citations:
        return None
    good = sum(
        1
        for article_id, quotes in citations
        if article_id == gold_article or any(contains_span(q, gold_spans) for q in quotes)
    )
    return good / len(citations)


def mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (p50, p95) — no interpolation between two measured latencies."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
