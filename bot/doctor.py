"""`newsdesk doctor`: each part of the setup checked on its own, so one broken part doesn't hide the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.errors import EmptyArchiveError


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _run(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, True, probe())
    except Exception as exc:
        detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return Check(name, False, detail)


def run_checks(settings: Settings) -> Iterator[Check]:
    from bot.embeddings import build_embedder, embedder_name

    embedder = None

    def embeddings() -> str:
        nonlocal embedder
        embedder = build_embedder(settings)
        dimensions = len(embedder.embed_query("newsdesk doctor"))
        return f"{embedder_name(embedder)} ({dimensions} dimensions)"

    yield _run("embeddings", embeddings)

    def store() -> str:
        from bot.store import Store, store_location

        if settings.store_missing:  # checked without opening it: opening would create an empty one
            raise EmptyArchiveError(f"no store in {settings.data_dir}")
        name = embedder_name(embedder) if embedder is not None else "unknown"
        opened = Store(settings, name, check_model=embedder is not None)
        where = store_location(settings)
        chunks = opened.count()
        if not chunks:
            raise EmptyArchiveError(f"0 chunks in {where}")
        return f"{chunks} chunks in {where}, built with {opened.built_with()}"

    yield _run("store", store)
    yield _run("database", lambda: database_check(settings))

    def llm() -> str:
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

    yield _run("llm", llm)

    def slack() -> str:
        from bot.slack.app import check_token, web_client
        from bot.slack.server import quiet_slack_logs, token_problems

        problems = token_problems(settings, socket_mode=None)
        if problems and problems[0].startswith("SLACK_BOT_TOKEN"):
            raise RuntimeError(problems[0])
        with quiet_slack_logs():
            identity = check_token(web_client(settings))
        return f"connected as {identity.get('user', '?')} in {identity.get('team', '?')}"

    yield _run("slack", slack)

    def slack_mode() -> str:
        """Socket Mode needs a working app token, HTTP a signing secret: checked apart from the bot token
        so that one line names each problem."""
        from bot.slack.server import check_app_token, token_problems

        problems = [p for p in token_problems(settings, socket_mode=None) if not p.startswith("SLACK_BOT_TOKEN")]
        if problems:
            raise RuntimeError(problems[0])
        if settings.slack_app_token is None:
            return "HTTP (SLACK_SIGNING_SECRET set, no SLACK_APP_TOKEN)"
        return f"Socket Mode; {check_app_token(settings)}"

    yield _run("slack mode", slack_mode)


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
    connect_args = {"connect_timeout": 10} if url.get_backend_name() == "postgresql" else {}
    database = Database(create_engine(url, connect_args=connect_args))
    try:
        revision = current_revision(database)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:160]
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
