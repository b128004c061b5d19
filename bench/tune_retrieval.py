"""Grid search of the dense/lexical fusion weights on the DEV set only (retrieval metrics).

Usage: python bench/tune_retrieval.py DATA_DIR DATASET.jsonl CORPUS_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.core import Newsdesk
from bot.evaluate.metrics import hit_at_k, mean, reciprocal_rank, unique_in_order
from bot.evaluate.run import RANKING_DEPTH, gold_article_ids, load_dataset
from bot.retrieve import FusionWeights


def main() -> None:
    data_dir, dataset, corpus = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    desk = Newsdesk(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    items = [item for item in load_dataset(dataset) if item.article]
    gold = gold_article_ids(items, corpus, desk)
    vectors = {item.id: desk.embedder.embed_query(item.question) for item in items}
    for dense in (0.25, 0.5, 0.75, 1.0):
        for lexical in (0.5, 1.0):
            desk.retriever.weights = FusionWeights(dense, lexical)
            ranked = {
                item.id: unique_in_order(
                    p.article.article_id
                    for p in desk.retriever.search(item.question, RANKING_DEPTH, query_vector=vectors[item.id])
                )
                for item in items
            }
            hits = {k: mean(hit_at_k(ranked[i.id], gold[i.article or ""], k) for i in items) for k in (1, 5, 10)}
            mrr = mean(reciprocal_rank(ranked[i.id], gold[i.article or ""]) for i in items)
            shown = " ".join(f"hit@{k} {value:.3f}" for k, value in hits.items())
            print(f"dense {dense:4} lexical {lexical:4}: {shown} mrr {mrr:.3f}")


if __name__ == "__main__":
    main()
