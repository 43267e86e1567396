"""Retention: what is personal is erased or made anonymous once its period has passed; counts stay.

Runs daily (on the leader). Periods are settings (`KLIMABOT_RETENTION_*_DAYS`); each step is one statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.privacy import ANONYMOUS_BOOKING, ANONYMOUS_QUESTION, ERASED, anonymise_tickets
from storage.tables import (
    AskedQuestion,
    Booking,
    Feedback,
    MeasureReport,
    OutboxMail,
    ReportAttachment,
    Ticket,
)
from storage.types import utcnow
from storage.web_chat import prune_web_chats


@dataclass(frozen=True)
class RetentionPolicy:
    """Days after which each kind of record loses what is personal about it."""

    questions_days: int = 365
    closed_tickets_days: int = 730
    past_bookings_days: int = 365
    unsubmitted_drafts_days: int = 365
    sent_mails_days: int = 90


async def apply_retention(
    session: AsyncSession, policy: RetentionPolicy, *, now: dt.datetime | None = None
) -> dict[str, int]:
    """Erase or anonymise what is older than its period; commits; returns how many rows each step changed."""
    now = now or utcnow()

    def before(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    counts: dict[str, int] = {}
    questions = before(policy.questions_days)
    result = await session.exec(
        update(AskedQuestion)
        .where(AskedQuestion.created_at < questions, AskedQuestion.question != ERASED)
        .values(**ANONYMOUS_QUESTION)
    )
    counts["questions"] = result.rowcount or 0
    await session.exec(
        update(Feedback)
        .where(Feedback.created_at < questions, Feedback.user_ref != "erased")
        .values(user_ref="erased")
    )

    old_tickets = select(Ticket.id).where(
        Ticket.state == "closed",
        col(Ticket.closed_at).is_not(None),
        Ticket.closed_at < before(policy.closed_tickets_days),
    )
    ids = list((await session.exec(old_tickets.where(Ticket.subject != ERASED))).all())
    if ids:
        await anonymise_tickets(session, ids)
    counts["closed_tickets"] = len(ids)

    result = await session.exec(
        update(Booking)
        .where(Booking.end_utc < before(policy.past_bookings_days), Booking.contact_name != ERASED)
        .values(**ANONYMOUS_BOOKING)
    )
    counts["past_bookings"] = result.rowcount or 0

    stale = list(
        (
            await session.exec(
                select(MeasureReport.id).where(
                    MeasureReport.version_count == 0,
                    MeasureReport.updated_at < before(policy.unsubmitted_drafts_days),
                )
            )
        ).all()
    )
    if stale:
        await session.exec(delete(ReportAttachment).where(col(ReportAttachment.report_id).in_(stale)))
        await session.exec(delete(MeasureReport).where(col(MeasureReport.id).in_(stale)))
    counts["unsubmitted_drafts"] = len(stale)

    result = await session.exec(
        delete(OutboxMail).where(
            col(OutboxMail.state).in_(("sent", "failed", "bounced", "partial")),
            OutboxMail.created_at < before(policy.sent_mails_days),
        )
    )
    counts["sent_mails"] = result.rowcount or 0
    # a web chat's transcript holds the questions' texts: it goes when the questions lose theirs
    counts["web_chat_events"] = await prune_web_chats(session, older_than=questions)
    await session.commit()
    return counts
