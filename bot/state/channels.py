"""Per-channel settings: which sources a channel draws on, whether the bot answers there without a
mention, whether answers are private to the asker.

A channel nobody configured has the defaults (every source, mention only,
public answers), so reading never needs a row to exist.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import select, update

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
        if row is None:
            return ChannelSettings(channel_id)
        return ChannelSettings(
            channel_id=row.channel_id,
            sources=list(row.sources or []),
            answer_without_mention=bool(row.answer_without_mention),
            private_answers=bool(row.private_answers),
            updated_by=row.updated_by,
            updated_at=row.updated_at,
        )

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
        defaults = ChannelSettings(channel_id, updated_at=now)
        with self.db.transaction() as connection:
            # Make sure the row exists, then lock it: a concurrent change (even the channel's first)
            # waits for this one instead of overwriting it. SQLite compiles FOR UPDATE away; its
            # transactions here start with BEGIN IMMEDIATE, so writers are serialised anyway.
            connection.execute(
                self.db.insert(channel_settings)
                .values(**asdict(defaults))
                .on_conflict_do_nothing(index_elements=["channel_id"])
            )
            row = connection.execute(
                select(channel_settings).where(channel_settings.c.channel_id == channel_id).with_for_update()
            ).one()
            current = ChannelSettings(
                channel_id, list(row.sources or []), bool(row.answer_without_mention), bool(row.private_answers)
            )
            merged = replace(
                current,
                sources=[s.strip() for s in sources if s.strip()] if sources is not None else current.sources,
                answer_without_mention=(
                    current.answer_without_mention if answer_without_mention is None else answer_without_mention
                ),
                private_answers=current.private_answers if private_answers is None else private_answers,
                updated_by=updated_by,
                updated_at=now,
            )
            values = {key: value for key, value in asdict(merged).items() if key != "channel_id"}
            connection.execute(
                update(channel_settings).where(channel_settings.c.channel_id == channel_id).values(**values)
            )
        return merged
