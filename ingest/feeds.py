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
    """link → fingerprint of each entry when it was last ingested, in the shared-state database, so
    watchers on several machines (one NEWSDESK_DATABASE_URL) skip what any of them already ingested.

    A `feeds.json` left in the data dir by earlier versions is imported once (links the database
    does not know yet) and renamed to `feeds.json.imported`."""

    def __init__(self, settings: Settings) -> None:
        from bot.state import open_database
        from bot.state.feeds import Feeds

        self.store = Feeds(open_database(settings))
        self._import_legacy(settings.data_dir / "feeds.json")

    def _import_legacy(self, path: Path) -> None:
        try:
            legacy = json.loads(path.read_text())
        except (OSError, ValueError):
            return
        if isinstance(legacy, dict):
            self.store.remember_missing({str(link): str(fingerprint) for link, fingerprint in legacy.items()})
        os.replace(path, path.with_name("feeds.json.imported"))

    def new_or_changed(self, entries: list[FeedEntry]) -> list[FeedEntry]:
        known = self.store.fingerprints(entry.link for entry in entries)
        return [entry for entry in entries if known.get(entry.link) != entry.fingerprint]

    def remember(self, entries: list[FeedEntry]) -> None:
        self.store.remember({entry.link: entry.fingerprint for entry in entries})

    def close(self) -> None:
        self.store.db.dispose()
