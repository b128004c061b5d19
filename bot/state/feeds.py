"""What each feed entry looked like when it was last ingested, so `newsdesk watch` fetches only entries
that are new or changed — shared by every watcher using the same database."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from sqlalchemy import select

from bot.state.db import Database
from bot.state.tables import feed_entries

LOOKUP_BATCH = 500  # links per IN (…) query; keeps statements small for feeds with thousands of entries


class Feeds:
    def __init__(self, db: Database) -> None:
        self.db = db

    def fingerprints(self, links: Iterable[str]) -> dict[str, str]:
        """link → fingerprint remembered for those of `links` seen before."""
        wanted = list(dict.fromkeys(links))
        found: dict[str, str] = {}
        with self.db.transaction() as connection:
            for start in range(0, len(wanted), LOOKUP_BATCH):
                batch = wanted[start : start + LOOKUP_BATCH]
                query = select(feed_entries.c.link, feed_entries.c.fingerprint).where(feed_entries.c.link.in_(batch))
                found.update({link: fingerprint for link, fingerprint in connection.execute(query)})
        return found

    def remember(self, fingerprints: Mapping[str, str]) -> None:
        """Store link → fingerprint, replacing what was there."""
        if not fingerprints:
            return
        now = time.time()
        rows = [{"link": link, "fingerprint": fp, "updated_at": now} for link, fp in fingerprints.items()]
        statement = self.db.insert(feed_entries)
        with self.db.transaction() as connection:
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["link"],
                    set_={"fingerprint": statement.excluded.fingerprint, "updated_at": statement.excluded.updated_at},
                ),
                rows,
            )

    def remember_missing(self, fingerprints: Mapping[str, str]) -> None:
        """Store link → fingerprint only for links not remembered yet (an import must not undo newer runs)."""
        if not fingerprints:
            return
        now = time.time()
        rows = [{"link": link, "fingerprint": fp, "updated_at": now} for link, fp in fingerprints.items()]
        with self.db.transaction() as connection:
            connection.execute(self.db.insert(feed_entries).on_conflict_do_nothing(index_elements=["link"]), rows)
