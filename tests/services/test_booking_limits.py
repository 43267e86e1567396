"""Open-booking limits on SQLite and PostgreSQL: per chat, per municipality, under concurrent bookings."""

import asyncio
import contextlib
import datetime as dt

import pytest
from sqlmodel import select

from services.advisors import parse_advisors
from services.booking import (
    BookingConfig,
    BookingLimit,
    BookingLimitReached,
    BookingPolicy,
    BookingRequest,
    Slot,
    book_slot,
    booking_schedules,
    cancel_booking,
    reschedule_booking,
)
from services.booking import bookings as bookings_module
from services.booking.domain import BookingDetails
from services.working_time import BERLIN
from storage.tables import Booking, EmailConfirmation, OutboxMail

ADVISORS = """\
advisors:
  - name: Anna Berater
    email: anna@example.org
    topics: [foerderung]
    formats: [video]
    hours:
      mon: ["08:00-18:00"]
      tue: ["08:00-18:00"]
      wed: ["08:00-18:00"]
      thu: ["08:00-18:00"]
      fri: ["08:00-18:00"]
"""
POLICY = BookingPolicy(max_open_bookings_per_chat=2, max_open_bookings_per_municipality=3)
CONFIG = BookingConfig("fachstelle@example.org", booking_schedules(parse_advisors(ADVISORS)), POLICY)
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)  # Monday
TUESDAY = dt.date(2026, 11, 10)
CHAT = 4711


def _slot(hour: int, day: dt.date = TUESDAY) -> Slot:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN).astimezone(dt.UTC)
    return Slot(start, start + dt.timedelta(hours=1), "anna@example.org", "Anna Berater")


def _apart(count: int, first_day: dt.date) -> list[Slot]:
    """`count` slots two hours apart (so no buffer touches another), on the working days from `first_day`."""
    days = [first_day + dt.timedelta(days=n) for n in range(count)]
    weekdays = [day for day in days if day.weekday() < 5]
    return [_slot((8, 10, 12, 14, 16)[n % 5], weekdays[n // 5]) for n in range(count)]


def _request(chat_id: int | None = CHAT, **fields) -> BookingRequest:
    values = dict(
        topic="foerderung",
        format="video",
        municipality_name="Marburg",
        municipality_ags="06534014",
        contact_name="Frau Test",
        contact_email=f"kontakt{chat_id}@marburg.de",
        chat_id=chat_id,
    )
    return BookingRequest(**{**values, **fields})


async def _confirm(sessions, *chats: int) -> None:
    """Record that each chat typed the code mailed to its contact address."""
    async with sessions() as session:
        for chat in chats:
            session.add(
                EmailConfirmation(
                    chat_id=chat,
                    email=f"kontakt{chat}@marburg.de",
                    purpose="booking",
                    code_hash="-",
                    expires_at=NOW,
                    confirmed_at=NOW,
                )
            )
        await session.commit()


async def _book(sessions, slot: Slot, config=CONFIG, now=NOW, **fields) -> Booking:
    async with sessions() as session:
        return await book_slot(session, config, slot=slot, request=_request(**fields), now=now)


async def _count(sessions, table) -> int:
    async with sessions() as session:
        return len((await session.exec(select(table))).all())


async def test_a_chat_cannot_hold_more_open_bookings_than_its_limit(sessions):
    await _confirm(sessions, CHAT)
    await _book(sessions, _slot(8))
    await _book(sessions, _slot(10))
    mails_before = await _count(sessions, OutboxMail)
    with pytest.raises(BookingLimitReached) as refused:
        await _book(sessions, _slot(12))
    assert refused.value.limit is BookingLimit.CHAT and refused.value.maximum == 2
    assert "2" in str(refused.value)
    assert await _count(sessions, Booking) == 2 and await _count(sessions, OutboxMail) == mails_before


async def test_a_municipality_cannot_hold_more_open_bookings_than_its_limit(sessions):
    await _confirm(sessions, 1, 2, 3, 4)
    for hour, chat in ((8, 1), (10, 2), (12, 3)):
        await _book(sessions, _slot(hour), chat_id=chat)
    with pytest.raises(BookingLimitReached) as refused:
        await _book(sessions, _slot(14), chat_id=4)
    assert refused.value.limit is BookingLimit.MUNICIPALITY and refused.value.maximum == 3
    assert "Marburg" in str(refused.value)
    # another municipality is not affected
    other = await _book(
        sessions, _slot(14), chat_id=4, municipality_name="Gießen", municipality_ags="06531005"
    )
    assert other.municipality_name == "Gießen"


async def test_the_caps_come_from_the_policy_and_staff_bookings_without_ags_count_by_name(sessions):
    tight = BookingConfig(
        CONFIG.inbox_address,
        CONFIG.schedules,
        BookingPolicy(max_open_bookings_per_chat=1, max_open_bookings_per_municipality=2),
    )
    await _confirm(sessions, 1, 2)
    await _book(sessions, _slot(8), config=tight, chat_id=1)
    with pytest.raises(BookingLimitReached, match="bereits 1"):
        await _book(sessions, _slot(10), config=tight, chat_id=1)
    # entered by the Fachstelle without an AGS: counts for Marburg by its name
    await _book(
        sessions, _slot(12), config=tight, chat_id=None, municipality_ags=None, confirmed_by_staff=True
    )
    with pytest.raises(BookingLimitReached) as refused:
        await _book(sessions, _slot(14), config=tight, chat_id=2)
    assert refused.value.limit is BookingLimit.MUNICIPALITY and refused.value.maximum == 2


async def test_cancelled_and_past_bookings_do_not_count(sessions):
    await _confirm(sessions, CHAT)
    first = await _book(sessions, _slot(8))
    await _book(sessions, _slot(10))
    async with sessions() as session:
        await cancel_booking(session, CONFIG, booking_id=first.id, by="x", now=NOW)
    await _book(sessions, _slot(12))
    # a week later the Tuesday bookings lie in the past
    later = NOW + dt.timedelta(days=9)
    await _book(sessions, _slot(8, TUESDAY + dt.timedelta(days=7)), now=later)
    await _book(sessions, _slot(10, TUESDAY + dt.timedelta(days=7)), now=later)
    with pytest.raises(BookingLimitReached):
        await _book(sessions, _slot(12, TUESDAY + dt.timedelta(days=7)), now=later)


async def test_rescheduling_an_own_booking_at_the_limit_is_not_a_new_booking(sessions):
    await _confirm(sessions, CHAT)
    first = await _book(sessions, _slot(8))
    await _book(sessions, _slot(10))
    async with sessions() as session:
        moved = await reschedule_booking(session, CONFIG, booking=first, new_slot=_slot(14), by="x", now=NOW)
    assert moved.start_utc == _slot(14).start_utc and moved.state == "active"


async def _race(sessions, attempts: list[tuple[Slot, dict, dt.datetime]]) -> tuple[list, list]:
    async def attempt(slot, fields, now):
        async with sessions() as session:
            try:
                return await book_slot(session, CONFIG, slot=slot, request=_request(**fields), now=now)
            except BookingLimitReached as refused:
                return refused

    results = await asyncio.gather(*(attempt(*a) for a in attempts))
    booked = [r for r in results if isinstance(r, BookingDetails)]
    refused = [r for r in results if isinstance(r, BookingLimitReached)]
    assert len(booked) + len(refused) == len(results)
    return booked, refused


async def test_concurrent_bookings_of_one_chat_at_limit_minus_one_yield_one(sessions):
    await _confirm(sessions, CHAT)
    await _book(sessions, _slot(8))
    race = [(slot, {}, NOW) for slot in _apart(9, TUESDAY + dt.timedelta(days=1))]
    booked, refused = await _race(sessions, race)
    assert len(booked) == 1 and len(refused) == 8
    assert all(r.limit is BookingLimit.CHAT for r in refused)


async def test_concurrent_bookings_of_one_municipality_at_limit_minus_one_yield_one(sessions):
    chats = list(range(1, 11))
    await _confirm(sessions, *chats)
    await _book(sessions, _slot(8), chat_id=100, contact_email="anna@example.org")
    await _book(sessions, _slot(10), chat_id=101, contact_email="anna@example.org")
    race = [
        (slot, {"chat_id": chat}, NOW)
        for slot, chat in zip(_apart(10, TUESDAY + dt.timedelta(days=1)), chats, strict=True)
    ]
    booked, refused = await _race(sessions, race)
    assert len(booked) == 1 and all(r.limit is BookingLimit.MUNICIPALITY for r in refused)


async def test_concurrent_bookings_around_new_year_still_respect_the_limit(sessions, monkeypatch):
    # reference numbers are counted per year, so the two sides of midnight use different counter rows;
    # each attempt waits (up to 1 s) at the limit check for the other, so they would overlap if they could
    real_check = bookings_module.check_booking_limits
    arrived, both_there = [], asyncio.Event()

    async def meet_at_the_check(*args, **kwargs):
        arrived.append(1)
        if len(arrived) == 2:
            both_there.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both_there.wait(), 1)
        await real_check(*args, **kwargs)

    before = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=BERLIN).astimezone(dt.UTC)
    after = dt.datetime(2027, 1, 1, 0, 0, 1, tzinfo=BERLIN).astimezone(dt.UTC)
    await _confirm(sessions, CHAT)
    await _book(sessions, _slot(8, dt.date(2027, 1, 12)), now=before)
    monkeypatch.setattr(bookings_module, "check_booking_limits", meet_at_the_check)
    january = dt.date(2027, 1, 13)
    booked, refused = await _race(
        sessions, [(_slot(8, january), {}, before), (_slot(12, january), {}, after)]
    )
    assert len(booked) == 1 and len(refused) == 1
