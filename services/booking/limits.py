"""Caps on open bookings (active, not started yet) per Telegram chat and per municipality."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.booking.config import BookingPolicy
from services.booking.domain import BookingLimit, BookingLimitReached, BookingState
from storage.tables import Booking
from storage.types import utcnow


async def count_open_bookings(
    session: AsyncSession,
    *,
    chat_id: int | None = None,
    municipality_ags: str | None = None,
    municipality_name: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Active bookings that have not started, of one chat or one municipality (by AGS, else by name)."""
    query = (
        select(func.count())
        .select_from(Booking)
        .where(Booking.state == BookingState.ACTIVE, col(Booking.start_utc) > (now or utcnow()))
    )
    if chat_id is not None:
        query = query.where(Booking.telegram_chat_id == chat_id)
    elif municipality_ags:
        # bookings entered without an AGS count for the municipality of the same name
        same_name = func.lower(Booking.municipality_name) == (municipality_name or "").strip().lower()
        query = query.where(
            or_(
                Booking.municipality_ags == municipality_ags.strip(),
                and_(col(Booking.municipality_ags).is_(None), same_name),
            )
        )
    elif municipality_name:
        query = query.where(func.lower(Booking.municipality_name) == municipality_name.strip().lower())
    else:
        raise ValueError("pass chat_id, municipality_ags or municipality_name")
    return (await session.exec(query)).one()


async def check_booking_limits(
    session: AsyncSession,
    policy: BookingPolicy,
    *,
    chat_id: int | None = None,
    municipality_ags: str | None = None,
    municipality_name: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Raise BookingLimitReached if one more booking would exceed the chat's or the municipality's cap.

    Only a check: inside book_slot it runs while the booking lock is held, so concurrent bookings cannot
    both pass it; elsewhere (the chat asking early) it is advice that may be outdated a moment later.
    """
    now = now or utcnow()
    if chat_id is not None:
        maximum = policy.max_open_bookings_per_chat
        if await count_open_bookings(session, chat_id=chat_id, now=now) >= maximum:
            raise BookingLimitReached(BookingLimit.CHAT, maximum)
    if (municipality_ags or "").strip() or (municipality_name or "").strip():
        maximum = policy.max_open_bookings_per_municipality
        held = await count_open_bookings(
            session, municipality_ags=municipality_ags, municipality_name=municipality_name, now=now
        )
        if held >= maximum:
            raise BookingLimitReached(BookingLimit.MUNICIPALITY, maximum, (municipality_name or "").strip())
