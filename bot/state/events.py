"""Which replica answers what: atomic claims on Slack event ids and on the messages the bot answers.

Slack retries an event it thinks was missed (same event id), possibly to a
different replica, and sends an edit of a mention as a new event. Each claim is
a single `INSERT … ON CONFLICT DO NOTHING RETURNING` (or a conditional
`UPDATE … RETURNING`) on a unique key, so the database decides, not a
read-then-write race: exactly one caller wins however many replicas and
threads ask at once. RETURNING, not rowcount, says who won: through
SQLAlchemy's psycopg dialect the rowcount of these statements is -1.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select, update

from bot.state.db import Database
from bot.state.tables import replies, seen_events

DAY_SECONDS = 86_400
SEEN_EVENT_SECONDS = DAY_SECONDS  # Slack retries within minutes; a day of ids is plenty
REPLY_DAYS = 30  # an edit of a message older than this gets a fresh answer


@dataclass
class Claim:
    """What to do with a message that asks a question: `answer` it (first sight), `update` the bot's
    earlier reply `reply_ts` (an edit changed the question), or `ignore` it (same question again)."""

    action: Literal["answer", "update", "ignore"]
    reply_ts: str | None = None


class Events:
    def __init__(self, db: Database) -> None:
        self.db = db

    def first_sight(self, event_id: str) -> bool:
        """True for exactly one caller per event id, across threads, processes and replicas."""
        now = time.time()
        with self.db.transaction() as connection:
            claimed = connection.execute(
                self.db.insert(seen_events)
                .values(event_id=event_id, seen_at=now)
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(seen_events.c.event_id)
            ).first()
            connection.execute(delete(seen_events).where(seen_events.c.seen_at < now - SEEN_EVENT_SECONDS))
        return claimed is not None

    def claim_message(self, channel_id: str, message_ts: str, question: str) -> Claim:
        """One reply per Slack message, whatever Slack sends: the first event for (channel, ts) gets an
        answer; a later one (an edit, which arrives as a new event) updates that answer only when the
        question changed and the reply has been posted. Two replicas handling the same edit cannot
        both win: the update only matches while the stored question differs."""
        now = time.time()
        key = (replies.c.channel_id == channel_id) & (replies.c.message_ts == message_ts)
        with self.db.transaction() as connection:
            connection.execute(delete(replies).where(replies.c.created_at < now - REPLY_DAYS * DAY_SECONDS))
            inserted = connection.execute(
                self.db.insert(replies)
                .values(channel_id=channel_id, message_ts=message_ts, question=question, reply_ts=None, created_at=now)
                .on_conflict_do_nothing(index_elements=["channel_id", "message_ts"])
                .returning(replies.c.message_ts)
            ).first()
            if inserted is not None:
                return Claim("answer")
            changed = connection.execute(
                update(replies)
                .where(key, replies.c.question != question, replies.c.reply_ts.is_not(None), replies.c.reply_ts != "")
                .values(question=question)
                .returning(replies.c.reply_ts)
            ).first()
        return Claim("update", changed.reply_ts) if changed is not None else Claim("ignore")

    def current_question(self, channel_id: str, message_ts: str) -> str | None:
        """The question last claimed for (channel, message_ts), or None when nothing was claimed (the
        assistant panel, a slash command): an answer to any other question has been overtaken by an edit."""
        key = (replies.c.channel_id == channel_id) & (replies.c.message_ts == message_ts)
        with self.db.transaction() as connection:
            row = connection.execute(select(replies.c.question).where(key)).first()
        return None if row is None else str(row.question)

    def remember_reply(
        self, channel_id: str, message_ts: str, question: str, reply_ts: str, thread_ts: str | None = None
    ) -> None:
        """The ts of the bot's message that answers (channel, message_ts), so an edit can update it, and
        the thread it went into, so the bot knows which threads it takes part in."""
        statement = self.db.insert(replies).values(
            channel_id=channel_id,
            message_ts=message_ts,
            question=question,
            reply_ts=reply_ts,
            created_at=time.time(),
            thread_ts=thread_ts,
        )
        with self.db.transaction() as connection:
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["channel_id", "message_ts"],
                    set_={"reply_ts": statement.excluded.reply_ts, "thread_ts": statement.excluded.thread_ts},
                )
            )

    def replied_in_thread(self, channel_id: str, thread_ts: str) -> bool:
        """Whether the bot has answered in this thread in the last REPLY_DAYS (any replica). A reply
        remembered before migration 0004 has no thread; its message's own ts stands in for it, which
        is the thread of a mention that started one."""
        in_thread = (replies.c.thread_ts == thread_ts) | (
            replies.c.thread_ts.is_(None) & (replies.c.message_ts == thread_ts)
        )
        query = (
            select(replies.c.reply_ts)
            .where(
                replies.c.channel_id == channel_id, in_thread, replies.c.reply_ts.is_not(None), replies.c.reply_ts != ""
            )
            .limit(1)
        )
        with self.db.transaction() as connection:
            return connection.execute(query).first() is not None
