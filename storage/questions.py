"""Repository for asked questions and their feedback."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import AskedQuestion, Feedback


async def add_asked_question(session: AsyncSession, *, record: AskedQuestion) -> AskedQuestion:
    """Stage a question record and assign its id (the caller commits)."""
    session.add(record)
    await session.flush()
    return record


async def get_asked_question(session: AsyncSession, *, question_id: int) -> AskedQuestion | None:
    """One question record by id."""
    return await session.get(AskedQuestion, question_id)


async def get_feedback(session: AsyncSession, *, question_id: int) -> Feedback | None:
    """The vote given on one answered question, if any."""
    result = await session.exec(select(Feedback).where(Feedback.question_id == question_id))
    return result.first()


async def list_unanswered(
    session: AsyncSession, *, since: dt.datetime, reasons: tuple[str, ...], limit: int
) -> list[tuple[str, dt.datetime]]:
    """Questions without an answer for one of `reasons`: (question, asked at), newest first."""
    statement = (
        select(AskedQuestion.question, AskedQuestion.created_at)
        .where(
            AskedQuestion.answered.is_(False),
            AskedQuestion.reason.in_(reasons),
            AskedQuestion.created_at >= since,
        )
        .order_by(AskedQuestion.created_at.desc())
        .limit(limit)
    )
    return [(question, _aware(when)) for question, when in (await session.exec(statement)).all()]


async def list_downvoted(
    session: AsyncSession, *, since: dt.datetime, limit: int
) -> list[tuple[str, str, dt.datetime]]:
    """Answers voted 👎: (entry id, question, when), newest first."""
    statement = (
        select(Feedback.entry_id, AskedQuestion.question, Feedback.created_at)
        .join(AskedQuestion, AskedQuestion.id == Feedback.question_id)
        .where(Feedback.vote < 0, Feedback.created_at >= since)
        .order_by(Feedback.created_at.desc())
        .limit(limit)
    )
    return [
        (entry_id or "", question, _aware(when))
        for entry_id, question, when in (await session.exec(statement)).all()
    ]


def _aware(value: dt.datetime) -> dt.datetime:
    # aggregates bypass the column type, so SQLite hands back naive values or strings
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
