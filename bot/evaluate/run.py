"""Runs a question set against a store: every retriever on the same store, in one run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.core import Newsdesk
from bot.errors import NewsdeskError
from bot.evaluate.jsonl import read_records
from bot.evaluate.metrics import (
    answer_hit,
    citation_precision,
    hit_at_k,
    mean,
    percentile,
    reciprocal_rank,
    unique_in_order,
)
from bot.retrieve import MODES, Mode
from ingest.identity import to_article
from ingest.loaders import load

RANKING_DEPTH = 40


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    answers: list[str]
    article: str | None
    title: str | None
    kind: str
    as_of: date | None = None  # the line's `date`: the day its time words are read against

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass
class ItemResult:
    id: str
    kind: str
    retriever: str
    answerable: bool
    gold_article_id: str | None
    ranked_article_ids: list[str]
    hits: dict[int, bool]
    reciprocal_rank: float | None
    found: bool
    answer_hit: bool | None
    citation_precision: float | None
    latency_s: float
    answer_mode: str
    answer: str = field(repr=False, default="")


def _eval_item(row: dict[str, Any]) -> EvalItem:
    return EvalItem(
        id=str(row["id"]),
        question=str(row["question"]),
        answers=[str(a) for a in row.get("answers") or []],
        article=row.get("article"),
        title=row.get("title"),
        kind=str(row.get("kind") or "unknown"),
        as_of=date.fromisoformat(row["date"]) if row.get("date") else None,
    )


def load_dataset(path: Path) -> list[EvalItem]:
    items = read_records(path, _eval_item, "an eval item")
    if not items:
        raise NewsdeskError(f"{path}: holds no questions")
    return items


def gold_article_ids(items: Sequence[EvalItem], corpora: Sequence[Path], desk: Newsdesk) -> dict[str, str]:
    """Gold article path → the id the pipeline gives that article (duplicates share one id)."""
    ids: dict[str, str] = {}
    for item in items:
        if not item.article or item.article in ids:
            continue
        where = next((c / item.article for c in corpora if (c / item.article).is_file()), corpora[0] / item.article)
        loaded = load(str(where), desk.settings)
        if loaded.errors or not loaded.articles:
            raise NewsdeskError(f"gold article {item.article} for {item.id}: {'; '.join(loaded.errors) or 'empty'}")
        ids[item.article] = to_article(loaded.articles[0]).article_id
    return ids


def evaluate_item(desk: Newsdesk, item: EvalItem, gold: str | None, retriever: Mode, ks: Sequence[int]) -> ItemResult:
    ranked = desk.retriever.search(item.question, RANKING_DEPTH, mode=retriever)
    articles = unique_in_order(p.article.article_id for p in ranked)[: max(max(ks), 10)]
    started = time.perf_counter()
    answer = desk.ask(item.question, mode=retriever, as_of=item.as_of)
    latency = time.perf_counter() - started
    quotes = [q for c in answer.citations for q in c.quotes]
    cited = [(c.article.article_id, c.quotes) for c in answer.citations]
    return ItemResult(
        id=item.id,
        kind=item.kind,
        retriever=retriever,
        answerable=item.answerable,
        gold_article_id=gold,
        ranked_article_ids=articles,
        hits={k: hit_at_k(articles, gold, k) for k in ks} if gold else {},
        reciprocal_rank=reciprocal_rank(articles, gold) if gold else None,
        found=answer.found,
        answer_hit=answer_hit(answer.text, quotes, item.answers, answer.mode) if item.answerable else None,
        citation_precision=citation_precision(cited, gold, item.answers) if gold and answer.found else None,
        latency_s=latency,
        answer_mode=answer.mode,
        answer=answer.text,
    )


def summarise(results: Sequence[ItemResult], ks: Sequence[int]) -> dict[str, Any]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    latencies = [r.latency_s for r in results]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        **{f"hit@{k}": mean(r.hits.get(k) for r in answerable if r.gold_article_id) for k in ks},
        "mrr@10": mean(r.reciprocal_rank for r in answerable if r.gold_article_id),
        "answer_hit": mean(r.answer_hit for r in answerable),
        "citation_precision": mean(r.citation_precision for r in answerable),
        "refusal_accuracy": mean(not r.found for r in unanswerable),
        "false_refusal_rate": mean(not r.found for r in answerable),
        "latency_p50_s": percentile(latencies, 0.5),
        "latency_p95_s": percentile(latencies, 0.95),
    }


def run_eval(
    desk: Newsdesk,
    items: Sequence[EvalItem],
    corpora: Sequence[Path],
    ks: Sequence[int],
    retrievers: Sequence[Mode] = MODES,
    progress: bool = True,
) -> dict[str, Any]:
    gold = gold_article_ids(items, corpora, desk)
    results: list[ItemResult] = []
    with tqdm(total=len(items) * len(retrievers), desc="Evaluating", unit="q", disable=not progress) as bar:
        for retriever in retrievers:
            desk.sentence_embedder.clear()  # each retriever's latencies start cold, not warmed by the last
            for item in items:
                results.append(evaluate_item(desk, item, gold.get(item.article or ""), retriever, ks))
                bar.update(1)
    kinds = sorted({item.kind for item in items})
    report: dict[str, Any] = {
        "ks": list(ks),
        "settings": {
            "chunk_size": desk.settings.chunk_size,
            "chunk_overlap": desk.settings.chunk_overlap,
            "top_k": desk.settings.top_k,
            "min_relevance": desk.settings.min_relevance,
            "fusion_weights": asdict(desk.retriever.weights),
            "answers": "llm" if desk.writer else "extractive",
            "embeddings": desk.store.built_with(),
        },
        "retrievers": {},
    }
    for retriever in retrievers:
        mine = [r for r in results if r.retriever == retriever]
        report["retrievers"][retriever] = {
            "overall": summarise(mine, ks),
            "by_kind": {kind: summarise([r for r in mine if r.kind == kind], ks) for kind in kinds},
        }
    report["items"] = [{key: value for key, value in asdict(r).items() if key != "ranked_article_ids"} for r in results]
    return report
