"""Time expressions in questions, read against a fixed as-of date (Wednesday 6 June 2012)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.timeframe import read_timeframe

AS_OF = date(2012, 6, 6)


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What did Churkin say about sanctions in May 2012?", date(2012, 5, 1), date(2012, 5, 31)),
        ("What did Churkin say about sanctions last week?", date(2012, 5, 28), date(2012, 6, 3)),
        ("What happened in Syria this week?", date(2012, 6, 4), date(2012, 6, 6)),
        ("What has Russia said this year?", date(2012, 1, 1), date(2012, 6, 6)),
        ("What happened yesterday in Houla?", date(2012, 6, 5), date(2012, 6, 5)),
        ("What did Putin say in the past two weeks?", date(2012, 5, 23), date(2012, 6, 6)),
        ("What did the UN say in March?", date(2012, 3, 1), date(2012, 3, 31)),
        ("What did the UN say in December?", date(2011, 12, 1), date(2011, 12, 31)),
        ("What has Assad said since 1 May 2012?", date(2012, 5, 1), None),
        ("What did Assad say before 2012?", None, date(2011, 12, 31)),
        ("Who won the election in 2004?", date(2004, 1, 1), date(2004, 12, 31)),
        ("What did Blair say today?", date(2012, 6, 6), date(2012, 6, 6)),
        ("What is happening in Syria today?", date(2012, 6, 6), date(2012, 6, 6)),
        ("What's new today?", date(2012, 6, 6), date(2012, 6, 6)),
    ],
)
def test_time_expressions_become_date_bounds(question: str, since: date | None, until: date | None) -> None:
    frame = read_timeframe(question, AS_OF)
    assert (frame.since, frame.until) == (since, until)
    assert frame.phrase and frame.phrase not in frame.question


def test_may_the_verb_is_not_a_month() -> None:
    frame = read_timeframe("Which bank may cut interest rates?", AS_OF)
    assert not frame.bounded


def test_latest_asks_for_the_newest_without_bounds() -> None:
    frame = read_timeframe("What is the latest on the Syria talks?", AS_OF)
    assert frame.latest and not frame.bounded


def test_a_question_without_time_is_unchanged() -> None:
    frame = read_timeframe("What did Churkin say about sanctions?", AS_OF)
    assert not frame.bounded and frame.question == "What did Churkin say about sanctions?"


@pytest.mark.parametrize(
    "question",
    [
        "According to Dick Morris, what is the biggest danger facing democracy today?",
        "Is the album still popular today?",
        "Which party does Britain's youth support today?",
    ],
)
def test_today_as_nowadays_is_not_a_date(question: str) -> None:
    assert not read_timeframe(question, AS_OF).bounded
