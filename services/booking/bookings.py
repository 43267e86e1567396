"""Booking use cases: book, cancel and reschedule a slot, list bookings, claim reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import metrics
from services.booking.availability import Slot, advisor_free_slots, local_midnight
from services.booking.config import TOPICS, AdvisorSchedule, BookingConfig
from services.booking.contacts import ensure_contact_confirmed
from services.booking.domain import (
    BookingDetails,
    BookingLimitReached,
    BookingNotActive,
    BookingNotFound,
    BookingState,
    InvalidBooking,
    ReminderKind,
    SlotTaken,
)
from services.booking.formatting import format_label, topic_label
from services.booking.limits import check_booking_limits
from services.booking.mails import cancellation_mails, confirmation_mails
from services.email_address import is_valid_address
from services.outgoing import queue_mail
from services.working_time import BERLIN
from storage.tables import Booking, ReferenceSequence
from storage.types import MAX_ROW_ID, utcnow

REFERENCE_PREFIX = "IB"
# a counter row outside the yearly ones that every new booking bumps and so holds until commit: limit
# checks never overlap, even when two bookings fall on either side of New Year (different yearly rows)
LIMIT_LOCK_PREFIX = "IB-LOCK"
NOTE_MAX_CHARS = 500
_REMINDER_LEAD = {
    ReminderKind.DAY_BEFORE: dt.timedelta(hours=24),
    ReminderKind.HOUR_BEFORE: dt.timedelta(hours=1),
}


@dataclass(frozen=True)
class BookingRequest:
    """What the municipality tells us when booking (the slot comes separately)."""

    topic: str
    format: str
    municipality_name: str
    contact_name: str
    contact_email: str
    municipality_ags: str | None = None
    contact_phone: str | None = None
    note: str = ""
    chat_id: int | None = None
    # without a chat: the Fachstelle entered the booking and vouches for the address (see contacts.py)
    confirmed_by_staff: bool = False


async def _rollback(session: AsyncSession) -> None:
    """Roll back, then reload the objects the caller still holds in this session.

    A rollback expires every loaded object, and under asyncio an expired attribute cannot load lazily, so a
    caller reading `booking.start_utc` after a SlotTaken would crash instead of showing the next slots.
    """
    await session.rollback()
    for instance in list(session.identity_map.values()):
        try:
            await session.refresh(instance)
        except InvalidRequestError:  # its row is gone
            session.expunge(instance)


async def allocate_booking_reference(
    session: AsyncSession, *, year: int, prefix: str = REFERENCE_PREFIX
) -> str:
    """The next public reference of the year (IB-2026-0007), safe under concurrent callers.

    The counter row stays locked (PostgreSQL row lock, SQLite write lock) until the caller's transaction
    ends, so booking transactions run one after another and each re-check sees all committed bookings.
    """
    for _attempt in range(100):
        counter = await session.get(ReferenceSequence, (prefix, year), populate_existing=True)
        if counter is None:
            session.add(ReferenceSequence(prefix=prefix, year=year, last_number=1))
            try:
                await session.flush()
            except IntegrityError:
                await _rollback(session)
                continue
            return f"{prefix}-{year}-{1:04d}"
        current = counter.last_number
        # compare-and-set: only one concurrent caller moves the counter from `current`
        result = await session.exec(
            update(ReferenceSequence)
            .where(
                col(ReferenceSequence.prefix) == prefix,
                col(ReferenceSequence.year) == year,
                col(ReferenceSequence.last_number) == current,
            )
            .values(last_number=current + 1)
        )
        if result.rowcount == 1:
            return f"{prefix}-{year}-{current + 1:04d}"
    raise RuntimeError("could not allocate a booking reference")


def _validate(config: BookingConfig, slot: Slot, request: BookingRequest) -> AdvisorSchedule:
    schedule = config.schedules.get(slot.advisor_email)
    if schedule is None:
        raise InvalidBooking(f"{slot.advisor_email} bietet keine Initialberatungen an.")
    if request.topic not in TOPICS:
        raise InvalidBooking(f"Unbekanntes Thema {request.topic!r}.")
    if not schedule.covers(request.topic):
        raise InvalidBooking(f"{schedule.name} berät nicht zum Thema {topic_label(request.topic)}.")
    if request.format not in schedule.formats:
        offered = ", ".join(format_label(f) for f in schedule.formats)
        raise InvalidBooking(
            f"{schedule.name} bietet {format_label(request.format)!r} nicht an (nur: {offered})."
        )
    if not request.municipality_name.strip():
        raise InvalidBooking("Bitte geben Sie die Kommune an.")
    if not request.contact_name.strip() or len(request.contact_name.strip()) > 200:
        raise InvalidBooking("Bitte geben Sie einen Namen (höchstens 200 Zeichen) an.")
    if not is_valid_address(request.contact_email.strip()):
        raise InvalidBooking(f"{request.contact_email!r} ist keine gültige E-Mail-Adresse.")
    if request.contact_phone and len(request.contact_phone.strip()) > 64:
        raise InvalidBooking("Die Telefonnummer ist zu lang.")
    if request.format == "phone" and not (request.contact_phone or "").strip():
        raise InvalidBooking("Für ein Telefongespräch brauchen wir Ihre Telefonnummer.")
    if len(request.note.strip()) > NOTE_MAX_CHARS:
        raise InvalidBooking(
            f"Die Notiz darf höchstens {NOTE_MAX_CHARS} Zeichen lang sein (jetzt {len(request.note.strip())})."
        )
    return schedule


async def _ensure_free(
    session: AsyncSession,
    config: BookingConfig,
    slot: Slot,
    now: dt.datetime,
    *,
    ignore_booking_id: int | None = None,
) -> None:
    free = await advisor_free_slots(
        session,
        config,
        advisor_email=slot.advisor_email,
        first_day=slot.day,
        last_day=slot.day,
        now=now,
        ignore_booking_id=ignore_booking_id,
    )
    if not any(s.start_utc == slot.start_utc and s.end_utc == slot.end_utc for s in free):
        raise SlotTaken(slot)


def _new_booking(
    config: BookingConfig, schedule: AdvisorSchedule, slot: Slot, request: BookingRequest, reference: str
) -> Booking:
    return Booking(
        reference=reference,
        advisor_email=schedule.email,
        topic=request.topic,
        start_utc=slot.start_utc,
        end_utc=slot.end_utc,
        format=request.format,
        municipality_ags=(request.municipality_ags or "").strip() or None,
        municipality_name=request.municipality_name.strip(),
        contact_name=request.contact_name.strip(),
        contact_email=request.contact_email.strip().lower(),
        contact_phone=(request.contact_phone or "").strip() or None,
        note=request.note.strip(),
        telegram_chat_id=request.chat_id,
        state=BookingState.ACTIVE,
        ics_uid=f"{reference.lower()}@{config.domain}",
    )


async def _insert(session: AsyncSession, booking: Booking, slot: Slot) -> None:
    session.add(booking)
    try:
        await session.flush()
    except IntegrityError:
        # the partial unique index: another active booking holds this advisor's slot
        await _rollback(session)
        raise SlotTaken(slot) from None


def _queue(session: AsyncSession, mails) -> None:
    for mail, purpose in mails:
        queue_mail(session, mail, purpose=purpose)


async def book_slot(
    session: AsyncSession,
    config: BookingConfig,
    *,
    slot: Slot,
    request: BookingRequest,
    now: dt.datetime | None = None,
) -> BookingDetails:
    """Book a free slot and queue the invitations, in one transaction.

    Raises SlotTaken, or InvalidBooking — among them ContactNotConfirmed for an address the chat has not
    confirmed and BookingLimitReached when the chat or the municipality holds its maximum of open bookings.
    """
    now = now or utcnow()
    schedule = _validate(config, slot, request)
    await ensure_contact_confirmed(
        session,
        config,
        email=request.contact_email,
        chat_id=request.chat_id,
        by_staff=request.confirmed_by_staff,
    )
    await allocate_booking_reference(session, year=0, prefix=LIMIT_LOCK_PREFIX)
    reference = await allocate_booking_reference(session, year=now.astimezone(BERLIN).year)
    try:
        await _ensure_free(session, config, slot, now)
        await check_booking_limits(
            session,
            config.policy,
            chat_id=request.chat_id,
            municipality_ags=request.municipality_ags,
            municipality_name=request.municipality_name,
            now=now,
        )
    except (SlotTaken, BookingLimitReached):
        await _rollback(session)
        raise
    row = _new_booking(config, schedule, slot, request, reference)
    await _insert(session, row, slot)
    booking = BookingDetails.of(row)
    _queue(session, confirmation_mails(config, booking, stamp=now))
    await session.commit()
    metrics.BOOKINGS.labels("booked").inc()
    return booking


async def get_booking(
    session: AsyncSession, *, booking_id: int | None = None, reference: str | None = None
) -> BookingDetails:
    """The booking with this id or public reference (case-insensitive); raises BookingNotFound."""
    return BookingDetails.of(await _booking_row(session, booking_id=booking_id, reference=reference))


async def _booking_row(
    session: AsyncSession, *, booking_id: int | None = None, reference: str | None = None
) -> Booking:
    if booking_id is not None:
        booking = await session.get(Booking, booking_id, populate_existing=True)
    elif reference is not None:
        result = await session.exec(select(Booking).where(Booking.reference == reference.strip().upper()))
        booking = result.first()
    else:
        raise ValueError("pass booking_id or reference")
    if booking is None:
        raise BookingNotFound(booking_id if booking_id is not None else reference)
    return booking


async def get_open_booking_of_chat(
    session: AsyncSession, *, booking_id: int, chat_id: int, now: dt.datetime | None = None
) -> BookingDetails:
    """An active, not yet started booking made from this chat; raises BookingNotFound for any other."""
    if not 0 < booking_id <= MAX_ROW_ID:
        raise BookingNotFound(booking_id)
    booking = await session.get(Booking, booking_id, populate_existing=True)
    if (
        booking is None
        or booking.telegram_chat_id != chat_id
        or booking.state != BookingState.ACTIVE
        or booking.start_utc <= (now or utcnow())
    ):
        raise BookingNotFound(booking_id)
    return BookingDetails.of(booking)


async def _mark_cancelled(session: AsyncSession, booking_id: int, by: str, now: dt.datetime) -> bool:
    # compare-and-set on the state: of two concurrent cancellations only one sends the CANCEL mails
    result = await session.exec(
        update(Booking)
        .where(col(Booking.id) == booking_id, col(Booking.state) == BookingState.ACTIVE)
        .values(
            state=BookingState.CANCELLED,
            cancelled_at=now,
            cancelled_by=by[:320],
            ics_sequence=col(Booking.ics_sequence) + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def cancel_booking(
    session: AsyncSession,
    config: BookingConfig,
    *,
    booking_id: int | None = None,
    reference: str | None = None,
    by: str,
    chat_id: int | None = None,
    now: dt.datetime | None = None,
) -> BookingDetails:
    """Cancel an active booking and queue METHOD:CANCEL invitations; a cancelled one is returned unchanged.

    With `chat_id`, only a booking made from that Telegram chat is found (others raise BookingNotFound).
    """
    now = now or utcnow()
    booking = await get_booking(session, booking_id=booking_id, reference=reference)
    if chat_id is not None and booking.telegram_chat_id != chat_id:
        raise BookingNotFound(booking_id if booking_id is not None else reference)
    if not await _mark_cancelled(session, booking.id, by, now):
        await _rollback(session)
        return booking
    booking = await get_booking(session, booking_id=booking.id)
    _queue(session, cancellation_mails(config, booking, stamp=now))
    await session.commit()
    metrics.BOOKINGS.labels("cancelled").inc()
    return booking


async def reschedule_booking(
    session: AsyncSession,
    config: BookingConfig,
    *,
    booking: BookingDetails,
    new_slot: Slot,
    by: str,
    now: dt.datetime | None = None,
) -> BookingDetails:
    """Move a booking: book `new_slot` first, then cancel the old one — one transaction.

    Returns the new booking. If the new slot is taken (SlotTaken) or the request is invalid, nothing changes
    and the old booking stays active.
    """
    now = now or utcnow()
    old_id = booking.id
    reference = await allocate_booking_reference(session, year=now.astimezone(BERLIN).year)
    old = await get_booking(session, booking_id=old_id)
    try:
        if old.state != BookingState.ACTIVE:
            raise BookingNotActive(old.reference)
        if new_slot.advisor_email == old.advisor_email and new_slot.start_utc == old.start_utc:
            raise InvalidBooking("Das ist bereits der gebuchte Termin.")
        request = BookingRequest(
            topic=old.topic,
            format=old.format,
            municipality_name=old.municipality_name,
            contact_name=old.contact_name,
            contact_email=old.contact_email,
            municipality_ags=old.municipality_ags,
            contact_phone=old.contact_phone,
            note=old.note,
            chat_id=old.telegram_chat_id,
        )
        schedule = _validate(config, new_slot, request)
        # the old booking is released below, so its own buffer must not block a neighbouring slot
        await _ensure_free(session, config, new_slot, now, ignore_booking_id=old.id)
    except (BookingNotActive, InvalidBooking, SlotTaken):
        await _rollback(session)
        raise
    row = _new_booking(config, schedule, new_slot, request, reference)
    row.rescheduled_from_id = old.id
    await _insert(session, row, new_slot)
    new = BookingDetails.of(row)
    if not await _mark_cancelled(session, old.id, by, now):
        await _rollback(session)
        raise BookingNotActive(old.reference)
    old = await get_booking(session, booking_id=old.id)
    _queue(session, cancellation_mails(config, old, stamp=now, replaced_by=new))
    _queue(session, confirmation_mails(config, new, stamp=now, replaces=old))
    await session.commit()
    metrics.BOOKINGS.labels("moved").inc()
    return new


async def list_bookings(
    session: AsyncSession,
    *,
    advisor_email: str | None = None,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    include_cancelled: bool = False,
) -> list[BookingDetails]:
    """Bookings by start time, optionally of one advisor and between two Berlin days (inclusive)."""
    query = select(Booking)
    if advisor_email:
        query = query.where(Booking.advisor_email == advisor_email.strip().lower())
    if first_day:
        query = query.where(col(Booking.start_utc) >= local_midnight(first_day))
    if last_day:
        query = query.where(col(Booking.start_utc) < local_midnight(last_day + dt.timedelta(days=1)))
    if not include_cancelled:
        query = query.where(Booking.state == BookingState.ACTIVE)
    result = await session.exec(query.order_by(col(Booking.start_utc), col(Booking.id)))
    return [BookingDetails.of(row) for row in result.all()]


async def upcoming_bookings_for_chat(
    session: AsyncSession, *, chat_id: int, now: dt.datetime | None = None
) -> list[BookingDetails]:
    """The active bookings made from a Telegram chat that have not started yet, soonest first."""
    result = await session.exec(
        select(Booking)
        .where(
            Booking.telegram_chat_id == chat_id,
            Booking.state == BookingState.ACTIVE,
            col(Booking.start_utc) > (now or utcnow()),
        )
        .order_by(col(Booking.start_utc))
    )
    return [BookingDetails.of(row) for row in result.all()]


async def due_reminders(
    session: AsyncSession, *, now: dt.datetime
) -> list[tuple[BookingDetails, ReminderKind]]:
    """Reminders to send now: 24 h and 1 h before an active booking's start, each not sent yet.

    When both are due (e.g. the scheduler was down), only the 1 h reminder is returned; marking it also
    settles the 24 h one, so the outdated reminder never goes out.
    """
    result = await session.exec(
        select(Booking)
        .where(
            Booking.state == BookingState.ACTIVE,
            col(Booking.start_utc) > now,
            col(Booking.start_utc) <= now + _REMINDER_LEAD[ReminderKind.DAY_BEFORE],
            or_(col(Booking.reminded_24h_at).is_(None), col(Booking.reminded_1h_at).is_(None)),
        )
        .order_by(col(Booking.start_utc), col(Booking.id))
    )
    due = []
    for booking in map(BookingDetails.of, result.all()):
        if booking.start_utc - _REMINDER_LEAD[ReminderKind.HOUR_BEFORE] <= now:
            if booking.reminded_1h_at is None:
                due.append((booking, ReminderKind.HOUR_BEFORE))
        elif booking.reminded_24h_at is None:
            due.append((booking, ReminderKind.DAY_BEFORE))
    return due


async def mark_reminded(
    session: AsyncSession, *, booking_id: int, kind: ReminderKind | str, now: dt.datetime | None = None
) -> bool:
    """Claim a reminder before sending it; True for exactly one caller, False if already sent or cancelled."""
    kind = ReminderKind(kind)
    now = now or utcnow()
    column = Booking.reminded_1h_at if kind == ReminderKind.HOUR_BEFORE else Booking.reminded_24h_at
    result = await session.exec(
        update(Booking)
        .where(
            col(Booking.id) == booking_id, col(column).is_(None), col(Booking.state) == BookingState.ACTIVE
        )
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    claimed = result.rowcount == 1
    if claimed and kind == ReminderKind.HOUR_BEFORE:
        await session.exec(
            update(Booking)
            .where(col(Booking.id) == booking_id, col(Booking.reminded_24h_at).is_(None))
            .values(reminded_24h_at=now)
            .execution_options(synchronize_session=False)
        )
    await session.commit()
    return claimed
