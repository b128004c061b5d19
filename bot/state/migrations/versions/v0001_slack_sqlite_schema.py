"""The schema bot/feedback.py created in slack.sqlite3 before Alembic: answers, votes, seen events, replies.

Files made by that code are stamped at this revision (not re-created), so
their rows stay; a new database is created from here.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("answer_id", sa.Text, primary_key=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("article_ids", sa.Text, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("channel_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "votes",
        sa.Column("answer_id", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, primary_key=True),
        sa.Column("channel_id", sa.Text, nullable=False),
        sa.Column("vote", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "seen_events",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("seen_at", sa.Float, nullable=False),
    )
    op.create_table(
        "replies",
        sa.Column("channel_id", sa.Text, primary_key=True),
        sa.Column("message_ts", sa.Text, primary_key=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("reply_ts", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("replies", "seen_events", "votes", "answers"):
        op.drop_table(table)
