"""`newsdesk doctor`: each part of the setup checked on its own, so one broken part doesn't hide the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.errors import EmptyArchiveError

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

# A PostgreSQL server that does not answer fails its line within seconds instead of after the
# system's TCP timeout (minutes); ten seconds still covers a slow network.
POSTGRES_CONNECT_TIMEOUT_S = 10
# A driver's error can run to a page; the database line must stay one readable line.
DATABASE_REASON_CHARS = 160


@dataclass
class Check:
    """One line of `newsdesk doctor`: which part, whether it works, and what was found or how to fix it."""

    name: str
    ok: bool
    detail: str


@dataclass
class BuiltEmbedder:
    """The embedder the embeddings check built, kept for the store check: the store is then opened
    with the configured model, so a store built with another one fails there. None when building failed
    (the store is still counted, without the model check)."""

    embedder: Embeddings | None = None


def _run(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, True, probe())
    except Exception as exc:
        detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return Check(name, False, detail)


def run_checks(settings: Settings) -> Iterator[Check]:
    """The checks in the order a setup is built, each yielded as soon as it is done so the slow ones
    (loading the model, calling OpenAI and Slack) show progress line by line. Each probe returns its
    `ok` line or raises with the `FAIL` one."""
    built = BuiltEmbedder()
    yield _run("embeddings", lambda: embeddings_check(settings, built))
    yield _run("store", lambda: store_check(settings, built.embedder))
    yield _run("database", lambda: database_check(settings))
    yield _run("llm", lambda: llm_check(settings))
    yield _run("slack", lambda: slack_check(settings))
    yield _run("slack mode", lambda: slack_mode_check(settings))


def embeddings_check(settings: Settings, built: BuiltEmbedder) -> str:
    """Builds the configured embedder and embeds one query, which loads the model. The embedder is
    kept in `built` as soon as it exists, so a model that loads but fails to embed is still the one
    the store check compares with."""
    from bot.embeddings import build_embedder, embedder_name

    built.embedder = build_embedder(settings)
    dimensions = len(built.embedder.embed_query("newsdesk doctor"))
    return f"{embedder_name(built.embedder)} ({dimensions} dimensions)"


def store_check(settings: Settings, embedder: Embeddings | None) -> str:
    """The store's chunk count and the model it was built with. A missing store is reported without
    opening it: opening would create an empty one."""
    from bot.embeddings import embedder_name
    from bot.store import Store, store_location

    if settings.store_missing:
        raise EmptyArchiveError(f"no store in {settings.data_dir}")
    name = embedder_name(embedder) if embedder is not None else "unknown"
    opened = Store(settings, name, check_model=embedder is not None)
    where = store_location(settings)
    chunks = opened.count()
    if not chunks:
        raise EmptyArchiveError(f"0 chunks in {where}")
    return f"{chunks} chunks in {where}, built with {opened.built_with()}"


def llm_check(settings: Settings) -> str:
    """Whether the configured server answers and lists the configured model. Without a key the bot
    answers with extractive quotes, which is a setup, not a failure."""
    if not settings.llm_enabled:
        return "not configured (answers are extractive quotes); set OPENAI_API_KEY to enable"
    from openai import OpenAI

    assert settings.openai_api_key is not None
    client = OpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_s,
        max_retries=0,
    )
    try:
        models = {model.id for model in client.models.list()}
    except Exception as exc:
        from bot.answer.llm import unavailable_reason

        raise RuntimeError(unavailable_reason(exc)) from exc
    where = settings.openai_base_url or "OpenAI"
    if settings.llm_model not in models:
        raise RuntimeError(f"{where} does not list model {settings.llm_model}; set NEWSDESK_LLM_MODEL")
    return f"{settings.llm_model} at {where}"


def slack_check(settings: Settings) -> str:
    """The bot token, checked locally for its form before Slack is asked who it belongs to; problems
    with the other Slack settings are `slack_mode_check`'s line."""
    from bot.slack.app import check_token, web_client
    from bot.slack.server import quiet_slack_logs, token_problems

    problems = token_problems(settings, socket_mode=None)
    if problems and problems[0].startswith("SLACK_BOT_TOKEN"):
        raise RuntimeError(problems[0])
    with quiet_slack_logs():
        identity = check_token(web_client(settings))
    return f"connected as {identity.get('user', '?')} in {identity.get('team', '?')}"


def slack_mode_check(settings: Settings) -> str:
    """Socket Mode needs a working app token, HTTP a signing secret: checked apart from the bot token
    so that one line names each problem."""
    from bot.slack.server import check_app_token, token_problems

    problems = [p for p in token_problems(settings, socket_mode=None) if not p.startswith("SLACK_BOT_TOKEN")]
    if problems:
        raise RuntimeError(problems[0])
    if settings.slack_app_token is None:
        return "HTTP (SLACK_SIGNING_SECRET set, no SLACK_APP_TOKEN)"
    return f"Socket Mode; {check_app_token(settings)}"


def database_check(settings: Settings) -> str:
    """The shared-state database (NEWSDESK_DATABASE_URL, else the data dir's SQLite file): reachable,
    and at which migration revision. Read only: it neither creates the SQLite file nor migrates —
    the bot upgrades the schema itself when it starts."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from bot.state.db import Database, alembic_config, current_revision, database_url, head_revision

    url = database_url(settings)
    head = head_revision()
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return f"no database yet at {url.database}; the bot creates it (revision {head}) when it starts"
    connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S} if url.get_backend_name() == "postgresql" else {}
    database = Database(create_engine(url, connect_args=connect_args))
    try:
        revision = current_revision(database)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:DATABASE_REASON_CHARS]
        raise RuntimeError(f"cannot read {database.where} ({reason}); check NEWSDESK_DATABASE_URL") from exc
    finally:
        database.dispose()
    if revision == head:
        return f"revision {revision} (up to date) at {database.where}"
    if revision is None:
        return f"no schema yet at {database.where}; the bot creates it (revision {head}) when it starts"
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError as exc:
        raise RuntimeError(
            f"{database.where} is at revision {revision}, which this newsdesk does not know (newest {head}); "
            "upgrade newsdesk"
        ) from exc
    return f"revision {revision} at {database.where}; the bot upgrades it to {head} when it starts"
