"""The speakers the quote index knows, kept in step with the store a write at a time.

A question about someone's words starts by matching the name asked against every speaker quoted.
Reading that list from every quote's metadata took 2.4 s for the 15,889 quotes of the BBC corpus
(~150 µs a quote), so an archive of a million chunks (two quotes each in news prose) would spend
minutes on it in every process after every ingest batch. Instead, the index counts each article's
speakers once and afterwards reads only the articles that the store's change log names
(`Store.changes_since`, the feed the lexical index syncs from): a write costs its own articles.
Reading an article again is idempotent, so every refresh re-reads the articles of a window behind
the last one (CHANGE_LAG_NS), which covers writers whose records show up late or whose write was
still running. A reindex (another collection) or a refresh older than the log's retention reads
everything again.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable

from bot.store import CHANGE_LAG_NS, SpeakerRow, Store
from bot.text import PEERAGE, speaker_key


class SpeakerIndex:
    """speaker key → (the name as most often written, quotes), refreshed when the store's
    generation changes; `match` turns a name as asked into keys."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._generation = ""
        self._collection = ""
        self._checked_ns = 0
        self._by_article: dict[str, list[tuple[str, str]]] = {}
        self._spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._speakers: dict[str, tuple[str, int]] = {}
        self._by_word: dict[str, set[str]] = defaultdict(set)
        self.last_read: tuple[str, ...] | None = None  # articles the last refresh read; None: all (tests)

    def speakers(self) -> dict[str, tuple[str, int]]:
        generation = self.store.generation()
        with self._lock:
            if generation != self._generation:
                self._refresh()
                self._generation = generation
            return self._speakers

    def match(self, name: str) -> list[str]:
        """Speaker keys for a name as asked: the full name, or a part of it ("Churkin", "Arsene Wenger")."""
        asked = speaker_key(re.sub(r"['’]s$", "", name))
        if not asked:
            return []
        known = self.speakers()
        parts = asked.split()
        if asked in known and len(parts) > 1:
            return [asked]
        # One name ("Wenger") matches every speaker it is part of, the most quoted first: the article
        # that named him only "Wenger" and those that introduced "Arsene Wenger" are one person's.
        found = set.intersection(*(self._by_word.get(part, set()) for part in parts))
        if not found and len(parts) > 1:  # "Gordon Brown's" read as one token, or a middle name missing
            found = {key for key in self._by_word.get(parts[-1], set()) if key.split()[:1] == parts[:1]}
            found = {key for key in found if key.split()[-1:] == parts[-1:]}
        # "Lord Browne" is not Des Browne: a title asked for keeps the speakers shown with it, if any.
        title = next((word for word in name.lower().split()[:1] if word in PEERAGE), None)
        titled = [key for key in found if title in known[key][0].lower().split()] if title else []
        return sorted(titled or found, key=lambda key: (-known[key][1], key))

    # --- refreshing ------------------------------------------------------
    def _refresh(self) -> None:
        checked = time.time_ns()  # before reading: a write after this is in the next window
        changes = self.store.changes_since(self._checked_ns - CHANGE_LAG_NS)
        whole = (
            not self._collection
            or changes.collection_id != self._collection
            or self._checked_ns - CHANGE_LAG_NS < changes.horizon
        )
        if whole:
            for article_id in list(self._by_article):
                self._forget(article_id)
            self._count(self.store.speaker_rows(), everything=True)
            self.last_read = None
        else:
            touched = sorted({article_id for record in changes.records for article_id in record.article_ids})
            for article_id in touched:
                self._forget(article_id)
            self._count(self.store.speaker_rows(touched) if touched else ())
            self.last_read = tuple(touched)
        self._collection, self._checked_ns = changes.collection_id, checked

    def _count(self, rows: Iterable[SpeakerRow], everything: bool = False) -> None:
        touched: set[str] = set()
        for row in rows:
            self._by_article.setdefault(row.article_id, []).append((row.key, row.name))
            self._spellings[row.key][row.name] += 1
            touched.add(row.key)
        self._settle(touched if not everything else set(self._spellings))

    def _forget(self, article_id: str) -> None:
        touched: set[str] = set()
        for key, name in self._by_article.pop(article_id, ()):
            self._spellings[key][name] -= 1
            touched.add(key)
        self._settle(touched)

    def _settle(self, keys: set[str]) -> None:
        """Recompute what these keys show: a key with no quotes left is no speaker any more."""
        for key in keys:
            spellings = {name: count for name, count in self._spellings[key].items() if count > 0}
            if not spellings or not key:
                self._spellings.pop(key, None)
                if self._speakers.pop(key, None) is not None:
                    for word in key.split():
                        self._by_word[word].discard(key)
                continue
            self._spellings[key] = defaultdict(int, spellings)
            self._speakers[key] = (max(spellings, key=lambda name: (spellings[name], name)), sum(spellings.values()))
            for word in key.split():
                self._by_word[word].add(key)
