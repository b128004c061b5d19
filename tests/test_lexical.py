"""BM25 search over the tantivy index: filters, ties and scores behave as one full ranking would."""

from __future__ import annotations

import math
import random
from collections import Counter

import tantivy

from bot.lexical import SCHEMA, LexicalIndex, _document
from bot.schema import Meta
from bot.text import query_terms

WORDS = [f"w{number}" for number in range(40)]
K1, B = 1.2, 0.75  # tantivy's BM25 parameters


def _meta(number: int) -> dict[str, object]:
    day = 0 if number % 7 == 0 else 20050100 + number % 28  # every seventh chunk undated
    return {Meta.ARTICLE_ID: f"a{number}", Meta.SOURCE: "BBC" if number % 3 else "ABC", Meta.PUBLISHED_DAY: day}


def _index(documents: list[list[str]]) -> LexicalIndex:
    """The documents in two commits (two segments), so ties and statistics cross segments."""
    index = tantivy.Index(SCHEMA)
    writer = index.writer(heap_size=20_000_000, num_threads=1)
    half = len(documents) // 2
    for part in (range(half), range(half, len(documents))):
        for number in part:
            writer.add_document(_document(f"c{number}", " ".join(documents[number]), _meta(number)))
        writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return LexicalIndex(index.searcher())


def _allowed(number: int, source: str | None, since: int | None, until: int | None, undated: bool) -> bool:
    """The filter rule, written out as `Filters.where()` states it for Chroma."""
    meta = _meta(number)
    day = int(str(meta[Meta.PUBLISHED_DAY]))
    if source and str(meta[Meta.SOURCE]).lower() != source.lower():
        return False
    in_range = (not since or day >= since) and (not until or 0 < day <= until)
    return in_range or (undated and day == 0 and bool(since or until))


def _bm25(documents: list[list[str]], query: list[str]) -> list[float]:
    """Reference BM25 (documents here are short, so tantivy's length encoding is exact)."""
    frequencies = Counter(term for document in documents for term in set(document))
    average = sum(len(document) for document in documents) / len(documents)
    scores = []
    for document in documents:
        counts = Counter(document)
        score = 0.0
        for term in query:
            if counts[term]:
                idf = math.log(1 + (len(documents) - frequencies[term] + 0.5) / (frequencies[term] + 0.5))
                norm = counts[term] + K1 * (1 - B + B * len(document) / average)
                score += idf * counts[term] * (K1 + 1) / norm
        scores.append(score)
    return scores


def test_filtered_search_ranks_like_the_full_ranking_filtered_with_ties_in_id_order() -> None:
    rng = random.Random(5)
    documents = [[rng.choice(WORDS[: rng.randint(3, 40)]) for _ in range(rng.randint(1, 30))] for _ in range(400)]
    documents += documents[:150]  # word-for-word copies: equal scores, ordered by chunk id
    index = _index(documents)
    checked = 0
    for _ in range(300):
        query = rng.sample(WORDS, rng.randint(1, 5))
        k = rng.choice([1, 3, 10, 60, 1000])
        source = rng.choice([None, None, "abc", "Abc"])
        since = rng.choice([None, None, 20050115])
        until = rng.choice([None, None, 20050120])
        undated = rng.choice([False, True])
        reference = _bm25(documents, query)
        ranked = sorted((n for n in range(len(documents)) if reference[n] > 0), key=lambda n: (-reference[n], f"c{n}"))
        expected = [n for n in ranked if _allowed(n, source, since, until, undated)][:k]
        found = index.search(query, k, source=source, since_day=since, until_day=until, include_undated=undated)
        assert [cid for cid, _score in found] == [f"c{n}" for n in expected]
        for (_cid, score), n in zip(found, expected, strict=True):
            assert math.isclose(score, reference[n], rel_tol=1e-4)
        checked += len(expected)
    assert checked > 3000


def test_lexical_search_of_words_the_archive_lacks_finds_nothing() -> None:
    index = _index([["harbour", "dredg"], ["bridg"]])
    assert index.search(["zeppelin"], 5) == []
    assert index.search([], 5) == []
    assert [cid for cid, _ in index.search(["bridg", "zeppelin"], 5)] == ["c1"]


def test_idf_follows_bm25_and_gives_unknown_terms_the_highest_weight() -> None:
    index = _index([["harbour", "dredg"], ["bridg"], ["bridg", "harbour"], ["pier"]])
    weights = index.idf(["bridg", "pier", "zeppelin"])
    assert math.isclose(weights["bridg"], math.log(1 + (4 - 2 + 0.5) / 2.5), rel_tol=1e-9)
    assert weights["zeppelin"] > weights["pier"] > weights["bridg"]


def test_ties_at_the_kth_score_beyond_several_searches_are_cut_in_chunk_id_order() -> None:
    """300 word-for-word copies tie at the k-th score: more than the first searches fetch, across
    both segments, where tantivy keeps them as added (c5, c6, ...), not in id order (c10, c100, ...)."""
    best = [["harbour", "harbour", "dredg"]] * 5
    copies = [["harbour", "dredg", "pier"]] * 300
    index = _index(best + copies)
    found = index.search(["harbour"], 10)
    assert [cid for cid, _score in found[:5]] == [f"c{n}" for n in range(5)]
    assert [cid for cid, _score in found[5:]] == sorted(f"c{n}" for n in range(5, 305))[:5]
    assert len({score for _cid, score in found[5:]}) == 1 and found[4][1] > found[5][1]


def test_the_answer_does_not_depend_on_how_the_chunks_sit_in_segments() -> None:
    """Another process's index holds the same chunks in another order and other segments (as after
    merges): the same ids, scores and order come back."""
    rng = random.Random(11)
    documents = [[rng.choice(WORDS[:8]) for _ in range(rng.randint(1, 4))] for _ in range(300)]
    shuffled = list(range(len(documents)))
    rng.shuffle(shuffled)
    index = _index(documents)
    other = tantivy.Index(SCHEMA)
    writer = other.writer(heap_size=20_000_000, num_threads=1)
    for position, number in enumerate(shuffled):
        writer.add_document(_document(f"c{number}", " ".join(documents[number]), _meta(number)))
        if position % 70 == 69:
            writer.commit()
    writer.commit()
    writer.wait_merging_threads()
    other.reload()
    reordered = LexicalIndex(other.searcher())
    for query in (WORDS[:1], WORDS[1:3], WORDS[:8]):
        for k in (1, 7, 50, 400):
            assert reordered.search(query, k) == index.search(query, k)


class _CountingSearcher:
    """The index's searcher, counting the stored documents read (the chunk ids)."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher
        self.reads = 0

    def search(self, query: tantivy.Query, limit: int = 10, count: bool = True) -> tantivy.SearchResult:
        return self.searcher.search(query, limit=limit, count=count)

    def doc(self, address: tantivy.DocAddress) -> tantivy.Document:
        self.reads += 1
        return self.searcher.doc(address)


def test_chunk_ids_are_read_only_for_hits_that_can_be_among_the_k() -> None:
    """A stored read per hit is the cost that grows with k: hits scoring below the k-th are never
    read, ties at the k-th score are (they decide which ids are returned)."""
    # 40 terms each, "harbour" 1-40 times: five chunks per score, higher the more "harbour"
    documents = [["harbour"] * (1 + number % 40) + ["pier"] * (39 - number % 40) for number in range(200)]
    index = _index(documents)
    counting = _CountingSearcher(index.searcher)
    index.searcher = counting  # type: ignore[assignment]

    def best(times: int) -> list[str]:
        return sorted(f"c{n}" for n in range(200) if 1 + n % 40 == times)

    assert [cid for cid, _score in index.search(["harbour"], 10)] == best(40) + best(39)
    assert counting.reads == 10
    counting.reads = 0
    assert [cid for cid, _score in index.search(["harbour"], 12)] == best(40) + best(39) + best(38)[:2]
    assert counting.reads == 15


def test_names_with_accents_are_found_as_typed_without_them() -> None:
    """Articles print "Arsène", "Zürich", "São Paulo"; users type "Arsene", "Zurich", "Sao Paulo". A word
    of any script is one term (not "Ars" + "ne"), and accents are dropped on both sides."""

    texts = [
        "Arsène Wenger said the deal was done in Zürich",
        "The club said the deal was done in London",
        "Fans in São Paulo said the club had won",
    ]
    view = _index([text.split() for text in texts])
    for typed, found in (("Arsene", "c0"), ("Zurich", "c0"), ("Sao Paulo", "c2"), ("Arsène", "c0")):
        assert [chunk for chunk, _score in view.search(query_terms(typed), 3)] == [found], typed


def test_chat_spellings_of_question_words_are_not_terms() -> None:
    """ "whats BMW boss Helmut Panke said about crossover cars" asks about crossover cars, not "whats"."""
    typed = "whats the figure, dont know if its out"
    assert query_terms(typed) == query_terms("what's the figure, don't know if its out")
