"""Follow-ups without an LLM: `heuristic_standalone` lends a pronoun the names of the previous question."""

from __future__ import annotations

import pytest

from bot.answer.standalone import heuristic_standalone


def _after(previous_question: str) -> list[tuple[str, str]]:
    return [(previous_question, "An earlier answer that names nobody [1].")]


def test_follow_up_with_a_pronoun_borrows_the_names_of_the_previous_question() -> None:
    history = _after("What did Vitaly Churkin say about arming the opposition?")
    assert heuristic_standalone("And what did he say about sanctions?", history) == (
        "And what did he say about sanctions? (Vitaly Churkin)"
    )


@pytest.mark.parametrize("follow_up", ["What did she say next?", "Why did they refuse?", "Is that true?", "And his?"])
def test_every_kind_of_anaphora_borrows_names(follow_up: str) -> None:
    history = _after("What did Angela Merkel tell Barack Obama in Berlin?")
    assert heuristic_standalone(follow_up, history) == f"{follow_up} (Angela Merkel, Barack Obama, Berlin)"


def test_a_name_said_twice_is_borrowed_once() -> None:
    history = _after("Where did Churkin meet Lavrov, and what did Churkin say?")
    assert heuristic_standalone("What did he say?", history) == "What did he say? (Churkin, Lavrov)"


def test_only_the_latest_turn_lends_its_names() -> None:
    history = [("What did Merkel say?", "She said no [1]."), ("What did Obama say?", "He said yes [1].")]
    assert heuristic_standalone("And what did he do next?", history) == "And what did he do next? (Obama)"


def test_previous_question_without_names_is_borrowed_whole() -> None:
    history = _after("what happened to the steel tariffs?")
    assert (
        heuristic_standalone("Who imposed them?", history) == "Who imposed them? (what happened to the steel tariffs?)"
    )


@pytest.mark.parametrize(
    "question",
    [
        "What did Lavrov say about Annan?",
        "What happened in Chelsea on Sunday?",  # "he" inside a word is not a pronoun
        "Which theatre closed?",
    ],
)
def test_question_without_anaphora_is_unchanged(question: str) -> None:
    assert heuristic_standalone(question, _after("What did Vitaly Churkin say?")) == question


def test_no_history_leaves_even_a_pronoun_question_unchanged() -> None:
    assert heuristic_standalone("What did he say about sanctions?", []) == "What did he say about sanctions?"


@pytest.mark.parametrize(
    ("previous", "borrowed"),
    [("Did Lavrov meet Annan in Moscow?", "Lavrov, Annan, Moscow"), ("Is Putin going to Paris?", "Putin, Paris")],
)
def test_a_name_right_after_the_question_word_is_kept(previous: str, borrowed: str) -> None:
    assert heuristic_standalone("What did he say?", _after(previous)) == f"What did he say? ({borrowed})"
