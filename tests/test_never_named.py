"""A question naming something the archive never mentions is not answered from what is nearest to
it: "the coverage doesn't say", naming what it never mentions and the closest articles."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.retrieve import Filters
from tests.conftest import desk_with_articles

CONSOLES = """---
title: Nintendo handheld given Euro date
source: Example Wire
date: 2005-01-20
---
Nintendo's DS handheld console will go on sale in Europe on 11 March.

More than 2.8 million DS consoles have been sold since it first appeared in the US and Japan at the end of 2004.
"""


@pytest.fixture()
def desk(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    return desk_with_articles(tmp_path, embedder, {"consoles.md": CONSOLES})


def test_a_name_no_article_mentions_is_not_answered(desk: Newsdesk) -> None:
    answer = desk.ask("How many Nintendo Wii consoles were sold in the US in its launch week?")
    assert not answer.found
    assert answer.text.startswith("The coverage doesn't say: no article mentions “Wii”.")
    assert [ref.title for ref in answer.closest] == ["Nintendo handheld given Euro date"]


def test_within_a_period_it_still_says_what_is_never_mentioned(desk: Newsdesk) -> None:
    answer = desk.ask("How many Wii consoles were sold in 2005?", as_of=date(2005, 6, 1))
    assert not answer.found
    assert "no article mentions “Wii”" in answer.text


def test_names_the_archive_holds_are_answered(desk: Newsdesk) -> None:
    answer = desk.ask("How many Nintendo DS consoles have been sold in the US and Japan?")
    assert answer.found
    assert "2.8 million" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "How many Nintnedo DS consoles have been sold in the US and Japan?",  # a typo is not news the archive lacks
        "How many Nintendo DS consoles have been sold in the US and Japan? TIA",  # an acronym
        "Hey Newsdesk, how many Nintendo DS consoles have been sold in the US and Japan?",  # the bot's own name
        "How many Nintendo DSs have been sold in the US and Japan?",  # an acronym's plural: the archive says "DS"
    ],
)
def test_typos_acronyms_and_the_bots_name_are_not_refused_as_unknown(desk: Newsdesk, question: str) -> None:
    assert "no article mentions" not in desk.ask(question).text  # answered or refused on what it does say


def test_a_channels_sources_decide_what_is_mentioned(desk: Newsdesk) -> None:
    answer = desk.ask("How many Nintendo DS consoles have been sold?", filters=Filters(sources=("Other Wire",)))
    assert not answer.found
    assert "no article mentions “Nintendo”" in answer.text
