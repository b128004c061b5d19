"""The citation format, in one place: markers in answer text, numbering, source lines, JSON."""

from __future__ import annotations

import re
from typing import Any

from bot.models import Answer, ArticleRef, Citation

MARKER = re.compile(r"\[(\d{1,3})\]")


def marker(n: int) -> str:
    return f"[{n}]"


def markers_in(text: str) -> list[int]:
    return [int(match.group(1)) for match in MARKER.finditer(text)]


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
    return {
        "n": citation.n,
        "article_id": citation.article.article_id,
        "title": citation.article.title,
        "url": citation.article.url,
        "source": citation.article.source,
        "published": citation.article.published,
        "quote": citation.quote,
        "quotes": list(citation.quotes),
    }


def answer_dict(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "answer": answer.text,
        "found": answer.found,
        "mode": answer.mode,
        "citations": [citation_dict(citation) for citation in answer.citations],
        "unverified_quotes": list(answer.unverified_quotes),
        "closest": [
            {
                "article_id": ref.article_id,
                "title": ref.title,
                "url": ref.url,
                "source": ref.source,
                "published": ref.published,
            }
            for ref in answer.closest
        ],
        "notice": answer.notice,
    }


def closest_line(refs: list[ArticleRef]) -> str:
    names = []
    for ref in refs:
        details = ", ".join(part for part in (ref.source, ref.published) if part)
        names.append(f"“{ref.title}”" + (f" ({details})" if details else ""))
    return "; ".join(names)
