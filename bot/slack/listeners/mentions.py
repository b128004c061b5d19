"""@Newsdesk in a channel: answer in that message's thread; a thread with earlier answers is a conversation."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answering import SlackDeps, answer_message, question_from_message
from bot.slack.listeners.filters import first_delivery, from_a_bot

EMPTY_MENTION = "Ask me about the coverage, e.g. “What did Churkin say about sanctions?” — or `/newsdesk help`."


def register(app: App, deps: SlackDeps) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if from_a_bot(event) or not first_delivery(deps, body):
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        question = question_from_message(event.get("text", ""))
        if not question:
            client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, text=EMPTY_MENTION)
            return
        answer_message(
            deps,
            client,
            message=event,
            body=body,
            question=question,
            thread_ts=thread_ts,
            bot_user_id=context.bot_user_id,
        )
