"""Questions that name a role ("Which minister …", "Who is X's agent?") are answered by the sentence
that names the role's holder, not by another new name that happens to sit near the question's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.extractive import _role_terms
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.text import plain, query_terms
from tests.conftest import desk_with_articles

# The pattern of a wire story: the event in the lead, the minister named in the next sentence in
# other words ("raised the limit" for "higher cap"), then analysts quoted on every word of the question.
PORTS = """---
title: Freedonia opens ports to foreign operators
source: Example Wire
date: 2005-02-03
---
Freedonia has raised the limit for foreign ownership of its container ports from 26% to 51%.

Transport Minister Rufus Okonkwo said that the ports needed money to keep up with rising trade. The decision \
faced opposition from the dockers' unions, which support the coalition government.

Shipping firms and investors have welcomed the decision. "It is a welcome step for foreign investment in \
Freedonian ports, and operators will look hard at the higher cap," said Harbourline analyst Marta Quist.
"""


@pytest.fixture()
def ports_desk(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    return desk_with_articles(tmp_path, embedder, {"ports.md": PORTS})


def test_a_role_question_is_answered_by_the_holder_of_the_role(ports_desk: Newsdesk) -> None:
    answer = ports_desk.ask("Which Freedonian minister announced the higher cap on foreign investment in ports?")
    assert answer.found
    assert "Rufus Okonkwo" in answer.text.splitlines()[0]  # before the analyst, who is no minister


@pytest.mark.parametrize(
    ("question", "roles"),
    [
        ("Which Indian minister announced the higher cap?", {"minist"}),  # stemmed as question terms are
        ("Who is Harry Kewell's agent?", {"agent"}),
        ("Which coaches were sacked?", {"coach"}),
        ("Who presented the awards?", set()),  # a verb, not "presenter"
        ("Who directed Sophie Scholl - The Final Days?", {"director"}),  # but right after "who", what they did
        ("Who founded Jet Airways?", {"founder"}),
        ("Who managed to escape?", set()),
        ("Which company publishes Sports Interactive's Football Manager?", set()),  # part of a name
        ("Who is the Chief Executive of BP?", {"chief", "execut"}),  # capitalised, but no name around it
    ],
)
def test_roles_are_read_as_written(question: str, roles: set[str]) -> None:
    assert _role_terms(question) == roles


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How did Blair describe the announcement?", ["blair", "announc"]),  # "announcement" is a topic
        ("What happens next for the pension fund?", ["next", "pension", "fund"]),  # any form of "happen"
        ("Which minister announced the cap?", ["minist", "cap"]),
        ("Summarise the Kilroy-Silk story", ["kilroy", "silk"]),  # words asking for the coverage itself
        ("What does the coverage say about Yukos?", ["yuko"]),
        (
            "news coverage",
            ["news", "coverag"],
        ),  # unless they are all there is ("What did Ofcom say about news coverage?")
    ],
)
def test_question_words_are_not_topic_words(question: str, expected: list[str]) -> None:
    assert query_terms(question) == expected


@pytest.mark.parametrize(
    ("word", "plain_word"), [("XLRs", "xlr"), ("MPs", "mp"), ("AIDS", "aids"), ("Mrs", "mrs"), ("Is", "is")]
)
def test_an_acronyms_plural_is_its_singular(word: str, plain_word: str) -> None:
    assert plain(word) == plain_word
