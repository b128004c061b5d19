"""👍 / 👎 under an answer: stored with the question, answer and cited articles, acknowledged privately."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)


def register(app: App, deps: SlackDeps) -> None:
    @app.action(re.compile(r"^feedback_(up|down)$"))
    def on_feedback(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        vote = 1 if action["action_id"] == "feedback_up" else -1
        user = body.get("user", {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id", "")
        stored = deps.shared.record_vote(str(action.get("value", "")), user, channel, vote)
        text = (
            f"Thanks — your {'👍' if vote > 0 else '👎'} was recorded."
            if stored
            else "Sorry, that answer is too old to rate."
        )
        container, message = body.get("container") or {}, body.get("message") or {}
        thread_ts = container.get("thread_ts") or message.get("thread_ts")  # beside the answer clicked
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
        except Exception:
            # Not in the channel (an answer /newsdesk posted through response_url in a DM between two
            # people, or a channel the bot never joined): the click's own response_url still reaches the user.
            log.info("chat.postEphemeral failed for feedback from %s; answering through response_url", user)
            try:
                respond(text=text, response_type="ephemeral", replace_original=False)
            except Exception:
                log.warning("could not acknowledge feedback from %s", user, exc_info=True)
