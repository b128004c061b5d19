"""Post-processing of every LLM answer, in code: the model's word is never taken for a citation.

- [n] that match no passage are dropped; sources are the passages actually
  cited, merged per article and renumbered in order of first use;
- every quotation of 4+ words must appear verbatim (ignoring case, whitespace
  and quote style) in a passage its sentence cites, else its sentence is
  removed and the quote reported as unverified;
- what is left must still cite something, or the caller falls back.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from bot.answer.citations import LONGEST_MARKER, MARKER, MARKER_NUMBER, marker
from bot.models import ArticleRef, Citation, Passage
from bot.text import fold, sentences

QUOTE = re.compile(r"[\"“”„]([^\"“”„]+)[\"“”„]")
_GROUPED_MARKERS = re.compile(rf"\[({MARKER_NUMBER}(?:\s*,\s*{MARKER_NUMBER})+)\]")
# Quotations shorter than this are mostly scare quotes or titles (so-called “red lines”), which an
# answer may re-word; longer ones claim that someone said exactly these words, and are checked.
MIN_QUOTE_WORDS = 4


@dataclass
class Checked:
    text: str
    citations: list[Citation] = field(default_factory=list)
    unverified_quotes: list[str] = field(default_factory=list)
    dropped_markers: list[int] = field(default_factory=list)

    @property
    def has_citations(self) -> bool:
        return bool(self.citations)


def _split_grouped(text: str) -> str:
    """[1, 2] → [1][2], so every marker is one number."""
    return _GROUPED_MARKERS.sub(lambda m: "".join(marker(int(n)) for n in re.split(r"\s*,\s*", m.group(1))), text)


def _open_quote(text: str) -> bool:
    """Whether a quotation opened in `text` is still open at its end."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _sentences(text: str) -> list[str]:
    """The answer cut by the project's segmenter into pieces that join back to `text`; a sentence
    end inside a quotation doesn't count, and trailing [n] markers stay with their sentence."""
    starts = [_after_markers(text, start) for start, _end in sentences(text)]
    if not starts:
        return [text] if text else []
    bounds = sorted({0, *starts[1:], len(text)})
    pieces: list[str] = []
    for start, end in itertools.pairwise(bounds):
        piece = text[start:end]
        if pieces and _open_quote(pieces[-1]):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


_LEADING_MARKERS = re.compile(rf"(?:\s*\[{MARKER_NUMBER}\])+")
# A cut inside a marker lies within LONGEST_MARKER characters of the boundary on either side.


def _after_markers(text: str, bound: int) -> int:
    """A sentence boundary moved past the [n] markers around it: the segmenter may cut inside "[1]"
    or before it, and a marker belongs to the sentence it follows."""
    for found in MARKER.finditer(text, max(0, bound - LONGEST_MARKER), bound + LONGEST_MARKER):
        if found.start() < bound < found.end():
            bound = found.end()
    following = _LEADING_MARKERS.match(text, bound)
    return following.end() if following else bound


def verify_answer(raw: str, passages: list[Passage]) -> Checked:
    """The model's answer with every claim it cannot back removed: unknown [n] markers, then
    sentences whose quotations are not in the passages they cite; what is left is renumbered by
    article and each citation gets the verified quotes its article holds. Each step only reads the
    text the previous one left, so a dropped sentence's markers never become sources."""
    text, dropped = _without_unknown_markers(raw, len(passages))
    text, unverified = _without_unverified_sentences(text, passages)
    text, citations = _numbered_by_article(text, passages)
    _attach_quotes(text, citations, passages)
    return Checked(text=text, citations=citations, unverified_quotes=unverified, dropped_markers=dropped)


def _without_unknown_markers(raw: str, passage_count: int) -> tuple[str, list[int]]:
    """The answer without markers that name no passage (the model may number past the end), and
    those numbers, in order, for the log."""
    text = _split_grouped(raw.strip())
    valid = set(range(1, passage_count + 1))
    dropped = [n for n in (int(m.group(1)) for m in MARKER.finditer(text)) if n not in valid]
    return MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in valid else "", text), dropped


def _without_unverified_sentences(text: str, passages: list[Passage]) -> tuple[str, list[str]]:
    """The answer without the sentences that quote what their cited passages do not say, and those
    quotes. The whole sentence goes, not just the quote: what is left would still say someone said it."""
    kept_sentences: list[str] = []
    unverified: list[str] = []
    for sentence in _sentences(text):
        bad_quotes = _unverified_quotes(sentence, passages)
        unverified.extend(bad_quotes)
        if not bad_quotes:
            kept_sentences.append(sentence)
    kept = "".join(kept_sentences).strip()
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", kept)), unverified


def _unverified_quotes(sentence: str, passages: list[Passage]) -> list[str]:
    """Quotations of MIN_QUOTE_WORDS or more words in `sentence` found in none of the passages it
    cites (so all of them when it cites none). Shorter quotations are scare quotes or titles, not
    claims that someone said something."""
    cited = [int(m.group(1)) for m in MARKER.finditer(sentence)]
    sources = [passages[n - 1].text for n in cited]
    unverified: list[str] = []
    for quote_match in QUOTE.finditer(sentence):
        quote = quote_match.group(1).strip()
        if len(quote.split()) < MIN_QUOTE_WORDS:
            continue
        if not any(fold(quote) in fold(source) for source in sources):
            unverified.append(quote)
    return unverified


def _numbered_by_article(text: str, passages: list[Passage]) -> tuple[str, list[Citation]]:
    """Markers renumbered to one number per article, in order of first use, and a citation per
    number: readers see sources, not the passages retrieval happened to cut."""
    article_number: dict[str, int] = {}
    refs: dict[str, ArticleRef] = {}
    passage_to_new: dict[int, int] = {}
    for n in (int(m.group(1)) for m in MARKER.finditer(text)):
        article = passages[n - 1].article
        if article.article_id not in article_number:
            article_number[article.article_id] = len(article_number) + 1
            refs[article.article_id] = article
        passage_to_new[n] = article_number[article.article_id]
    text = MARKER.sub(lambda m: marker(passage_to_new[int(m.group(1))]), text)
    text = re.sub(rf"(\[{MARKER_NUMBER}\])(?:\1)+", r"\1", text)  # [1][1] after merging → [1]
    return text, [Citation(n=article_number[aid], article=refs[aid]) for aid in article_number]


def _attach_quotes(text: str, citations: list[Citation], passages: list[Passage]) -> None:
    """Gives each citation the answer's quotations its own article holds, in the article's spelling,
    so a source can show the words it backs."""
    verified_quotes = [q.group(1).strip() for q in QUOTE.finditer(text) if len(q.group(1).split()) >= MIN_QUOTE_WORDS]
    for citation in citations:
        own_passages = [p.text for p in passages if p.article.article_id == citation.article.article_id]
        citation.quotes.extend(
            _verbatim(q, own_passages) for q in verified_quotes if any(fold(q) in fold(t) for t in own_passages)
        )


def _verbatim(quote: str, texts: list[str]) -> str:
    """The passage's own spelling of a quote the model may have re-cased or re-spaced."""
    pattern = r"\s+".join(re.escape(word) for word in quote.replace("’", "'").split())
    for text in texts:
        found = re.search(pattern, text.replace("’", "'"), re.IGNORECASE)
        if found:
            return text[found.start() : found.end()]
    return quote
