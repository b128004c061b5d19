"""`create_app(settings, desk)`: the Bolt app, built by a factory so tests can make a fresh one per test."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.config import Settings
from bot.core import Newsdesk
from bot.errors import ConfigError
from bot.slack.deps import SlackDeps
from bot.slack.listeners import register_all
from bot.state import SharedState

log = logging.getLogger(__name__)

SLACK_RETRIES = 2  # a dropped connection or a 429 (after its Retry-After) is tried again this often, then fails


def web_client(settings: Settings, token: str | None = None) -> WebClient:
    if token is None:
        if settings.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set; put the bot token (xoxb-…) in your environment or .env")
        token = settings.slack_bot_token.get_secret_value()
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=SLACK_RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=SLACK_RETRIES),
        ],
    )


def check_token(client: WebClient) -> dict[str, Any]:
    """auth.test at startup: a wrong token is one clear line, not a stack trace at the first event."""
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error") if exc.response is not None else "unknown_error"
        raise ConfigError(
            f"Slack rejected SLACK_BOT_TOKEN ({error}); check the token in your environment or .env"
        ) from exc
    except Exception as exc:
        raise ConfigError(
            f"cannot reach Slack at {client.base_url} ({exc.__class__.__name__}); check SLACK_API_URL and the network"
        ) from exc
    return dict(response.data) if isinstance(response.data, dict) else {}


def create_app(
    settings: Settings,
    desk: Newsdesk,
    *,
    socket_mode: bool = False,
    client: WebClient | None = None,
    shared: SharedState | None = None,
) -> App:
    if not socket_mode and settings.slack_signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests")
    app = App(
        client=client or web_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None,
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,
        process_before_response=False,
        ignoring_self_events_enabled=True,
    )
    deps = SlackDeps(settings=settings, desk=desk, shared=shared or SharedState.open(settings))
    register_all(app, deps)

    @app.event(re.compile(".*"))
    def other_events() -> None:
        """Last: events no listener wants (reactions, joins, app home, …) are acked quietly, not
        answered 404 with a warning — Slack disables subscriptions that keep failing."""

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error for event %s: %s", body.get("event_id", "-"), error, exc_info=error)

    return app
