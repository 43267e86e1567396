"""Booking use cases on SQLite and PostgreSQL: one booking per slot under load, mails, cancel, reschedule."""

import asyncio
import datetime as dt
from dataclasses import asdict

import pytest
from icalendar import Calendar
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from services.advisors import parse_advisors
from services.booking import (
    BookingConfig,
    BookingNotActive,
    BookingNotFound,
    BookingRequest,
    InvalidBooking,
    Slot,
    SlotTaken,
    book_slot,
    booking_schedules,
    cancel_booking,
    free_slots,
    list_bookings,
    reschedule_booking,
    upcoming_bookings_for_chat,
)
from services.booking import bookings as bookings_module
from services.booking.domain import BookingDetails
from services.outgoing import OutgoingMail
from services.working_time import BERLIN
from storage.tables import Booking, EmailConfirmation, OutboxMail, ReferenceSequence

ADVISORS = """\
advisors:
  - name: Anna Berater
    email: anna@example.org
    topics: [foerderung, klimaschutz]
    hours:
      tue: ["09:00-12:00"]
      thu: ["09:00-12:00"]
  - name: Bernd Beispiel
    email: bernd@example.org
    topics: [foerderung]
    formats: [video]
    hours:
      tue: ["09:00-12:00"]
"""
CONFIG = BookingConfig("fachstelle@example.org", booking_schedules(parse_advisors(ADVISORS)))
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)  # Monday
TUESDAY = dt.date(2026, 11, 10)


def _slot(hour: int, advisor: str = "anna", day: dt.date = TUESDAY) -> Slot:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN).astimezone(dt.UTC)
    return Slot(start, start + dt.timedelta(hours=1), f"{advisor}@example.org", advisor.title())


@pytest.fixture(autouse=True)
async def confirmed_contact(sessions):
    """The chat of these requests confirmed its address with a mailed code (see test_booking_contacts)."""
    async with sessions() as session:
        session.add(
            EmailConfirmation(
                chat_id=4711,
                email="test@marburg.de",
                purpose="booking",
                code_hash="-",
                expires_at=NOW,
                confirmed_at=NOW,
            )
        )
        await session.commit()


def _request(**fields) -> BookingRequest:
    values = dict(
        topic="foerderung",
        format="phone",
        municipality_name="Marburg",
        municipality_ags="06534014",
        contact_name="Frau Test",
        contact_email="Test@Marburg.de",
        contact_phone="06421 123",
        note="Wir planen ein Klimaschutzkonzept; Förderquote?",
        chat_id=4711,
    )
    return BookingRequest(**{**values, **fields})


async def _book(sessions, slot: Slot, **fields) -> Booking:
    async with sessions() as session:
        return await book_slot(session, CONFIG, slot=slot, request=_request(**fields), now=NOW)


async def _outbox(sessions) -> list[tuple[str, OutgoingMail]]:
    async with sessions() as session:
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    return [(row.purpose, OutgoingMail.from_json(row.payload)) for row in rows]


def _event(mail: OutgoingMail):
    (attachment,) = mail.attachments
    calendar = Calendar.from_ical(attachment.data)
    return attachment, calendar, calendar.walk("VEVENT")[0]


async def test_booking_stores_the_request_and_queues_invitations_to_both_sides(sessions):
    booking = await _book(sessions, _slot(10))
    assert booking.reference == "IB-2026-0001" and booking.state == "active"
    assert (booking.start_utc, booking.end_utc) == (_slot(10).start_utc, _slot(10).end_utc)
    assert booking.contact_email == "test@marburg.de" and booking.telegram_chat_id == 4711
    assert booking.ics_uid == "ib-2026-0001@example.org" and booking.ics_sequence == 0
    mails = await _outbox(sessions)
    assert [purpose for purpose, _ in mails] == ["booking_confirmation", "booking_advisor"]
    (_, to_contact), (_, to_advisor) = mails
    assert to_contact.to == (("Frau Test", "test@marburg.de"),) and to_advisor.to == (
        ("Anna Berater", "anna@example.org"),
    )
    assert to_contact.subject == "Initialberatung am Di., 10. Nov. 2026, 10:00 Uhr [IB-2026-0001]"
    assert (
        "06421 123" in to_contact.text and "Förderquote?" in to_advisor.text and "Marburg" in to_advisor.text
    )
    for mail in (to_contact, to_advisor):
        attachment, calendar, event = _event(mail)
        assert (attachment.filename, attachment.content_type, attachment.params) == (
            "einladung.ics",
            "text/calendar",
            {"method": "REQUEST", "charset": "utf-8"},
        )
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["ORGANIZER"]) == "mailto:fachstelle@example.org"
        assert [str(a) for a in event["ATTENDEE"]] == ["mailto:anna@example.org", "mailto:test@marburg.de"]
        timezone = calendar.walk("VTIMEZONE")[0]
        assert str(timezone["TZID"]) == "Europe/Berlin"
        assert sorted(c.name for c in timezone.subcomponents) == ["DAYLIGHT", "STANDARD"]
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTART").replace(tzinfo=None) == dt.datetime(2026, 11, 10, 10, 0)
        assert event.decoded("DTSTART") == booking.start_utc
        assert str(event["UID"]) == booking.ics_uid and int(event["SEQUENCE"]) == 0
        assert str(event["SUMMARY"]) == "Initialberatung Klima-Kommunen – Förderung"
        assert "Förderquote?" in str(event["DESCRIPTION"]) and "Format: Telefon" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("recheck", [True, False], ids=["with-recheck", "index-only"])
async def test_fifty_concurrent_bookings_of_one_slot_yield_exactly_one(sessions, monkeypatch, recheck):
    if not recheck:
        # prove the database alone holds the line: without the re-check every attempt reaches the INSERT

        async def always_free(*args, **kwargs):
            return None

        monkeypatch.setattr(bookings_module, "_ensure_free", always_free)
    slot = _slot(9)

    async def attempt(number: int):
        async with sessions() as session:
            try:
                return await book_slot(
                    session, CONFIG, slot=slot, request=_request(contact_name=f"Person {number}"), now=NOW
                )
            except SlotTaken as taken:
                return taken

    results = await asyncio.gather(*(attempt(n) for n in range(50)))
    bookings = [r for r in results if isinstance(r, BookingDetails)]
    taken = [r for r in results if isinstance(r, SlotTaken)]
    assert len(bookings) == 1 and len(taken) == 49
    assert all(t.slot == slot for t in taken)
    async with sessions() as session:
        stored = (await session.exec(select(Booking))).all()
        counter = await session.get(ReferenceSequence, ("IB", 2026))
    assert [b.reference for b in stored] == ["IB-2026-0001"] and counter.last_number == 1
    assert len(await _outbox(sessions)) == 2


async def test_the_database_allows_one_active_booking_per_advisor_and_start(sessions):
    booking = await _book(sessions, _slot(9))
    copy = {k: v for k, v in asdict(booking).items() if k not in ("id", "reference", "ics_uid")}
    async with sessions() as session:
        session.add(Booking(**copy, reference="X-1", ics_uid="x-1"))
        with pytest.raises(IntegrityError):
            await session.commit()
    async with sessions() as session:
        session.add(Booking(**{**copy, "state": "cancelled"}, reference="X-2", ics_uid="x-2"))
        session.add(Booking(**{**copy, "advisor_email": "bernd@example.org"}, reference="X-3", ics_uid="x-3"))
        await session.commit()


async def test_cancelling_frees_the_slot_and_sends_cancel_invitations_once(sessions):
    booking = await _book(sessions, _slot(10))
    async with sessions() as session:
        with pytest.raises(BookingNotFound):
            await cancel_booking(session, CONFIG, booking_id=booking.id, by="chat", chat_id=999, now=NOW)
        cancelled = await cancel_booking(
            session, CONFIG, reference="ib-2026-0001", by="Frau Test", chat_id=4711, now=NOW
        )
        again = await cancel_booking(session, CONFIG, booking_id=booking.id, by="anna@example.org", now=NOW)
        free = await free_slots(
            session, CONFIG, topic="foerderung", first_day=TUESDAY, last_day=TUESDAY, now=NOW
        )
        with pytest.raises(BookingNotFound):
            await cancel_booking(session, CONFIG, reference="IB-2026-0099", by="x", now=NOW)
    assert (
        cancelled.state == "cancelled"
        and cancelled.cancelled_by == "Frau Test"
        and cancelled.ics_sequence == 1
    )
    assert cancelled.cancelled_at == NOW and again.cancelled_by == "Frau Test"
    assert _slot(10).start_utc in [s.start_utc for s in free if s.advisor_email == "anna@example.org"]
    mails = await _outbox(sessions)
    assert [p for p, _ in mails] == [
        "booking_confirmation",
        "booking_advisor",
        "booking_cancellation",
        "booking_cancel_advisor",
    ]
    for _, mail in mails[2:]:
        attachment, calendar, event = _event(mail)
        assert (
            attachment.params == {"method": "CANCEL", "charset": "utf-8"}
            and str(calendar["METHOD"]) == "CANCEL"
        )
        assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == booking.ics_uid
        assert str(event["STATUS"]) == "CANCELLED"
    assert mails[2][1].subject.startswith("Abgesagt: Initialberatung am Di., 10. Nov. 2026, 10:00 Uhr")
    rebooked = await _book(sessions, _slot(10), contact_name="Herr Neu")
    assert rebooked.reference == "IB-2026-0002"


async def test_rescheduling_books_the_new_slot_and_then_cancels_the_old_one(sessions):
    old = await _book(sessions, _slot(9))
    async with sessions() as session:
        new = await reschedule_booking(
            session,
            CONFIG,
            booking=old,
            new_slot=_slot(10, day=TUESDAY + dt.timedelta(2)),
            by="Frau Test",
            now=NOW,
        )
        old = await session.get(Booking, old.id)
    assert new.state == "active" and new.rescheduled_from_id == old.id and new.reference == "IB-2026-0002"
    assert (new.contact_email, new.note, new.telegram_chat_id, new.format) == (
        old.contact_email,
        old.note,
        4711,
        "phone",
    )
    assert old.state == "cancelled" and old.ics_sequence == 1 and new.ics_uid != old.ics_uid
    mails = await _outbox(sessions)
    assert [p for p, _ in mails[2:]] == [
        "booking_cancellation",
        "booking_cancel_advisor",
        "booking_confirmation",
        "booking_advisor",
    ]
    cancel_method = [str(_event(m)[1]["METHOD"]) for _, m in mails[2:]]
    assert cancel_method == ["CANCEL", "CANCEL", "REQUEST", "REQUEST"]
    assert "IB-2026-0002" in mails[2][1].text and "IB-2026-0001" in mails[4][1].text


async def test_rescheduling_to_a_taken_slot_keeps_the_old_booking(sessions):
    old = await _book(sessions, _slot(9))
    other = await _book(
        sessions,
        _slot(11, day=TUESDAY + dt.timedelta(2)),
        contact_name="Herr Anders",
        contact_email="a@b.de",
        chat_id=None,
        confirmed_by_staff=True,
    )
    before = len(await _outbox(sessions))
    async with sessions() as session:
        with pytest.raises(SlotTaken):
            await reschedule_booking(
                session,
                CONFIG,
                booking=old,
                new_slot=_slot(11, day=TUESDAY + dt.timedelta(2)),
                by="x",
                now=NOW,
            )
        assert old.state == "active"  # still usable after the failed attempt
        with pytest.raises(InvalidBooking, match="bietet 'Telefon' nicht an"):
            await reschedule_booking(
                session, CONFIG, booking=old, new_slot=_slot(10, "bernd"), by="x", now=NOW
            )
        stored = (await session.exec(select(Booking).order_by(Booking.id))).all()
    assert [(b.reference, b.state) for b in stored] == [
        ("IB-2026-0001", "active"),
        (other.reference, "active"),
    ]
    assert len(await _outbox(sessions)) == before


async def test_rescheduling_next_door_ignores_the_old_bookings_own_buffer(sessions):
    old = await _book(sessions, _slot(9), format="video")
    async with sessions() as session:
        new = await reschedule_booking(session, CONFIG, booking=old, new_slot=_slot(10), by="x", now=NOW)
        moved = await reschedule_booking(
            session, CONFIG, booking=new, new_slot=_slot(10, "bernd"), by="x", now=NOW
        )
        with pytest.raises(BookingNotActive):
            await reschedule_booking(session, CONFIG, booking=old, new_slot=_slot(11), by="x", now=NOW)
        with pytest.raises(InvalidBooking, match="bereits"):
            await reschedule_booking(
                session, CONFIG, booking=moved, new_slot=_slot(10, "bernd"), by="x", now=NOW
            )
        active = await list_bookings(session)
    assert [(b.advisor_email, b.start_utc) for b in active] == [("bernd@example.org", _slot(10).start_utc)]


async def test_invalid_requests_are_refused_with_german_messages(sessions):
    cases = [
        (_slot(10), dict(note="x" * 501), "höchstens 500 Zeichen"),
        (_slot(10, "bernd"), dict(format="onsite"), "nur: Videokonferenz"),
        (_slot(10), dict(contact_phone=None), "Telefonnummer"),
        (_slot(10), dict(topic="klimaanpassung"), "berät nicht zum Thema Klimaanpassung"),
        (_slot(10), dict(topic="energie"), "Unbekanntes Thema"),
        (_slot(10), dict(contact_email="kaputt"), "keine gültige E-Mail-Adresse"),
        # the composer's rule: a booking never takes an address its invitation cannot be sent to
        (_slot(10), dict(contact_email="max..muster@gemeinde.de"), "keine gültige E-Mail-Adresse"),
        (_slot(10, "zoe"), {}, "bietet keine Initialberatungen an"),
    ]
    for slot, fields, message in cases:
        with pytest.raises(InvalidBooking, match=message):
            await _book(sessions, slot, **fields)
    assert (await _book(sessions, _slot(10), note="y" * 500)).note == "y" * 500


async def test_slots_off_the_grid_inside_the_lead_time_or_beyond_the_horizon_are_taken(sessions):
    off_grid = _slot(10)
    off_grid = Slot(
        off_grid.start_utc + dt.timedelta(minutes=30),
        off_grid.end_utc + dt.timedelta(minutes=30),
        "anna@example.org",
        "Anna",
    )
    for slot in (off_grid, _slot(10, day=dt.date(2026, 11, 3)), _slot(10, day=dt.date(2027, 1, 5))):
        with pytest.raises(SlotTaken):
            await _book(sessions, slot)
    async with sessions() as session:
        assert await list_bookings(session, include_cancelled=True) == []


async def test_bookings_are_listed_by_advisor_day_and_chat(sessions):
    first = await _book(sessions, _slot(9))
    second = await _book(sessions, _slot(10, "bernd"), format="video", chat_id=None, confirmed_by_staff=True)
    third = await _book(sessions, _slot(9, day=TUESDAY + dt.timedelta(2)))
    async with sessions() as session:
        await cancel_booking(session, CONFIG, booking_id=third.id, by="x", now=NOW)
        everything = await list_bookings(session, include_cancelled=True)
        annas = await list_bookings(session, advisor_email="Anna@example.org")
        tuesday = await list_bookings(session, first_day=TUESDAY, last_day=TUESDAY)
        thursday = await list_bookings(session, first_day=TUESDAY + dt.timedelta(1), include_cancelled=True)
        chat = await upcoming_bookings_for_chat(session, chat_id=4711, now=NOW)
        later = await upcoming_bookings_for_chat(session, chat_id=4711, now=first.start_utc)
    assert [b.id for b in everything] == [first.id, second.id, third.id]
    assert [b.id for b in annas] == [first.id]
    assert [b.id for b in tuesday] == [first.id, second.id]
    assert [b.id for b in thursday] == [third.id]
    assert [b.id for b in chat] == [first.id] and later == []
