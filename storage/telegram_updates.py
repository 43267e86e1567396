"""Repository of raw Telegram updates: stored before they are confirmed, claimed by lease, marked handled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import TelegramUpdate
from storage.types import utcnow

PENDING = "pending"
DONE = "done"
FAILED = "failed"
# how many pending rows one claim looks at; the oldest update of each chat is taken from these
CLAIM_WINDOW = 500


@dataclass(frozen=True)
class RawUpdate:
    """One update as Telegram sent it: its number, its chat (for ordering) and its JSON."""

    update_id: int
    chat_id: int | None
    payload: str


@dataclass(frozen=True)
class ClaimedUpdate:
    """An update this instance leased for handling, with how often it has been tried (this one included)."""

    update_id: int
    chat_id: int | None
    payload: str
    attempt: int


async def add_updates(session: AsyncSession, updates: list[RawUpdate]) -> int:
    """Store updates not stored yet (a repeated delivery is ignored); commits; returns how many were new."""
    if not updates:
        return 0
    ids = [item.update_id for item in updates]
    known = set(
        (
            await session.exec(select(TelegramUpdate.update_id).where(col(TelegramUpdate.update_id).in_(ids)))
        ).all()
    )
    fresh = [item for item in updates if item.update_id not in known]
    for item in fresh:
        session.add(TelegramUpdate(update_id=item.update_id, chat_id=item.chat_id, payload=item.payload))
    try:
        await session.commit()
        return len(fresh)
    except IntegrityError:
        # another instance stored some of them in the meantime: store the rest one by one
        await session.rollback()
    added = 0
    for item in fresh:
        session.add(TelegramUpdate(update_id=item.update_id, chat_id=item.chat_id, payload=item.payload))
        try:
            await session.commit()
            added += 1
        except IntegrityError:
            await session.rollback()
    return added


async def claim_updates(
    session: AsyncSession, *, limit: int, lease: dt.timedelta, now: dt.datetime | None = None
) -> list[ClaimedUpdate]:
    """Lease up to `limit` pending updates, at most the oldest one per chat and none of a chat whose older
    update is still being handled, so each chat's messages are handled in the order they were sent."""
    now = now or utcnow()
    rows = (
        await session.exec(
            select(TelegramUpdate.update_id, TelegramUpdate.chat_id, TelegramUpdate.lease_until)
            .where(TelegramUpdate.state == PENDING)
            .order_by(col(TelegramUpdate.update_id))
            .limit(CLAIM_WINDOW)
        )
    ).all()
    seen_chats: set[int] = set()
    candidates: list[int] = []
    for update_id, chat_id, lease_until in rows:
        if chat_id is not None:
            if chat_id in seen_chats:
                continue
            seen_chats.add(chat_id)
        if lease_until is not None and lease_until > now:
            continue
        candidates.append(update_id)
        if len(candidates) >= limit:
            break
    if not candidates:
        return []
    # compare-and-set in one statement: of several instances only one moves the lease of an idle update
    claimed = await session.execute(
        update(TelegramUpdate)
        .where(
            col(TelegramUpdate.update_id).in_(candidates),
            col(TelegramUpdate.state) == PENDING,
            (col(TelegramUpdate.lease_until).is_(None)) | (col(TelegramUpdate.lease_until) <= now),
        )
        .values(lease_until=now + lease, attempts=TelegramUpdate.attempts + 1)
        .returning(
            TelegramUpdate.update_id, TelegramUpdate.chat_id, TelegramUpdate.payload, TelegramUpdate.attempts
        )
    )
    rows = sorted(claimed.all())
    await session.commit()
    return [
        ClaimedUpdate(update_id, chat_id, payload, attempts) for update_id, chat_id, payload, attempts in rows
    ]


async def finish_update(session: AsyncSession, *, update_id: int, failed_reason: str | None = None) -> None:
    """Mark an update handled (or given up with the reason); commits."""
    await _mark_handled(session, [update_id], failed_reason)
    await session.commit()


async def finish_updates(session: AsyncSession, update_ids: list[int]) -> None:
    """Mark several updates handled in one statement; commits."""
    if update_ids:
        await _mark_handled(session, update_ids, None)
        await session.commit()


async def _mark_handled(session: AsyncSession, update_ids: list[int], failed_reason: str | None) -> None:
    await session.exec(
        update(TelegramUpdate)
        .where(col(TelegramUpdate.update_id).in_(update_ids))
        .values(
            state=FAILED if failed_reason else DONE,
            handled_at=utcnow(),
            lease_until=None,
            last_error=failed_reason[:500] if failed_reason else None,
        )
    )


async def retry_later(session: AsyncSession, *, update_id: int, delay: dt.timedelta, reason: str) -> None:
    """Keep an update pending but not before `delay` has passed (a temporary fault); commits."""
    await session.exec(
        update(TelegramUpdate)
        .where(col(TelegramUpdate.update_id) == update_id)
        .values(lease_until=utcnow() + delay, last_error=reason[:500])
    )
    await session.commit()


async def prune_updates(session: AsyncSession, *, older_than: dt.datetime) -> int:
    """Delete handled updates received before `older_than` (they hold message texts); commits."""
    result = await session.exec(
        delete(TelegramUpdate).where(
            col(TelegramUpdate.state).in_((DONE, FAILED)), col(TelegramUpdate.received_at) < older_than
        )
    )
    await session.commit()
    return result.rowcount or 0


async def pending_count(session: AsyncSession) -> int:
    """How many updates wait to be handled (for health and metrics)."""
    rows = await session.exec(
        select(func.count()).select_from(TelegramUpdate).where(TelegramUpdate.state == PENDING)
    )
    return rows.one()
