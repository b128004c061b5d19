"""Quote attribution measured on a hand-labelled set (eval/quotes_dev.jsonl).

Each label is a verbatim quote span of a BBC article with its speaker. A label is
*recalled* when an extracted quote covers at least half of it; its *speaker is
right* when the extracted speaker names the same person (same folded full name,
or one name's parts all found in the other: "Howard" ~ "Michael Howard").
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
from bot.text import speaker_key
from ingest.identity import to_article
from ingest.loaders import load
from ingest.quotes import analyse

MIN_COVER = 0.5


@dataclass(frozen=True)
class QuoteLabel:
    article: str
    quote: str
    speaker: str
    kind: str
    named: bool


def _label(row: dict[str, Any]) -> QuoteLabel:
    return QuoteLabel(row["article"], row["quote"], row["speaker"], row.get("type", "direct"), row.get("named", True))


def load_labels(path: Path) -> list[QuoteLabel]:
    return read_records(path, _label, "a quote label")


def same_speaker(extracted: str, gold: str) -> bool:
    got, want = speaker_key(extracted).split(), speaker_key(gold).split()
    if not got or not want:
        return False
    return got == want or set(got) <= set(want) or set(want) <= set(got)


def _covered(span: tuple[int, int], quote: Quote) -> float:
    overlap = min(span[1], quote.end) - max(span[0], quote.start)
    return max(0, overlap) / max(1, span[1] - span[0])


def evaluate_quotes(labels_path: Path, corpus: Path, settings: Settings, progress: bool = True) -> dict[str, Any]:
    labels = load_labels(labels_path)
    by_article: dict[str, list[QuoteLabel]] = defaultdict(list)
    for label in labels:
        by_article[label.article].append(label)
    texts: dict[str, str] = {}
    for name in by_article:
        loaded = load(str(corpus / name), settings)
        if loaded.errors or not loaded.articles:
            raise NewsdeskError(f"labelled article {name}: {'; '.join(loaded.errors) or 'empty'}")
        texts[name] = to_article(loaded.articles[0]).text
    names = list(texts)
    analyses = dict(
        zip(names, analyse([texts[n] for n in tqdm(names, disable=not progress, desc="Parsing")]), strict=True)
    )
    rows: list[dict[str, Any]] = []
    extracted_total = extracted_matched = 0
    for name, article_labels in by_article.items():
        text, quotes = texts[name], analyses[name].quotes
        matched_quotes: set[int] = set()
        for label in article_labels:
            start = text.find(label.quote)
            if start < 0:
                rows.append({"article": name, "kind": label.kind, "named": label.named, "located": False})
                continue
            span = (start, start + len(label.quote))
            best = max(range(len(quotes)), key=lambda i: _covered(span, quotes[i]), default=None)
            hit = best is not None and _covered(span, quotes[best]) >= MIN_COVER
            if hit and best is not None:
                matched_quotes.add(best)
            got = quotes[best].speaker if hit and best is not None else ""
            rows.append(
                {
                    "article": name,
                    "kind": label.kind,
                    "named": label.named,
                    "located": True,
                    "recalled": hit,
                    "speaker_right": hit and same_speaker(got, label.speaker),
                    "gold_speaker": label.speaker,
                    "speaker": got,
                    "quote": label.quote[:80],
                }
            )
        for index, quote in enumerate(quotes):
            extracted_total += 1
            if index in matched_quotes or any(
                _covered((quote.start, quote.end), _as_quote(text, label)) >= MIN_COVER for label in article_labels
            ):
                extracted_matched += 1
    located = [r for r in rows if r["located"]]

    def share(items: list[dict[str, Any]], key: str) -> float | None:
        return sum(1 for r in items if r[key]) / len(items) if items else None

    recalled = [r for r in located if r["recalled"]]
    return {
        "labels": len(labels),
        "articles": len(by_article),
        "located": len(located),
        "quote_recall": share(located, "recalled"),
        "direct_recall": share([r for r in located if r["kind"] == "direct"], "recalled"),
        "reported_recall": share([r for r in located if r["kind"] == "reported"], "recalled"),
        "precision": extracted_matched / extracted_total if extracted_total else None,
        "speaker_accuracy": share([r for r in recalled if r["named"]], "speaker_right"),
        "speaker_accuracy_all": share(recalled, "speaker_right"),
        "misattributed": [r for r in recalled if r["named"] and not r["speaker_right"]],
        "missed": [r for r in located if not r["recalled"]],
    }


def _as_quote(text: str, label: QuoteLabel) -> Quote:
    start = text.find(label.quote)
    end = start + len(label.quote) if start >= 0 else -1
    return Quote(label.quote, start, end, label.speaker, "", "", label.kind, label.named, start, end)
