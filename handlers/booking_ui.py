"""Callback data, steps, keyboards and shared texts of the booking conversation."""

from __future__ import annotations

import html

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from services.booking.domain import BookingLimit, BookingLimitReached

FLOW_KEYS = (
    "b_topic",
    "b_ags",
    "b_municipality",
    "b_name",
    "b_email",
    "b_email_options",
    "b_pending_email",
    "b_phone",
    "b_format",
    "b_week",
    "b_day",
    "b_page",
    "b_slots",
    "b_slot",
    "b_note",
    "b_reschedule",
)
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
    """Buttons (label, action, value) of one step, plus Zurück and Abbrechen."""
    builder = InlineKeyboardBuilder()
    for label, action, value in buttons:
        builder.button(text=label[:60], callback_data=BookCb(action=action, value=value))
    if back:
        builder.button(text="⬅️ Zurück", callback_data=BookCb(action="back"))
    builder.button(text="✖️ Abbrechen", callback_data=BookCb(action="cancel"))
    layout = rows if rows is not None else [1] * len(buttons)
    builder.adjust(*layout, 2 if back else 1)
    return builder.as_markup()


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


async def clear_flow(state: FSMContext) -> None:
    """Leave the conversation; what the user may want again (known_*) stays."""
    await state.set_state(None)
    data = await state.get_data()
    await state.set_data({key: value for key, value in data.items() if key not in FLOW_KEYS})
