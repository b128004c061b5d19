"""Answers shown in Slack and the 👍/👎 votes on them, in SQLite in the data dir.

An answer is recorded when it is posted, so a vote (which only carries the
answer's id in the button value) can be tied back to the question, the text
and the cited articles.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.models import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    article_ids TEXT NOT NULL,
    mode TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    vote INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE TABLE IF NOT EXISTS seen_events (
    event_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS replies (
    channel_id TEXT NOT NULL,
    message_ts TEXT NOT NULL,
    question TEXT NOT NULL,
    reply_ts TEXT,
    created_at REAL NOT NULL,
    PRIMARY KEY (channel_id, message_ts)
);
"""
REPLY_DAYS = 30


@dataclass
class Claim:
    """What to do with a message that asks a question: `answer` it (first sight), `update` the bot's
    earlier reply `reply_ts` (an edit changed the question), or `ignore` it (same question again)."""

    action: Literal["answer", "update", "ignore"]
    reply_ts: str | None = None


@dataclass
class Vote:
    question: str
    answer: str
    article_ids: list[str]
    user_id: str
    channel_id: str
    vote: int
    created_at: float


class FeedbackStore:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "slack.sqlite3"
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
            db.commit()
        finally:
            db.close()

    def record_answer(self, answer: Answer, user_id: str, channel_id: str) -> str:
        answer_id = uuid.uuid4().hex[:16]
        with self._connect() as db:
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    answer.question,
                    answer.text,
                    json.dumps([c.article.article_id for c in answer.citations]),
                    answer.mode,
                    user_id,
                    channel_id,
                    time.time(),
                ),
            )
        return answer_id

    def record_vote(self, answer_id: str, user_id: str, channel_id: str, vote: int) -> bool:
        """One vote per user per answer; a second click changes it. False if the answer is unknown."""
        with self._connect() as db:
            if db.execute("SELECT 1 FROM answers WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT(answer_id, user_id) "
                "DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (answer_id, user_id, channel_id, vote, time.time()),
            )
        return True

    def votes(self) -> list[Vote]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT a.question, a.answer, a.article_ids, v.user_id, v.channel_id, v.vote, v.created_at "
                "FROM votes v JOIN answers a USING (answer_id) ORDER BY v.created_at"
            ).fetchall()
        return [Vote(q, a, json.loads(ids), u, c, vote, t) for q, a, ids, u, c, vote, t in rows]

    def first_sight(self, event_id: str) -> bool:
        """True the first time an event id is seen (Slack retries resend the same id)."""
        with self._connect() as db:
            cursor = db.execute("INSERT OR IGNORE INTO seen_events VALUES (?, ?)", (event_id, time.time()))
            db.execute("DELETE FROM seen_events WHERE seen_at < ?", (time.time() - 86400,))
            return cursor.rowcount == 1

    def claim_message(self, channel_id: str, message_ts: str, question: str) -> Claim:
        """One reply per Slack message, whatever Slack sends: the first event for (channel, ts) gets an
        answer; a later one (an edit, which arrives as a new event) updates that answer only when the
        question changed and the reply has been posted."""
        now = time.time()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM replies WHERE created_at < ?", (now - REPLY_DAYS * 86400,))
            row = db.execute(
                "SELECT question, reply_ts FROM replies WHERE channel_id = ? AND message_ts = ?",
                (channel_id, message_ts),
            ).fetchone()
            if row is None:
                db.execute("INSERT INTO replies VALUES (?, ?, ?, NULL, ?)", (channel_id, message_ts, question, now))
                return Claim("answer")
            asked, reply_ts = row
            if asked == question or not reply_ts:
                return Claim("ignore")
            db.execute(
                "UPDATE replies SET question = ? WHERE channel_id = ? AND message_ts = ?",
                (question, channel_id, message_ts),
            )
            return Claim("update", reply_ts)

    def remember_reply(self, channel_id: str, message_ts: str, question: str, reply_ts: str) -> None:
        """The ts of the bot's message that answers (channel, message_ts), so an edit can update it."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO replies VALUES (?, ?, ?, ?, ?) ON CONFLICT(channel_id, message_ts) "
                "DO UPDATE SET reply_ts = excluded.reply_ts",
                (channel_id, message_ts, question, reply_ts, time.time()),
            )
