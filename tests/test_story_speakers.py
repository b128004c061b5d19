"""A speaker question that describes the occasion rather than the words ("How did the MP react to
being reunited with his son?") is answered from the speaker's quotes in the story the whole question
retrieves first, when that story speaks to the topic; a topic no story of theirs covers is still a
refusal that lists what they did say.

In an archive of three stories every quote of the right story clears the quote ranker's bar, and the
extractive answer quotes the speaker on the topic; in the BBC archive such quotes score 0.24-0.41
against its 0.43 and the extractive answer picks other lines (docs/EVAL.md). The desk here raises the
bar past every quote and sets the extractive fallback aside, so what answers is the story rule alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.answer import pipeline
from bot.answer.speakers import answer_from_story, read_speaker_question, speaker_quotes
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.text import terms
from tests.conftest import desk_with_articles

SON = """---
title: Backbencher tells of a year of surprises
source: Example Wire
date: 2005-02-11
---
A Labour backbencher has spoken of the most surprising year of his life.

Tom, 31, who was adopted as a baby, traced his birth father through an old school photograph. He was \
reunited with him at a railway station café last spring, the long-lost son of a merchant seaman who had \
never known he existed.

Dennis Marlowe, who is now married with two teenage daughters, said: "I felt guilt in the marrow of my \
bones. I don't blame his mother for a moment; I was young and pretty much out of control."

"I just wanted to know where I came from," said Tom, who works as a surveyor in Leeds. The two men now \
speak every week.
"""

UNITY = """---
title: Labour MPs warn leaders over feud
source: Example Wire
date: 2005-01-25
---
Backbench Labour MPs have told the prime minister and the chancellor that their feud could cost the \
party the election.

Dennis Marlowe echoed the warning, saying: "The one thing that could sink us at the polls is the \
appearance of division at the top of the party."
"""

RATES = """---
title: Bank holds interest rates at 4.75%
source: Example Wire
date: 2005-02-10
---
The Bank of England has kept interest rates on hold at 4.75% for the sixth month running.

"Inflation remains close to target and the housing market has cooled," said Jane Orchard, chief economist \
at a City bank.
"""


@pytest.fixture()
def desk(tmp_path: Path, embedder: LocalMiniLM, monkeypatch: pytest.MonkeyPatch) -> Newsdesk:
    monkeypatch.setattr(pipeline, "speaker_on_topic", lambda *_args: False)
    desk = desk_with_articles(tmp_path, embedder, {"son.md": SON, "unity.md": UNITY, "rates.md": RATES})
    desk.answerer.speaker_params = replace(desk.answerer.speaker_params, min_relevance=0.99)
    return desk


def test_the_speakers_words_in_the_story_the_question_describes_answer_it(desk: Newsdesk) -> None:
    question = "How did Dennis Marlowe react to being reunited with his long-lost son?"
    answer = desk.ask(question)
    assert answer.found, answer.text
    assert "marrow of my bones" in answer.text
    assert [c.article.title for c in answer.citations] == ["Backbencher tells of a year of surprises"]
    assert all(c.speaker == "Dennis Marlowe" for c in answer.citations)
    assert "appearance of division" not in answer.text  # his words in another story are not about this
    assert "where I came from" not in answer.text  # the son's words in the same story are not his


def test_a_topic_no_story_of_the_speaker_covers_is_still_a_refusal(desk: Newsdesk) -> None:
    answer = desk.ask("How did Dennis Marlowe react to the rise in university tuition fees?")
    assert not answer.found
    assert answer.text.startswith("The coverage has no remark by Dennis Marlowe")


def test_the_story_retrieved_first_must_quote_the_speaker(desk: Newsdesk) -> None:
    """The rates story is the one retrieved for interest rates, and Marlowe is not quoted in it: his
    words elsewhere are not passed off as being about rates."""
    question = "What did Dennis Marlowe say about the Bank of England holding interest rates?"
    assert desk.retriever.search(question, 5)[0].article.title == "Bank holds interest rates at 4.75%"
    answer = desk.ask(question)
    assert not answer.found
    assert "has no remark by Dennis Marlowe" in answer.text


def test_the_story_must_hold_most_of_the_topics_words(desk: Newsdesk) -> None:
    """The rule itself, on the speaker's real ranked quotes: the same quotes answer from a story that
    holds the topic's words and not from one that lacks them."""
    question = "How did Dennis Marlowe react to being reunited with his long-lost son?"
    ask = read_speaker_question(question, desk.answerer.speakers)
    assert ask is not None
    idf = desk.lexical.get().idf
    params = desk.answerer.speaker_params
    ranked = speaker_quotes(desk.store, desk.embedder, ask.speaker_keys, ask.topic, idf, params)
    story = next(r.stored.article.article_id for r in ranked if "marrow" in r.stored.quote.text)
    covering = set(terms(SON))
    told = answer_from_story(question, ask, ranked, story, covering, idf, params)
    assert told is not None and "marrow of my bones" in told.text
    lacking = covering - set(terms("reunited long-lost son"))
    assert answer_from_story(question, ask, ranked, story, lacking, idf, params) is None
    assert answer_from_story(question, ask, ranked, "no-such-story", covering, idf, params) is None
