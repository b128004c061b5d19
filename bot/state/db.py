"""The shared-state database: one SQLAlchemy engine per process, migrated by Alembic at start-up.

By default a SQLite file in the data dir (nothing to set up, one machine);
`NEWSDESK_DATABASE_URL=postgresql+psycopg://…` lets several bot replicas share
event claims, answers, votes, channel settings and feed state. Only SQLite and
PostgreSQL are accepted: the claims rely on `INSERT … ON CONFLICT`, which both
speak with the same meaning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError, SQLAlchemyError

from bot.config import Settings
from bot.errors import ConfigError, NewsdeskError

log = logging.getLogger(__name__)

SQLITE_FILE = "slack.sqlite3"  # the name bot/feedback.py used, so an existing file upgrades in place
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY_REVISION = "0001"  # the schema bot/feedback.py created with CREATE TABLE IF NOT EXISTS
# Held while migrating, so replicas starting together do not race to create the same tables.
MIGRATION_LOCK_KEY = 0x6E657773  # "news"
URL_HINT = "use sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user:password@host:5432/dbname"


class DatabaseUnavailableError(NewsdeskError):
    """The shared-state database cannot be reached or refused the connection."""


def database_url(settings: Settings) -> URL:
    """The URL the state lives at: NEWSDESK_DATABASE_URL, else the SQLite file in the data dir.

    `postgresql://` and `postgres://` (what most hosting shows) mean psycopg 3, the driver we ship."""
    raw = settings.database_url
    if not raw:
        return URL.create("sqlite", database=str(settings.data_dir / SQLITE_FILE))
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError(f"NEWSDESK_DATABASE_URL={_masked(raw)} is not a database URL; {URL_HINT}") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"NEWSDESK_DATABASE_URL={_masked(raw)}: {url.get_backend_name()} is not supported; {URL_HINT}"
        )
    return url


def _masked(raw: str) -> str:
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except ArgumentError:
        return raw[:60]


class Database:
    """An engine plus the one dialect-specific thing the stores need: an insert that can say ON CONFLICT."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @property
    def where(self) -> str:
        """The URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def insert(self, table: Any) -> Any:
        """`INSERT` with `.on_conflict_do_nothing()` / `.on_conflict_do_update()` for this dialect."""
        return postgresql.insert(table) if self.dialect == "postgresql" else sqlite.insert(table)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; connection failures become a one-line DatabaseUnavailableError."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise DatabaseUnavailableError(
                f"the database {self.where} is unavailable ({_first_line(exc)}); check NEWSDESK_DATABASE_URL"
            ) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", exc) or exc.__class__.__name__).strip().splitlines()[0][:160]


def _sqlite_engine(url: URL) -> Engine:
    """SQLite with WAL and a busy timeout, every transaction started with BEGIN IMMEDIATE.

    A deferred transaction that reads and then writes can fail at once with "database is locked"
    when another process wrote in between; taking the write lock up front makes concurrent
    writers queue on the busy timeout instead."""
    if url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the sqlite3 module, issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def connect(url: URL) -> Database:
    """An engine for `url`, upgraded to the newest schema (so every caller sees the same tables)."""
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    database = Database(engine)
    try:
        upgrade(database)
    except DatabaseError as exc:  # e.g. a file that is not SQLite
        database.dispose()
        raise DatabaseUnavailableError(
            f"cannot use the database {database.where} ({_first_line(exc)}); check NEWSDESK_DATABASE_URL"
        ) from exc
    except BaseException:
        database.dispose()
        raise
    return database


def open_database(settings: Settings) -> Database:
    return connect(database_url(settings))


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's config pointing at the migrations inside the package (so a wheel install migrates)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database: Database) -> None:
    """Bring the schema to head in one transaction.

    A file made by the old bot/feedback.py has its tables but no alembic_version: it is stamped as
    revision 0001 (that schema) first, so the upgrade adds to it and keeps its rows."""
    from alembic import command

    with database.transaction() as connection:
        if database.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and "answers" in tables:
            log.info("state: stamping the pre-Alembic schema in %s as %s", database.where, LEGACY_REVISION)
            command.stamp(config, LEGACY_REVISION)
        command.upgrade(config, "head")


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.transaction() as connection:
        return MigrationContext.configure(connection).get_current_revision()
