"""@Newsdesk in a channel: answer in that message's thread; a thread with earlier answers is a conversation.

One message gets one answer: Slack sends an edit of a mention as a fresh `app_mention` (new
event id, an `edited` field), so the answer is keyed by the message's channel and ts, and an
edit that changes the question updates the earlier answer in place. Mentions in a canvas
(`document_mention`) are not questions and are ignored, and so are mentions in a DM: Slack
delivers those as the DM's `message` too, which the DM listener answers. The same key keeps a mention that is also
delivered as a channel `message` (answer-without-mention channels) from being answered twice.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answering import answer_once
from bot.slack.deps import SlackDeps
from bot.slack.listeners.filters import first_delivery
from bot.slack.threads import from_a_bot

log = logging.getLogger(__name__)


def register(app: App, deps: SlackDeps) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("subtype") == "document_mention" or from_a_bot(event) or not first_delivery(deps, body):
            return
        if str(event.get("channel", "")).startswith("D"):
            return  # a mention in a DM also arrives as the DM's message, which is answered there
        answer_once(
            deps,
            client,
            message=event,
            body=body,
            thread_ts=event.get("thread_ts") or event["ts"],
            bot_user_id=context.bot_user_id,
            bot_id=context.bot_id,
            private_to=lambda: event.get("user", "") if deps.channel_settings(event["channel"]).private_answers else "",
        )
