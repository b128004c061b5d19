"""`/newsdesk config`: a channel's settings, read by anyone, changed by admins.

The words after `config` are parsed here into a `ConfigChange` (or None: show
the settings), and settings are rendered here as the ephemeral reply, so the
command listener only routes. Storing is `bot.state.channels`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.errors import NewsdeskError
from bot.question_filters import resolve_source
from bot.slack.blocks import escape, source_list
from bot.state import ChannelSettings

USAGE = (
    "Usage: `/newsdesk config` shows this channel's settings; admins change them with "
    '`/newsdesk config sources "BBC Sport" "ABC News"` (or `sources all`), '
    "`/newsdesk config answer-without-mention on|off` or `/newsdesk config private on|off`."
)
NOT_A_CHANNEL = "Settings belong to channels: run `/newsdesk config` in the channel you want to set up."
SOURCES_FIX = 'quote each name, e.g. `/newsdesk config sources "BBC Sport" "ABC News"`'
SWITCHES = ("answer-without-mention", "private")
_QUOTED = re.compile(r"[\"“”]([^\"“”]*)[\"“”]")
_QUOTES = '"“”'


class ConfigUsageError(NewsdeskError):
    """`/newsdesk config …` that cannot be read; the message is the one-line usage reply."""


@dataclass(frozen=True)
class ConfigChange:
    """What an admin asked to change (None = leave as is). `sources` holds the names as typed, not
    yet matched to the archive; an empty list means every source."""

    sources: list[str] | None = None
    answer_without_mention: bool | None = None
    private_answers: bool | None = None


def parse_change(rest: str) -> ConfigChange | None:
    """The words after `config` → the change asked for, or None (nothing: show the settings).
    Raises `ConfigUsageError` for an unknown setting or a bad value."""
    setting, _, value = rest.strip().partition(" ")
    setting, value = setting.lower(), value.strip()
    if not setting:
        return None
    if setting == "sources":
        return ConfigChange(sources=_source_names(value))
    if setting in SWITCHES:
        if value.lower() not in ("on", "off"):
            raise ConfigUsageError(f"`{setting}` takes on or off, e.g. `/newsdesk config {setting} on`. {USAGE}")
        on = value.lower() == "on"
        if setting == "private":
            return ConfigChange(private_answers=on)
        return ConfigChange(answer_without_mention=on)
    raise ConfigUsageError(f"There is no setting called “{escape(setting)}”. {USAGE}")


def _source_names(value: str) -> list[str]:
    """`"BBC Sport" "ABC News"`, `BBC Sport, ABC News` or one bare name; `all` is every source."""
    if not value:
        raise ConfigUsageError(f'Name the sources, e.g. `/newsdesk config sources "BBC Sport" "ABC News"`. {USAGE}')
    if value.lower() == "all":
        return []
    if any(quote in value for quote in _QUOTES):
        names = _QUOTED.findall(value)
        outside = _QUOTED.sub(" ", value).replace(",", " ").strip()
        if outside or any(quote in _QUOTED.sub("", value) for quote in _QUOTES):
            raise ConfigUsageError(f"Quote every source name (a quote is unclosed or a name is bare). {USAGE}")
    else:
        names = value.split(",")
    cleaned = [" ".join(name.split()) for name in names if name.strip()]
    if not cleaned:
        raise ConfigUsageError(f"Name the sources. {USAGE}")
    return cleaned


def resolve_sources(typed: Iterable[str], known: Collection[str]) -> list[str]:
    """The archive's own names for the sources typed (any case), each once, in the order given.
    Raises `FilterError` naming the stored sources when one is not in the archive."""
    return list(dict.fromkeys(resolve_source(name, known, SOURCES_FIX) for name in typed))


def settings_text(settings: ChannelSettings, admins: Collection[str], *, changed: bool = False) -> str:
    """The channel's settings as the ephemeral reply shows them, with who may change them."""
    sources = f"only {escape(source_list(settings.sources))}" if settings.sources else "every source in the archive"
    lines = [
        "*Newsdesk settings for this channel*" + (" (updated)" if changed else ""),
        f"• Sources: {sources}",
        f"• Answers questions asked without a mention: {'on' if settings.answer_without_mention else 'off'}",
        f"• Answers only the asker sees: {'on' if settings.private_answers else 'off'}",
    ]
    if settings.updated_at is not None and settings.updated_by:
        when = datetime.fromtimestamp(settings.updated_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines.append(f"_Last changed by <@{settings.updated_by}> on {when}._")
    else:
        lines.append("_The defaults: no admin has changed them._")
    lines.append(f"{who_can_change(admins)} change them with `/newsdesk config …` (see `/newsdesk help`).")
    return "\n".join(lines)


def who_can_change(admins: Collection[str]) -> str:
    """Who may change settings, as `Admins (<@U1>, <@U2>)`: Slack shows each id as the person's name."""
    if not admins:
        return "Admins (none are set: NEWSDESK_ADMINS is empty)"
    return f"Admins ({_mentions(admins)})"


def refusal(admins: Collection[str]) -> str:
    """The one line a non-admin gets for trying to change a setting."""
    if not admins:
        return "Sorry, only Newsdesk admins can change this channel's settings, and none are set (NEWSDESK_ADMINS)."
    return f"Sorry, only Newsdesk admins can change this channel's settings; ask {_mentions(admins)}."


def _mentions(admins: Collection[str]) -> str:
    return ", ".join(f"<@{admin}>" for admin in sorted(admins))
