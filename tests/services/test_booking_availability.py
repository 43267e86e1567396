"""Free slots on SQLite and PostgreSQL: topics, one offer per start, bookings with buffers, absences, weeks."""

import datetime as dt

import pytest

from services.advisors import parse_advisors
from services.booking import (
    BookingConfig,
    BookingRequest,
    InvalidAbsence,
    InvalidBooking,
    Slot,
    book_slot,
    booking_schedules,
    free_slots,
    free_week,
    next_free_slots,
)
from services.booking.absences import AbsenceNotFound, add_absence, list_absences, remove_absence
from services.working_time import BERLIN

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
    topics: [foerderung, thg-bilanz]
    hours:
      tue: ["09:00-12:00"]
      fri: ["13:00-15:00"]
  - name: Clara Ohnezeit
    email: clara@example.org
    topics: [klimaanpassung]
"""
CONFIG = BookingConfig("fachstelle@example.org", booking_schedules(parse_advisors(ADVISORS)))
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)  # Monday; earliest bookable day Wednesday 4 Nov
TUESDAY = dt.date(2026, 11, 10)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN).astimezone(dt.UTC)


def _request(**fields) -> BookingRequest:
    values = dict(
        topic="foerderung",
        format="video",
        municipality_name="Marburg",
        contact_name="Frau Test",
        contact_email="test@marburg.de",
        confirmed_by_staff=True,
    )
    return BookingRequest(**{**values, **fields})


async def _book(sessions, slot: Slot, **fields):
    async with sessions() as session:
        return await book_slot(session, CONFIG, slot=slot, request=_request(**fields), now=NOW)


def _view(slots):
    return [
        (s.start_utc.astimezone(BERLIN).strftime("%a %d.%m. %H:%M"), s.advisor_email.split("@")[0])
        for s in slots
    ]


async def test_a_topic_offers_only_the_slots_of_its_advisors(sessions):
    async with sessions() as session:
        thg = await free_slots(
            session,
            CONFIG,
            topic="thg-bilanz",
            first_day=TUESDAY,
            last_day=TUESDAY + dt.timedelta(3),
            now=NOW,
        )
        schutz = await free_slots(
            session,
            CONFIG,
            topic="klimaschutz",
            first_day=TUESDAY,
            last_day=TUESDAY + dt.timedelta(3),
            now=NOW,
        )
        anpassung = await free_slots(
            session, CONFIG, topic="klimaanpassung", first_day=TUESDAY, last_day=TUESDAY, now=NOW
        )
        with pytest.raises(InvalidBooking):
            await free_slots(session, CONFIG, topic="energie", first_day=TUESDAY, last_day=TUESDAY, now=NOW)
    assert {s.advisor_email for s in thg} == {"bernd@example.org"}
    assert _view(thg) == [
        ("Tue 10.11. 09:00", "bernd"),
        ("Tue 10.11. 10:00", "bernd"),
        ("Tue 10.11. 11:00", "bernd"),
        ("Fri 13.11. 13:00", "bernd"),
        ("Fri 13.11. 14:00", "bernd"),
    ]
    assert {s.advisor_email for s in schutz} == {"anna@example.org"} and len(schutz) == 6
    assert anpassung == []  # Clara covers it but has no hours


async def test_one_slot_per_start_goes_to_the_advisor_with_fewer_bookings_that_week(sessions):
    async with sessions() as session:
        before = await free_slots(
            session, CONFIG, topic="foerderung", first_day=TUESDAY, last_day=TUESDAY, now=NOW
        )
    # equal weekly load: the tie is broken by address, deterministically
    assert _view(before) == [
        ("Tue 10.11. 09:00", "anna"),
        ("Tue 10.11. 10:00", "anna"),
        ("Tue 10.11. 11:00", "anna"),
    ]
    await _book(
        sessions,
        Slot(
            _at(TUESDAY + dt.timedelta(2), 9),
            _at(TUESDAY + dt.timedelta(2), 10),
            "anna@example.org",
            "Anna Berater",
        ),
    )
    async with sessions() as session:
        after = await free_slots(
            session, CONFIG, topic="foerderung", first_day=TUESDAY, last_day=TUESDAY, now=NOW
        )
        next_week = await free_slots(
            session,
            CONFIG,
            topic="foerderung",
            first_day=TUESDAY + dt.timedelta(7),
            last_day=TUESDAY + dt.timedelta(7),
            now=NOW,
        )
    assert [who for _, who in _view(after)] == ["bernd", "bernd", "bernd"]
    assert [who for _, who in _view(next_week)] == ["anna", "anna", "anna"]
    # the advisor not offered is still bookable: booking checks that advisor, not the offer
    booking = await _book(
        sessions, Slot(_at(TUESDAY, 9), _at(TUESDAY, 10), "anna@example.org", "Anna Berater")
    )
    assert booking.advisor_email == "anna@example.org"


async def test_a_booking_blocks_its_slot_and_the_buffered_neighbours_of_that_advisor_only(sessions):
    await _book(
        sessions,
        Slot(_at(TUESDAY, 10), _at(TUESDAY, 11), "bernd@example.org", "Bernd Beispiel"),
        topic="thg-bilanz",
    )
    async with sessions() as session:
        thg = await free_slots(
            session, CONFIG, topic="thg-bilanz", first_day=TUESDAY, last_day=TUESDAY, now=NOW
        )
        foerderung = await free_slots(
            session, CONFIG, topic="foerderung", first_day=TUESDAY, last_day=TUESDAY, now=NOW
        )
    assert thg == []  # 09:00 ends and 11:00 starts within Bernd's 15-minute buffer
    assert _view(foerderung) == [
        ("Tue 10.11. 09:00", "anna"),
        ("Tue 10.11. 10:00", "anna"),
        ("Tue 10.11. 11:00", "anna"),
    ]


async def test_absences_remove_slots_until_they_are_removed(sessions):
    booked = await _book(
        sessions,
        Slot(_at(TUESDAY, 9), _at(TUESDAY, 10), "bernd@example.org", "Bernd Beispiel"),
        topic="thg-bilanz",
    )
    async with sessions() as session:
        added = await add_absence(
            session,
            CONFIG,
            advisor_email="Bernd@Example.org",
            first_day=TUESDAY,
            last_day=TUESDAY + dt.timedelta(3),
            note="Urlaub",
        )
        slots = await free_slots(
            session,
            CONFIG,
            topic="thg-bilanz",
            first_day=TUESDAY,
            last_day=TUESDAY + dt.timedelta(10),
            now=NOW,
        )
        listed = await list_absences(session, advisor_email="bernd@example.org", from_day=TUESDAY)
    assert [b.reference for b in added.conflicting_bookings] == [booked.reference]
    assert [(a.id, a.first_day, a.last_day, a.note) for a in listed] == [
        (added.absence.id, TUESDAY, TUESDAY + dt.timedelta(3), "Urlaub")
    ]
    assert {s.day for s in slots} == {TUESDAY + dt.timedelta(7), TUESDAY + dt.timedelta(10)}
    async with sessions() as session:
        await remove_absence(session, absence_id=added.absence.id)
        slots = await free_slots(
            session,
            CONFIG,
            topic="thg-bilanz",
            first_day=TUESDAY,
            last_day=TUESDAY + dt.timedelta(3),
            now=NOW,
        )
        assert await list_absences(session) == []
        with pytest.raises(AbsenceNotFound):
            await remove_absence(session, absence_id=added.absence.id)
    assert _view(slots) == [
        ("Tue 10.11. 11:00", "bernd"),
        ("Fri 13.11. 13:00", "bernd"),
        ("Fri 13.11. 14:00", "bernd"),
    ]


async def test_absence_input_is_checked(sessions):
    async with sessions() as session:
        with pytest.raises(InvalidAbsence, match="Beraterliste"):
            await add_absence(
                session, CONFIG, advisor_email="x@example.org", first_day=TUESDAY, last_day=TUESDAY
            )
        with pytest.raises(InvalidAbsence, match="vor dem Beginn"):
            await add_absence(
                session,
                CONFIG,
                advisor_email="anna@example.org",
                first_day=TUESDAY,
                last_day=TUESDAY - dt.timedelta(1),
            )
        first = await add_absence(
            session,
            CONFIG,
            advisor_email="anna@example.org",
            first_day=dt.date(2026, 12, 21),
            last_day=dt.date(2027, 1, 3),
        )
        await add_absence(
            session, CONFIG, advisor_email="bernd@example.org", first_day=TUESDAY, last_day=TUESDAY
        )
        assert [a.advisor_email for a in await list_absences(session)] == [
            "bernd@example.org",
            "anna@example.org",
        ]
        assert [a.id for a in await list_absences(session, from_day=dt.date(2027, 1, 1))] == [
            first.absence.id
        ]
        assert await list_absences(session, to_day=TUESDAY - dt.timedelta(1)) == []


async def test_the_week_view_starts_at_the_first_week_with_slots_and_pages_within_the_horizon(sessions):
    async with sessions() as session:
        first = await free_week(session, CONFIG, topic="thg-bilanz", now=NOW)
        last = await free_week(session, CONFIG, topic="thg-bilanz", week_start=dt.date(2026, 12, 28), now=NOW)
        beyond = await free_week(session, CONFIG, topic="thg-bilanz", week_start=dt.date(2027, 1, 4), now=NOW)
    # earliest day is Wed 4 Nov: Bernd's Friday the 6th is the first slot, in the week of Monday 2 Nov
    assert first.week_start == dt.date(2026, 11, 2) and first.previous_week is None
    assert first.next_week == dt.date(2026, 11, 9)
    assert [d.day.day for d in first.days] == [2, 3, 4, 5, 6]
    assert [len(d.slots) for d in first.days] == [0, 0, 0, 0, 2]
    # the horizon ends on 28 Dec (eight weeks after 2 Nov): Tuesday the 29th is out
    assert last.previous_week == dt.date(2026, 12, 21) and last.next_week is None and last.slots == []
    assert beyond.slots == [] and beyond.next_week is None


async def test_next_free_slots_after_a_taken_one_include_other_advisors_at_the_same_time(sessions):
    taken = Slot(_at(TUESDAY, 10), _at(TUESDAY, 11), "anna@example.org", "Anna Berater")
    await _book(sessions, taken)
    async with sessions() as session:
        upcoming = await next_free_slots(
            session, CONFIG, topic="foerderung", after=taken.start_utc, limit=3, now=NOW
        )
        from_now = await next_free_slots(session, CONFIG, topic="foerderung", limit=2, now=NOW)
    assert _view(upcoming) == [
        ("Tue 10.11. 10:00", "bernd"),
        ("Tue 10.11. 11:00", "bernd"),
        ("Thu 12.11. 09:00", "anna"),
    ]
    assert _view(from_now) == [("Thu 05.11. 09:00", "anna"), ("Thu 05.11. 10:00", "anna")]
