"""Filters typed into a question: `since:2012-05-01`, `until:2012-06`, `source:"ABC News"`.

Slack has no form fields for a question, so the bounds travel in its text; this
module takes them out and turns them into `Filters`, for every surface that
reads a typed question (Slack mentions, DMs, the assistant, `/newsdesk`, and
`newsdesk ask`). Time written in words ("last week", "in May 2012") is not
read here: the core reads it from the question that is left.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date

from bot.errors import NewsdeskError
from bot.retrieve import Filters

DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"
# Words after an unquoted `source:` that may still belong to the name (`source:abc news` is ABC News).
SOURCE_WORDS = 3
SOURCES_NAMED = 6
_FILTER = re.compile(r"(?<!\S)(since|until|source):", re.IGNORECASE)
_QUOTES = ('"', "“", "”")
_QUOTED = re.compile(r"[\"“”]([^\"“”]*)[\"“”]")
_TRAILING = ",.;:?!)"
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class FilterError(NewsdeskError):
    """A typed filter that cannot be read; the message names it and shows the accepted form."""


@dataclass(frozen=True)
class TypedQuestion:
    """The question as asked once its filters are taken out, and those filters."""

    question: str
    filters: Filters

    @property
    def has_filters(self) -> bool:
        return bool(self.filters.describe())


def read_filters(text: str, known_sources: Callable[[], Collection[str]] | None = None) -> TypedQuestion:
    """Take `since:`, `until:` and `source:` out of `text`, wherever they are.

    With `known_sources` (called only when a source is typed), the source is matched to a stored
    name regardless of case (`source:abc news` → "ABC News") and an unknown one is an error that
    lists the names; without it the source is kept as typed. Raises `FilterError` for a bad value,
    a filter given twice, `until` before `since`, or a question that is only filters."""
    kept: list[str] = []
    values: dict[str, str] = {}
    source_at: int | None = None  # how many question words came before an unquoted source
    position = 0
    for found in _FILTER.finditer(text):
        if found.start() < position:
            continue  # inside a quoted source name
        rest = text[found.end() :]
        if not rest[:1].strip():
            continue  # "the source: a leak" is prose, not a filter
        name = found.group(1).lower()
        kept.append(text[position : found.start()])
        quoted = _QUOTED.match(rest)
        if quoted and name == "source":
            value, position = quoted.group(1), found.end() + quoted.end()
        elif rest[:1] in _QUOTES:
            raise FilterError(f'{name}: the closing quote is missing; write {name}:"ABC News"')
        else:
            word = rest.split(maxsplit=1)[0]
            position = found.end() + len(word)
            value = word.rstrip(_TRAILING)  # "…since:2012?" ends the sentence, not the date
            if name == "source":
                source_at = len("".join(kept).split())
        if not value.strip():
            raise FilterError(f"{name}: no value; write it like {_example(name)}")
        if name in values:
            raise FilterError(f"{name}: given twice; keep one, e.g. {_example(name)}")
        values[name] = " ".join(value.split())
    kept.append(text[position:])
    words = "".join(kept).split()
    since = _day(values["since"], "since", end=False) if "since" in values else None
    until = _day(values["until"], "until", end=True) if "until" in values else None
    if since and until and until < since:
        raise FilterError(f"until {until} is before since {since}; swap them or drop one")
    source = values.get("source")
    if source is not None and known_sources is not None:
        source, words = _match_source(source, words, source_at, known_sources())
    question = " ".join(words)
    if values and not question:
        raise FilterError("the question is empty once its filters are taken out; ask something after them")
    return TypedQuestion(question, Filters(since=since, until=until, source=source))


def with_flags(typed: Filters, flags: Filters) -> Filters:
    """Filters typed in the question, overridden by those given as options (`--since`, `--source`)."""
    return replace(
        typed,
        since=flags.since or typed.since,
        until=flags.until or typed.until,
        source=flags.source or typed.source,
    )


def _example(name: str) -> str:
    return 'source:"ABC News"' if name == "source" else f"{name}:2012-05-01"


def _day(value: str, name: str, *, end: bool) -> date:
    """A day, month or year; `since` takes the first day of a month or year, `until` the last."""
    found = _DATE.fullmatch(value)
    try:
        if found is None:
            raise ValueError(value)
        year, month, day = int(found.group(1)), found.group(2), found.group(3)
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, int(month))[1]
            return date(year, int(month), last if end else 1)
        return date(year, int(month), int(day))
    except ValueError:  # calendar.IllegalMonthError is one too
        raise FilterError(f"{name}: “{value}” is not a date; use {name}:{DATE_FORMS}") from None


def _match_source(typed: str, words: list[str], source_at: int | None, known: Collection[str]) -> tuple[str, list[str]]:
    """The stored source name `typed` means, ignoring case. An unquoted name may run on into the
    words after it (`source:abc news What…`): the longest run that names a source is taken, and
    those words leave the question."""
    names = {name.casefold(): name for name in known if name}
    if source_at is not None:
        for extra in range(min(SOURCE_WORDS, len(words) - source_at), 0, -1):
            candidate = " ".join([typed, *words[source_at : source_at + extra]]).casefold()
            if candidate in names:
                return names[candidate], words[:source_at] + words[source_at + extra :]
    return resolve_source(typed, known), words


def resolve_source(typed: str, known: Collection[str], fix: str = 'write source:"Name"') -> str:
    """The stored source name `typed` means, ignoring case (`abc news` → "ABC News"). Raises
    `FilterError` naming the stored sources and ending with `fix`, what to type instead."""
    names = {name.casefold(): name for name in known if name}
    if typed.casefold() in names:
        return names[typed.casefold()]
    listed = ", ".join(sorted(names.values(), key=str.casefold)[:SOURCES_NAMED]) or "none yet"
    more = ", …" if len(names) > SOURCES_NAMED else ""
    raise FilterError(f"source: no source called “{typed}” in the archive (sources: {listed}{more}); {fix}")
