"""Alembic environment: migrations run on the connection `bot.state.db.upgrade` opened.

There is no alembic.ini: the package configures Alembic in code, so a wheel
install migrates without files outside the package.
"""

from __future__ import annotations

from alembic import context

from bot.state.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.state.db.upgrade (it supplies the connection)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
