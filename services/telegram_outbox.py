"""The Telegram outbox as use cases: due messages in order, claiming, recording the result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.mail_outbox import STALE_CLAIM, backoff
from storage.tables import TelegramOutbox
from storage.types import utcnow

GIVE_UP_AFTER = dt.timedelta(days=2)


@dataclass(frozen=True)
class ChatDelivery:
    """One message to put into a chat."""

    id: int
    chat_id: int
    ticket_id: int | None
    kind: str
    text: str
    document_name: str | None
    document: bytes | None


async def claim_due_messages(session: AsyncSession, *, limit: int = 100) -> list[ChatDelivery]:
    """Due messages in creation order, claimed by compare-and-set; a chat's later messages wait for its earlier."""
    now = utcnow()
    await session.exec(
        update(TelegramOutbox)
        .where(col(TelegramOutbox.state) == "sending", col(TelegramOutbox.next_attempt_at) <= now)
        .values(state="pending")
    )
    await session.commit()
    pending = (
        await session.exec(
            select(TelegramOutbox)
            .where(col(TelegramOutbox.state) == "pending")
            .order_by(col(TelegramOutbox.id))
            .limit(limit)
        )
    ).all()
    blocked: set[int] = set()
    claimed = []
    for record in pending:
        if record.chat_id in blocked or record.next_attempt_at > now:
            blocked.add(record.chat_id)  # keep the order of a chat's messages
            continue
        result = await session.exec(
            update(TelegramOutbox)
            .where(col(TelegramOutbox.id) == record.id, col(TelegramOutbox.state) == "pending")
            .values(state="sending", attempts=TelegramOutbox.attempts + 1, next_attempt_at=now + STALE_CLAIM)
        )
        await session.commit()
        if result.rowcount == 1:
            claimed.append(
                ChatDelivery(
                    record.id,
                    record.chat_id,
                    record.ticket_id,
                    record.kind,
                    record.text,
                    record.document_name,
                    record.document,
                )
            )
        else:
            blocked.add(record.chat_id)
    return claimed


async def record_chat_delivery(
    session: AsyncSession, *, message_id: int, outcome: str, error: str | None = None
) -> str:
    """`sent`, `failed` (the user blocked the bot, the chat is gone) or `retry`; returns the new state."""
    record = await session.get(TelegramOutbox, message_id, populate_existing=True)
    record.last_error = error
    now = utcnow()
    if outcome == "retry":
        if now - record.created_at > GIVE_UP_AFTER:
            record.state = "failed"
        else:
            record.state = "pending"
            record.next_attempt_at = now + backoff(record.attempts)
    else:
        record.state = outcome
    session.add(record)
    await session.commit()
    return record.state
