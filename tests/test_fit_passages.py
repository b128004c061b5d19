"""`fit_passages`: which retrieved passages the LLM is shown, within its token budget."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer.llm import fit_passages, format_passage
from bot.models import ArticleRef, Passage
from bot.tokens import count_tokens


def _passage(n: int, words: int) -> Passage:
    text = " ".join(f"word{n}x{i}" for i in range(words))
    return Passage(
        chunk_id=f"a{n}:h:0", article=ArticleRef(f"a{n}", f"Headline {n}"), text=text, chunk_index=0, start=0, end=9
    )


def _cost(passages: list[Passage]) -> int:
    """What the chosen passages cost as the model sees them: numbered in order."""
    return sum(count_tokens(format_passage(n, passage)) for n, passage in enumerate(passages, 1))


def test_everything_goes_when_the_budget_is_ample() -> None:
    passages = [_passage(n, 20) for n in range(5)]
    assert fit_passages(passages, 100_000) == passages


def test_passages_are_taken_in_rank_order_until_the_next_would_overflow() -> None:
    passages = [_passage(n, 30) for n in range(6)]
    budget = _cost(passages[:3]) + count_tokens(format_passage(4, passages[3])) // 2
    chosen = fit_passages(passages, budget)
    assert chosen == passages[:3]
    assert _cost(chosen) <= budget < _cost(passages[:4])


def test_the_first_passage_goes_even_when_it_alone_is_over_budget() -> None:
    passages = [_passage(0, 400), _passage(1, 5)]
    assert fit_passages(passages, 10) == passages[:1]


def test_a_long_passage_ends_the_selection_rather_than_being_skipped() -> None:
    """Rank order wins over packing: a smaller, lower-ranked passage never jumps the queue."""
    passages = [_passage(0, 10), _passage(1, 500), _passage(2, 5)]
    assert fit_passages(passages, _cost(passages[:1]) + 50) == passages[:1]


def test_no_passages_give_none() -> None:
    assert fit_passages([], 1000) == []


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=8),
    budget=st.integers(min_value=0, max_value=2000),
)
def test_chosen_passages_are_a_prefix_within_budget_and_as_many_as_fit(sizes: list[int], budget: int) -> None:
    passages = [_passage(n, words) for n, words in enumerate(sizes)]
    chosen = fit_passages(passages, budget)
    assert chosen == passages[: len(chosen)]  # a prefix: same passages, same order
    assert len(chosen) >= 1
    if len(chosen) > 1:
        assert _cost(chosen) <= budget
    if len(chosen) < len(passages):
        assert _cost(passages[: len(chosen) + 1]) > budget
