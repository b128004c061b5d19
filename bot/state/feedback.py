"""The log of answers shown in Slack and the 👍/👎 votes on them.

An answer is recorded when it is posted, so a vote (which only carries the
answer's id in the button value) can be tied back to the question, the text
and the cited articles. The log also keeps what is needed to study quality
later: whether the archive answered, the mode, the model and prompt hash of an
LLM answer, and how long answering took.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.models import Answer
from bot.prompts import ANSWER, load_prompt
from bot.state.db import Database
from bot.state.tables import answers as answer_log
from bot.state.tables import votes as vote_table

# 64 random bits: a clash is vanishingly unlikely, and the id fits a button's value (2,000 characters).
ANSWER_ID_CHARS = 16


@dataclass
class Vote:
    question: str
    answer: str
    article_ids: list[str]
    user_id: str
    channel_id: str
    vote: int
    created_at: float


@dataclass
class LoggedAnswer:
    """One row of the answer log, as read back for study."""

    answer_id: str
    question: str
    answer: str
    mode: str
    found: bool | None
    article_ids: list[str]
    model: str | None
    prompt_hash: str | None
    latency_ms: int | None
    user_id: str
    channel_id: str
    created_at: float
    passage_ids: list[str] = field(default_factory=list)


class Feedback:
    def __init__(self, db: Database, llm_model: str = "") -> None:
        self.db = db
        self.llm_model = llm_model  # which model wrote an answer whose mode is "llm"

    def record_answer(self, answer: Answer, user_id: str, channel_id: str, *, latency_ms: int | None = None) -> str:
        """Log a posted answer; the returned id goes into its vote buttons."""
        answer_id = uuid.uuid4().hex[:ANSWER_ID_CHARS]
        written = answer.mode == "llm"
        with self.db.transaction() as connection:
            connection.execute(
                answer_log.insert().values(
                    answer_id=answer_id,
                    question=answer.question,
                    answer=answer.text,
                    article_ids=json.dumps([c.article.article_id for c in answer.citations]),
                    mode=answer.mode,
                    user_id=user_id,
                    channel_id=channel_id,
                    created_at=time.time(),
                    found=answer.found,
                    model=self.llm_model if written else None,
                    prompt_hash=load_prompt(ANSWER).sha if written else None,
                    latency_ms=latency_ms,
                    standalone_question=answer.standalone_question or None,
                    passage_ids=json.dumps(answer.passage_ids),
                )
            )
        return answer_id

    def record_vote(self, answer_id: str, user_id: str, channel_id: str, vote: int) -> bool:
        """One vote per user per answer; a second click changes it. False if the answer is unknown."""
        statement = self.db.insert(vote_table).values(
            answer_id=answer_id, user_id=user_id, channel_id=channel_id, vote=vote, created_at=time.time()
        )
        with self.db.transaction() as connection:
            known = connection.execute(
                select(answer_log.c.answer_id).where(answer_log.c.answer_id == answer_id)
            ).first()
            if known is None:
                return False
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["answer_id", "user_id"],
                    set_={"vote": statement.excluded.vote, "created_at": statement.excluded.created_at},
                )
            )
        return True

    def votes(self) -> list[Vote]:
        query = (
            select(
                answer_log.c.question,
                answer_log.c.answer,
                answer_log.c.article_ids,
                vote_table.c.user_id,
                vote_table.c.channel_id,
                vote_table.c.vote,
                vote_table.c.created_at,
            )
            .join(answer_log, answer_log.c.answer_id == vote_table.c.answer_id)
            .order_by(vote_table.c.created_at)
        )
        with self.db.transaction() as connection:
            rows = connection.execute(query).all()
        return [Vote(q, a, json.loads(ids), u, c, vote, t) for q, a, ids, u, c, vote, t in rows]

    def answers(self, limit: int = 1000) -> list[LoggedAnswer]:
        """The newest answers first."""
        with self.db.transaction() as connection:
            rows = connection.execute(select(answer_log).order_by(answer_log.c.created_at.desc()).limit(limit)).all()
        return [
            LoggedAnswer(
                answer_id=row.answer_id,
                question=row.question,
                answer=row.answer,
                mode=row.mode,
                found=row.found,
                article_ids=json.loads(row.article_ids),
                model=row.model,
                prompt_hash=row.prompt_hash,
                latency_ms=row.latency_ms,
                user_id=row.user_id,
                channel_id=row.channel_id,
                created_at=row.created_at,
                passage_ids=json.loads(row.passage_ids) if row.passage_ids else [],
            )
            for row in rows
        ]
