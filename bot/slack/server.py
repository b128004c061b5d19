"""Running the app: Socket Mode (no public URL) or the Events API over HTTP on uvicorn."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.errors import ConfigError
from bot.slack.app import web_client

log = logging.getLogger(__name__)

BOT_TOKEN_PREFIX = "xoxb-"
APP_TOKEN_PREFIX = "xapp-"
_SLACK_PREFIX = re.compile(r"x[a-z]{2,4}-")  # xoxb-, xoxp-, xapp-, …: naming it gives nothing secret away
SLACK_LOGGERS = ("slack_sdk", "slack_bolt")
KEEP_ALIVE_SECONDS = 5  # idle HTTP connections close after this (uvicorn's default, stated so it is a choice)


def token_problems(settings: Settings, *, socket_mode: bool | None) -> list[str]:
    """Everything wrong with the Slack settings that can be seen without asking Slack, one sentence
    each: a missing or malformed SLACK_BOT_TOKEN, SLACK_APP_TOKEN (Socket Mode) or
    SLACK_SIGNING_SECRET (HTTP). `socket_mode=None` (doctor): the mode the settings choose."""
    problems = []
    bot = _token_problem(
        "SLACK_BOT_TOKEN", settings.slack_bot_token, BOT_TOKEN_PREFIX, "the bot token (xoxb-…, OAuth & Permissions)"
    )
    problems += [bot] if bot else []
    if socket_mode is None:
        if settings.slack_app_token is None and settings.slack_signing_secret is None:
            problems.append(
                "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set; set one of them"
            )
            return problems
        socket_mode = settings.slack_app_token is not None
    if socket_mode:
        app = _token_problem(
            "SLACK_APP_TOKEN",
            settings.slack_app_token,
            APP_TOKEN_PREFIX,
            "an app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write)",
        )
        problems += [app] if app else []
    elif settings.slack_signing_secret is None or not settings.slack_signing_secret.get_secret_value().strip():
        problems.append(
            "SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests "
            "(Basic Information → App Credentials)"
        )
    return problems


def _token_problem(name: str, secret: Any, prefix: str, fix: str) -> str | None:
    token = secret.get_secret_value() if secret is not None else ""
    if not token:
        return f"{name} is not set; put {fix} in your environment or .env"
    if token != token.strip() or token[:1] in "\"'":
        return f"{name} has spaces or quotes around it; remove them from your environment or .env"
    if not token.startswith(prefix):
        seen = _SLACK_PREFIX.match(token)
        starts = f"starts with {seen.group(0)}" if seen else f"does not start with {prefix}"
        return f"{name} is not a {prefix} token (it {starts}); put {fix} there"
    return None


@contextmanager
def quiet_slack_logs() -> Iterator[None]:
    """Start-up calls whose failure becomes one line of ours: slack_sdk's and Bolt's own log lines
    about the same failure would only repeat it."""
    loggers = [logging.getLogger(name) for name in SLACK_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def check_tokens(settings: Settings, *, socket_mode: bool) -> None:
    """The local token checks at start-up: all the problems at once, one line each."""
    problems = token_problems(settings, socket_mode=socket_mode)
    if problems:
        raise ConfigError("\n".join(problems))


def check_app_token(settings: Settings) -> str:
    """apps.connections.open with SLACK_APP_TOKEN, as Socket Mode will call it: a rejected token is one
    line now rather than a traceback from the Socket Mode client. Returns what to report."""
    assert settings.slack_app_token is not None
    token = settings.slack_app_token.get_secret_value()
    client = web_client(settings, token=token)
    with quiet_slack_logs():
        try:
            client.apps_connections_open(app_token=token)
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown_error") if exc.response is not None else "unknown_error"
            raise ConfigError(
                f"Slack rejected SLACK_APP_TOKEN ({error}); use an app-level token with connections:write "
                "(Basic Information → App-Level Tokens)"
            ) from exc
        except Exception as exc:
            raise ConfigError(
                f"cannot reach Slack at {client.base_url} ({exc.__class__.__name__}); "
                "check SLACK_API_URL and the network"
            ) from exc
    return "SLACK_APP_TOKEN accepted (apps.connections.open)"


class ThreadedRequestHandler(SlackRequestHandler):
    """Bolt's ASGI adapter runs the sync app on the event loop; this runs it in a worker thread,
    so one slow listener's ack can't stall every other request."""

    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = BoltRequest(
                body=await request.get_raw_body(), query=request.query_string, headers=request.get_headers()
            )
        except Exception:  # a body Bolt can't even parse (e.g. JSON `null`) is the sender's error, not ours
            log.warning("unparseable request to /slack/events rejected")
            return BoltResponse(status=400, body="bad request")
        if not well_formed(bolt_request.body):
            log.warning("malformed request to /slack/events rejected")
            return BoltResponse(status=400, body="bad request")
        if bolt_request.body.get("type") == "app_rate_limited":  # no listener takes it; Slack wants a 200
            log.warning("Slack is rate-limiting events to this app (app_rate_limited): some were not delivered")
            return BoltResponse(status=200, body="")
        return await asyncio.to_thread(self.app.dispatch, bolt_request)


def well_formed(body: Any) -> bool:
    """The shapes Slack sends; Bolt's middleware assumes them and fails on anything else."""
    if not isinstance(body, dict):
        return False
    expected: dict[str, type | tuple[type, ...]] = {
        "event": dict,
        "type": str,
        "authorizations": list,
        "user": (dict, str),
        "team": (dict, str, type(None)),
        "channel": (dict, str),
        "actions": list,
        "container": dict,
        "message": dict,
        "enterprise": (dict, str, type(None)),
    }
    if any(key in body and not isinstance(body[key], kind) for key, kind in expected.items()):
        return False
    event = body.get("event")
    if not isinstance(event, dict):
        return True
    # Some events carry `channel` or `user` as an object (channel_created, channel_rename, team_join,
    # user_change); Bolt reads both shapes. The events the bot answers must have strings.
    as_strings = ["type", "text", "ts", "thread_ts", "subtype", "bot_id"]
    if event.get("type") in ("message", "app_mention"):
        as_strings += ["channel", "user"]
    objects = [k for k in ("channel", "user") if k not in as_strings]
    return all(isinstance(event.get(k, ""), str) for k in as_strings) and all(
        isinstance(event.get(k, ""), (str, dict)) for k in objects
    )


def asgi_app(app: App) -> Any:
    return ThreadedRequestHandler(app, path="/slack/events")


def run_http(app: App, host: str, port: int) -> None:
    import uvicorn

    log.info("serving the Events API on http://%s:%d/slack/events", host, port)
    uvicorn.run(
        asgi_app(app), host=host, port=port, log_level="info", access_log=False, timeout_keep_alive=KEEP_ALIVE_SECONDS
    )


def socket_mode_handler(app: App, settings: Settings) -> Any:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if settings.slack_app_token is None:
        raise ConfigError(
            "SLACK_APP_TOKEN is not set; Socket Mode needs an app-level token (xapp-…) with connections:write"
        )
    token = settings.slack_app_token.get_secret_value()
    return SocketModeHandler(app, app_token=token, web_client=web_client(settings, token=token))
