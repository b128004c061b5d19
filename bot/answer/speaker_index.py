"""The speakers the quote index knows, kept in step with the store a write at a time.

A question about someone's words starts by matching the name asked against every speaker quoted.
Reading that list from every quote's metadata took 2.4 s for the 15,889 quotes of the BBC corpus
(~150 µs a quote), so an archive of a million chunks (two quotes each in news prose) would spend
minutes on it in every process after every ingest batch. Instead, the index counts each article's
speakers once and afterwards reads only the articles that the store's change log names
(`Store.changes_since`, the feed the lexical index syncs from): a write costs its own articles.

Reading an article again is idempotent, so each refresh re-reads the articles of a window reaching
CHANGE_LAG_NS behind the last one (a concurrent writer's record may show up late), and further back
to any write that had opened but not closed at the last refresh, until it closes or is SETTLE_NS old
(its writer died): a write still running when an article was read is read again once it is over.
A reindex (another collection) or a refresh older than the log's retention reads everything.

Questions read a snapshot: each refresh builds the new name tables beside the old ones and swaps
them in whole, so a question in another thread never sees a half-applied refresh, and a refresh
that fails (the store went away mid-read) leaves the previous snapshot in place.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.store import CHANGE_LAG_NS, SETTLE_NS, ChangeLog, SpeakerRow, Store
from bot.text import PEERAGE, ROLE_MODIFIERS, speaker_key, terms, without_possessive

ROLE_MODIFIER_TERMS = frozenset(terms(" ".join(ROLE_MODIFIERS)))  # as terms: "deputy" is "deputi"


ROLE_QUOTES = 2  # quotes with a role before it names its holder: one may be a misreading


def holds_role(role: frozenset[str], asked: frozenset[str]) -> bool:
    """Whether a role as printed is the role asked: every word asked, no qualifier that makes it
    another role ("minister" is not the "Prime Minister"), and at least half the role's words
    ("Labour leader" is not the "leader of the Labour group on Newham Council")."""
    return asked <= role and not (role & ROLE_MODIFIER_TERMS) - asked and 2 * len(asked) >= len(role)


@dataclass(frozen=True)
class _Snapshot:
    """What questions read: never changed once built."""

    speakers: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # key → (name, quotes)
    by_word: Mapping[str, frozenset[str]] = field(default_factory=dict)  # word of a key → keys
    # key → the terms of each role shown beside the name, with how many quotes showed it
    roles: Mapping[str, tuple[tuple[frozenset[str], int], ...]] = field(default_factory=dict)


class SpeakerIndex:
    """speaker key → (the name as most often written, quotes), refreshed when the store's
    generation changes; `match` turns a name as asked into keys."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._generation = ""
        self._collection = ""
        self._checked_ns = 0
        self._unfinished: dict[str, int] = {}  # write id → when its opening record was logged
        self._by_article: dict[str, list[tuple[str, str, str]]] = {}  # article → its quotes' (key, name, role)
        self._spellings: dict[str, Counter[str]] = {}  # key → how often each name was written
        self._roles: dict[str, Counter[str]] = {}  # key → how often each role was written beside it
        self._snapshot = _Snapshot()
        self.last_read: tuple[str, ...] | None = None  # articles the last refresh read; None: all (tests)

    def speakers(self) -> Mapping[str, tuple[str, int]]:
        return self._current().speakers

    def match(self, name: str) -> list[str]:
        """Speaker keys for a name as asked: the full name, or a part of it ("Churkin", "Arsene Wenger")."""
        asked = speaker_key(without_possessive(name))
        if not asked:
            return []
        view = self._current()
        known = view.speakers
        parts = asked.split()
        if asked in known and len(parts) > 1:
            # An article that named him only "Mr Panke" filed his words under "panke": they are
            # his too when no one else of that surname is quoted (not so for "Brown").
            surname = parts[-1]
            namesakes = [key for key in view.by_word.get(surname, frozenset()) if key != surname]
            alone = surname in known and all(key == asked for key in namesakes)
            return [asked, surname] if alone else [asked]
        # One name ("Wenger") matches every speaker it is part of, the most quoted first: the article
        # that named him only "Wenger" and those that introduced "Arsene Wenger" are one person's.
        # Alone, it is a surname: "Paul" is not Paul Sculthorpe.
        found = frozenset.intersection(*(view.by_word.get(part, frozenset()) for part in parts))
        if len(parts) == 1:
            found = frozenset(key for key in found if key.split()[-1] == asked)
        if not found and len(parts) > 1:  # "Gordon Brown's" read as one token, or a middle name missing
            ends = view.by_word.get(parts[-1], frozenset())
            found = frozenset(key for key in ends if key.split()[0] == parts[0] and key.split()[-1] == parts[-1])
        # "Lord Browne" is not Des Browne: a title asked for keeps the speakers shown with it, if any.
        title = next((word for word in name.lower().split()[:1] if word in PEERAGE), None)
        titled = [key for key in found if title in known[key][0].lower().split()] if title else []
        return sorted(titled or found, key=lambda key: (-known[key][1], key))

    def match_role(self, phrase: str) -> list[str]:
        """The speaker a role names ("the Arsenal manager", "the Bank of England governor", "the
        chancellor"): the one quoted at least ROLE_QUOTES times with the role, and at least twice as
        often as anyone else (else no one: "the minister" is many people). Roles are read as the
        articles gave them beside the name; see `holds_role`."""
        asked = frozenset(terms(phrase))
        if not asked:
            return []
        view = self._current()
        counts = sorted(
            ((sum(n for role, n in roles if holds_role(role, asked)), key) for key, roles in view.roles.items()),
            reverse=True,
        )
        counts = [(n, key) for n, key in counts[:2] if n > 0]
        if not counts or counts[0][0] < ROLE_QUOTES or (len(counts) > 1 and counts[0][0] < 2 * counts[1][0]):
            return []
        return [counts[0][1]]

    def _current(self) -> _Snapshot:
        generation = self.store.generation()
        with self._lock:
            if generation != self._generation:
                self._refresh()
                self._generation = generation
            return self._snapshot

    # --- refreshing ------------------------------------------------------
    def _refresh(self) -> None:
        """Read first, then apply: an exception while reading changes nothing."""
        checked = time.time_ns()  # before reading: a write after this is in the next window
        since = min([self._checked_ns - CHANGE_LAG_NS, *self._unfinished.values()])
        if not self._collection:
            since = checked - CHANGE_LAG_NS
        changes = self.store.changes_since(since)
        if not self._collection or changes.collection_id != self._collection or since < changes.horizon:
            rows = list(self.store.speaker_rows())
            self._by_article, self._spellings, self._roles = {}, {}, {}
            self.last_read = None
            self._snapshot = _Snapshot()
        else:
            touched = sorted({article_id for record in changes.records for article_id in record.article_ids})
            rows = list(self.store.speaker_rows(touched)) if touched else []
            self.last_read = tuple(touched)
        keys = self._forget(self.last_read if self.last_read is not None else ())
        keys |= self._count(rows)
        self._snapshot = _settled(self._snapshot, self._spellings, self._roles, keys)
        self._collection, self._checked_ns = changes.collection_id, checked
        self._unfinished = _unfinished(changes, checked)

    def _forget(self, article_ids: Iterable[str]) -> set[str]:
        keys: set[str] = set()
        for article_id in article_ids:
            for key, name, role in self._by_article.pop(article_id, ()):
                self._spellings[key][name] -= 1
                self._roles[key][role] -= 1
                keys.add(key)
        return keys

    def _count(self, rows: Iterable[SpeakerRow]) -> set[str]:
        keys: set[str] = set()
        for row in rows:
            self._by_article.setdefault(row.article_id, []).append((row.key, row.name, row.role))
            self._spellings.setdefault(row.key, Counter())[row.name] += 1
            self._roles.setdefault(row.key, Counter())[row.role] += 1
            keys.add(row.key)
        return keys


def _unfinished(changes: ChangeLog, checked: int) -> dict[str, int]:
    """Writes that had opened but not closed when the log was read, and may still be running."""
    closed = {record.write_id for record in changes.records if record.done}
    return {
        record.write_id: record.seq
        for record in changes.records
        if not record.done and record.write_id not in closed and record.seq > checked - SETTLE_NS
    }


def _settled(
    old: _Snapshot, spellings: dict[str, Counter[str]], roles: dict[str, Counter[str]], keys: set[str]
) -> _Snapshot:
    """A new snapshot with these keys recomputed: a key with no quotes left is no speaker any more.
    The shown name is the one most often written (on a tie, the first in alphabetical order)."""
    speakers = dict(old.speakers)
    role_terms = dict(old.roles)
    for key in keys:
        written = {role: n for role, n in roles.get(key, Counter()).items() if n > 0}
        roles[key] = Counter(written)
        held = tuple((frozenset(terms(role)), n) for role, n in written.items() if role)
        if key and held:
            role_terms[key] = held
        else:
            role_terms.pop(key, None)
        if not written:
            roles.pop(key, None)
    added: dict[str, set[str]] = defaultdict(set)
    dropped: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        names = {name: count for name, count in spellings.get(key, Counter()).items() if count > 0}
        if key and names:
            spellings[key] = Counter(names)
            speakers[key] = (min(names, key=lambda name: (-names[name], name)), sum(names.values()))
            for word in key.split():
                added[word].add(key)
            continue
        spellings.pop(key, None)
        if speakers.pop(key, None) is not None:
            for word in key.split():
                dropped[word].add(key)
    by_word = dict(old.by_word)
    for word in added.keys() | dropped.keys():
        now = (by_word.get(word, frozenset()) - dropped[word]) | added[word]
        if now:
            by_word[word] = frozenset(now)
        else:
            by_word.pop(word, None)
    return _Snapshot(speakers, by_word, role_terms)
