"""A long quotation shown around the paragraph that matched, within QUOTATION_CHARS."""

from __future__ import annotations

from bot.answer.quotations import ELLIPSIS, QUOTATION_CHARS, first_per_quotation, joined
from bot.models import ArticleRef, Quote
from bot.store import StoredQuote

ARTICLE = ArticleRef("a1", "Budget speech", "Example Wire", "", "2005-03-16", "")


def _paragraphs(count: int, size: int) -> list[StoredQuote]:
    """`count` paragraphs of one quotation, each `size` characters, one after another."""
    starts = [n * (size + 3) for n in range(count)]
    end = starts[-1] + size
    return [
        StoredQuote(
            f"a1:q{n}",
            Quote(
                f"P{n}" + "x" * (size - 2),
                start,
                start + size,
                "Gordon Brown",
                "",
                "",
                "direct",
                True,
                start,
                start + size,
                -1,
                starts[0],
                end,
            ),
            ARTICLE,
            "",
        )
        for n, start in enumerate(starts)
    ]


def test_a_short_quotation_is_shown_whole_in_order() -> None:
    parts = _paragraphs(3, 50)
    shown = joined(parts[1], parts).quote
    assert shown.text == " ".join(p.quote.text for p in parts)
    assert (shown.start, shown.end) == (parts[0].quote.start, parts[-1].quote.end)


def test_a_long_quotation_is_shown_around_the_best_paragraph_with_ellipses() -> None:
    size = QUOTATION_CHARS // 3
    parts = _paragraphs(5, size)
    shown = joined(parts[2], parts).quote.text
    assert shown == f"{ELLIPSIS} P1{'x' * (size - 2)} P2{'x' * (size - 2)} P3{'x' * (size - 2)} {ELLIPSIS}"


def test_each_quotation_is_ranked_once_at_its_best_paragraph() -> None:
    parts = _paragraphs(3, 50)
    ranked = [parts[2], parts[0], parts[1]]
    assert first_per_quotation(ranked, lambda stored: stored) == [parts[2]]
