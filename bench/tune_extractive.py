"""Grid search of the extractive answerer's weights and bars on the DEV set only.

Retrieval is done once per question (it doesn't depend on these parameters)
and sentence embeddings are cached, so each grid point costs only scoring.
Usage: python bench/tune_extractive.py DATA_DIR DATASET.jsonl
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

from bot.answer.extractive import ExtractiveParams, candidate_windows, compose, rank
from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.evaluate.metrics import answer_hit, mean
from bot.evaluate.run import load_dataset


class CachedEmbedder(LocalMiniLM):
    """Each distinct sentence is encoded once for the whole grid."""

    def __init__(self) -> None:
        super().__init__()
        self.cache: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, super().embed_documents(missing), strict=True))
        return [self.cache[t] for t in texts]


def main() -> None:
    data_dir, dataset = Path(sys.argv[1]), Path(sys.argv[2])
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    embedder = CachedEmbedder()
    desk = Newsdesk(settings, embedder)
    items = load_dataset(dataset)
    idf = desk.lexical.get().idf
    prepared = []
    for item in items:
        vector = embedder.embed_query(item.question)
        passages = desk.retriever.search(item.question, settings.top_k, query_vector=vector)
        candidates, article_terms = desk.answerer._whole_articles(passages)
        windows = candidate_windows(item.question, candidates, embedder, idf, vector, article_terms)
        prepared.append((item, candidates, windows))
    grid: dict[str, list[float]] = {
        "semantic": [0.2, 0.35, 0.5],
        "lexical": [0.15, 0.25, 0.35],
        "context": [0.1],
        "answer_type": [0.15, 0.25, 0.35],
        "pair_penalty": [0.0, 0.04, 0.08],
        "min_coverage": [0.55, 0.6, 0.65],
        "min_relevance": [0.3],
        "keep_relative": [0.7, 0.8, 0.9],
        "max_sentences": [3, 4],
    }
    results = []
    for values in itertools.product(*grid.values()):
        chosen = dict(zip(grid, values, strict=True))
        weights = {name: value for name, value in chosen.items() if name != "max_sentences"}
        params = replace(ExtractiveParams(), **weights, max_sentences=int(chosen["max_sentences"]))
        hits, refusals, false_refusals = [], [], []
        for item, candidates, windows in prepared:
            answer = compose(item.question, rank(windows, params), candidates, params)
            if item.answerable:
                quotes = [q for c in answer.citations for q in c.quotes]
                hits.append(answer_hit(answer.text, quotes, item.answers, "extractive"))
                false_refusals.append(not answer.found)
            else:
                refusals.append(not answer.found)
        results.append((mean(hits), mean(refusals), mean(false_refusals), params))
    ok = [r for r in results if (r[1] or 0) >= 0.9 and (r[2] or 0) <= 0.05] or results
    ok.sort(key=lambda r: (r[0], r[1], -(r[2] or 0)), reverse=True)
    for hit, refusal, false_refusal, params in ok[:10]:
        print(f"answer_hit {hit:.3f} refusal {refusal:.3f} false_refusal {false_refusal:.3f}  {params}")


if __name__ == "__main__":
    main()
