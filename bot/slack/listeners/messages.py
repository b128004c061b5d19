"""Direct messages: a question sent to the bot in a DM is answered in the DM.

Threaded DM replies belong to the assistant listener (Bolt routes them there);
edits, deletions and other bots' messages are ignored. A message with files
(`file_share`) is answered from its text, saying the files were not read.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answering import SlackDeps, answer_message, question_from_message
from bot.slack.listeners.filters import QUESTION_SUBTYPES, first_delivery, from_a_bot


def register(app: App, deps: SlackDeps) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") not in QUESTION_SUBTYPES or from_a_bot(event):
            return
        if event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
            return
        if not first_delivery(deps, body):
            return
        question = question_from_message(event.get("text", ""))
        answer_message(
            deps,
            client,
            message=event,
            body=body,
            question=question,
            thread_ts=None,
            bot_user_id=context.bot_user_id,
        )
