"""Which buttons of the booking conversation are valid now: the step and the value must both fit."""

from __future__ import annotations

import datetime as dt

from handlers.booking_contact import email_option
from handlers.booking_ui import Booking_, BookingFlow, button_index
from handlers.booking_views import SLOTS_PER_PAGE
from handlers.flow_state import KnownContact
from services.booking.availability import in_bookable_weeks
from services.booking.config import FORMATS, BookingConfig
from services.booking.contacts import full_name
from services.municipalities import MunicipalityDirectory

# the steps in which each button is offered; a button pressed in another step is stale or crafted
_BUTTON_STEPS = {
    "topic": (Booking_.topic,),
    "muni": (Booking_.municipality,),
    "name": (Booking_.name,),
    "email": (Booking_.email,),
    "resend": (Booking_.code,),
    "newmail": (Booking_.code,),
    "nophone": (Booking_.phone,),
    "format": (Booking_.format,),
    "week": (Booking_.week, Booking_.day),
    "day": (Booking_.week, Booking_.day),
    "page": (Booking_.day,),
    "slot": (Booking_.day,),
    "nonote": (Booking_.note,),
    "book": (Booking_.confirm,),
}


def button_fits(
    action: str,
    value: str,
    current: str,
    flow: BookingFlow,
    known: KnownContact,
    booking: BookingConfig,
    municipalities: MunicipalityDirectory,
) -> bool:
    """True if the button belongs to the current step and carries a value that step offered."""
    if action in ("back", "cancel"):
        return True
    steps = _BUTTON_STEPS.get(action, ())
    if current not in {step.state for step in steps}:
        return False
    slots = flow.slots
    if action == "topic":
        return value in booking.schedules.offered_topics()
    if action == "muni":
        return municipalities.get(value) is not None
    if action == "name":
        return full_name(known.name or "") is not None
    if action == "email":
        return email_option(flow, value) is not None
    if action == "format":
        return value in FORMATS
    if action in ("week", "day"):
        return bookable_date(value, booking) is not None
    index = button_index(value)
    if action == "page":
        return index is not None and index * SLOTS_PER_PAGE < len(slots)
    if action == "slot":
        return index is not None and index < len(slots)
    return True


def bookable_date(value: str, booking: BookingConfig) -> dt.date | None:
    """The day in a button value, if it parses and lies in the bookable weeks."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if in_bookable_weeks(day, dt.datetime.now(dt.UTC), booking.policy) else None
