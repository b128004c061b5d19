"""State shared by every replica of the bot: event claims, the answer log and votes, channel settings,
feed-watch state — in one database (SQLite in the data dir by default, PostgreSQL for several replicas).

`SharedState.open(settings)` connects and migrates; each concern lives in its
own module (events, feedback, channels, feeds). `SharedState` is what the Slack
layer holds: events, feedback and channels on one connection pool. Feed state
(`bot.state.feeds`) is used by `newsdesk watch` on its own.
"""

from __future__ import annotations

from bot.config import Settings
from bot.state.channels import Channels, ChannelSettings
from bot.state.db import Database, DatabaseUnavailableError, database_url, open_database
from bot.state.events import Claim, Events
from bot.state.feedback import Feedback, LoggedAnswer, Vote

__all__ = [
    "ChannelSettings",
    "Claim",
    "Database",
    "DatabaseUnavailableError",
    "LoggedAnswer",
    "SharedState",
    "Vote",
    "database_url",
    "open_database",
]


class SharedState(Events, Feedback, Channels):
    """Event claims, answers and votes, and channel settings on one database."""

    def __init__(self, db: Database, llm_model: str = "") -> None:
        Events.__init__(self, db)
        Feedback.__init__(self, db, llm_model)
        Channels.__init__(self, db)

    @classmethod
    def open(cls, settings: Settings) -> SharedState:
        """Connect to NEWSDESK_DATABASE_URL (or the data dir's SQLite file), upgrading its schema first."""
        return cls(open_database(settings), llm_model=settings.llm_model)

    def close(self) -> None:
        self.db.dispose()
