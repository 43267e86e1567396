"""What waits to be sent or handled: the outboxes and the stored Telegram updates (for health and metrics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import OutboxMail, TelegramOutbox, TelegramUpdate
from storage.types import utcnow

PENDING = "pending"


@dataclass(frozen=True)
class Backlog:
    """How many items of one queue wait, and how long the oldest has waited (None when none waits)."""

    pending: int
    oldest_seconds: float | None


async def _backlog(session: AsyncSession, table, created_column, now: dt.datetime) -> Backlog:
    count, oldest = (
        await session.exec(
            select(func.count(), func.min(created_column)).select_from(table).where(table.state == PENDING)
        )
    ).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return Backlog(count, (now - oldest).total_seconds() if oldest is not None else None)


async def backlogs(session: AsyncSession, now: dt.datetime | None = None) -> dict[str, Backlog]:
    """The backlog of the mail outbox, the Telegram outbox and the stored updates."""
    now = now or utcnow()
    return {
        "mail": await _backlog(session, OutboxMail, OutboxMail.created_at, now),
        "telegram": await _backlog(session, TelegramOutbox, TelegramOutbox.created_at, now),
        "updates": await _backlog(session, TelegramUpdate, TelegramUpdate.received_at, now),
    }
