"""States, reminder kinds and errors shared by the booking modules."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.booking.availability import Slot


class BookingState(StrEnum):
    """A booking holds its slot while active; cancelling frees it."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class ReminderKind(StrEnum):
    """Reminders sent before a consultation."""

    DAY_BEFORE = "24h"
    HOUR_BEFORE = "1h"


class InvalidBooking(ValueError):
    """The request cannot be booked as given; the German message can be shown to the user."""


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
