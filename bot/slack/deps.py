"""`SlackDeps`: what every Slack listener is handed — the settings, the core, the shared state —
and what the process learns about the workspace as it runs (may it stream? which sources exist?).

Its own module because the app factory, the listeners' filters and answering all need it, and
none of them should have to import another just to reach it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.core import Newsdesk
from bot.question_filters import FilterError, TypedQuestion, read_filters
from bot.slack.blocks import source_list
from bot.state import ChannelSettings, SharedState

log = logging.getLogger(__name__)

# chat.startStream errors that say nothing about whether this app may stream: retried next answer.
TRANSIENT_STREAM_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class StreamingSupport:
    """Whether Slack lets this app stream messages (chat.startStream). Learnt from the first refusal
    (`not_allowed`, `missing_scope`, `unknown_method`, …) and kept for the life of the process, so
    later answers go straight to editing their message instead of being refused every time."""

    def __init__(self) -> None:
        self.available = True
        self._lock = threading.Lock()

    def refused(self, exc: Exception) -> None:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) and exc.response is not None else None
        if not error or error in TRANSIENT_STREAM_ERRORS:
            log.info("chat.startStream failed (%s); this answer streams by editing its message", error or exc)
            return
        with self._lock:
            if self.available:
                self.available = False
                log.warning(
                    "Slack refused chat.startStream (%s); answers stream by editing their message from now on", error
                )


class SourceNames:
    """The source names stored in the archive, for matching `source:abc news` to "ABC News"
    (retrieval compares names exactly). Read again only when the store's generation changes."""

    def __init__(self, desk: Newsdesk) -> None:
        self.desk = desk
        self.generation: str | None = None
        self.names: list[str] = []
        self._lock = threading.Lock()

    def __call__(self) -> list[str]:
        generation = self.desk.store.generation()
        with self._lock:
            if generation != self.generation:
                self.names = sorted({summary.ref.source for summary in self.desk.sources() if summary.ref.source})
                self.generation = generation
            return self.names


@dataclass
class SlackDeps:
    """Built once by `create_app` and handed to every `register(app, deps)` rather than kept in
    module globals, so each test can build a fresh app around its own fakes."""

    settings: Settings
    desk: Newsdesk
    shared: SharedState  # event claims, answer log, votes, channel settings (shared by replicas)
    streaming: StreamingSupport = field(default_factory=StreamingSupport)
    source_names: SourceNames = field(init=False)

    def __post_init__(self) -> None:
        self.source_names = SourceNames(self.desk)

    def read_question(self, question: str, channel: ChannelSettings | None = None) -> TypedQuestion:
        """The question without its typed filters, and those filters bounded by the channel's
        sources (raises `FilterError`, also for a typed source the channel does not draw on)."""
        typed = read_filters(question, known_sources=self.source_names)
        return typed if channel is None else within_channel(typed, channel)

    def channel_settings(self, channel_id: str) -> ChannelSettings:
        """The channel's settings; a DM (the assistant panel is one too) has none: the defaults."""
        if not channel_id or channel_id.startswith("D"):
            return ChannelSettings(channel_id)
        return self.shared.get_channel_settings(channel_id)


def within_channel(typed: TypedQuestion, channel: ChannelSettings) -> TypedQuestion:
    """The question's filters limited to the channel's sources. A typed `source:` must be one of
    them: a sports desk asking for another source gets a one-line refusal, not a silent widening."""
    if not channel.sources:
        return typed
    source = typed.filters.source
    if source is not None and source.casefold() not in {name.casefold() for name in channel.sources}:
        raise FilterError(
            f"source: this channel draws only on {source_list(channel.sources)}; name one of them or leave source: out"
        )
    return replace(typed, filters=replace(typed.filters, sources=tuple(channel.sources)))
