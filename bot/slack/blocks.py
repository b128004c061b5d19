"""Answer → Block Kit, within Slack's limits, with nothing that can ping anyone.

Every string that came from an article or a user is escaped (& < >), which
also defuses <!channel>, <!here>, <@U…> and <!subteam^…>; bare @channel /
@here / @everyone get a word joiner after the @ so Slack cannot read them as
broadcasts even if a client parses plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.answer.citations import display_date, marker
from bot.models import Answer, ArticleRef, Citation

# Slack's own limits: a section's text holds 3,000 characters and a message 50 blocks; chat.update
# refuses `text` over 4,000 characters (msg_too_long), so the fallback text stays under it.
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
FALLBACK_TEXT_LIMIT = 3900
MAX_SOURCES = 10  # sources listed under an answer; more are counted, not listed, to keep it readable
_BROADCAST = re.compile(r"@(?=(channel|here|everyone)\b)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@" + WORD_JOINER, text)


def source_list(names: Sequence[str]) -> str:
    """Source names as a sentence says them: `BBC Sport`, `BBC Sport and ABC News`, `A, B and C`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def draft_markdown(text: str) -> str:
    """The model's unchecked words as streamed markdown (chat.appendStream): no `<` can open a
    mention or <!channel>, and @here / @channel / @everyone cannot broadcast."""
    return _BROADCAST.sub("@" + WORD_JOINER, text.replace("<", "‹"))


def _link_label(text: str) -> str:
    return escape(text).replace("|", "¦")


def answer_mrkdwn(text: str) -> str:
    """The answer's own "> " quote lines stay block quotes; everything else is escaped."""
    lines = []
    for line in text.split("\n"):
        if line.startswith("> "):
            lines.append("> " + escape(line[2:]))
        else:
            lines.append(escape(line))
    return "\n".join(lines)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` chars, cut at line, then sentence, then word boundaries."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n"), window.rfind(". ") + 1, 0)
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def source_mrkdwn(article: ArticleRef, n: int | None = None) -> str:
    # Slack ends a link's URL at its first "|": one inside the URL is written percent-encoded.
    url = escape(article.url.replace("|", "%7C"))
    headline = f"<{url}|{_link_label(article.title)}>" if article.url else f"*{escape(article.title)}*"
    details = [escape(part) for part in (article.source, article.published) if part]
    prefix = f"{marker(n)} " if n is not None else ""
    return prefix + " · ".join([headline, *details])


def source_lines(citations: list[Citation]) -> list[str]:
    lines = [source_mrkdwn(c.article, c.n) for c in citations[:MAX_SOURCES]]
    if len(citations) > MAX_SOURCES:
        lines.append(f"…and {len(citations) - MAX_SOURCES} more")
    return lines


def feedback_actions(answer_id: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "newsdesk_feedback",
        "elements": [
            {
                "type": "button",
                "action_id": "feedback_up",
                "text": {"type": "plain_text", "text": "👍", "emoji": True},
                "value": answer_id,
            },
            {
                "type": "button",
                "action_id": "feedback_down",
                "text": {"type": "plain_text", "text": "👎", "emoji": True},
                "value": answer_id,
            },
        ],
    }


def answer_blocks(
    answer: Answer,
    answer_id: str | None = None,
    notes: Sequence[str] = (),
    lead: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """`notes`: plain-text context lines about how the question was read (e.g. attachments not read).
    `lead`: blocks shown above the answer (the slash command's question), inside the same 50-block cap."""
    blocks = [*lead, *plain_blocks(answer_mrkdwn(answer.text))]
    if not answer.found and answer.closest:
        closest = "\n".join(f"• {source_mrkdwn(ref)}" for ref in answer.closest)
        blocks.append(context_block(f"Closest articles:\n{closest}"))
    if answer.notice:
        blocks.append(context_block(f":warning: {escape(answer.notice)}"))
    blocks.extend(context_block(f":information_source: {escape(note)}") for note in notes)
    if answer.filters:
        blocks.append(context_block(f":mag: {escape(filters_line(answer.filters))}"))
    if answer.citations:
        blocks.append({"type": "divider"})
        blocks.append(context_block("*Sources*"))
        blocks.extend(plain_blocks("\n".join(source_lines(answer.citations))))
    tail = [feedback_actions(answer_id)] if answer_id else []
    room = MAX_BLOCKS - len(tail)
    if len(blocks) > room:
        blocks = [*blocks[: room - 1], context_block("(answer shortened to fit Slack)")]
    return blocks + tail


def filters_line(filters: dict[str, str]) -> str:
    """The bounds the answer was searched within, typed or read from the question's words, so a
    reader knows why an article they expected is missing: "Filters: since 1 May 2012 · source BBC".
    `sources` is the channel's setting (`/newsdesk config sources`), not something the asker typed."""
    shown = [f"{name} {display_date(filters[name])}" for name in ("since", "until") if filters.get(name)]
    if filters.get("source"):
        shown.append(f"source {filters['source']}")
    if filters.get("sources"):
        shown.append(f"this channel's sources ({filters['sources']})")
    return "Filters: " + " · ".join(shown)


def answer_fallback_text(answer: Answer) -> str:
    """The notification / screen-reader text; also what thread history reads back."""
    text = escape(answer.text)
    return text if len(text) <= FALLBACK_TEXT_LIMIT else text[: FALLBACK_TEXT_LIMIT - 1] + "…"


def context_block(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:SECTION_LIMIT]}]}


def plain_blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in split_text(text)]
