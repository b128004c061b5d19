"""A speaker asked for by a role in the user's own words ("toshoba's storage boss", "the countryside
alliance spokesman") is the one the retrieved articles give that role, or no one: never another
speaker who only shares the post's noun."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.role_speakers import role_phrase
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from tests.conftest import desk_with_articles

STORAGE = """---
title: Britons hoard ever more data on gadgets
source: Example Wire
date: 2005-01-10
---
Britons are carrying more and more files on their phones and music players, a survey has found.

"Britain has become a nation of information hoarders with a ferocious appetite for data," said Martin Larsen, \
general manager of Toshoba's European storage device division.

"Phones are the new filing cabinets," said Oliver Irving, editor of gadget magazine Stuffed. The survey \
questioned 3,000 people about the photos, songs and messages they keep.
"""

HUNTING = """---
title: Police prepare for hunting ban
source: Example Wire
date: 2005-02-17
---
Police forces say they will not make hunting a priority when the ban comes into force on Friday.

"We will respond to reports of illegal hunting as we would to any other crime," said Nigel Yeoman, the \
chief police officers' spokesman. Hunts across the country plan to meet on Saturday.
"""

FOREST = """---
title: Forest reject Spurs bid for defender
source: Example Wire
date: 2005-01-27
---
Nottingham Forest have turned down an offer from Tottenham for their young defender.

"We've received a bid from Spurs and we have turned it down," said Forest chief executive Mark Arthurs. \
"Our defending was poor against Spurs, and we must do better," said Forest manager Gary Megsley.
"""

CLUB = """---
title: Newtown fine striker after row
source: Example Wire
date: 2005-03-02
---
Newtown United have fined their striker two weeks' wages for faking an injury to miss a match.

"In my book this is cheating on the club and its supporters," said chairman Fred Sheppard. \
"No player is bigger than this club," Sheppard added.
"""


@pytest.fixture()
def desk(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    return desk_with_articles(
        tmp_path, embedder, {"storage.md": STORAGE, "hunting.md": HUNTING, "forest.md": FOREST, "club.md": CLUB}
    )


@pytest.mark.parametrize(
    ("question", "post", "phrase"),
    [
        ("what did toshiba's storage boss say about data", "boss", "toshiba's storage boss"),
        # words up to the next stop word qualify the post; a verb among them matches no one's role
        (
            "How did the director of the Arkansas State venue react?",
            "director",
            "director of the Arkansas State venue react",
        ),
        ("what did unilever's new chief exec admit", "chief executive", "unilever's new chief exec"),
        ("will the stadium eat into the budget according to arsenal's md", "managing director", "arsenal's md"),
        ("how did the ref explain the free kick", "referee", "ref"),
        ("what did seattle officials say", "", ""),  # many people, not one speaker
    ],
)
def test_the_role_and_its_qualifiers_are_read_from_the_question(question: str, post: str, phrase: str) -> None:
    assert role_phrase(question) == (post, phrase)


def test_a_loosely_named_post_finds_the_speaker_given_it_in_the_articles_found(desk: Newsdesk) -> None:
    answer = desk.ask("what did toshoba's storage boss say about people keeping so much data?")
    assert answer.found and answer.mode == "quotes"
    first = answer.text.splitlines()[0]
    assert first.startswith("Martin Larsen") and "nation of information hoarders" in first
    assert "Oliver Irving" not in answer.text  # an editor quoted in the same story is no boss of Toshoba's


def test_a_post_whose_qualifiers_fit_no_one_names_no_one(desk: Newsdesk) -> None:
    answer = desk.ask("what did the countryside alliance spokesman say about how the hunting ban will be policed?")
    assert answer.mode != "quotes"  # the police officers' spokesman is not the one asked for
    assert not answer.text.startswith("Nigel Yeoman")


def test_two_holders_of_a_loose_post_name_no_one(desk: Newsdesk) -> None:
    # "boss" is the manager to some and the chief executive to others: the question does not say which.
    answer = desk.ask("what did the Forest boss say about the Spurs bid?")
    assert answer.mode != "quotes"
    exact = desk.ask("what did the Forest manager say about their poor defending against Spurs?")
    assert exact.mode == "quotes" and exact.text.startswith("Gary Megsley")


def test_a_role_naming_no_other_body_belongs_to_the_story_found(desk: Newsdesk) -> None:
    # a bare "chairman" in the story retrieved for Newtown is Newtown's chairman
    answer = desk.ask("What did the Newtown chairman say about the striker faking an injury?")
    assert answer.mode == "quotes" and answer.text.startswith("Fred Sheppard")
    assert "cheating on the club" in answer.text
