"""Filters typed into a question (`since:`, `until:`, `source:`): read, taken out, and refused in one line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.question_filters import FilterError, read_filters, with_flags
from bot.retrieve import Filters
from tests.conftest import CHURKIN_QUOTE, SEED_DIR

SOURCES = ["ABC News", "BBC", "The Guardian"]


def test_filters_anywhere_are_taken_out_of_the_question() -> None:
    typed = read_filters('What did Churkin say since:2012-05-01 about sanctions? source:"ABC News" until:2012-06-30')
    assert typed.question == "What did Churkin say about sanctions?"
    assert typed.filters == Filters(since=date(2012, 5, 1), until=date(2012, 6, 30), source="ABC News")


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("q since:2012-05 until:2012-06", date(2012, 5, 1), date(2012, 6, 30)),
        ("q since:2012 until:2012", date(2012, 1, 1), date(2012, 12, 31)),
        ("q since:2012-02 until:2012-02", date(2012, 2, 1), date(2012, 2, 29)),  # a leap year's February
        ("q SINCE:2012-05-01. until:2012-05-31?", date(2012, 5, 1), date(2012, 5, 31)),
    ],
)
def test_a_month_or_year_means_its_first_or_last_day(text: str, since: date, until: date) -> None:
    typed = read_filters(text)
    assert (typed.filters.since, typed.filters.until, typed.question) == (since, until, "q")


@pytest.mark.parametrize(
    "text", ['q source:"ABC News"', "q source:“ABC News”", "q source:”ABC News”", 'q source:“ABC News"']
)
def test_source_in_straight_or_slack_curly_quotes(text: str) -> None:
    typed = read_filters(text)
    assert (typed.question, typed.filters.source) == ("q", "ABC News")


def test_unquoted_source_is_one_word_without_known_sources() -> None:
    typed = read_filters("source:BBC What did Blair say?")
    assert (typed.question, typed.filters.source) == ("What did Blair say?", "BBC")


@pytest.mark.parametrize(
    ("text", "source", "question"),
    [
        ("source:abc news What did Churkin say?", "ABC News", "What did Churkin say?"),
        ('What did Churkin say? source:"abc NEWS"', "ABC News", "What did Churkin say?"),
        ("source:bbc news today?", "BBC", "news today?"),  # no source is called "BBC news"
        ("Who won source:the guardian", "The Guardian", "Who won"),
    ],
)
def test_source_matches_a_stored_name_ignoring_case(text: str, source: str, question: str) -> None:
    typed = read_filters(text, known_sources=lambda: SOURCES)
    assert (typed.filters.source, typed.question) == (source, question)


def test_known_sources_are_only_read_when_a_source_is_typed() -> None:
    def never() -> list[str]:
        raise AssertionError("read the sources for a question without source:")

    assert read_filters("What happened since:2012-05-01?", known_sources=never).question == "What happened"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q since:yesterdayish", "since: “yesterdayish” is not a date; use since:YYYY-MM-DD, YYYY-MM or YYYY"),
        ("q until:2012-13", "until: “2012-13” is not a date; use until:YYYY-MM-DD, YYYY-MM or YYYY"),
        ("q since:2012-02-30", "since: “2012-02-30” is not a date; use since:YYYY-MM-DD, YYYY-MM or YYYY"),
        ("q since:2012-06-01 until:2012-05-01", "until 2012-05-01 is before since 2012-06-01; swap them or drop one"),
        ("q since:2012 since:2013", "since: given twice; keep one, e.g. since:2012-05-01"),
        ('q source:"" x', 'source: no value; write it like source:"ABC News"'),
        ('q source:"ABC News', 'source: the closing quote is missing; write source:"ABC News"'),
        ("since:2012-05-01", "the question is empty once its filters are taken out; ask something after them"),
    ],
)
def test_a_bad_filter_is_one_line_naming_it_and_the_accepted_form(text: str, message: str) -> None:
    with pytest.raises(FilterError) as raised:
        read_filters(text)
    assert str(raised.value) == message


def test_an_unknown_source_lists_the_stored_ones() -> None:
    with pytest.raises(FilterError) as raised:
        read_filters("q source:Reuters", known_sources=lambda: SOURCES)
    assert str(raised.value) == (
        'source: no source called “Reuters” in the archive (sources: ABC News, BBC, The Guardian); write source:"Name"'
    )


def test_words_that_only_look_like_filters_stay_in_the_question() -> None:
    typed = read_filters("What was the source: of the leak? re:since:2012 mailto:x until:")
    assert typed.question == "What was the source: of the leak? re:since:2012 mailto:x until:"
    assert not typed.has_filters


def test_options_override_what_was_typed() -> None:
    typed = read_filters("q since:2012-05-01 source:BBC").filters
    merged = with_flags(typed, Filters(until=date(2012, 6, 1), source="ABC News"))
    assert merged == Filters(since=date(2012, 5, 1), until=date(2012, 6, 1), source="ABC News")


def test_cli_ask_reads_the_same_filters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SEED_DIR)]).exit_code == 0
    asked = runner.invoke(main, ["ask", "source:abc news since:2012-05 What did Churkin say about sanctions?"])
    assert asked.exit_code == 0, asked.output
    assert CHURKIN_QUOTE in asked.stdout and "(filters: since 2012-05-01, source ABC News)" in asked.stdout
    refused = runner.invoke(main, ["ask", "What did Churkin say? until:last-week"])
    assert refused.exit_code == 2
    assert refused.stderr == "error: until: “last-week” is not a date; use until:YYYY-MM-DD, YYYY-MM or YYYY\n"
