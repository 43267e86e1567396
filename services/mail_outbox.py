"""The mail outbox as use cases: which mails are due, claiming one, recording the result, bounces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.outgoing import OutgoingMail
from services.reports.documents import DocumentUnavailable, with_report_document
from storage.tables import OutboxMail
from storage.types import utcnow

BACKOFF_START = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
GIVE_UP_AFTER = dt.timedelta(days=3)
# a mail claimed by a worker that died before recording the result is sent again after this time;
# at worst the same Message-ID goes out twice, which mail clients de-duplicate
STALE_CLAIM = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class ClaimedMail:
    """A mail this worker may send now."""

    id: int
    mail: OutgoingMail
    attempts: int
    created_at: dt.datetime


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min, … up to an hour."""
    return min(BACKOFF_START * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


async def recover_stale_claims(session: AsyncSession, *, now: dt.datetime | None = None) -> int:
    """Mails stuck in `sending` after a crash become pending again."""
    now = now or utcnow()
    result = await session.exec(
        update(OutboxMail)
        .where(col(OutboxMail.state) == "sending", col(OutboxMail.next_attempt_at) <= now)
        .values(state="pending")
    )
    await session.commit()
    return result.rowcount or 0


async def claim_due_mails(
    session: AsyncSession, *, limit: int = 50, now: dt.datetime | None = None
) -> list[ClaimedMail]:
    """Due pending mails, each claimed with a compare-and-set so two workers never send the same one."""
    now = now or utcnow()
    due = (
        await session.exec(
            select(OutboxMail.id)
            .where(col(OutboxMail.state) == "pending", col(OutboxMail.next_attempt_at) <= now)
            .order_by(col(OutboxMail.id))
            .limit(limit)
        )
    ).all()
    claimed = []
    for mail_id in due:
        result = await session.exec(
            update(OutboxMail)
            .where(col(OutboxMail.id) == mail_id, col(OutboxMail.state) == "pending")
            .values(state="sending", attempts=OutboxMail.attempts + 1, next_attempt_at=now + STALE_CLAIM)
        )
        await session.commit()
        if result.rowcount == 1:
            record = await session.get(OutboxMail, mail_id, populate_existing=True)
            claimed.append(
                ClaimedMail(
                    record.id, OutgoingMail.from_json(record.payload), record.attempts, record.created_at
                )
            )
    return claimed


class NotSendable(Exception):
    """A mail that can never be completed for sending (its report version is gone): mark it failed."""


async def ready_to_send(session: AsyncSession, mail: OutgoingMail) -> OutgoingMail:
    """The mail with what is made only at sending (a report's PDF) attached. A failure to render raises
    as it is (try again later); a document that can no longer exist raises NotSendable."""
    try:
        return await with_report_document(session, mail)
    except DocumentUnavailable as exc:
        raise NotSendable(str(exc)) from exc


async def record_delivery(
    session: AsyncSession, *, mail_id: int, outcome: str, error: str | None = None
) -> str:
    """Store the result of one attempt: `sent`, `partial`, `failed` or `retry`; returns the new state."""
    record = await session.get(OutboxMail, mail_id, populate_existing=True)
    now = utcnow()
    record.last_error = error
    if outcome == "retry":
        if now - record.created_at > GIVE_UP_AFTER:
            record.state = "failed"
            record.last_error = f"gave up after {record.attempts} attempts: {error}"
        else:
            record.state = "pending"
            record.next_attempt_at = now + backoff(record.attempts)
    else:
        record.state = outcome
        if outcome in ("sent", "partial"):
            record.sent_at = now
    session.add(record)
    await session.commit()
    return record.state


async def mark_bounced(session: AsyncSession, *, message_id: str, reason: str) -> OutboxMail | None:
    """A bounce (DSN) refers to one of our mails: mark it bounced and return it."""
    record = (await session.exec(select(OutboxMail).where(OutboxMail.message_id == message_id))).first()
    if record is None:
        return None
    record.state = "bounced"
    record.last_error = reason[:2000]
    session.add(record)
    await session.commit()
    return record


async def outbox_summary(session: AsyncSession) -> dict[str, int]:
    """How many outbox mails are in each state (for operators)."""
    rows = (
        await session.exec(select(OutboxMail.state, func.count(OutboxMail.id)).group_by(OutboxMail.state))
    ).all()
    return {state: count for state, count in rows}


@dataclass(frozen=True)
class ProblemMail:
    """An outgoing mail that failed, bounced or reached only some recipients."""

    state: str
    created_at: dt.datetime
    primary_recipient: str
    purpose: str
    last_error: str | None


async def list_problem_mails(session: AsyncSession, *, limit: int = 50) -> list[ProblemMail]:
    """Failed, bounced and partially delivered mails, newest first."""
    result = await session.exec(
        select(OutboxMail)
        .where(col(OutboxMail.state).in_(("failed", "bounced", "partial")))
        .order_by(col(OutboxMail.id).desc())
        .limit(limit)
    )
    return [
        ProblemMail(mail.state, mail.created_at, mail.primary_recipient, mail.purpose, mail.last_error)
        for mail in result.all()
    ]
