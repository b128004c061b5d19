"""`newsdesk doctor`: each part of the setup checked on its own, so one broken part doesn't hide the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
        from bot.store import Store

        if settings.store_missing:  # checked without opening it: opening would create an empty one
            raise EmptyArchiveError(f"no store in {settings.data_dir}")
        name = embedder_name(embedder) if embedder is not None else "unknown"
        opened = Store(settings, name, check_model=embedder is not None)
        where = (
            f"server {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else f"{settings.data_dir}"
        )
        chunks = opened.count()
        if not chunks:
            raise EmptyArchiveError(f"0 chunks in {where}")
        return f"{chunks} chunks in {where}, built with {opened.built_with()}"

    yield _run("store", store)

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
        if settings.slack_bot_token is None:
            raise RuntimeError("SLACK_BOT_TOKEN is not set")
        from bot.slack.app import check_token, web_client

        identity = check_token(web_client(settings))
        mode = "socket mode" if settings.slack_app_token else "HTTP (no SLACK_APP_TOKEN)"
        if not settings.slack_app_token and not settings.slack_signing_secret:
            raise RuntimeError("neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set")
        return f"connected as {identity.get('user', '?')} in {identity.get('team', '?')}; {mode}"

    yield _run("slack", slack)
