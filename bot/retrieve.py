"""Hybrid retrieval: Chroma's dense search fused with BM25.

Dense search finds paraphrases; BM25 finds rare names ("Churkin") that a small
embedding model blurs. The default fusion scales each side's scores to 0-1
over its candidates and adds them (weighted): unlike reciprocal-rank fusion it
keeps *how much* better the first hit is than the second, which on the dev set
put the gold article first more often than either side alone (docs/EVAL.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from langchain_core.embeddings import Embeddings

from bot.config import FUSION_DENSE_WEIGHT, FUSION_LEXICAL_WEIGHT, FUSION_METHOD, FusionMethod
from bot.lexical import LexicalCache
from bot.models import Passage, shifted
from bot.schema import Meta, article_id_of, article_ref, day_number, entities_of
from bot.store import Store
from bot.text import query_terms

Mode = Literal["dense", "lexical", "hybrid"]
MODES: tuple[Mode, ...] = get_args(Mode)  # in the order `newsdesk eval` runs and reports them
RRF_K = 60
# Candidates each side contributes before fusion. Fixed, not a multiple of k: score-scaled fusion
# normalises over the candidates, and the ranking must not change with how many passages are asked for.
CANDIDATES = 50
# Passages one article may fill of the top k: a long article matching every question term would
# otherwise crowd out the other coverage the answer and its sources list should show.
PER_ARTICLE = 2


@dataclass(frozen=True)
class Filters:
    """Date and source bounds. `include_undated`: a time read from a question ("in 2004") also
    admits undated articles, which no date can rule out; `--since/--until` never do. `sources`:
    only these sources (a Slack channel's setting); `source` narrows within them."""

    since: date | None = None
    until: date | None = None
    source: str | None = None
    include_undated: bool = False
    sources: tuple[str, ...] = ()

    def describe(self) -> dict[str, str]:
        """The filters that applied, as the answer reports them."""
        shown = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        shown["source"] = self.source or ""
        shown["sources"] = "" if self.source else ", ".join(self.sources)  # a typed source says more
        return {name: value for name, value in shown.items() if value}

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        dated: list[dict[str, Any]] = []
        if self.since:
            dated.append({Meta.PUBLISHED_DAY: {"$gte": day_number(self.since)}})
        if self.until:
            dated.append({Meta.PUBLISHED_DAY: {"$lte": day_number(self.until)}})
            dated.append({Meta.PUBLISHED_DAY: {"$gt": 0}})  # undated articles are stored as day 0
        if dated and self.include_undated:
            in_range = dated[0] if len(dated) == 1 else {"$and": dated}
            clauses.append({"$or": [in_range, {Meta.PUBLISHED_DAY: 0}]})
        else:
            clauses.extend(dated)
        if self.source:
            clauses.append({Meta.SOURCE: self.source})
        if self.sources:
            clauses.append({Meta.SOURCE: {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


FUSION_METHODS: tuple[FusionMethod, ...] = get_args(FusionMethod)


@dataclass(frozen=True)
class FusionWeights:
    """How the two rankings are merged: `rrf` adds weight / (60 + rank); `relative` adds each
    list's scores min-max scaled to [0, 1] over its candidates; `dbsf` scales them by
    mean ± 3 standard deviations (Qdrant's distribution-based fusion)."""

    dense: float = FUSION_DENSE_WEIGHT
    lexical: float = FUSION_LEXICAL_WEIGHT
    method: FusionMethod = FUSION_METHOD


def _scaled(scores: list[float], method: FusionMethod) -> list[float]:
    if method == "relative":
        low, high = min(scores), max(scores)
    else:
        centre = sum(scores) / len(scores)
        spread = math.sqrt(sum((score - centre) ** 2 for score in scores) / len(scores))
        low, high = centre - 3 * spread, centre + 3 * spread
    if high <= low:
        return [1.0] * len(scores)
    return [min(1.0, max(0.0, (score - low) / (high - low))) for score in scores]


def fuse(
    dense_hits: list[tuple[str, float]], lexical_hits: list[tuple[str, float]], weights: FusionWeights
) -> list[tuple[str, float]]:
    """Both rankings (chunk id, score; best first) merged into one, best first."""
    fused: dict[str, float] = {}
    for hits, weight in ((dense_hits, weights.dense), (lexical_hits, weights.lexical)):
        if not hits:
            continue
        if weights.method == "rrf":
            contributions = [weight / (RRF_K + rank + 1) for rank in range(len(hits))]
        else:
            contributions = [weight * value for value in _scaled([score for _cid, score in hits], weights.method)]
        for (cid, _score), contribution in zip(hits, contributions, strict=True):
            fused[cid] = fused.get(cid, 0.0) + contribution
    return sorted(fused.items(), key=lambda item: item[1], reverse=True)


def _cosine(left: list[float], right: list[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    norm = math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right))
    return dot / norm if norm else 0.0


class Retriever:
    def __init__(
        self,
        store: Store,
        embedder: Embeddings,
        lexical: LexicalCache,
        weights: FusionWeights | None = None,
        per_article: int = PER_ARTICLE,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.weights = weights or FusionWeights()
        self.per_article = per_article

    def search(
        self,
        question: str,
        k: int,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        query_vector: list[float] | None = None,
    ) -> list[Passage]:
        """Top-k passages, at most `per_article` from one article, each with its dense similarity."""
        filters = filters or Filters()
        vector = query_vector if query_vector is not None else self.embedder.embed_query(question)
        dense_hits, lexical_hits = self._candidates(question, vector, max(k, CANDIDATES), filters, mode)
        ranking = fuse([(cid, sim) for cid, _doc, _meta, sim in dense_hits], lexical_hits, self.weights)
        chosen = self._capped([cid for cid, _score in ranking], k)
        known = {cid: (doc, meta, sim) for cid, doc, meta, sim in dense_hits}
        known.update(self._lexical_only([cid for cid in chosen if cid not in known], vector))
        fused, lexical_scores = dict(ranking), dict(lexical_hits)
        return [
            _passage(cid, *known[cid], fused[cid], lexical_scores.get(cid))
            for cid in chosen
            if cid in known  # else removed between the lexical read and now
        ]

    def lexical_articles(self, words: str, n: int, filters: Filters | None = None) -> list[str]:
        """The ids of the n articles whose chunks match these words best by BM25, best first: where
        words asked about verbatim are found even when nothing near them in meaning ranks high."""
        _dense, hits = self._candidates(words, [], max(n, CANDIDATES), filters or Filters(), "lexical")
        return list(dict.fromkeys(article_id_of(cid) for cid, _score in hits))[:n]

    def _candidates(
        self, question: str, vector: list[float], pool: int, filters: Filters, mode: Mode
    ) -> tuple[list[tuple[str, str, dict[str, Any], float]], list[tuple[str, float]]]:
        """Each side's `pool` best chunks under the filters: dense (id, text, metadata, similarity), BM25."""
        dense_hits: list[tuple[str, str, dict[str, Any], float]] = []
        lexical_hits: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            dense_hits = self.store.dense_query(vector, pool, filters.where())
        if mode in ("hybrid", "lexical"):
            lexical_hits = self.lexical.get().search(
                query_terms(question),
                pool,
                source=filters.source,
                since_day=day_number(filters.since) if filters.since else None,
                until_day=day_number(filters.until) if filters.until else None,
                include_undated=filters.include_undated,
                sources=filters.sources,
            )
        return dense_hits, lexical_hits

    def _capped(self, ordered: Sequence[str], k: int) -> list[str]:
        """The first k chunk ids, at most `per_article` of one article."""
        chosen: list[str] = []
        per_article: dict[str, int] = {}
        for cid in ordered:
            article_id = article_id_of(cid)
            if per_article.get(article_id, 0) >= self.per_article:
                continue
            per_article[article_id] = per_article.get(article_id, 0) + 1
            chosen.append(cid)
            if len(chosen) == k:
                break
        return chosen

    def _lexical_only(self, missing: list[str], vector: list[float]) -> dict[str, tuple[str, dict[str, Any], float]]:
        """Text, metadata and dense similarity of chosen chunks only BM25 found, so every passage has all three."""
        if not missing:
            return {}
        rows = self.store.chunks_by_ids(missing)
        vectors = self.store.embeddings_of(missing)
        return {
            cid: (doc, meta, _cosine(vector, vectors[cid]) if cid in vectors else 0.0)
            for cid, (doc, meta) in rows.items()
            if cid in missing
        }


def _passage(
    cid: str, doc: str, meta: dict[str, Any], similarity: float, score: float, lexical_score: float | None
) -> Passage:
    start = int(meta.get(Meta.START, 0))
    return Passage(
        chunk_id=cid,
        article=article_ref(meta),
        text=doc,
        chunk_index=int(meta.get(Meta.CHUNK_INDEX, 0)),
        start=start,
        end=int(meta.get(Meta.END, 0)),
        score=score,
        dense_similarity=similarity,
        lexical_score=lexical_score,
        entities=shifted(entities_of(meta), -start),
    )
