"""An undated article (the BBC set has no dates) answers a question whose time was read from its
words, since no date rules it out; but not a year typed in the question that is later than every
year the article names: a story naming 1993 was written before "the 2006 Academy Awards"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from tests.conftest import desk_with_articles

OSCARS = """---
title: Million Dollar Baby wins best picture
source: Example Wire
---
Million Dollar Baby won best picture at the Academy Awards in Hollywood on Sunday night, beating The Aviator.

Clint Eastwood also won best director for the boxing drama, his first since Unforgiven in 1993.
"""

TOURISM = """---
title: London tourism reaches a record
source: Example Wire
---
Visitor numbers to London reached a record 15 million in 2004, the tourist board said on Monday.

Hotels in the capital reported their busiest summer for a decade.
"""

SPRINT = """---
title: Gatlin takes the 100m title
source: Example Wire
---
Justin Gatlin won the Olympic 100m final in Athens, beating Francis Obikwelu by a hundredth of a second.
"""

AS_OF = date(2026, 11, 28)


@pytest.fixture()
def desk(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    return desk_with_articles(tmp_path, embedder, {"oscars.md": OSCARS, "tourism.md": TOURISM, "sprint.md": SPRINT})


def test_a_year_later_than_any_the_undated_article_names_is_not_answered_from_it(desk: Newsdesk) -> None:
    answer = desk.ask("Which film won best picture at the 2006 Academy Awards?", as_of=AS_OF)
    assert not answer.found
    assert answer.text == "The coverage doesn't say anything on this in 2006."


def test_without_a_year_the_same_question_is_answered(desk: Newsdesk) -> None:
    answer = desk.ask("Which film won best picture at the Academy Awards?", as_of=AS_OF)
    assert answer.found and "Million Dollar Baby" in answer.text


def test_an_undated_article_naming_the_year_answers(desk: Newsdesk) -> None:
    answer = desk.ask("How many people visited London in 2004?", as_of=AS_OF)
    assert answer.found and "15 million" in answer.text
    assert answer.filters["since"] == "2004-01-01"


def test_an_undated_article_naming_no_year_may_be_from_the_year_asked(desk: Newsdesk) -> None:
    answer = desk.ask("Who won the 2004 Olympic 100m title in Athens?", as_of=AS_OF)
    assert answer.found and "Gatlin" in answer.text


def test_since_a_year_is_bounded_too(desk: Newsdesk) -> None:
    answer = desk.ask("Which film has won best picture at the Academy Awards since 2006?", as_of=AS_OF)
    assert not answer.found
