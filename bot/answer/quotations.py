"""A long quote's paragraphs shown as the one quotation they are.

News style opens each paragraph of a long quote again, so ingest stores each paragraph as a quote
of its own and marks the quotation it belongs to (`Quote.quotation_start/end`). Ranked alone, the
paragraphs of one quotation crowd out the speaker's other remarks, and the one that best matches a
question is often not the one that holds the answer ("We don't think we got our sums wrong" opens
the quotation whose third paragraph talks about the research). So an answer ranks a quotation once,
at the place of its best paragraph, and shows it whole: the paragraphs joined as one passage,
or, past QUOTATION_CHARS, those around the best one with "…" where the rest was left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from bot.schema import Meta, QuoteMeta
from bot.store import Store, StoredQuote

QUOTATION_CHARS = 600  # longer quotations are shown as their paragraphs around the one that matched
ELLIPSIS = "…"

T = TypeVar("T")


def quotation_key(stored: StoredQuote) -> tuple[str, int] | None:
    """Which quotation a stored quote is a paragraph of; None when it stands alone."""
    if not stored.quote.continued:
        return None
    return stored.article.article_id, stored.quote.quotation_start


def first_per_quotation(items: Sequence[T], quote_of: Callable[[T], StoredQuote]) -> list[T]:
    """The items in order, each quotation kept at its first (best-ranked) paragraph only."""
    seen: set[tuple[str, int]] = set()
    kept: list[T] = []
    for item in items:
        key = quotation_key(quote_of(item))
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return kept


def quotation_parts(store: Store, quotes: Iterable[StoredQuote]) -> list[StoredQuote]:
    """Every paragraph of the quotations these quotes belong to, in one read."""
    article_ids = sorted({stored.article.article_id for stored in quotes if quotation_key(stored) is not None})
    if not article_ids:
        return []
    where = {"$and": [{Meta.ARTICLE_ID: {"$in": article_ids}}, {QuoteMeta.QUOTATION_START: {"$gte": 0}}]}
    return store.get_quotes(where)


def joined(best: StoredQuote, parts: Iterable[StoredQuote]) -> StoredQuote:
    """`best` shown as its whole quotation (itself when it stands alone or its paragraphs are not
    in `parts`); it keeps its own id, similarity and context."""
    key = quotation_key(best)
    if key is None:
        return best
    by_start = {stored.quote.start: stored for stored in parts if quotation_key(stored) == key}
    by_start[best.quote.start] = best
    paragraphs = [by_start[start] for start in sorted(by_start)]
    shown = _around(paragraphs, paragraphs.index(best))
    text = " ".join(stored.quote.text.strip() for stored in shown)
    if shown[0] is not paragraphs[0]:
        text = f"{ELLIPSIS} {text}"
    if shown[-1] is not paragraphs[-1]:
        text = f"{text} {ELLIPSIS}"
    first, last = shown[0].quote, shown[-1].quote
    whole = replace(
        best.quote,
        text=text,
        start=first.start,
        end=last.end,
        context_start=first.context_start,
        context_end=last.context_end,
    )
    return replace(best, quote=whole)


def _around(paragraphs: Sequence[StoredQuote], best: int) -> list[StoredQuote]:
    """The best paragraph and its neighbours, the next one first, while they fit QUOTATION_CHARS."""
    low, high = best, best + 1
    size = len(paragraphs[best].quote.text)
    grew = True
    while grew:
        grew = False
        for take_next in (True, False):
            at = high if take_next else low - 1
            if 0 <= at < len(paragraphs) and size + len(paragraphs[at].quote.text) <= QUOTATION_CHARS:
                size += len(paragraphs[at].quote.text)
                low, high = (low, high + 1) if take_next else (low - 1, high)
                grew = True
    return list(paragraphs[low:high])
