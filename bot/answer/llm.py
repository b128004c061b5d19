"""The LLM writer: langchain's ChatOpenAI against OpenAI or any compatible server.

It only writes text. Choosing passages, checking citations and quotes, and
falling back to the extractive answer happen around it, in code.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from bot.config import Settings
from bot.errors import NewsdeskError
from bot.models import Passage
from bot.prompts import ANSWER, NOT_COVERED, REWRITE, SYSTEM, load_prompt
from bot.tokens import count_tokens

log = logging.getLogger(__name__)

Turn = tuple[str, str]  # (question, answer)
_DELIMITER = re.compile(r"<(/?)(coverage|passage|conversation)", re.IGNORECASE)


class WriterUnavailable(NewsdeskError):
    """The LLM could not write this answer; the message says why in one short line."""


def _neutralise(text: str) -> str:
    """Article text cannot close or open the data section's delimiters."""
    return _DELIMITER.sub(lambda m: f"&lt;{m.group(1)}{m.group(2)}", text)


def format_passage(n: int, passage: Passage) -> str:
    article = passage.article
    header = [f"Headline: {_neutralise(article.title)}"]
    if article.source:
        header.append(f"Source: {_neutralise(article.source)}")
    if article.published:
        header.append(f"Date: {article.published}")
    return f'<passage n="{n}">\n' + "\n".join(header) + f"\n\n{_neutralise(passage.text)}\n</passage>"


def fit_passages(passages: Sequence[Passage], budget_tokens: int) -> list[Passage]:
    """Passages in rank order while they fit the token budget (the first one always goes)."""
    chosen: list[Passage] = []
    used = 0
    for passage in passages:
        cost = count_tokens(format_passage(len(chosen) + 1, passage))
        if chosen and used + cost > budget_tokens:
            break
        chosen.append(passage)
        used += cost
    return chosen


# A follow-up is rewritten from the last few turns only: "he" almost always points one or two turns
# back, and each turn's answer is cut to its opening (where names are) to keep the prompt small.
REWRITE_TURNS = 4
REWRITE_ANSWER_CHARS = 600


def answer_messages(question: str, passages: Sequence[Passage]) -> list[tuple[str, str]]:
    block = "\n\n".join(format_passage(n, passage) for n, passage in enumerate(passages, 1))
    return [
        ("system", load_prompt(SYSTEM).render(not_covered=NOT_COVERED)),
        ("human", load_prompt(ANSWER).render(passages=block, question=question, not_covered=NOT_COVERED)),
    ]


def rewrite_messages(question: str, history: Sequence[Turn]) -> list[tuple[str, str]]:
    lines: list[str] = []
    for asked, answered in history[-REWRITE_TURNS:]:
        lines.append(f"User: {_neutralise(asked)}")
        lines.append(f"Newsdesk: {_neutralise(answered[:REWRITE_ANSWER_CHARS])}")
    return [("human", load_prompt(REWRITE).render(history="\n".join(lines), question=question))]


def unavailable_reason(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.AuthenticationError):
        return "the answer writer rejected the API key (HTTP 401): check OPENAI_API_KEY"
    if isinstance(exc, openai.RateLimitError):
        return "the answer writer is rate-limited (HTTP 429): try again in a minute"
    if isinstance(exc, openai.APITimeoutError):
        return "the answer writer timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "the answer writer cannot be reached"
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code >= 500:
            return f"the answer writer failed (HTTP {exc.status_code})"
        return f"the answer writer refused the request (HTTP {exc.status_code}): check NEWSDESK_LLM_MODEL"
    return f"the answer writer failed ({exc.__class__.__name__})"


class LLMWriter:
    def __init__(self, settings: Settings) -> None:
        from langchain_openai import ChatOpenAI

        if settings.openai_api_key is None:
            raise NewsdeskError("LLM answers need OPENAI_API_KEY")
        self.model = settings.llm_model
        self.budget = settings.llm_context_tokens
        self.chat = ChatOpenAI(
            model=settings.llm_model,
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
        )

    def _call(self, messages: list[tuple[str, str]], on_text: Callable[[str], None] | None) -> str:
        try:
            if on_text is None:
                return str(self.chat.invoke(messages).content)
            parts: list[str] = []
            for chunk in self.chat.stream(messages):
                delta = chunk.content if isinstance(chunk.content, str) else ""
                if delta:
                    parts.append(delta)
                    on_text(delta)
            return "".join(parts)
        except Exception as exc:
            reason = unavailable_reason(exc)
            log.warning("LLM call failed: %s (%s)", reason, exc.__class__.__name__)
            raise WriterUnavailable(reason) from exc

    def write(self, question: str, passages: Sequence[Passage], on_text: Callable[[str], None] | None = None) -> str:
        messages = answer_messages(question, passages)
        log.info("llm answer: model=%s prompt=%s passages=%d", self.model, load_prompt(ANSWER).sha, len(passages))
        return self._call(messages, on_text)

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        text = self._call(rewrite_messages(question, history), None).strip().splitlines()
        rewritten = text[0].strip() if text else ""
        return rewritten or question
