"""Text normalisation and page-furniture removal, before anything is chunked.

Furniture (comment widgets, "You might also like", share bars, newsletter
pleas) would otherwise be indexed, retrieved and even quoted as if the
article said it.
"""

from __future__ import annotations

import re
import unicodedata

# Lines that are never article text, wherever they stand.
_FURNITURE_LINE = re.compile(
    r"""^\s*(
        join\ the\ discussion|
        blog\ comments\ powered\ by\ disqus|
        comments\ powered\ by\ disqus|
        please\ enable\ javascript.*|
        you\ might\ also\ like.*|
        you\ may\ also\ like.*|
        related\ (articles|stories|coverage|links)\s*:?|
        read\ more\s*:?|
        share\ (this|on)\b.*|
        (follow|like)\ us\ on\b.*|
        sign\ up\ for\ our\ .*newsletter.*|
        subscribe\ (now|today|to\ our\ newsletter).*|
        advertisement|
        click\ here\ to\ .*|
        tweet|email|print|facebook|twitter|whatsapp|linkedin|
        ©.*|copyright\ ©?.*all\ rights\ reserved\.?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# Lines that start the trailer of a page: they and everything after them go
# when they appear in the last part of the text.
_TRAILER_START = re.compile(
    r"^\s*(join the discussion|comments?( \(\d+\))?|you might also like\W*|you may also like\W*|"
    r"related (articles|stories)\W*|more (from|on) this (site|story|topic)\W*|most (read|popular)\W*)\s*$",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """NFC, unify line ends and odd spaces, collapse runs of spaces, keep paragraph breaks."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def strip_furniture(text: str) -> str:
    lines = text.split("\n")
    cut = len(lines)
    tail_start = int(len(lines) * 0.6)
    for position in range(len(lines) - 1, tail_start - 1, -1):
        if _TRAILER_START.match(lines[position]):
            cut = position
    kept = [line for line in lines[:cut] if not _FURNITURE_LINE.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def clean_text(text: str) -> str:
    return strip_furniture(normalise(text))


def clean_inline(text: str) -> str:
    """For one-line fields: title, author, source."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()
