"""Shared state for several replicas: the answer log's quality fields, channel settings, feed state,
and indexes for pruning old event ids and replies.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("found", sa.Boolean, nullable=True))
        batch.add_column(sa.Column("model", sa.Text, nullable=True))
        batch.add_column(sa.Column("prompt_hash", sa.Text, nullable=True))
        batch.add_column(sa.Column("latency_ms", sa.Integer, nullable=True))
        batch.add_column(sa.Column("standalone_question", sa.Text, nullable=True))
    op.create_index("ix_answers_created_at", "answers", ["created_at"])
    op.create_index("ix_seen_events_seen_at", "seen_events", ["seen_at"])
    op.create_index("ix_replies_created_at", "replies", ["created_at"])
    op.create_table(
        "channel_settings",
        sa.Column("channel_id", sa.Text, primary_key=True),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("answer_without_mention", sa.Boolean, nullable=False),
        sa.Column("private_answers", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "feed_entries",
        sa.Column("link", sa.Text, primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feed_entries")
    op.drop_table("channel_settings")
    op.drop_index("ix_replies_created_at", "replies")
    op.drop_index("ix_seen_events_seen_at", "seen_events")
    op.drop_index("ix_answers_created_at", "answers")
    with op.batch_alter_table("answers") as batch:
        for column in ("standalone_question", "latency_ms", "prompt_hash", "model", "found"):
            batch.drop_column(column)
