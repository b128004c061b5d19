"""Time in questions: "in May 2012", "last week", "this year", "the latest on …" → date filters.

News questions carry time, and an archive bot that ignores it answers "this
week" with last month's story. Expressions are read relative to an *as-of*
date (today unless the caller says otherwise), turned into the same since/until
bounds as `--since/--until`, and cut out of the question so they don't count as
topic words. Dates themselves are parsed by dateparser; this module only finds
the phrases and gives each its span of days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_MONTH_ABBR = "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "few": 3, "several": 5}

_RELATIVE = re.compile(
    r"\b(?P<which>this|last|past|previous)\s+(?P<unit>week|month|year)\b"
    r"|\b(?:in\s+)?the\s+(?:past|last)\s+(?P<n>\d+|one|two|three|four|five|six|few|several)\s+"
    r"(?P<units>days|weeks|months|years)\b"
    r"|\b(?P<day>today|yesterday)\b",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(
    rf"\b(?:(?P<prep>in|during|since|before|after|until|by)\s+)?(?:(?P<dom>\d{{1,2}})\s+)?"
    rf"(?P<month>{_MONTHS}|(?:{_MONTH_ABBR})\.?)(?:\s+(?P<dom2>\d{{1,2}})(?:st|nd|rd|th)?,?)?"
    rf"(?:\s+(?P<year>(?:19|20)\d\d))?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:(?P<prep>in|during|since|before|after|until|by)\s+)?(?P<year>(?:19|20)\d\d)\b", re.I)
# Words that make "today" a date rather than "nowadays" (see `_nowadays`).
_EVENT_WORDS = frozenset(
    {
        "did",
        "was",
        "were",
        "has",
        "have",
        "had",
        "said",
        "says",
        "announced",
        "happened",
        "happening",
        "new",
        "news",
        "latest",
        "headlines",
        "going",
        "breaking",
    }
)
_STATE_VERBS = frozenset({"is", "are", "does", "do", "remain", "remains"})
_LATEST = re.compile(r"\b(latest|most recent|newest|recently|lately)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TimeFrame:
    """What a question says about time: bounds, whether it wants the newest, the phrase found."""

    since: date | None = None
    until: date | None = None
    latest: bool = False
    phrase: str = ""
    question: str = ""  # the question with the time phrase cut out

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _parse_month(name: str) -> int:
    import dateparser

    parsed = dateparser.parse(f"1 {name.rstrip('.')} 2000", languages=["en"])
    if parsed is None:
        raise ValueError(name)
    return int(parsed.month)


def _relative(match: re.Match[str], as_of: date) -> tuple[date, date]:
    if match.group("day"):
        day = as_of if match.group("day").lower() == "today" else as_of - timedelta(days=1)
        return day, day
    if match.group("units"):
        raw = match.group("n").lower()
        count = int(raw) if raw.isdigit() else _NUMBERS[raw]
        span = _UNITS[match.group("units").lower().rstrip("s")] * count
        return as_of - timedelta(days=span), as_of
    which, unit = match.group("which").lower(), match.group("unit").lower()
    if unit == "week":
        monday = as_of - timedelta(days=as_of.weekday())
        if which == "this":
            return monday, as_of
        if which == "last" or which == "previous":
            return monday - timedelta(days=7), monday - timedelta(days=1)
        return as_of - timedelta(days=7), as_of
    if unit == "month":
        if which == "this":
            return as_of.replace(day=1), as_of
        if which in ("last", "previous"):
            end = as_of.replace(day=1) - timedelta(days=1)
            return end.replace(day=1), end
        return as_of - timedelta(days=30), as_of
    if which == "this":
        return date(as_of.year, 1, 1), as_of
    if which in ("last", "previous"):
        return date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31)
    return as_of - timedelta(days=365), as_of


def _bounded(prep: str | None, first: date, last: date) -> tuple[date | None, date | None]:
    prep = (prep or "in").lower()
    if prep in ("since", "after"):
        return (first if prep == "since" else last + timedelta(days=1)), None
    if prep in ("before",):
        return None, first - timedelta(days=1)
    if prep in ("until", "by"):
        return None, last
    return first, last


def read_timeframe(question: str, as_of: date) -> TimeFrame:
    """The first time expression in `question`, read against `as_of`."""
    latest = bool(_LATEST.search(question))
    since: date | None
    until: date | None
    for found in _RELATIVE.finditer(question):
        if found.group("day") and _nowadays(question):
            continue
        since, until = _relative(found, as_of)
        return _frame(question, found, since, until, latest)
    for found in _MONTH_YEAR.finditer(question):
        month_name = found.group("month")
        if month_name.lower() == "may" and not (found.group("year") or found.group("prep") or found.group("dom")):
            continue  # "may" the verb
        if month_name.lower().rstrip(".") in ("mar", "jun", "sep", "oct", "dec", "jan") and not found.group("year"):
            continue  # too ambiguous without a year
        month = _parse_month(month_name)
        year = int(found.group("year")) if found.group("year") else _latest_year_of(month, as_of)
        day_text = found.group("dom") or found.group("dom2")
        if day_text and 1 <= int(day_text) <= calendar.monthrange(year, month)[1]:
            first = last = date(year, month, int(day_text))
        else:
            first, last = _month_span(year, month)
        since, until = _bounded(found.group("prep"), first, last)
        return _frame(question, found, since, until, latest)
    year_found = _YEAR.search(question)
    if year_found:
        year = int(year_found.group("year"))
        since, until = _bounded(year_found.group("prep"), date(year, 1, 1), date(year, 12, 31))
        return _frame(question, year_found, since, until, latest)
    return TimeFrame(latest=latest, question=question)


def _nowadays(question: str) -> bool:
    """ "today" as "nowadays", not as a date: "the biggest danger facing democracy today", "is the
    album still popular today". A question in the present simple (is, are, does) asks about a state of
    things; one about an event ("what did Blair say today", "what is happening today", "what's new
    today") keeps the date."""
    words = re.findall(r"[a-z’']+", question.lower())
    if _EVENT_WORDS.intersection(words):
        return False
    states = [n for n, word in enumerate(words) if word in _STATE_VERBS or (n < 2 and word.endswith(("'s", "’s")))]
    # "what is happening today": the progressive is an event
    return bool(states) and not any(n + 1 < len(words) and words[n + 1].endswith("ing") for n in states)


def _latest_year_of(month: int, as_of: date) -> int:
    """ "In March" means the last March up to the as-of date."""
    return as_of.year if month <= as_of.month else as_of.year - 1


def _frame(question: str, found: re.Match[str], since: date | None, until: date | None, latest: bool) -> TimeFrame:
    rest = " ".join((question[: found.start()] + " " + question[found.end() :]).split())
    rest = re.sub(r"\s+([?.!,])", r"\1", rest)
    return TimeFrame(since, until, latest, found.group(0).strip(), rest)
