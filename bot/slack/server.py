"""Running the app: Socket Mode (no public URL) or the Events API over HTTP on uvicorn."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.config import Settings
from bot.errors import ConfigError
from bot.slack.app import web_client

log = logging.getLogger(__name__)


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
    uvicorn.run(asgi_app(app), host=host, port=port, log_level="info", access_log=False, timeout_keep_alive=5)


def socket_mode_handler(app: App, settings: Settings) -> Any:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if settings.slack_app_token is None:
        raise ConfigError(
            "SLACK_APP_TOKEN is not set; Socket Mode needs an app-level token (xapp-…) with connections:write"
        )
    token = settings.slack_app_token.get_secret_value()
    return SocketModeHandler(app, app_token=token, web_client=web_client(settings, token=token))
