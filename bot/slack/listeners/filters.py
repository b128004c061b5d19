"""Which events deserve an answer: not from bots, not edits, not seen before; in a channel without a
mention, only messages that are questions."""

from __future__ import annotations

import re
from typing import Any

from bot.question_filters import FilterError, read_filters
from bot.slack.deps import SlackDeps

# A person's message: plain, with files attached (which are not read), or a thread reply also sent to the channel.
QUESTION_SUBTYPES = (None, "file_share", "thread_broadcast")
# First words that make a message a question even without its "?" ("What's new on Syria").
_QUESTION_WORDS = "who whom whose what when where why how which"
_AUXILIARIES = "did does do is are was were can could will would should has have had may might shall"
INTERROGATIVES = frozenset(f"{_QUESTION_WORDS} {_AUXILIARIES}".split())
_FIRST_WORD = re.compile(r"\w+")
_PERSON_OR_BROADCAST = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>|<!(?:here|channel|everyone|subteam\^)[^>]*>")
# Scripts written without spaces between words: a question there is one "word" long.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_QUESTION_MARKS = ("?", "？", "؟")


def first_delivery(deps: SlackDeps, body: dict[str, Any]) -> bool:
    """Slack retries an event it thinks we missed, with the same event_id: answer it once."""
    event_id = body.get("event_id") or f"{body.get('event', {}).get('channel')}:{body.get('event', {}).get('ts')}"
    return deps.shared.first_sight(str(event_id))


def is_question(question: str) -> bool:
    """A channel message the bot may answer unasked: it ends with "?" or starts with an interrogative
    ("who", "what's", "did", "is", …), once typed filters are taken out. One word ("why?") is
    chatter, not a question about the coverage."""
    try:
        words = read_filters(question).question.split()
    except FilterError:
        words = question.split()
    if len(words) < 2 and not (words and _UNSPACED.search(words[0])):
        return False
    if words[-1].endswith(_QUESTION_MARKS):
        return True
    first = _FIRST_WORD.match(words[0].casefold())
    return first is not None and first.group(0) in INTERROGATIVES


def addressed_to_people(text: str, bot_user_id: str | None) -> bool:
    """The raw message mentions a person other than the bot, or @here / @channel: it is a question
    to them, which the bot leaves alone."""
    return any(found.group(1) != bot_user_id for found in _PERSON_OR_BROADCAST.finditer(text or ""))
