"""Advisor absences (holiday, illness, events): whole Berlin days without slots, for `klimabot absence`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.booking.availability import local_midnight
from services.booking.config import BookingConfig
from services.booking.domain import AbsenceNotFound, BookingDetails, BookingState, InvalidAbsence
from storage.tables import AdvisorAbsence, Booking

NOTE_MAX_CHARS = 200


@dataclass(frozen=True)
class Absence:
    """Whole days (first to last, Berlin dates, inclusive) on which an advisor offers no slots."""

    id: int
    advisor_email: str
    first_day: dt.date
    last_day: dt.date
    note: str | None

    @classmethod
    def of(cls, row: AdvisorAbsence) -> Absence:
        return cls(row.id or 0, row.advisor_email, row.first_day, row.last_day, row.note)


@dataclass(frozen=True)
class AbsenceAdded:
    """The recorded absence and the active bookings inside it (they stay; someone has to move them)."""

    absence: Absence
    conflicting_bookings: tuple[BookingDetails, ...]


async def add_absence(
    session: AsyncSession,
    config: BookingConfig,
    *,
    advisor_email: str,
    first_day: dt.date,
    last_day: dt.date,
    note: str | None = None,
) -> AbsenceAdded:
    """Record that an advisor is away from `first_day` to `last_day` (inclusive); no slots are offered then."""
    schedule = config.schedules.get(advisor_email)
    if schedule is None:
        raise InvalidAbsence(f"{advisor_email} steht nicht in der Beraterliste.")
    if last_day < first_day:
        raise InvalidAbsence(f"Das Ende ({last_day:%d.%m.%Y}) liegt vor dem Beginn ({first_day:%d.%m.%Y}).")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX_CHARS:
        raise InvalidAbsence(f"Die Notiz darf höchstens {NOTE_MAX_CHARS} Zeichen lang sein.")
    absence = AdvisorAbsence(advisor_email=schedule.email, first_day=first_day, last_day=last_day, note=note)
    session.add(absence)
    await session.commit()
    conflicts = await session.exec(
        select(Booking)
        .where(
            Booking.advisor_email == schedule.email,
            Booking.state == BookingState.ACTIVE,
            col(Booking.start_utc) >= local_midnight(first_day),
            col(Booking.start_utc) < local_midnight(last_day + dt.timedelta(days=1)),
        )
        .order_by(col(Booking.start_utc))
    )
    return AbsenceAdded(Absence.of(absence), tuple(map(BookingDetails.of, conflicts.all())))


async def list_absences(
    session: AsyncSession,
    *,
    advisor_email: str | None = None,
    from_day: dt.date | None = None,
    to_day: dt.date | None = None,
) -> list[Absence]:
    """Absences overlapping `from_day`..`to_day` (either open), optionally of one advisor, by first day."""
    query = select(AdvisorAbsence)
    if advisor_email:
        query = query.where(AdvisorAbsence.advisor_email == advisor_email.strip().lower())
    if from_day:
        query = query.where(col(AdvisorAbsence.last_day) >= from_day)
    if to_day:
        query = query.where(col(AdvisorAbsence.first_day) <= to_day)
    result = await session.exec(
        query.order_by(
            col(AdvisorAbsence.first_day), col(AdvisorAbsence.advisor_email), col(AdvisorAbsence.id)
        )
    )
    return [Absence.of(row) for row in result.all()]


async def remove_absence(session: AsyncSession, *, absence_id: int) -> Absence:
    """Delete an absence by id (its slots are offered again); raises AbsenceNotFound."""
    absence = await session.get(AdvisorAbsence, absence_id)
    if absence is None:
        raise AbsenceNotFound(absence_id)
    removed = Absence.of(absence)
    await session.delete(absence)
    await session.commit()
    return removed
