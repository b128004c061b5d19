"""The tables at the newest revision, as SQLAlchemy Core objects the stores query.

The migrations in `migrations/versions/` are what create them; a test checks
that a database migrated to head has exactly these columns. Times are Unix
seconds (floats), as the first SQLite schema had them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, MetaData, Table, Text

metadata = MetaData()

# One row per answer shown in Slack: the basis for studying answer quality.
answers = Table(
    "answers",
    metadata,
    Column("answer_id", Text, primary_key=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("article_ids", Text, nullable=False),  # JSON list of the cited article ids
    Column("mode", Text, nullable=False),
    Column("user_id", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("found", Boolean, nullable=True),
    Column("model", Text, nullable=True),
    Column("prompt_hash", Text, nullable=True),
    Column("latency_ms", Integer, nullable=True),
    Column("standalone_question", Text, nullable=True),
    Column("passage_ids", Text, nullable=True),  # JSON list: the chunks or quotes the answer was built from
    Index("ix_answers_created_at", "created_at"),
)

votes = Table(
    "votes",
    metadata,
    Column("answer_id", Text, primary_key=True),
    Column("user_id", Text, primary_key=True),
    Column("channel_id", Text, nullable=False),
    Column("vote", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
)

# Event ids already claimed by a replica; the primary key is what makes the claim atomic.
seen_events = Table(
    "seen_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("seen_at", Float, nullable=False),
    Index("ix_seen_events_seen_at", "seen_at"),
)

# One row per Slack message the bot answers, so an edit updates that answer instead of adding one.
replies = Table(
    "replies",
    metadata,
    Column("channel_id", Text, primary_key=True),
    Column("message_ts", Text, primary_key=True),
    Column("question", Text, nullable=False),
    Column("reply_ts", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    # The thread the reply went into (None: a top-level DM reply): which threads the bot takes part in,
    # known without asking Slack (migration 0004).
    Column("thread_ts", Text, nullable=True),
    Index("ix_replies_created_at", "created_at"),
    Index("ix_replies_thread", "channel_id", "thread_ts"),
)

channel_settings = Table(
    "channel_settings",
    metadata,
    Column("channel_id", Text, primary_key=True),
    Column("sources", JSON, nullable=False),
    Column("answer_without_mention", Boolean, nullable=False),
    Column("private_answers", Boolean, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# What each feed entry looked like when it was last ingested (link → fingerprint).
feed_entries = Table(
    "feed_entries",
    metadata,
    Column("link", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)
