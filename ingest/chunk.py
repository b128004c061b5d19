"""Article → chunks: whole sentences packed up to the chunk size, neighbours overlapping.

Sentences come from the project's one segmenter (`bot.text.sentences`), so a
chunk never ends inside "Mr." or "2.5%", and the sentences the answerer quotes
are the sentences the chunks were cut from. The overlap is made of whole
sentences, which keeps a sentence that straddles a boundary whole in at least
one chunk. A single sentence longer than the chunk size is cut with langchain's
recursive splitter (clauses, then words). Offsets are kept, so every chunk is an
exact slice of the article text — what makes quotes verifiable.
"""

from __future__ import annotations

from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from bot.models import Article, Chunk
from bot.text import sentences

# Overlap is capped at half a chunk: more would make every sentence appear in three chunks.
MAX_OVERLAP_SHARE = 0.5
_LONG_SENTENCE_SEPARATORS = [r"(?<=[;:])\s+", r"(?<=,)\s+", r"\s+", r""]


@lru_cache(maxsize=8)
def _splitter(chunk_size: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=_LONG_SENTENCE_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=0,
        strip_whitespace=True,
    )


def _units(text: str, chunk_size: int) -> list[tuple[int, int]]:
    """Sentence spans, with any sentence longer than a chunk cut into pieces that fit."""
    units: list[tuple[int, int]] = []
    for start, end in sentences(text):
        if end - start <= chunk_size:
            units.append((start, end))
            continue
        cursor = start
        for piece in _splitter(chunk_size).split_text(text[start:end]):
            found = text.find(piece, cursor, end)
            if found < 0:  # the splitter rewrote whitespace; keep the sentence whole rather than lose text
                units.append((cursor, end))
                break
            units.append((found, found + len(piece)))
            cursor = found + len(piece)
    return units


def _pack(units: list[tuple[int, int]], chunk_size: int, overlap: int) -> list[tuple[int, int]]:
    """Consecutive units into chunks of at most `chunk_size` characters (a lone longer unit stands alone)."""
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= chunk_size:
            last += 1
        spans.append((units[first][0], units[last][1]))
        if last + 1 >= len(units):
            break
        following = last + 1
        while following - 1 > first and units[last][1] - units[following - 1][0] <= overlap:
            following -= 1
        first = following
    return spans


def _close_gaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A chunk that doesn't overlap the next one keeps the whitespace up to it: the article is
    rebuilt from its chunks' offsets, and a paragraph break must come back as one."""
    return [
        (start, max(end, spans[index + 1][0]) if index + 1 < len(spans) else end)
        for index, (start, end) in enumerate(spans)
    ]


def chunk_article(article: Article, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    overlap = min(chunk_overlap, int(chunk_size * MAX_OVERLAP_SHARE))
    spans = _close_gaps(_pack(_units(article.text, chunk_size), chunk_size, overlap))
    count = len(spans)
    return [
        Chunk(article=article, index=index, count=count, start=start, end=end, text=article.text[start:end])
        for index, (start, end) in enumerate(spans)
    ]
