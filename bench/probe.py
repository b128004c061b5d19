"""One ask-path process against one store: latencies and peak RSS, printed as JSON.

Run in its own process per store size so peak RSS is that of the ask path
alone (model + store + lexical index), not of the benchmark driver.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core import Newsdesk
from bot.retrieve import CANDIDATES
from bot.text import query_terms

# Retrieval steps take well under a millisecond to a few; one timing of each is mostly scheduler
# noise at the p95, so each question's cost is the median of this many runs.
REPEATS = 5


def timed(call: Callable[[], object]) -> float:
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def time_questions(desk: Newsdesk, questions: list[str]) -> dict[str, Any]:
    """Per question: dense, BM25 and hybrid retrieval (medians of `REPEATS`) and one full answer,
    after the store has been opened and the lexical index built (both timed too)."""
    build_started = time.perf_counter()
    lexical = desk.lexical.get()
    lexical_build = time.perf_counter() - build_started
    desk.ask(questions[0])  # warm caches (sqlite pages, HNSW, the speaker list) before timing
    dense, lexical_times, hybrid, answers = [], [], [], []
    for question in questions:
        vector = desk.embedder.embed_query(question)
        dense.append(timed(lambda: desk.store.dense_query(vector, CANDIDATES, None)))  # noqa: B023
        lexical_times.append(timed(lambda: lexical.search(query_terms(question), CANDIDATES)))  # noqa: B023
        hybrid.append(timed(lambda: desk.retriever.search(question, desk.settings.top_k, query_vector=vector)))  # noqa: B023
        desk.sentence_embedder.clear()  # replicas share texts: without this, bigger stores would look faster
        started = time.perf_counter()
        desk.ask(question)
        answers.append(time.perf_counter() - started)
    return {
        "chunks": desk.store.count(),
        "lexical_build_s": lexical_build,
        "lexical_chunks": len(lexical),
        "dense_s": dense,
        "lexical_s": lexical_times,
        "hybrid_s": hybrid,
        "answer_s": answers,
    }


def main() -> None:
    data_dir, questions_path = Path(sys.argv[1]), Path(sys.argv[2])
    questions = json.loads(questions_path.read_text())
    started = time.perf_counter()
    desk = Newsdesk(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    desk.embedder.embed_query("warm up")
    loaded = time.perf_counter() - started
    timings = time_questions(desk, questions)
    timings.pop("lexical_chunks")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"chunks": timings.pop("chunks"), "load_s": loaded, **timings, "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
