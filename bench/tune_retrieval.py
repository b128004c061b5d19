"""Compare fusion rules and weights on the DEV set only (article-level retrieval metrics).

Usage: python -m bench.tune_retrieval DATA_DIR DATASET.jsonl CORPUS_DIR [CANDIDATES]

Each question's dense and BM25 candidate lists are fetched once; every fusion
rule is then replayed on those lists through `bot.retrieve.fuse`, the code the
bot runs, so a row here is what the retriever would rank. Answer metrics
(answer hit, refusals) need `newsdesk eval` on the chosen candidates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.core import Newsdesk
from bot.evaluate.metrics import hit_at_k, mean, reciprocal_rank, unique_in_order
from bot.evaluate.run import gold_article_ids, load_dataset
from bot.retrieve import CANDIDATES, FUSION_METHODS, FusionWeights, fuse
from bot.schema import article_id_of
from bot.text import query_terms


def main() -> None:
    data_dir, dataset, corpus = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    pool = int(sys.argv[4]) if len(sys.argv) > 4 else CANDIDATES
    desk = Newsdesk(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    items = [item for item in load_dataset(dataset) if item.article]
    gold = gold_article_ids(items, [corpus], desk)
    lists = {}
    for item in items:
        vector = desk.embedder.embed_query(item.question)
        dense = [(cid, sim) for cid, _doc, _meta, sim in desk.store.dense_query(vector, pool, None)]
        lexical = desk.lexical.get().search(query_terms(item.question), pool)
        lists[item.id] = (dense, lexical)
    rows = []
    for method in FUSION_METHODS:
        for dense_weight in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
            weights = FusionWeights(dense_weight, 1.0, method)
            ranked = {
                item.id: unique_in_order(article_id_of(cid) for cid, _score in fuse(*lists[item.id], weights))
                for item in items
            }
            hits = {k: mean(hit_at_k(ranked[i.id], gold[i.article or ""], k) for i in items) for k in (1, 3, 5)}
            mrr = mean(reciprocal_rank(ranked[i.id], gold[i.article or ""]) for i in items)
            rows.append((method, dense_weight, hits, mrr))
    for method, dense_weight, hits, mrr in sorted(rows, key=lambda row: row[3] or 0.0, reverse=True):
        shown = " ".join(f"hit@{k} {value:.3f}" for k, value in hits.items())
        print(f"{method:8} dense {dense_weight:4} : lexical 1.0  {shown}  mrr@10 {mrr:.3f}")


if __name__ == "__main__":
    main()
