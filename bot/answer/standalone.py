"""Follow-up questions made standalone, so retrieval sees who "he" is.

With an LLM the writer rewrites the follow-up; without one (or when it is down)
a pronoun borrows the names of the previous question: cheap, and right for the
common "And what did he say about …?".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.llm import LLMWriter, Turn, WriterUnavailable

_ANAPHORA = re.compile(r"\b(he|she|they|it|his|her|their|its|him|them|that|this|those|these)\b", re.IGNORECASE)
_QUESTION_OPENERS = frozenset({"what", "who", "how", "why", "when", "where", "which", "did", "does", "is", "and"})
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")


def heuristic_standalone(question: str, history: Sequence[Turn]) -> str:
    """Without an LLM, a follow-up that says "he" borrows the names of the previous question."""
    if not history or not _ANAPHORA.search(question):
        return question
    previous = history[-1][0]
    names = []
    for found in _NAME.findall(previous):
        words = found.split()
        while words and words[0].lower() in _QUESTION_OPENERS:  # "Did Lavrov" is the name "Lavrov"
            words = words[1:]
        if words:
            names.append(" ".join(words))
    return f"{question} ({', '.join(dict.fromkeys(names))})" if names else f"{question} ({previous})"


def standalone_question(question: str, history: Sequence[Turn], writer: LLMWriter | None) -> tuple[str, str]:
    """The question as it reads alone, and a notice when the LLM could not rewrite it."""
    if not history:
        return question, ""
    if writer is None:
        return heuristic_standalone(question, history), ""
    try:
        return writer.rewrite(question, history), ""
    except WriterUnavailable as exc:
        return heuristic_standalone(question, history), str(exc)
