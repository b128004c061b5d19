"""The assistant panel (Slack's AI app surface): suggested prompts, a status while working, a thread title."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_sdk import WebClient

from bot.slack.answering import SlackDeps, answer_message, question_from_message
from bot.slack.listeners.filters import QUESTION_SUBTYPES, first_delivery, from_a_bot

log = logging.getLogger(__name__)

GREETING = "Hi! I answer questions about the news coverage we follow, with quotes and links to the articles."
PROMPT_CACHE_SECONDS = 300
TITLE_LIMIT = 70


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class SuggestedPrompts:
    """Prompts built from the newest headlines in the store, cached for a few minutes."""

    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps
        self.cached: list[dict[str, str]] = []
        self.at = 0.0

    def __call__(self) -> list[dict[str, str]]:
        if self.cached and time.monotonic() - self.at < PROMPT_CACHE_SECONDS:
            return self.cached
        prompts: list[dict[str, str]] = []
        for summary in self.deps.desk.sources()[:3]:
            headline = summary.ref.title
            prompts.append(
                {
                    "title": _short(headline, TITLE_LIMIT),
                    "message": f"What does the coverage say about “{_short(headline, 200)}”?",
                }
            )
        prompts.append(
            {"title": "What's in the archive?", "message": "Which stories does the coverage include most recently?"}
        )
        self.cached, self.at = prompts[:4], time.monotonic()
        return self.cached


def register(app: App, deps: SlackDeps) -> None:
    assistant = Assistant()
    suggestions = SuggestedPrompts(deps)

    @assistant.thread_started
    def started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        say(GREETING)
        try:
            set_suggested_prompts(prompts=suggestions(), title="Try asking")
        except Exception:
            log.warning("could not set suggested prompts", exc_info=True)

    @assistant.user_message
    def user_message(
        payload: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        set_status: SetStatus,
        set_title: SetTitle,
    ) -> None:
        if from_a_bot(payload) or payload.get("subtype") not in QUESTION_SUBTYPES or not first_delivery(deps, body):
            return
        question = question_from_message(payload.get("text", ""))
        if question:
            try:
                set_title(_short(question, TITLE_LIMIT))
            except Exception:
                log.debug("could not set the thread title", exc_info=True)
        answer_message(
            deps,
            client,
            message=payload,
            body=body,
            question=question,
            thread_ts=payload["thread_ts"],
            bot_user_id=context.bot_user_id,
            set_status=set_status,
        )

    app.assistant(assistant)
