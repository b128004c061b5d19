"""Per-channel settings: which sources a channel draws on, whether the bot answers there without a
mention, whether answers are private to the asker.

A channel nobody configured has the defaults (every source, mention only,
public answers), so reading never needs a row to exist.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Row, select, update

from bot.state.db import Database
from bot.state.tables import channel_settings


@dataclass(frozen=True)
class ChannelSettings:
    """`sources` empty means every source. `updated_by` is the Slack user id of the last change
    ("" and `updated_at` None for a channel still on the defaults)."""

    channel_id: str
    sources: list[str] = field(default_factory=list)
    answer_without_mention: bool = False
    private_answers: bool = False
    updated_by: str = ""
    updated_at: float | None = None


class Channels:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get_channel_settings(self, channel_id: str) -> ChannelSettings:
        with self.db.transaction() as connection:
            row = connection.execute(
                select(channel_settings).where(channel_settings.c.channel_id == channel_id)
            ).first()
        return ChannelSettings(channel_id) if row is None else _from_row(row)

    def set_channel_settings(
        self,
        channel_id: str,
        *,
        updated_by: str,
        sources: list[str] | None = None,
        answer_without_mention: bool | None = None,
        private_answers: bool | None = None,
    ) -> ChannelSettings:
        """Change the given settings of a channel (None = leave as is) and return all of them.

        Read and write happen in one transaction, so two admins changing different settings of the
        same channel at once both keep their change."""
        now = time.time()
        with self.db.transaction() as connection:
            current = self._locked(connection, channel_id, now)
            merged = replace(
                current,
                sources=_named(sources) if sources is not None else current.sources,
                answer_without_mention=_given_or(answer_without_mention, current.answer_without_mention),
                private_answers=_given_or(private_answers, current.private_answers),
                updated_by=updated_by,
                updated_at=now,
            )
            values = {key: value for key, value in asdict(merged).items() if key != "channel_id"}
            connection.execute(
                update(channel_settings).where(channel_settings.c.channel_id == channel_id).values(**values)
            )
        return merged

    def _locked(self, connection: Connection, channel_id: str, now: float) -> ChannelSettings:
        """The channel's settings, its row created if need be and then locked: a concurrent change
        (even the channel's first) waits for this transaction instead of overwriting it. SQLite
        compiles FOR UPDATE away; its transactions here start with BEGIN IMMEDIATE, so writers are
        serialised anyway."""
        connection.execute(
            self.db.insert(channel_settings)
            .values(**asdict(ChannelSettings(channel_id, updated_at=now)))
            .on_conflict_do_nothing(index_elements=["channel_id"])
        )
        row = connection.execute(
            select(channel_settings).where(channel_settings.c.channel_id == channel_id).with_for_update()
        ).one()
        return _from_row(row)


def _from_row(row: Row[Any]) -> ChannelSettings:
    return ChannelSettings(
        channel_id=row.channel_id,
        sources=list(row.sources or []),
        answer_without_mention=bool(row.answer_without_mention),
        private_answers=bool(row.private_answers),
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


def _named(sources: list[str]) -> list[str]:
    """Source names as stored: blank ones (a stray comma) dropped, the rest trimmed."""
    return [name.strip() for name in sources if name.strip()]


def _given_or(value: bool | None, current: bool) -> bool:
    """A switch the change names takes its new value; one it leaves out (None) keeps the current one."""
    return current if value is None else value
