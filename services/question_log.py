"""Records asked questions and feedback, and lists the knowledge gaps for curators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.answering import Answer
from storage import questions as repo
from storage.tables import AskedQuestion, Feedback
from storage.types import utcnow


class UnknownQuestion(Exception):
    """Feedback refers to a question that was never recorded."""


@dataclass(frozen=True)
class Gap:
    """One line of the curators' gap list."""

    kind: str  # "unanswered" | "downvoted"
    question: str
    count: int
    last_seen: dt.datetime
    entry_id: str | None = None


async def record_question(session: AsyncSession, *, channel: str, user_ref: str, answer: Answer) -> int:
    """Store the question with its outcome; unanswered ones become the curators' gap list."""
    record = AskedQuestion(
        channel=channel,
        user_ref=user_ref,
        question=answer.question[:4000],
        kind=str(answer.kind),
        reason=answer.reason,
        entry_id=answer.entry.id if answer.entry else None,
        score=round(answer.score, 4),
        answered=answer.answered,
    )
    await repo.add_asked_question(session, record=record)
    await session.commit()
    return record.id


async def record_feedback(session: AsyncSession, *, question_id: int, user_ref: str, vote: int) -> None:
    """Store 👍 (+1) or 👎 (-1) for an answer; a second vote on the same answer replaces the first."""
    if vote not in (1, -1):
        raise ValueError("vote must be +1 or -1")
    question = await repo.get_asked_question(session, question_id=question_id)
    if question is None:
        raise UnknownQuestion(question_id)
    for _attempt in range(2):
        existing = await repo.get_feedback(session, question_id=question_id)
        if existing is None:
            session.add(
                Feedback(question_id=question_id, entry_id=question.entry_id, user_ref=user_ref, vote=vote)
            )
        else:
            existing.vote = vote
            existing.created_at = utcnow()
            session.add(existing)
        try:
            await session.commit()
            return
        except IntegrityError:
            # a concurrent first vote won the unique constraint; update it instead
            await session.rollback()
    raise RuntimeError("could not store feedback")


async def list_gaps(session: AsyncSession, *, days: int = 90, limit: int = 50) -> list[Gap]:
    """Unanswered questions (most frequent first) and down-voted answers of the last `days` days."""
    since = utcnow() - dt.timedelta(days=days)
    gaps = [
        Gap("unanswered", question, count, when)
        for question, count, when in await repo.list_unanswered(session, since=since, limit=limit)
    ]
    gaps.extend(
        Gap("downvoted", question, 1, when, entry_id)
        for entry_id, question, when in await repo.list_downvoted(session, since=since, limit=limit)
    )
    return gaps
