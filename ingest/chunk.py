"""Article → chunks, with langchain's recursive splitter.

Separators go from paragraphs to sentences to words, so a chunk ends at a
sentence end wherever the size allows; the overlap keeps a sentence that
straddles a boundary whole in at least one chunk. Offsets are kept so every
chunk is an exact slice of the article text — what makes quotes verifiable.
"""

from __future__ import annotations

from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from bot.models import Article, Chunk

SEPARATORS = [
    r"\n\n",
    r"\n",
    r"(?<=[.!?][\"'”’)])\s+",
    r"(?<=[.!?])\s+",
    r"(?<=[;:])\s+",
    r"(?<=,)\s+",
    r"\s+",
    r"",
]


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        strip_whitespace=True,
    )


def chunk_article(article: Article, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    pieces = _splitter(chunk_size, chunk_overlap).split_text(article.text)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        # Overlap means a piece may start before the previous one ended.
        search_from = max(0, spans[-1][0] + 1) if spans else 0
        start = article.text.find(piece, min(search_from, cursor))
        if start < 0:
            start = article.text.find(piece)
        if start < 0:  # whitespace was rewritten by the splitter: fall back to a searchable prefix
            raise ValueError(f"chunk not found in article text: {piece[:40]!r}")
        spans.append((start, start + len(piece)))
        cursor = start + len(piece)
    count = len(spans)
    return [
        Chunk(article=article, index=index, count=count, start=start, end=end, text=article.text[start:end])
        for index, (start, end) in enumerate(spans)
    ]
