"""Alembic migrations of the shared-state database; run by `bot.state.db.upgrade` at start-up."""
