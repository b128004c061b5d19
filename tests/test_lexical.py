"""BM25 top-k selection: the partition shortcut must rank exactly as a full stable sort would."""

from __future__ import annotations

import random

import numpy as np

from bot.lexical import _index_from

WORDS = [f"w{number}" for number in range(40)]


def _index(documents: list[list[str]]):  # type: ignore[no-untyped-def]
    rows = [
        (f"c{number}", terms, "bbc" if number % 3 else "abc", 20050100 + number % 28)
        for number, terms in enumerate(documents)
    ]
    return _index_from("g", rows)


def _by_full_sort(index, query: list[str], k: int, source: str | None, since: int | None) -> list[str]:  # type: ignore[no-untyped-def]
    scores = index.scores(query)
    allowed = scores > 0
    if source:
        allowed &= index.sources == source
    if since:
        allowed &= index.days >= since
    positions = np.flatnonzero(allowed)
    ranked = positions[np.argsort(-scores[positions], kind="stable")[:k]]
    return [index.chunk_ids[i] for i in ranked]


def test_lexical_search_ranks_like_a_full_stable_sort_with_ties_and_filters() -> None:
    rng = random.Random(5)
    documents = [[rng.choice(WORDS[: rng.randint(3, 40)]) for _ in range(rng.randint(1, 30))] for _ in range(400)]
    documents += documents[:150]  # word-for-word copies: equal scores, ordered by position
    index = _index(documents)
    checked = 0
    for _ in range(300):
        query = rng.sample(WORDS, rng.randint(1, 5))
        k = rng.choice([1, 3, 10, 60, 1000])
        source = rng.choice([None, None, "abc"])
        since = rng.choice([None, None, 20050115])
        expected = _by_full_sort(index, query, k, source, since)
        found = [cid for cid, _score in index.search(query, k, source=source, since_day=since)]
        assert found == expected
        checked += len(expected)
    assert checked > 3000


def test_lexical_search_of_words_the_archive_lacks_finds_nothing() -> None:
    index = _index([["harbour", "dredg"], ["bridg"]])
    assert index.search(["zeppelin"], 5) == []
    assert [cid for cid, _ in index.search(["bridg", "zeppelin"], 5)] == ["c1"]
