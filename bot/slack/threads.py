"""Reading a Slack thread: its messages before the one being answered, and which of them are this bot's.

`conversations.replies` returns a thread oldest first, one page at a time. The turns that matter to a
follow-up are the newest ones, so a thread longer than a page is read page by page up to the message
being answered, not cut at its first page (which in a long thread holds only its oldest turns). Past
MAX_PAGES the rest is not read: Slack offers no newest-first order for replies, and a thread of
thousands of messages is no conversation with the bot.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

log = logging.getLogger(__name__)

PAGE_MESSAGES = 200  # conversations.replies' own ceiling per call is 1,000; Slack advises pages of 200 or fewer
# A thread is read for at most this many pages (2,000 messages): the turns past that are too old to
# matter, and each page is one tier-3 call.
MAX_PAGES = 10
SLACKBOT_USER = "USLACKBOT"  # reminders and auto-responses: Slack's own bot, without a bot_id


def messages_before(
    client: WebClient, channel: str, thread_ts: str, before_ts: str | None = None
) -> list[dict[str, Any]]:
    """The thread's messages, its root first, up to (not including) `before_ts`; all of them when it is
    None. Raises what the Web API raises: a caller decides whether a thread it cannot read matters."""
    messages: list[dict[str, Any]] = []
    seen: set[Any] = set()
    cursor: str | None = None
    for _page in range(MAX_PAGES):
        arguments: dict[str, Any] = {"channel": channel, "ts": thread_ts, "limit": PAGE_MESSAGES}
        if cursor:
            arguments["cursor"] = cursor
        page = client.conversations_replies(**arguments)
        found: list[dict[str, Any]] = page.get("messages", []) or []
        for message in found:
            if before_ts is not None and _seconds(message.get("ts")) >= _seconds(before_ts):
                return messages
            if message.get("ts") not in seen:  # in case a later page repeats the thread's root
                seen.add(message.get("ts"))
                messages.append(message)
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return messages
    log.info(
        "thread %s in %s is longer than %d pages; read its first %d messages",
        thread_ts,
        channel,
        MAX_PAGES,
        len(messages),
    )
    return messages


def from_a_bot(message: dict[str, Any]) -> bool:
    """Any bot's message, this app's own included: never a question to answer."""
    return (
        bool(message.get("bot_id"))
        or message.get("subtype") == "bot_message"
        or bool(message.get("bot_profile"))
        or message.get("user") == SLACKBOT_USER
    )


def by_this_bot(message: dict[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    """A message this app posted. Another bot's message in the thread (a GIF, a reminder, an RSS
    app) is nobody's answer; without our ids (no auth.test yet) any bot's message is taken for ours."""
    if bot_user_id is None and bot_id is None:
        return bool(message.get("bot_id"))
    return (bot_user_id is not None and message.get("user") == bot_user_id) or (
        bot_id is not None and message.get("bot_id") == bot_id
    )


def from_another_bot(message: dict[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    return from_a_bot(message) and not by_this_bot(message, bot_user_id, bot_id)


def _seconds(ts: Any) -> float:
    """A Slack ts ("1700000000.000100") as a number, for ordering; a malformed one sorts first."""
    try:
        return float(ts or 0)
    except (TypeError, ValueError):
        return 0.0
