"""Slot generation without a database: Berlin hours across DST, holidays, lead time, horizon, buffers."""

import datetime as dt

from services.advisors import Advisor
from services.booking import (
    BookingPolicy,
    add_working_days,
    bookable_days,
    format_day,
    format_long_day,
    format_slot,
    format_slot_range,
    format_time,
    format_week,
    group_by_day,
    parse_schedule,
)
from services.booking.availability import grid_slots, open_slots
from services.working_time import BERLIN

EVERY_DAY = {day: ["09:00-12:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
LONG_AGO = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
NO_LIMITS = BookingPolicy(lead_working_days=0, horizon_days=3650)


def _schedule(hours=None, **extra):
    return parse_schedule(
        Advisor(
            "Anna Berater", "anna@example.org", ("foerderung",), {"hours": hours or EVERY_DAY, **extra}, 3
        )
    )


def _utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def _starts(slots):
    return [slot.start_utc for slot in slots]


def _local(slots):
    return [slot.start_utc.astimezone(BERLIN).strftime("%a %d.%m. %H:%M") for slot in slots]


def test_sunday_hours_are_berlin_wall_clock_on_the_spring_dst_switch():
    schedule = _schedule()
    # 22 March is still CET (UTC+1); 29 March 2026 is the switch Sunday, CEST (UTC+2) from 03:00 on
    assert _starts(grid_slots(schedule, dt.date(2026, 3, 22))) == [_utc(2026, 3, 22, h) for h in (8, 9, 10)]
    assert _starts(grid_slots(schedule, dt.date(2026, 3, 29))) == [_utc(2026, 3, 29, h) for h in (7, 8, 9)]
    assert _starts(grid_slots(schedule, dt.date(2026, 3, 30))) == [_utc(2026, 3, 30, h) for h in (7, 8, 9)]
    assert _local(grid_slots(schedule, dt.date(2026, 3, 29))) == [
        "Sun 29.03. 09:00",
        "Sun 29.03. 10:00",
        "Sun 29.03. 11:00",
    ]


def test_sunday_hours_are_berlin_wall_clock_on_the_autumn_dst_switch():
    schedule = _schedule()
    assert _starts(grid_slots(schedule, dt.date(2026, 10, 24))) == [_utc(2026, 10, 24, h) for h in (7, 8, 9)]
    assert _starts(grid_slots(schedule, dt.date(2026, 10, 25))) == [_utc(2026, 10, 25, h) for h in (8, 9, 10)]
    assert _starts(grid_slots(schedule, dt.date(2026, 10, 26))) == [_utc(2026, 10, 26, h) for h in (8, 9, 10)]
    assert all(
        slot.end_utc - slot.start_utc == dt.timedelta(hours=1)
        for slot in grid_slots(schedule, dt.date(2026, 10, 25))
    )


def test_night_slots_skip_the_missing_and_the_doubled_hour():
    schedule = _schedule({"sun": ["00:00-04:00"]})
    spring = grid_slots(schedule, dt.date(2026, 3, 29))
    autumn = grid_slots(schedule, dt.date(2026, 10, 25))
    # 02:00 does not exist in spring (and 01:00 would end in the gap); in autumn 02:00–03:00 lasts two hours
    assert _local(spring) == ["Sun 29.03. 00:00", "Sun 29.03. 03:00"]
    assert _local(autumn) == ["Sun 25.10. 00:00", "Sun 25.10. 01:00", "Sun 25.10. 03:00"]
    assert all(slot.end_utc - slot.start_utc == dt.timedelta(hours=1) for slot in spring + autumn)


def test_hessian_public_holidays_have_no_slots():
    schedule = _schedule()

    def days(first, last):
        return {slot.day for slot in open_slots(schedule, first, last, now=LONG_AGO, policy=NO_LIMITS)}

    easter_week = days(dt.date(2026, 4, 2), dt.date(2026, 4, 7))
    assert (
        dt.date(2026, 4, 3) not in easter_week and dt.date(2026, 4, 6) not in easter_week
    )  # Karfreitag, Ostermontag
    assert {dt.date(2026, 4, 2), dt.date(2026, 4, 4), dt.date(2026, 4, 5), dt.date(2026, 4, 7)} <= easter_week
    assert days(dt.date(2026, 5, 14), dt.date(2026, 5, 14)) == set()  # Christi Himmelfahrt
    assert days(dt.date(2026, 6, 4), dt.date(2026, 6, 4)) == set()  # Fronleichnam (a holiday in Hesse)
    assert days(dt.date(2026, 10, 3), dt.date(2026, 10, 3)) == set()  # Tag der Deutschen Einheit, a Saturday
    assert days(dt.date(2026, 10, 10), dt.date(2026, 10, 10)) == {dt.date(2026, 10, 10)}


def test_lead_time_counts_two_hessian_working_days():
    assert add_working_days(dt.date(2026, 11, 23), 2) == dt.date(2026, 11, 25)  # Mon → Wed
    assert add_working_days(dt.date(2026, 3, 20), 2) == dt.date(2026, 3, 24)  # Fri → Tue over the weekend
    assert add_working_days(dt.date(2026, 4, 2), 2) == dt.date(2026, 4, 8)  # Thu before Easter → Wed
    assert add_working_days(dt.date(2026, 3, 21), 2) == dt.date(2026, 3, 24)  # Sat → Tue
    friday = dt.datetime(2026, 3, 20, 15, 0, tzinfo=BERLIN)
    slots = open_slots(
        _schedule(), dt.date(2026, 3, 20), dt.date(2026, 3, 31), now=friday, policy=BookingPolicy()
    )
    # the weekend-working advisor offers nothing before Tuesday: lead time is counted in working days
    assert slots[0].day == dt.date(2026, 3, 24)
    easter = dt.datetime(2026, 4, 2, 8, 0, tzinfo=BERLIN)
    slots = open_slots(
        _schedule(), dt.date(2026, 4, 1), dt.date(2026, 4, 30), now=easter, policy=BookingPolicy()
    )
    assert slots[0].day == dt.date(2026, 4, 8)


def test_the_horizon_ends_eight_weeks_after_today():
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN)
    assert bookable_days(now, BookingPolicy()) == (dt.date(2026, 3, 4), dt.date(2026, 4, 27))
    slots = open_slots(
        _schedule(), dt.date(2026, 3, 1), dt.date(2026, 6, 30), now=now, policy=BookingPolicy()
    )
    assert slots[-1].day == dt.date(2026, 4, 27)
    short = BookingPolicy(lead_working_days=2, horizon_days=14)
    assert open_slots(_schedule(), dt.date(2026, 3, 1), dt.date(2026, 6, 30), now=now, policy=short)[
        -1
    ].day == (dt.date(2026, 3, 16))


def test_without_lead_time_only_future_slots_are_offered():
    now = dt.datetime(2026, 3, 2, 10, 30, tzinfo=BERLIN)
    slots = open_slots(_schedule(), dt.date(2026, 3, 2), dt.date(2026, 3, 2), now=now, policy=NO_LIMITS)
    assert _local(slots) == ["Mon 02.03. 11:00"]


def test_buffers_keep_neighbouring_slots_free():
    schedule = _schedule({"mon": ["08:00-13:00"]})
    booked = (dt.datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN), dt.datetime(2026, 3, 2, 11, 0, tzinfo=BERLIN))
    slots = open_slots(
        schedule, dt.date(2026, 3, 2), dt.date(2026, 3, 2), now=LONG_AGO, policy=NO_LIMITS, busy=[booked]
    )
    # 09:00 would end within 15 minutes before 10:00, 11:00 would start within 15 minutes after 11:00
    assert _local(slots) == ["Mon 02.03. 08:00", "Mon 02.03. 12:00"]
    no_buffer = _schedule({"mon": ["08:00-13:00"]}, buffer_minutes=0)
    slots = open_slots(
        no_buffer, dt.date(2026, 3, 2), dt.date(2026, 3, 2), now=LONG_AGO, policy=NO_LIMITS, busy=[booked]
    )
    assert _local(slots) == ["Mon 02.03. 08:00", "Mon 02.03. 09:00", "Mon 02.03. 11:00", "Mon 02.03. 12:00"]


def test_a_booking_of_another_length_blocks_every_overlapping_grid_slot():
    schedule = _schedule({"mon": ["09:00-12:00"]}, slot_minutes=30, buffer_minutes=0)
    booked = (dt.datetime(2026, 3, 2, 9, 45, tzinfo=BERLIN), dt.datetime(2026, 3, 2, 10, 45, tzinfo=BERLIN))
    slots = open_slots(
        schedule, dt.date(2026, 3, 2), dt.date(2026, 3, 2), now=LONG_AGO, policy=NO_LIMITS, busy=[booked]
    )
    assert [s.start_utc.astimezone(BERLIN).strftime("%H:%M") for s in slots] == ["09:00", "11:00", "11:30"]


def test_absent_days_have_no_slots():
    absences = [(dt.date(2026, 3, 3), dt.date(2026, 3, 5))]
    slots = open_slots(
        _schedule(),
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 6),
        now=LONG_AGO,
        policy=NO_LIMITS,
        absences=absences,
    )
    assert sorted({slot.day.day for slot in slots}) == [2, 6]


def test_the_week_view_shows_monday_to_friday_and_weekend_days_only_with_slots():
    slots = open_slots(
        _schedule(), dt.date(2026, 3, 25), dt.date(2026, 3, 29), now=LONG_AGO, policy=NO_LIMITS
    )
    days = group_by_day([s for s in slots if s.day.weekday() != 5], dt.date(2026, 3, 26))
    assert [day.day for day in days] == [dt.date(2026, 3, d) for d in (23, 24, 25, 26, 27, 29)]
    assert [len(day.slots) for day in days] == [0, 0, 3, 3, 3, 3]


def test_german_formats_follow_babel_and_berlin_time():
    assert format_slot(_utc(2026, 12, 1, 9, 0)) == "Di., 1. Dez. 2026, 10:00 Uhr"
    assert format_slot(_utc(2026, 6, 2, 8, 0)) == "Di., 2. Juni 2026, 10:00 Uhr"
    assert format_slot(_utc(2026, 3, 29, 7, 0)) == "So., 29. März 2026, 09:00 Uhr"
    assert (
        format_slot_range(_utc(2026, 12, 1, 9, 0), _utc(2026, 12, 1, 10, 0))
        == "Di., 1. Dez. 2026, 10:00–11:00 Uhr"
    )
    assert format_time(_utc(2026, 12, 1, 9, 0)) == "10:00"
    assert format_day(dt.date(2026, 12, 1)) == "Di., 1. Dez."
    assert format_day(dt.date(2026, 5, 5)) == "Di., 5. Mai"
    assert format_long_day(dt.date(2026, 12, 1)) == "Dienstag, 1. Dezember 2026"
    assert format_week(dt.date(2026, 11, 30)) == "30. Nov. – 4. Dez. 2026"
    assert format_week(dt.date(2026, 12, 28)) == "28. Dez. 2026 – 1. Jan. 2027"
