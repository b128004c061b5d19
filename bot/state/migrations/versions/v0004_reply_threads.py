"""Each remembered reply records the thread it went into, so a thread reply in a channel is checked
against the bot's own replies before Slack is asked for the thread.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("thread_ts", sa.Text, nullable=True))
        batch.create_index("ix_replies_thread", ["channel_id", "thread_ts"])


def downgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.drop_index("ix_replies_thread")
        batch.drop_column("thread_ts")
