"""What people type around a question in chat is not part of it: every surface reads the question
without greetings, lead-ins, sign-offs and emoji, and a message of only those has no question."""

from __future__ import annotations

import pytest

from bot.chatter import without_chatter


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("Hi, what did Churkin say about sanctions?", "what did Churkin say about sanctions?"),
        ("hey, quick one: what did amitai etzioni say about x", "what did amitai etzioni say about x"),
        ("quick q - whos the chief exec of burren energy?", "who's the chief executive of burren energy?"),
        ("good morning everyone! whats new on Yukos :wave:", "what's new on Yukos"),
        ("hey team 👋 who won?", "who won?"),
        ("Q: how many jobs went?", "how many jobs went?"),
        ("what did he say about rates, thanks in advance", "what did he say about rates"),
        ("What did Blair say about the NHS? TIA", "What did Blair say about the NHS?"),
        # Words that open real questions and names stay unless punctuation marks them off as chatter.
        ("So Solid Crew won what?", "So Solid Crew won what?"),
        ("Question Time host?", "Question Time host?"),
        ("Evening Standard editor said what?", "Evening Standard editor said what?"),
        ("Hi-tech firms in India?", "Hi-tech firms in India?"),
        ("What did Ta say", "What did Ta say"),
        ("Hey Jude was sung at which event?", "Hey Jude was sung at which event?"),
        ("Please Please Me anniversary?", "Please Please Me anniversary?"),
        ("Good Morning Vietnam star?", "Good Morning Vietnam star?"),
        ("Who starred in Cheers", "Who starred in Cheers"),
        ("Who sang Thank You", "Who sang Thank You"),
        ("who is Tia", "who is Tia"),
        ("40°C heat in which city? ™", "40°C heat in which city? ™"),
        ("at 10:30: what happened", "at 10:30: what happened"),
        # Chatter before the question, however it is strung together.
        ("ok thanks, what did Churkin say about sanctions?", "what did Churkin say about sanctions?"),
        ("Cheers. What did Brown say?", "What did Brown say?"),
        ("good morning everyone! whats new on Yukos :wave::skin-tone-2:", "what's new on Yukos"),
    ],
)
def test_the_question_is_read_without_the_chatter_around_it(typed: str, question: str) -> None:
    assert without_chatter(typed) == question


@pytest.mark.parametrize(
    "typed",
    [
        "hi",
        "Hello there!",
        "thanks!",
        "Thanks a lot :pray:",
        ":wave:",
        "👍",
        "👍🏽",
        "❤️",
        "hey newsdesk",
        ":+1:",
        ":-1:",
        ":100:",
        "thanks :pray::pray:",
        ":+1::skin-tone-2:",
    ],
)
def test_a_message_of_only_chatter_has_no_question(typed: str) -> None:
    assert without_chatter(typed) == ""
