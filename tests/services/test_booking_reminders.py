"""Reminders 24 h and 1 h before a consultation: due once each, claimed by one worker only."""

import asyncio
import datetime as dt

from services.advisors import parse_advisors
from services.booking import (
    BookingConfig,
    BookingRequest,
    ReminderKind,
    Slot,
    book_slot,
    booking_schedules,
    cancel_booking,
    due_reminders,
    mark_reminded,
)
from services.working_time import BERLIN

ADVISORS = """\
advisors:
  - name: Anna Berater
    email: anna@example.org
    topics: [klimaschutz]
    hours:
      tue: ["09:00-12:00"]
"""
CONFIG = BookingConfig("fachstelle@example.org", booking_schedules(parse_advisors(ADVISORS)))
BOOKED_AT = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 11, 10, 10, 0, tzinfo=BERLIN).astimezone(dt.UTC)


async def _book(sessions, hour: int = 10):
    start = dt.datetime(2026, 11, 10, hour, 0, tzinfo=BERLIN).astimezone(dt.UTC)
    request = BookingRequest(
        topic="klimaschutz",
        format="video",
        municipality_name="Marburg",
        contact_name="Frau Test",
        contact_email="test@marburg.de",
        confirmed_by_staff=True,
    )
    async with sessions() as session:
        slot = Slot(start, start + dt.timedelta(hours=1), "anna@example.org", "Anna Berater")
        return await book_slot(session, CONFIG, slot=slot, request=request, now=BOOKED_AT)


async def _due(sessions, now):
    async with sessions() as session:
        return [(booking.reference, kind) for booking, kind in await due_reminders(session, now=now)]


async def _send_due(sessions, now) -> list[tuple[str, str]]:
    """What a scheduler job does: claim each due reminder, send only the claimed ones."""
    sent = []
    async with sessions() as session:
        for booking, kind in await due_reminders(session, now=now):
            if await mark_reminded(session, booking_id=booking.id, kind=kind, now=now):
                sent.append((booking.reference, str(kind)))
    return sent


async def test_each_reminder_is_due_once_at_its_time(sessions):
    booking = await _book(sessions)
    ref = booking.reference
    assert await _due(sessions, START - dt.timedelta(hours=24, minutes=1)) == []
    assert await _due(sessions, START - dt.timedelta(hours=24)) == [(ref, ReminderKind.DAY_BEFORE)]
    assert await _send_due(sessions, START - dt.timedelta(hours=23)) == [(ref, "24h")]
    assert await _send_due(sessions, START - dt.timedelta(hours=2)) == []
    assert await _send_due(sessions, START - dt.timedelta(minutes=60)) == [(ref, "1h")]
    assert await _send_due(sessions, START - dt.timedelta(minutes=5)) == []
    assert await _due(sessions, START + dt.timedelta(minutes=1)) == []
    async with sessions() as session:
        assert not await mark_reminded(session, booking_id=booking.id, kind="1h", now=START)


async def test_a_late_scheduler_sends_only_the_one_hour_reminder(sessions):
    booking = await _book(sessions)
    assert await _due(sessions, START - dt.timedelta(minutes=30)) == [
        (booking.reference, ReminderKind.HOUR_BEFORE)
    ]
    assert await _send_due(sessions, START - dt.timedelta(minutes=30)) == [(booking.reference, "1h")]
    assert await _due(sessions, START - dt.timedelta(minutes=20)) == []


async def test_a_cancelled_booking_gets_no_reminder(sessions):
    booking = await _book(sessions)
    async with sessions() as session:
        await cancel_booking(session, CONFIG, booking_id=booking.id, by="x", now=BOOKED_AT)
        assert not await mark_reminded(session, booking_id=booking.id, kind=ReminderKind.DAY_BEFORE)
    assert await _due(sessions, START - dt.timedelta(hours=2)) == []


async def test_two_workers_never_send_the_same_reminder_twice(sessions):
    first, second = await _book(sessions, 9), await _book(sessions, 11)
    now = START - dt.timedelta(hours=20)
    results = await asyncio.gather(*(_send_due(sessions, now) for _ in range(8)))
    sent = sorted(item for result in results for item in result)
    assert sent == [(first.reference, "24h"), (second.reference, "24h")]
