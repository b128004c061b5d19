"""RSS/Atom feeds: read entries with feedparser; their links are fetched as articles.

The feed's own metadata (date, author, feed title as source) is kept with
each article: feeds are usually more reliable about dates than article pages.
`FeedState` remembers what each entry looked like last time, so `newsdesk
watch` fetches only entries that are new or changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import feedparser

from bot.config import Settings
from bot.errors import LoadError
from ingest.fetch import FEED_TYPES, HTML_TYPES, fetch


@dataclass(frozen=True)
class FeedEntry:
    link: str
    title: str
    published: date | None
    author: str
    source: str
    fingerprint: str


def _entry_date(entry: Any) -> date | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime(*value[:6]).date()
    return None


def read_feed(url: str, settings: Settings) -> list[FeedEntry]:
    page = fetch(url, settings, accept=FEED_TYPES + HTML_TYPES + ("text/plain",))
    parsed = feedparser.parse(page.body)
    if not parsed.entries:
        reason = str(getattr(parsed, "bozo_exception", "")) or "no entries"
        raise LoadError(f"{url}: not an RSS or Atom feed, or an empty one ({reason[:80]})")
    source = " ".join(str(parsed.feed.get("title", "")).split())
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        link = str(entry.get("link") or "").strip()
        if not link:
            continue
        stamp = json.dumps(
            [link, entry.get("title"), entry.get("updated") or entry.get("published"), entry.get("summary", "")[:500]]
        )
        entries.append(
            FeedEntry(
                link=link,
                title=" ".join(str(entry.get("title", "")).split()),
                published=_entry_date(entry),
                author=" ".join(str(entry.get("author", "")).split()),
                source=source,
                fingerprint=hashlib.sha256(stamp.encode()).hexdigest()[:16],
            )
        )
    return entries


class FeedState:
    """link → fingerprint of the entry when it was last ingested, in the data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "feeds.json"
        try:
            self.seen: dict[str, str] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.seen = {}

    def is_new_or_changed(self, entry: FeedEntry) -> bool:
        return self.seen.get(entry.link) != entry.fingerprint

    def remember(self, entries: list[FeedEntry]) -> None:
        self.seen.update({entry.link: entry.fingerprint for entry in entries})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps(self.seen, indent=0))
        os.replace(temp, self.path)
