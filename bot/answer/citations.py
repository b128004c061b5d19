"""The citation format, in one place: markers in answer text, numbering, source lines, JSON."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from typing import Any

from bot.models import Answer, ArticleRef, Citation

# A citation marker is "[n]" with n of up to MARKER_DIGITS digits; the patterns that read markers in
# other shapes (grouped "[1, 2]", runs of markers) are built from MARKER_NUMBER.
MARKER_DIGITS = 3
MARKER_NUMBER = rf"\d{{1,{MARKER_DIGITS}}}"
MARKER = re.compile(rf"\[({MARKER_NUMBER})\]")


def marker(n: int) -> str:
    return f"[{n}]"


LONGEST_MARKER = len(marker(10**MARKER_DIGITS - 1))  # characters in the longest marker MARKER reads


def markers_in(text: str) -> list[int]:
    return [int(match.group(1)) for match in MARKER.finditer(text)]


def display_date(iso: str) -> str:
    """ "2012-05-30" → "30 May 2012" (as news is dated); anything unparseable as given."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def quoted_line(quote: str, article: ArticleRef, n: int) -> str:
    """One quoted passage of an extractive answer: the words, the marker, the article's date."""
    when = f" ({display_date(article.published)})" if article.published else ""
    return f"> {quote} {marker(n)}{when}"


# Cues that read naturally before a reported clause ("Lord Browne said the profits …"); any other cue
# ("told", which wants an object) is shown as "said".
_CLAUSE_CUES = frozenset(
    """
    said says added adds warned warns insisted insists argued argues claimed claims believes believed
    predicted predicts stressed stresses explained explains suggested suggests admitted admits confirmed
    confirms announced announces estimated estimates denied denies maintained maintains conceded concedes
    revealed reveals acknowledged acknowledges noted notes stated states
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def attributed_line(
    speaker: str, role: str, article: ArticleRef, quote: str, n: int, reported_cue: str | None = None
) -> str:
    """Who, when, the words: `Vitaly Churkin, Russia's ambassador to the UN (30 May 2012): “…” [1]`.

    Reported speech (`reported_cue` set) is the reporter's wording, so it never gets quotation marks:
    `Lord Browne (1 February 2005) said the profits were not solely down to the oil price [1]`."""
    who = f"{speaker}, {role}" if role else speaker
    when = f" ({display_date(article.published)})" if article.published else ""
    if reported_cue is not None:
        clause = quote.strip().rstrip(" .")
        if reported_cue.lower() == "according to":
            return f"According to {who}{when}, {clause}. {marker(n)}"
        cue = reported_cue.lower() if reported_cue.lower() in _CLAUSE_CUES else "said"
        return f"{who}{when} {cue} {clause}. {marker(n)}"
    return f"{who}{when}: {in_quotation_marks(quote)} {marker(n)}"


def in_quotation_marks(words: str) -> str:
    """Someone's words between curly quotation marks; a sentence shown whole (a short quote in its
    sentence) keeps its own marks instead."""
    words = words.strip()
    if re.search(r"[\"“”]", words.strip('"“”')):
        return words
    return f"“{words.strip(chr(34) + '“”')}”"


def source_parts(article: ArticleRef) -> list[str]:
    """Headline, then whichever of source and date are known."""
    return [part for part in (article.title, article.source, article.published) if part]


def source_line(citation: Citation) -> str:
    parts = source_parts(citation.article)
    line = f"{marker(citation.n)} " + " · ".join(parts)
    if citation.article.url:
        line += f" — {citation.article.url}"
    return line


def citation_dict(citation: Citation) -> dict[str, Any]:
    """A citation for `ask --json` and the answer log: its number, its article's fields (one
    `asdict`, so a field added to ArticleRef shows up here too), and what it quotes."""
    return {
        "n": citation.n,
        **asdict(citation.article),
        "quote": citation.quote,
        "quotes": list(citation.quotes),
        "speaker": citation.speaker,
        "speaker_role": citation.speaker_role,
    }


def answer_dict(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "answer": answer.text,
        "found": answer.found,
        "mode": answer.mode,
        "citations": [citation_dict(citation) for citation in answer.citations],
        "unverified_quotes": list(answer.unverified_quotes),
        "closest": [asdict(ref) for ref in answer.closest],
        "notice": answer.notice,
        "as_of": answer.as_of,
        "filters": dict(answer.filters),
    }


def closest_line(refs: list[ArticleRef]) -> str:
    names = []
    for ref in refs:
        details = ", ".join(part for part in (ref.source, display_date(ref.published) if ref.published else "") if part)
        names.append(f"“{ref.title}”" + (f" ({details})" if details else ""))
    return "; ".join(names)


def quote_dict(stored: Any) -> dict[str, Any]:
    """A `StoredQuote` for `newsdesk quotes --json`."""
    return {
        "speaker": stored.quote.speaker,
        "speaker_role": stored.quote.role,
        "quote": stored.quote.text,
        "kind": stored.quote.kind,
        "cue": stored.quote.cue,
        "published": stored.article.published,
        **{key: value for key, value in asdict(stored.article).items() if key != "published"},
    }


def quote_listing(speaker: str, found: list[Any], about: str = "") -> list[str]:
    """`newsdesk quotes`: one block per quote, newest first: date · headline, then the words (a quote
    of a few words is shown in its sentence, as answers show it)."""
    from bot.answer.speakers import shown_words

    speakers = list(dict.fromkeys(stored.quote.speaker for stored in found))
    several = len(speakers) > 1  # a surname alone ("Browne") can match several people: never merge them silently
    named = f"{len(speakers)} speakers ({', '.join(speakers)})" if several else speaker
    where = f"about {about}" if about else "in the coverage"  # with a topic, only the quotes on it are counted
    lines = [f"{named}: {len(found)} quote{'s' if len(found) != 1 else ''} {where}"]
    for stored in found:
        when = display_date(stored.article.published) if stored.article.published else "undated"
        source = f" · {stored.article.source}" if stored.article.source else ""
        source += f" · {stored.quote.speaker}" if several else ""
        reported = stored.quote.kind == "reported"  # shown as the article's sentence, never in marks
        shown = shown_words(stored).strip() if reported else in_quotation_marks(shown_words(stored))
        lines += ["", f"{when} · {stored.article.title}{source}", f"  {shown}{' (reported)' if reported else ''}"]
    return lines
