"""An undated article (the BBC set has no dates) answers a question whose time was read from its
words, since no date rules it out; but a year typed in the question admits it only when the article
names that year: "the 2006 Academy Awards" is not answered from a story about another ceremony."""

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

Clint Eastwood also won best director for the boxing drama, and Hilary Swank won best actress.
"""

TOURISM = """---
title: London tourism reaches a record
source: Example Wire
---
Visitor numbers to London reached a record 15 million in 2004, the tourist board said on Monday.

Hotels in the capital reported their busiest summer for a decade.
"""

AS_OF = date(2026, 11, 28)


@pytest.fixture()
def desk(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    return desk_with_articles(tmp_path, embedder, {"oscars.md": OSCARS, "tourism.md": TOURISM})


def test_a_year_the_undated_article_never_names_is_not_answered_from_it(desk: Newsdesk) -> None:
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
