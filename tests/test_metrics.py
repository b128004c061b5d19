"""The metric functions on small hand-made cases."""

from __future__ import annotations

import pytest

from bot.evaluate.metrics import (
    answer_hit,
    citation_precision,
    contains_span,
    hit_at_k,
    mean,
    percentile,
    reciprocal_rank,
)


def test_hit_at_k_counts_each_article_once() -> None:
    ranked = ["a", "a", "b", "a", "c", "d"]
    assert hit_at_k(ranked, "c", 3) and not hit_at_k(ranked, "c", 2)
    assert hit_at_k(ranked, "a", 1) and not hit_at_k(ranked, "z", 10)


def test_reciprocal_rank_uses_distinct_articles_and_cutoff() -> None:
    assert reciprocal_rank(["a", "a", "b"], "b") == pytest.approx(0.5)
    assert reciprocal_rank(["a"], "a") == 1.0
    assert reciprocal_rank([str(i) for i in range(20)], "12", cutoff=10) == 0.0
    assert reciprocal_rank([str(i) for i in range(20)], "9", cutoff=10) == pytest.approx(0.1)


def test_span_matching_ignores_case_space_and_quote_style() -> None:
    assert contains_span("He said “Our  Attitude is\nnegative”.", ["our attitude is negative"])
    assert contains_span("it’s over", ["it's over"])
    assert not contains_span("an 18 % jump", ["18%"])
    assert not contains_span("anything", [""])


def test_answer_hit_counts_cited_quotes_only_for_extractive() -> None:
    assert answer_hit("Profits rose 18% [1]", [], ["18%"], "llm")
    assert answer_hit("> quote [1]", ["profits jumped 18%"], ["18%"], "extractive")
    assert not answer_hit("The bank did well [1]", ["profits jumped 18%"], ["18%"], "llm")


def test_citation_precision() -> None:
    assert citation_precision(
        [("g", []), ("x", ["nothing"]), ("y", ["rose 18% in 2004"])], "g", ["18%"]
    ) == pytest.approx(2 / 3)
    assert citation_precision([("x", ["no"])], "g", ["18%"]) == 0.0
    assert citation_precision([], "g", ["18%"]) is None


def test_mean_skips_missing_and_percentile_is_nearest_rank() -> None:
    assert mean([True, False, None, True]) == pytest.approx(2 / 3)
    assert mean([None]) is None
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0 and percentile([], 0.5) is None
