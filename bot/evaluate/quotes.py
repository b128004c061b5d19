"""Quote attribution measured on a hand-labelled set (eval/quotes_dev.jsonl).

Each label is a verbatim quote span of a BBC article with its speaker. A label is
*recalled* when an extracted quote covers at least half of it; its *speaker is
right* when the extracted speaker names the same person (same folded full name,
or one name's parts all found in the other: "Howard" ~ "Michael Howard"). The *role shown*
beside a right speaker agrees with the label's when one's words hold the other's (or both are
empty), and is *wrong* when it shares no word with it ("Tony Blair, Mr" for "prime minister").
Precision counts extracted quotes that cover some label, over the labelled
articles only (every quote in them was labelled).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.config import Settings
from bot.errors import NewsdeskError
from bot.evaluate.jsonl import read_records
from bot.models import Quote
from bot.text import speaker_key, words
from ingest.identity import to_article
from ingest.loaders import load
from ingest.quotes import analyse

# An extracted quote recalls a label when it covers at least half of it: extraction may trim or
# split a long quote at an attribution ("…," he said, "…") and still have found it.
MIN_COVER = 0.5
# Enough of a quote in a report row to find it in the article; the whole quote would swamp the table.
QUOTE_SHOWN_CHARS = 80


@dataclass(frozen=True)
class QuoteLabel:
    article: str
    quote: str
    speaker: str
    kind: str
    named: bool
    role: str = ""


def _label(row: dict[str, Any]) -> QuoteLabel:
    return QuoteLabel(
        row["article"],
        row["quote"],
        row["speaker"],
        row.get("type", "direct"),
        row.get("named", True),
        row.get("role") or "",
    )


def load_labels(path: Path) -> list[QuoteLabel]:
    return read_records(path, _label, "a quote label")


def same_speaker(extracted: str, gold: str) -> bool:
    got, want = speaker_key(extracted).split(), speaker_key(gold).split()
    if not got or not want:
        return False
    return got == want or set(got) <= set(want) or set(want) <= set(got)


def role_words(role: str) -> set[str]:
    """A role's words, case folded, punctuation dropped; titles kept ("Mr" is a role shown, and wrong)."""
    return {word.lower() for word in words(role)}


def role_agrees(extracted: str, gold: str) -> bool:
    got, want = role_words(extracted), role_words(gold)
    return got == want or bool(got and want and (got <= want or want <= got))


def role_wrong(extracted: str, gold: str) -> bool:
    """A role shown that the label does not support at all (no role is not wrong, only less)."""
    got = role_words(extracted)
    return bool(got) and not got & role_words(gold)


def _covered(span: tuple[int, int], quote: Quote) -> float:
    overlap = min(span[1], quote.end) - max(span[0], quote.start)
    return max(0, overlap) / max(1, span[1] - span[0])


def evaluate_quotes(labels_path: Path, corpus: Path, settings: Settings, progress: bool = True) -> dict[str, Any]:
    """Recall, precision and speaker accuracy of quote extraction over the labelled articles in
    `corpus`, with the rows behind the misses so a regression can be read, not just counted."""
    labels = load_labels(labels_path)
    by_article = _by_article(labels)
    texts = _article_texts(list(by_article), corpus, settings)
    extracted = _extracted_quotes(texts, progress)
    scores = [
        _score_article(name, article_labels, texts[name], extracted[name])
        for name, article_labels in by_article.items()
    ]
    return _summary(len(labels), len(by_article), scores)


@dataclass
class ArticleScore:
    """One labelled article scored: a row per label (the report's unit) and, for precision, how many
    quotes were extracted from it and how many of those cover some label."""

    rows: list[dict[str, Any]]
    extracted: int
    extracted_matched: int


def _by_article(labels: list[QuoteLabel]) -> dict[str, list[QuoteLabel]]:
    """Labels grouped by article, in the order the file first names each one: every article is
    loaded and parsed once."""
    by_article: dict[str, list[QuoteLabel]] = defaultdict(list)
    for label in labels:
        by_article[label.article].append(label)
    return by_article


def _article_texts(names: list[str], corpus: Path, settings: Settings) -> dict[str, str]:
    """Each labelled article's text as ingest would store it, since label offsets are found in that
    text. A labelled article that cannot be loaded stops the evaluation: its labels would count as misses."""
    texts: dict[str, str] = {}
    for name in names:
        loaded = load(str(corpus / name), settings)
        if loaded.errors or not loaded.articles:
            raise NewsdeskError(f"labelled article {name}: {'; '.join(loaded.errors) or 'empty'}")
        texts[name] = to_article(loaded.articles[0]).text
    return texts


def _extracted_quotes(texts: dict[str, str], progress: bool) -> dict[str, list[Quote]]:
    """The quotes ingest extracts from each article, parsed in one batch (the pipeline loads once)."""
    names = list(texts)
    analyses = analyse([texts[n] for n in tqdm(names, disable=not progress, desc="Parsing")])
    return {name: analysis.quotes for name, analysis in zip(names, analyses, strict=True)}


def _score_article(name: str, labels: list[QuoteLabel], text: str, quotes: list[Quote]) -> ArticleScore:
    """An extracted quote counts as right when it recalls a label or lies at least half inside one:
    a quote extraction cut in two is right in both halves, though only one recalls the label."""
    matched: set[int] = set()
    rows: list[dict[str, Any]] = []
    for label in labels:
        row, best = _label_row(name, label, text, quotes)
        rows.append(row)
        if best is not None:
            matched.add(best)
    extracted_matched = sum(
        1
        for index, quote in enumerate(quotes)
        if index in matched
        or any(_covered((quote.start, quote.end), _as_quote(text, label)) >= MIN_COVER for label in labels)
    )
    return ArticleScore(rows, len(quotes), extracted_matched)


def _label_row(name: str, label: QuoteLabel, text: str, quotes: list[Quote]) -> tuple[dict[str, Any], int | None]:
    """The report row for one label, and the index of the extracted quote that recalls it (None when
    none covers enough of it). A label whose text is not in the article is flagged, not scored."""
    start = text.find(label.quote)
    if start < 0:
        return {"article": name, "kind": label.kind, "named": label.named, "located": False}, None
    span = (start, start + len(label.quote))
    best = max(range(len(quotes)), key=lambda i: _covered(span, quotes[i]), default=None)
    hit = best is not None and _covered(span, quotes[best]) >= MIN_COVER
    recalling = best if hit else None
    got = quotes[recalling].speaker if recalling is not None else ""
    role = quotes[recalling].role if recalling is not None else ""
    row = {
        "article": name,
        "kind": label.kind,
        "named": label.named,
        "located": True,
        "recalled": hit,
        "speaker_right": hit and same_speaker(got, label.speaker),
        "gold_speaker": label.speaker,
        "speaker": got,
        "gold_role": label.role,
        "role": role,
        "quote": label.quote[:QUOTE_SHOWN_CHARS],
    }
    return row, recalling


def _share(rows: list[dict[str, Any]], key: str) -> float | None:
    """The share of `rows` where `key` is true; None for no rows, so an empty class is not a 0."""
    return sum(1 for r in rows if r[key]) / len(rows) if rows else None


def _summary(labels: int, articles: int, scores: list[ArticleScore]) -> dict[str, Any]:
    """The figures the eval report shows. Speaker accuracy is over recalled named quotes: an unnamed
    speaker ("a spokesman") has no right name to find."""
    located = [r for score in scores for r in score.rows if r["located"]]
    recalled = [r for r in located if r["recalled"]]
    extracted = sum(score.extracted for score in scores)
    extracted_matched = sum(score.extracted_matched for score in scores)
    roles = [
        {
            **r,
            "role_agrees": role_agrees(r["role"], r["gold_role"]),
            "role_wrong": role_wrong(r["role"], r["gold_role"]),
        }
        for r in recalled
        if r["named"] and r["speaker_right"]
    ]
    return {
        "labels": labels,
        "articles": articles,
        "located": len(located),
        "quote_recall": _share(located, "recalled"),
        "direct_recall": _share([r for r in located if r["kind"] == "direct"], "recalled"),
        "reported_recall": _share([r for r in located if r["kind"] == "reported"], "recalled"),
        "precision": extracted_matched / extracted if extracted else None,
        "speaker_accuracy": _share([r for r in recalled if r["named"]], "speaker_right"),
        "speaker_accuracy_all": _share(recalled, "speaker_right"),
        "role_agreement": _share(roles, "role_agrees"),
        "roles_wrong": [r for r in roles if r["role_wrong"]],
        "misattributed": [r for r in recalled if r["named"] and not r["speaker_right"]],
        "missed": [r for r in located if not r["recalled"]],
    }


def _as_quote(text: str, label: QuoteLabel) -> Quote:
    start = text.find(label.quote)
    end = start + len(label.quote) if start >= 0 else -1
    return Quote(label.quote, start, end, label.speaker, "", "", label.kind, label.named, start, end)
