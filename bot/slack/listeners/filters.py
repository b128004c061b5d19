"""Which events deserve an answer: not from bots, not edits, not seen before."""

from __future__ import annotations

from typing import Any

from bot.slack.answering import SlackDeps

QUESTION_SUBTYPES = (None, "file_share")  # a plain message, or one with files attached (which are not read)


def from_a_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id")) or event.get("subtype") == "bot_message" or bool(event.get("bot_profile"))


def first_delivery(deps: SlackDeps, body: dict[str, Any]) -> bool:
    """Slack retries an event it thinks we missed, with the same event_id: answer it once."""
    event_id = body.get("event_id") or f"{body.get('event', {}).get('channel')}:{body.get('event', {}).get('ts')}"
    return deps.feedback.first_sight(str(event_id))
