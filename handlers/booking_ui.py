"""Callback data, steps, keyboards and shared texts of the booking conversation."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import ClassVar

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup

from handlers.flow_state import FlowState
from handlers.keyboards import step_keyboard
from services.booking.availability import Slot, slot_at
from services.booking.config import BookingConfig
from services.booking.domain import BookingLimit, BookingLimitReached

STALE_BUTTON = (
    "Diese Schaltfläche passt nicht (mehr). Bitte nutzen Sie die Schaltflächen der letzten Nachricht."
)
NOT_YOURS = "Diesen Termin gibt es nicht (mehr). Mit /termine sehen Sie Ihre Buchungen."


class BookCb(CallbackData, prefix="b"):
    """A button of the booking conversation; `value` is short (an id, a date, an index)."""

    action: str
    value: str = ""


class MyBookingCb(CallbackData, prefix="mb"):
    """Cancel or reschedule one of the user's bookings."""

    action: str
    booking_id: int


@dataclass
class BookingFlow(FlowState):
    """The booking a chat is making, as ids and the choices its last step offered (buttons carry indexes)."""

    KEY: ClassVar[str] = "booking"

    topic: str = ""
    ags: str | None = None  # the municipality; its name is looked up where it is shown
    name: str = ""
    email: str = ""
    email_options: list[str] = field(default_factory=list)
    pending_email: str | None = None  # the address a code was mailed to
    phone: str | None = None
    format: str = ""
    week: str | None = None  # Monday of the week shown (ISO date)
    day: str | None = None  # the day whose times are shown (ISO date)
    page: int = 0
    slots: list[list[str]] = field(default_factory=list)  # the day's offered slots: [start (ISO), advisor]
    slot: list[str] | None = None  # the chosen one
    note: str = ""
    reschedule: int | None = None  # the booking being moved, if this is a move

    def chosen_slot(self, config: BookingConfig) -> Slot | None:
        """The chosen slot as the advisors' hours describe it now (None when the advisor left)."""
        return slot_of(config, self.slot) if self.slot else None


def slot_choice(slot: Slot) -> list[str]:
    """A slot as the flow keeps it: its start and its advisor."""
    return [slot.start_utc.isoformat(), slot.advisor_email]


def slot_of(config: BookingConfig, choice: list[str]) -> Slot | None:
    """The slot a kept choice stands for."""
    return slot_at(config, choice[1], dt.datetime.fromisoformat(choice[0]))


class Booking_(StatesGroup):
    """The steps of the booking conversation."""

    topic = State()
    municipality = State()
    name = State()
    email = State()
    code = State()
    phone = State()
    format = State()
    week = State()
    day = State()
    note = State()
    confirm = State()


# the code step is entered only from the e-mail step, and going back from it returns there
ORDER = [
    Booking_.topic,
    Booking_.municipality,
    Booking_.name,
    Booking_.email,
    Booking_.phone,
    Booking_.format,
    Booking_.week,
    Booking_.day,
    Booking_.note,
    Booking_.confirm,
]
RESCHEDULE_ORDER = [Booking_.week, Booking_.day, Booking_.confirm]


def keyboard(
    *buttons: tuple[str, str, str], rows: list[int] | None = None, back: bool = True
) -> InlineKeyboardMarkup:
    """Buttons of one step (label, action, value), plus Zurück and Abbrechen."""
    return step_keyboard(BookCb, *buttons, rows=rows, back=back)


def button_index(value: str) -> int | None:
    """The small index a button carries, or None (str.isdigit would also pass '²', which int() refuses)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 4 else None


def limit_text(limit: BookingLimitReached) -> str:
    """The German message for a reached cap on open bookings, pointing to /termine."""
    if limit.limit is BookingLimit.CHAT:
        head = f"Sie haben bereits {limit.maximum} offene Beratungstermine – mehr sind gleichzeitig nicht möglich."
    else:
        head = (
            f"Für {html.escape(limit.municipality)} sind bereits {limit.maximum} Beratungstermine offen – "
            "mehr sind gleichzeitig nicht möglich."
        )
    return f"{head}\nMit /termine können Sie einen Ihrer Termine absagen oder verschieben."
