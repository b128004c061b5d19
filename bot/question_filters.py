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
# Stored source names listed in an unknown-source error: enough to show the spelling, one Slack line.
SOURCES_NAMED = 6
_FILTER = re.compile(r"(?<!\S)(since|until|source):", re.IGNORECASE)
_QUOTES = ('"', "“", "”", "‘")
_QUOTED = re.compile(r"[\"“”]([^\"“”]*)[\"“”]|‘([^’]*)’")  # ‘…’ too, as phones type it
_TRAILING = ",.;:?!)"
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))  # 2012‑05 as some keyboards type it
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
    scanned = _scan(text)
    since, until = _date_bounds(scanned.values)
    source, words = scanned.values.get("source"), scanned.words
    if source is not None and known_sources is not None:
        source, words = _match_source(source, words, scanned.source_at, known_sources())
    question = " ".join(words)
    if scanned.values and not question:
        raise FilterError("the question is empty once its filters are taken out; ask something after them")
    return TypedQuestion(question, Filters(since=since, until=until, source=source))


@dataclass(frozen=True)
class _Scanned:
    """A question's text read once for filters: the words left around them, each filter's value
    (spaces normalised), and how many of those words came before an unquoted source name, which
    may yet claim the words after it (`source:abc news`)."""

    words: list[str]
    values: dict[str, str]
    source_at: int | None


@dataclass(frozen=True)
class _Value:
    """A filter's value as typed and how many characters after the colon it took. Only a quoted
    value is certain to end where it ends: an unquoted source name may run on."""

    text: str
    length: int
    quoted: bool


def _scan(text: str) -> _Scanned:
    """Filters are found anywhere in the text, but only as `name:value` with the value right after
    the colon: "the source: a leak" is prose, and a filter word inside a quoted name is the name."""
    kept: list[str] = []
    values: dict[str, str] = {}
    source_at: int | None = None
    position = 0
    for found in _FILTER.finditer(text):
        rest = text[found.end() :]
        if found.start() < position or not rest[:1].strip():
            continue
        name = found.group(1).lower()
        kept.append(text[position : found.start()])
        value = _read_value(name, rest)
        position = found.end() + value.length
        if name == "source" and not value.quoted:
            source_at = len("".join(kept).split())
        _keep_value(values, name, value.text)
    kept.append(text[position:])
    return _Scanned("".join(kept).split(), values, source_at)


def _read_value(name: str, rest: str) -> _Value:
    """The value at the start of `rest`. Only a source name may be quoted (it can hold spaces); other
    values are one word, without the punctuation that ends a sentence ("…since:2012?")."""
    quoted = _QUOTED.match(rest)
    if quoted and name == "source":
        return _Value(quoted.group(1) if quoted.group(1) is not None else quoted.group(2), quoted.end(), quoted=True)
    if rest[:1] in _QUOTES:
        raise FilterError(f'{name}: the closing quote is missing; write {name}:"ABC News"')
    word = rest.split(maxsplit=1)[0]
    return _Value(word.rstrip(_TRAILING), len(word), quoted=False)


def _keep_value(values: dict[str, str], name: str, value: str) -> None:
    """Records one filter's value; an empty one, or a second one for the same filter, is an error
    rather than a guess at which the user meant."""
    if not value.strip():
        raise FilterError(f"{name}: no value; write it like {_example(name)}")
    if name in values:
        raise FilterError(f"{name}: given twice; keep one, e.g. {_example(name)}")
    values[name] = " ".join(value.split())


def _date_bounds(values: dict[str, str]) -> tuple[date | None, date | None]:
    """`since` and `until` as days; bounds that cross are an error, not an empty result."""
    since = _day(values["since"], "since", end=False) if "since" in values else None
    until = _day(values["until"], "until", end=True) if "until" in values else None
    if since and until and until < since:
        raise FilterError(f"until {until} is before since {since}; swap them or drop one")
    return since, until


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
    found = _DATE.fullmatch(value.translate(_DASHES))
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
