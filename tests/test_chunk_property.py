"""Property: an article is rebuilt exactly from its chunks, whatever its text and the chunking settings.

Only the contract is tested (offsets are exact slices, nothing but whitespace
falls between chunks, the store rebuilds the text from the offsets), not how the
chunker picks its boundaries.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.models import Article
from bot.store import ArticleWrite, Store
from ingest.chunk import chunk_article
from ingest.clean import clean_text
from tests.conftest import make_settings

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.one_of(
    st.sampled_from(["the", "minister", "said", "Mr.", "U.S.", "2.5%", "Churkin", "sanctions", "café", "naïve"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-'’", min_size=1, max_size=14),
)
spaces = st.sampled_from([" ", " ", " ", "  ", "\t", " \u00a0", "\u2009"])
ends = st.sampled_from([".", ".", "!", "?", "...", ";", ":", ",", ""])
quotes = st.sampled_from([("", ""), ("“", "”"), ("‘", "’"), ('"', '"'), ("'", "'"), ("(", ")")])
breaks = st.sampled_from(["\n\n", "\n\n", "\n", "\n \n", "\n\n\n", " \n\t\n  "])


@st.composite
def sentence(draw: st.DrawFn) -> str:
    body = draw(st.lists(words, min_size=1, max_size=40))
    gaps = draw(st.lists(spaces, min_size=len(body), max_size=len(body)))
    text = "".join(itertools.chain.from_iterable(zip(body, gaps, strict=True))).rstrip()
    opening, closing = draw(quotes)
    end = draw(ends)
    return f"{opening}{text}{end}{closing}" if draw(st.booleans()) else f"{text}{end}"


@st.composite
def article_text(draw: st.DrawFn) -> str:
    paragraphs = [
        draw(spaces).join(draw(st.lists(sentence(), min_size=1, max_size=6)))
        for _ in range(draw(st.integers(min_value=1, max_value=6)))
    ]
    text = paragraphs[0]
    for paragraph in paragraphs[1:]:
        text += draw(breaks) + paragraph
    return draw(st.sampled_from(["", " ", "\n"])) + text + draw(st.sampled_from(["", " ", "\n\n"]))


sizes = st.integers(min_value=100, max_value=1000)
overlaps = st.integers(min_value=0, max_value=300)


def _article(text: str, number: int = 0) -> Article:
    return Article(f"prop{number}", "A headline", text, f"hash{number}")


@PROPERTY
@given(text=article_text(), chunk_size=sizes, chunk_overlap=overlaps)
def test_chunks_are_exact_slices_that_cover_the_text(text: str, chunk_size: int, chunk_overlap: int) -> None:
    article = _article(text)
    chunks = chunk_article(article, chunk_size, chunk_overlap)
    assert chunks
    for index, chunk in enumerate(chunks):
        assert (chunk.index, chunk.count) == (index, len(chunks))
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert text[chunk.start : chunk.end] == chunk.text
    covered = [False] * len(text)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    uncovered = [text[i] for i in range(len(text)) if not covered[i]]
    assert all(char.isspace() for char in uncovered), f"text outside every chunk: {''.join(uncovered)!r}"
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(make_settings(tmp_path_factory.mktemp("chunks") / "data"), "test:chunks-only")


_numbers: Iterator[int] = itertools.count()


@PROPERTY
@example(  # two paragraphs, one chunk each: the break between them is in no chunk
    text="The first paragraph is one sentence of about seventy characters here.\n\n"
    "The second paragraph is another sentence of about seventy characters.",
    chunk_size=100,
    chunk_overlap=0,
)
@given(text=article_text().map(clean_text).filter(bool), chunk_size=sizes, chunk_overlap=overlaps)
def test_store_rebuilds_the_article_text_from_chunk_offsets(
    store: Store, text: str, chunk_size: int, chunk_overlap: int
) -> None:
    """Articles are stored cleaned (ingest.clean), so the property is stated for cleaned text."""
    article = _article(text, next(_numbers))
    chunks = chunk_article(article, chunk_size, chunk_overlap)
    store.write_articles([ArticleWrite(chunks, [[1.0, 0.5, 0.25]] * len(chunks))])
    try:
        rebuilt = store.article_texts([article.article_id])[article.article_id].text
    finally:
        store.delete_article(article.article_id)
    assert rebuilt == text
