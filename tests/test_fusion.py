"""Fusion of the dense and BM25 rankings, on hand-made score lists."""

from __future__ import annotations

import pytest

from bot.retrieve import RRF_K, FusionWeights, fuse

DENSE = [("a", 0.62), ("b", 0.60), ("c", 0.40)]
LEXICAL = [("b", 20.0), ("a", 19.0), ("d", 4.0)]


def test_relative_fusion_adds_min_max_scaled_scores() -> None:
    fused = dict(fuse(DENSE, LEXICAL, FusionWeights(1.0, 1.0, "relative")))
    assert fused["a"] == pytest.approx(1.0 + 15 / 16)
    assert fused["b"] == pytest.approx(20 / 22 + 1.0)
    assert fused["c"] == pytest.approx(0.0)  # last of its list, absent from the other
    assert fused["d"] == pytest.approx(0.0)
    assert [cid for cid, _ in fuse(DENSE, LEXICAL, FusionWeights(1.0, 1.0, "relative"))][:2] == ["a", "b"]


def test_relative_fusion_keeps_a_clear_bm25_lead_that_rank_fusion_loses() -> None:
    dense = [("x", 0.52), ("y", 0.50), ("z", 0.30)]
    lexical = [("y", 30.0), ("x", 8.0), ("z", 7.5)]  # BM25 is sure about y; dense barely prefers x
    relative = fuse(dense, lexical, FusionWeights(1.0, 1.0, "relative"))
    ranks = fuse(dense, lexical, FusionWeights(1.0, 1.0, "rrf"))
    assert relative[0][0] == "y"
    assert {ranks[0][1], ranks[1][1]} == {1 / (RRF_K + 1) + 1 / (RRF_K + 2)}  # a tie: the margin is gone


def test_weights_scale_each_side_and_zero_ignores_it() -> None:
    only_lexical = fuse(DENSE, LEXICAL, FusionWeights(0.0, 1.0, "relative"))
    assert [cid for cid, score in only_lexical if score > 0] == ["b", "a"]
    doubled = dict(fuse(DENSE, [], FusionWeights(2.0, 1.0, "relative")))
    assert doubled == pytest.approx({"a": 2.0, "b": 2.0 * 0.2 / 0.22, "c": 0.0})


def test_a_list_of_equal_scores_scales_to_one_not_nan() -> None:
    fused = dict(fuse([("a", 0.5), ("b", 0.5)], [("a", 3.0)], FusionWeights(1.0, 1.0, "relative")))
    assert fused == {"a": 2.0, "b": 1.0}


def test_dbsf_clips_scores_to_three_standard_deviations() -> None:
    lexical = [(f"c{n}", 1.0) for n in range(20)] + [("outlier", 100.0)]
    fused = dict(fuse([], lexical, FusionWeights(1.0, 1.0, "dbsf")))
    assert fused["outlier"] == pytest.approx(1.0)
    assert 0.0 < fused["c0"] < 0.5


def test_empty_rankings_fuse_to_nothing() -> None:
    assert fuse([], [], FusionWeights()) == []
