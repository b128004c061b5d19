"""The assistant panel (Slack's AI app surface): suggested prompts, a status while working, a thread title."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_sdk import WebClient

from bot.slack.answering import answer_message, question_from_message, small_talk_reply
from bot.slack.deps import SlackDeps
from bot.slack.listeners.filters import QUESTION_SUBTYPES, first_delivery
from bot.slack.threads import from_a_bot

log = logging.getLogger(__name__)

GREETING = "Hi! I answer questions about the news coverage we follow, with quotes and links to the articles."
PROMPT_CACHE_SECONDS = 300  # headlines change slowly: a new thread need not read the store each time
TITLE_LIMIT = 70  # a prompt's or thread's title: one line in the panel
# Prompts made from the newest headlines. Each is a question the archive answers: a prompt asking
# which stories the archive holds was answered "the coverage doesn't say", so there is none.
HEADLINE_PROMPTS = 4
QUOTED_HEADLINE_LIMIT = 200  # a headline quoted in a prompt's message
MAX_SUGGESTED_PROMPTS = 4  # assistant.threads.setSuggestedPrompts takes at most four
TITLED_THREADS = 5000


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
        for summary in self.deps.desk.sources()[:HEADLINE_PROMPTS]:
            headline = summary.ref.title
            prompts.append(
                {
                    "title": _short(headline, TITLE_LIMIT),
                    "message": f"What does the coverage say about “{_short(headline, QUOTED_HEADLINE_LIMIT)}”?",
                }
            )
        self.cached, self.at = prompts[:MAX_SUGGESTED_PROMPTS], time.monotonic()
        return self.cached


def register(app: App, deps: SlackDeps) -> None:
    assistant = Assistant()
    suggestions = SuggestedPrompts(deps)

    @assistant.thread_started
    def started(body: dict[str, Any], say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        if first_delivery(deps, body):  # a retried event would greet twice
            _greet(say, set_suggested_prompts, suggestions)

    assistant.user_message(_panel_listener(deps))
    app.assistant(assistant)


def _greet(say: Say, set_suggested_prompts: SetSuggestedPrompts, suggestions: SuggestedPrompts) -> None:
    """A new thread gets a greeting and prompts to try; without the prompts it still works."""
    say(GREETING)
    try:
        set_suggested_prompts(prompts=suggestions(), title="Try asking")
    except Exception:
        log.warning("could not set suggested prompts", exc_info=True)


def _panel_listener(deps: SlackDeps) -> Callable[..., None]:
    """The assistant's `user_message` listener (Bolt passes its arguments by these names)."""
    titled = TitledThreads()

    def user_message(
        payload: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        set_status: SetStatus,
        set_title: SetTitle,
    ) -> None:
        """Answer a message in an assistant thread, titling the thread after the question. The
        panel shows the status while searching, so there is no placeholder message."""
        if from_a_bot(payload) or payload.get("subtype") not in QUESTION_SUBTYPES or not first_delivery(deps, body):
            return
        question = question_from_message(payload.get("text", ""), context.bot_user_id)
        if not question and not payload.get("files"):
            reply = small_talk_reply(payload.get("text", ""))
            client.chat_postMessage(channel=payload["channel"], thread_ts=payload["thread_ts"], text=reply)
            return
        if question and titled.first(payload["channel"], payload["thread_ts"]):
            _set_title(set_title, question)
        answer_message(
            deps,
            client,
            message=payload,
            body=body,
            question=question,
            thread_ts=payload["thread_ts"],
            bot_user_id=context.bot_user_id,
            bot_id=context.bot_id,
            set_status=set_status,
        )

    return user_message


class TitledThreads:
    """The panel threads this process has titled, so a follow-up does not rename its thread. Kept in
    memory, the newest few thousand: after a restart (or on another replica) a follow-up may title
    a thread again, which costs only the title."""

    def __init__(self, limit: int = TITLED_THREADS) -> None:
        self.limit = limit
        self.seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def first(self, channel: str, thread_ts: str) -> bool:
        key = (channel, thread_ts)
        if key in self.seen:
            return False
        self.seen[key] = None
        if len(self.seen) > self.limit:
            self.seen.popitem(last=False)
        return True


def _set_title(set_title: SetTitle, question: str) -> None:
    """The thread's title in the panel's history is its first question; a failure costs only that."""
    try:
        set_title(_short(question, TITLE_LIMIT))
    except Exception:
        log.debug("could not set the thread title", exc_info=True)
