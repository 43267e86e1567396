"""States, reminder kinds and errors shared by the booking modules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.booking.availability import Slot


class BookingState(StrEnum):
    """A booking holds its slot while active; cancelling frees it."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


# `cancelled_by` of a booking cancelled by its municipality in the chat; anything else names the Fachstelle
CANCELLED_IN_CHAT = "telegram"
FACHSTELLE = "fachstelle"


class ReminderKind(StrEnum):
    """Reminders sent before a consultation."""

    DAY_BEFORE = "24h"
    HOUR_BEFORE = "1h"


@dataclass(frozen=True)
class BookingDetails:
    """A booking as the services hand it out: plain values, detached from the database session."""

    id: int
    reference: str
    advisor_email: str
    topic: str
    start_utc: dt.datetime
    end_utc: dt.datetime
    format: str
    municipality_ags: str | None
    municipality_name: str
    contact_name: str
    contact_email: str
    contact_phone: str | None
    note: str
    telegram_chat_id: int | None
    state: BookingState
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancelled_by: str | None
    rescheduled_from_id: int | None
    reminded_24h_at: dt.datetime | None
    reminded_1h_at: dt.datetime | None
    ics_uid: str
    ics_sequence: int

    @classmethod
    def of(cls, row: Any) -> BookingDetails:
        """The details of a stored booking (the `booking` table's row)."""
        values = {field.name: getattr(row, field.name) for field in fields(cls)}
        return cls(**(values | {"state": BookingState(values["state"])}))


class InvalidBooking(ValueError):
    """The request cannot be booked as given; the German message can be shown to the user."""


class BookingLimit(StrEnum):
    """Which cap on open (upcoming, active) bookings a request hit."""

    CHAT = "chat"
    MUNICIPALITY = "municipality"


class BookingLimitReached(InvalidBooking):
    """The chat or the municipality already holds as many open bookings as allowed."""

    def __init__(self, limit: BookingLimit, maximum: int, municipality: str = "") -> None:
        if limit is BookingLimit.CHAT:
            text = f"Über diesen Chat sind bereits {maximum} Beratungstermine offen – mehr gehen nicht gleichzeitig."
        else:
            text = f"Für {municipality} sind bereits {maximum} Beratungstermine offen – mehr gehen nicht gleichzeitig."
        super().__init__(text)
        self.limit = limit
        self.maximum = maximum
        self.municipality = municipality


class ContactNotConfirmed(InvalidBooking):
    """The invitation address was not confirmed with a mailed code (and is no advisor's address)."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"Die Adresse {email} ist noch nicht bestätigt; bitte geben Sie zuerst den Code aus der E-Mail ein."
        )
        self.email = email


class SlotTaken(Exception):
    """The slot is no longer free (booked meanwhile, or outside the bookable days); offer the next ones."""

    def __init__(self, slot: Slot) -> None:
        super().__init__(f"slot {slot.start_utc.isoformat()} of {slot.advisor_email} is taken")
        self.slot = slot


class BookingNotFound(LookupError):
    """No booking with that id or reference (or not one of this chat's)."""


class BookingNotActive(Exception):
    """The booking was cancelled already (e.g. concurrently), so it cannot be moved."""


class InvalidAbsence(ValueError):
    """The absence cannot be recorded as given; the German message can be shown to the user."""


class AbsenceNotFound(LookupError):
    """No absence with that id."""
