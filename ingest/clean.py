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


# CommonMark headings: "## Title ##" (ATX) and a line of = or - under a paragraph line (setext).
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_CODE_FENCE = re.compile(r"^ {0,3}(```|~~~)")


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


def strip_markdown_headings(text: str) -> str:
    """Headings without their markup: `## Costs` and `Costs` over `-----` both become a `Costs` paragraph.

    Markdown files only (a `#` in a .txt file is the writer's). Each heading stands alone between
    blank lines so it never runs into the sentence after it; fenced code is left as written.
    """
    kept: list[str] = []
    in_fence = paragraph_open = after_heading = False
    for line in text.split("\n"):
        fence = bool(_CODE_FENCE.match(line))
        in_prose = not in_fence and not fence
        atx = _ATX_HEADING.match(line) if in_prose else None
        if atx:
            heading = (atx.group("text") or "").strip()
        elif in_prose and paragraph_open and _SETEXT_UNDERLINE.match(line):
            underlined: list[str] = []
            while kept and kept[-1].strip():
                underlined.insert(0, kept.pop().strip())
            heading = " ".join(underlined)
        else:
            if after_heading and line.strip():
                kept.append("")
            after_heading = False
            kept.append(line)
            in_fence = in_fence != fence
            paragraph_open = in_prose and bool(line.strip())
            continue
        if kept and kept[-1].strip():
            kept.append("")
        if heading:
            kept.append(heading)
        after_heading = bool(heading)
        paragraph_open = False
    return "\n".join(kept)


def drop_repeated_headline(title: str, text: str) -> str:
    """The body without its first line when that line is the headline again (a page's <h1>, a file's # title)."""
    stripped = text.lstrip()
    first, _newline, rest = stripped.partition("\n")
    if title and _comparable(first) == _comparable(title):
        return rest.lstrip("\n")
    return text


def _comparable(line: str) -> str:
    return " ".join(line.split()).casefold().rstrip(".:")


def clean_text(text: str) -> str:
    return strip_furniture(normalise(text))


def clean_inline(text: str) -> str:
    """For one-line fields: title, author, source."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()
