"""Free consultation slots: weekly hours in Berlin time minus holidays, absences, bookings and buffers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.booking.config import TOPICS, AdvisorSchedule, BookingConfig, BookingPolicy
from services.booking.domain import BookingState, InvalidBooking
from services.working_time import BERLIN, hessian_holidays, is_working_day
from storage.tables import AdvisorAbsence, Booking
from storage.types import utcnow


@dataclass(frozen=True, order=True)
class Slot:
    """One bookable consultation with one advisor; times are aware UTC datetimes."""

    start_utc: dt.datetime
    end_utc: dt.datetime
    advisor_email: str
    advisor_name: str

    @property
    def day(self) -> dt.date:
        """The Berlin calendar day of the start."""
        return self.start_utc.astimezone(BERLIN).date()


@dataclass(frozen=True)
class DaySlots:
    """The free slots of one Berlin calendar day."""

    day: dt.date
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class WeekView:
    """One week of free slots for a topic, with the Mondays to page to (None at the bookable edges)."""

    week_start: dt.date
    days: tuple[DaySlots, ...]
    previous_week: dt.date | None
    next_week: dt.date | None

    @property
    def slots(self) -> list[Slot]:
        """All slots of the week in order."""
        return [slot for day in self.days for slot in day.slots]


@dataclass(frozen=True)
class _Busy:
    booking_id: int
    advisor_email: str
    start_utc: dt.datetime
    end_utc: dt.datetime


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The day `count` Hessian working days after `day` (Fri + 2 → Tue; over Easter the holidays are skipped)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def bookable_days(now: dt.datetime, policy: BookingPolicy) -> tuple[dt.date, dt.date]:
    """The first and last Berlin day on which slots may be booked at `now` (lead time and horizon)."""
    today = now.astimezone(BERLIN).date()
    return add_working_days(today, policy.lead_working_days), today + dt.timedelta(days=policy.horizon_days)


def week_monday(day: dt.date) -> dt.date:
    """The Monday of the week containing `day`."""
    return day - dt.timedelta(days=day.weekday())


def in_bookable_weeks(day: dt.date, now: dt.datetime, policy: BookingPolicy) -> bool:
    """True if `day` lies in a week the week view can show (from the earliest week to the last day)."""
    earliest, latest = bookable_days(now, policy)
    return week_monday(earliest) <= day <= latest


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 Berlin time of `day`, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=BERLIN).astimezone(dt.UTC)


def _wall_clock_to_utc(day: dt.date, minutes: int) -> dt.datetime | None:
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=BERLIN)
    utc = local.astimezone(dt.UTC)
    # a wall-clock time inside the spring-forward gap (02:00–03:00) does not exist; it would not round-trip
    if utc.astimezone(BERLIN).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc


def slot_at(config: BookingConfig, advisor_email: str, start_utc: dt.datetime) -> Slot | None:
    """The slot of this advisor starting then, as the configuration describes it now (None: the advisor no
    longer offers consultations); whether it is free and on the grid `book_slot` checks."""
    schedule = config.schedules.get(advisor_email)
    if schedule is None:
        return None
    return Slot(start_utc, start_utc + schedule.slot_length, schedule.email, schedule.name)


def grid_slots(schedule: AdvisorSchedule, day: dt.date) -> list[Slot]:
    """The advisor's slot grid on one Berlin day from the weekly hours (no holidays, bookings or lead time)."""
    slots = []
    for period in schedule.hours[day.weekday()]:
        begin = period.start.hour * 60 + period.start.minute
        end = period.end.hour * 60 + period.end.minute
        for minute in range(begin, end - schedule.slot_minutes + 1, schedule.slot_minutes):
            start_utc = _wall_clock_to_utc(day, minute)
            end_utc = _wall_clock_to_utc(day, minute + schedule.slot_minutes)
            # on the DST days a slot across the switch would be longer or shorter than promised: skip it
            if start_utc and end_utc and end_utc - start_utc == schedule.slot_length:
                slots.append(Slot(start_utc, end_utc, schedule.email, schedule.name))
    return slots


def open_slots(
    schedule: AdvisorSchedule,
    first_day: dt.date,
    last_day: dt.date,
    *,
    now: dt.datetime,
    policy: BookingPolicy,
    busy: Iterable[tuple[dt.datetime, dt.datetime]] = (),
    absences: Iterable[tuple[dt.date, dt.date]] = (),
) -> list[Slot]:
    """The advisor's free slots from `first_day` to `last_day` (Berlin dates, inclusive); pure."""
    earliest, latest = bookable_days(now, policy)
    busy = list(busy)
    absences = list(absences)
    result = []
    day = max(first_day, earliest)
    while day <= min(last_day, latest):
        if day not in hessian_holidays(day.year) and not any(a <= day <= b for a, b in absences):
            for slot in grid_slots(schedule, day):
                if slot.start_utc <= now:
                    continue
                # no slot may start within the buffer after a booking ends, nor end within it before one starts
                if any(
                    slot.start_utc < end + schedule.buffer and slot.end_utc + schedule.buffer > start
                    for start, end in busy
                ):
                    continue
                result.append(slot)
        day += dt.timedelta(days=1)
    return result


async def _load_calendar(
    session: AsyncSession, emails: Sequence[str], first_day: dt.date, last_day: dt.date
) -> tuple[list[_Busy], dict[str, list[tuple[dt.date, dt.date]]]]:
    # whole weeks, one day wider: buffers reach across midnight and the weekly counts need full weeks
    window_start = local_midnight(week_monday(first_day) - dt.timedelta(days=1))
    window_end = local_midnight(week_monday(last_day) + dt.timedelta(days=8))
    rows = await session.exec(
        select(Booking.id, Booking.advisor_email, Booking.start_utc, Booking.end_utc).where(
            Booking.state == BookingState.ACTIVE,
            col(Booking.advisor_email).in_(list(emails)),
            col(Booking.start_utc) < window_end,
            col(Booking.end_utc) > window_start,
        )
    )
    busy = [_Busy(*row) for row in rows.all()]
    absence_rows = await session.exec(
        select(AdvisorAbsence.advisor_email, AdvisorAbsence.first_day, AdvisorAbsence.last_day).where(
            col(AdvisorAbsence.advisor_email).in_(list(emails)),
            col(AdvisorAbsence.first_day) <= last_day,
            col(AdvisorAbsence.last_day) >= first_day,
        )
    )
    absences: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for email, first, last in absence_rows.all():
        absences[email].append((first, last))
    return busy, absences


def _check_topic(topic: str) -> None:
    if topic not in TOPICS:
        raise InvalidBooking(f"Unbekanntes Thema {topic!r}.")


async def advisor_free_slots(
    session: AsyncSession,
    config: BookingConfig,
    *,
    advisor_email: str,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime | None = None,
    ignore_booking_id: int | None = None,
) -> list[Slot]:
    """One advisor's free slots (Berlin dates, inclusive); `ignore_booking_id` is a booking being moved."""
    schedule = config.schedules.get(advisor_email)
    if schedule is None:
        return []
    busy, absences = await _load_calendar(session, [schedule.email], first_day, last_day)
    return open_slots(
        schedule,
        first_day,
        last_day,
        now=now or utcnow(),
        policy=config.policy,
        busy=[(b.start_utc, b.end_utc) for b in busy if b.booking_id != ignore_booking_id],
        absences=absences[schedule.email],
    )


async def free_slots(
    session: AsyncSession,
    config: BookingConfig,
    *,
    topic: str,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Free slots for a topic, one per start time, sorted (Berlin dates `first_day`..`last_day` inclusive)."""
    _check_topic(topic)
    now = now or utcnow()
    advisors = config.schedules.covering(topic)
    if not advisors or last_day < first_day:
        return []
    busy, absences = await _load_calendar(session, [a.email for a in advisors], first_day, last_day)
    weekly: dict[tuple[str, dt.date], int] = defaultdict(int)
    for booking in busy:
        weekly[(booking.advisor_email, week_monday(booking.start_utc.astimezone(BERLIN).date()))] += 1
    by_start: dict[dt.datetime, list[Slot]] = defaultdict(list)
    for advisor in advisors:
        for slot in open_slots(
            advisor,
            first_day,
            last_day,
            now=now,
            policy=config.policy,
            busy=[(b.start_utc, b.end_utc) for b in busy if b.advisor_email == advisor.email],
            absences=absences[advisor.email],
        ):
            by_start[slot.start_utc].append(slot)
    # several advisors free at once: offer the one with the fewest bookings that week, then by address
    return sorted(
        min(candidates, key=lambda s: (weekly[(s.advisor_email, week_monday(s.day))], s.advisor_email))
        for candidates in by_start.values()
    )


async def next_free_slots(
    session: AsyncSession,
    config: BookingConfig,
    *,
    topic: str,
    after: dt.datetime | None = None,
    limit: int = 5,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """The next `limit` free slots for a topic starting at or after `after` (e.g. the slot just taken)."""
    now = now or utcnow()
    earliest, latest = bookable_days(now, config.policy)
    first = max(earliest, after.astimezone(BERLIN).date()) if after else earliest
    slots = await free_slots(session, config, topic=topic, first_day=first, last_day=latest, now=now)
    return [slot for slot in slots if after is None or slot.start_utc >= after][:limit]


def group_by_day(slots: Iterable[Slot], week_start: dt.date) -> tuple[DaySlots, ...]:
    """The slots of one week by Berlin day: always Monday to Friday, Saturday and Sunday only with slots."""
    monday = week_monday(week_start)
    by_day: dict[dt.date, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.day].append(slot)
    days = (monday + dt.timedelta(days=offset) for offset in range(7))
    return tuple(
        DaySlots(day, tuple(sorted(by_day[day]))) for day in days if day.weekday() < 5 or by_day[day]
    )


async def free_week(
    session: AsyncSession,
    config: BookingConfig,
    *,
    topic: str,
    week_start: dt.date | None = None,
    now: dt.datetime | None = None,
) -> WeekView:
    """The week view of free slots; without `week_start`, the first bookable week that has any."""
    now = now or utcnow()
    earliest, latest = bookable_days(now, config.policy)
    if week_start is None:
        upcoming = await free_slots(
            session, config, topic=topic, first_day=earliest, last_day=latest, now=now
        )
        monday = week_monday(upcoming[0].day if upcoming else earliest)
        slots = [slot for slot in upcoming if week_monday(slot.day) == monday]
    else:
        monday = week_monday(week_start)
        slots = await free_slots(
            session, config, topic=topic, first_day=monday, last_day=monday + dt.timedelta(days=6), now=now
        )
    return WeekView(
        week_start=monday,
        days=group_by_day(slots, monday),
        previous_week=monday - dt.timedelta(days=7) if monday > earliest else None,
        next_week=monday + dt.timedelta(days=7) if monday + dt.timedelta(days=7) <= latest else None,
    )
