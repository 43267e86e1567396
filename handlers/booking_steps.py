"""The booking conversation's steps: what each asks, and what its handlers share (`Steps`, `ask`, `save_flow`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.booking_contact import ask_email
from handlers.booking_ui import Booking_, BookingFlow, keyboard
from handlers.booking_views import formats_for, show_day, show_summary, show_week
from handlers.flow_state import KnownContact
from handlers.shared_steps import NAME_EXAMPLE, known_municipality
from services.booking.config import FORMATS, TOPICS, BookingConfig
from services.booking.contacts import full_name
from services.booking.domain import BookingLimitReached
from services.booking.limits import check_booking_limits
from services.municipalities import MunicipalityDirectory

MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class Steps:
    """What the steps need besides the chat: the consultation hours, the update's session, the directory."""

    booking: BookingConfig
    session: AsyncSession
    municipalities: MunicipalityDirectory


async def with_steps(handler, event, data):
    """Router middleware: hands every booking handler its `steps`."""
    data["steps"] = Steps(data["booking"], data["session"], data["municipalities"])
    return await handler(event, data)


# --- the questions of the steps ----------------------------------------------------------------------------


async def _ask_topic(message: Message, state: FSMContext, steps: Steps) -> None:
    await topic_question(message, steps.booking)


async def topic_question(message: Message, booking: BookingConfig) -> None:
    topics = booking.schedules.offered_topics()
    await message.answer(
        "📅 <b>Initialberatung buchen</b>\nZu welchem Thema möchten Sie beraten werden?",
        reply_markup=keyboard(*[(TOPICS[t], "topic", t) for t in topics], back=False),
    )


async def _ask_municipality(message: Message, state: FSMContext, steps: Steps) -> None:
    known = await known_municipality(state, steps.municipalities)
    await message.answer(f"Für welche Kommune buchen Sie? {NAME_EXAMPLE}", reply_markup=keyboard(*known))


async def _ask_name(message: Message, state: FSMContext, steps: Steps) -> None:
    known_name = full_name((await KnownContact.load(state)).name or "")
    known = [(f"✅ {known_name}", "name", "")] if known_name else []
    await message.answer(
        "Wie heißen Sie? (Vor- und Nachname für die Einladung)", reply_markup=keyboard(*known)
    )


async def _ask_email(message: Message, state: FSMContext, steps: Steps) -> None:
    await ask_email(message, state, steps.session, steps.booking)


async def _ask_phone(message: Message, state: FSMContext, steps: Steps) -> None:
    await message.answer(
        "Unter welcher Telefonnummer erreichen wir Sie? (optional)",
        reply_markup=keyboard(("Ohne Telefonnummer", "nophone", "")),
    )


async def _ask_format(message: Message, state: FSMContext, steps: Steps) -> None:
    offered = formats_for(steps.booking, (await BookingFlow.load(state)).topic)
    await message.answer(
        "Wie möchten Sie beraten werden?",
        reply_markup=keyboard(*[(FORMATS[f], "format", f) for f in offered]),
    )


async def _ask_week(message: Message, state: FSMContext, steps: Steps) -> None:
    flow = await BookingFlow.load(state)
    week = dt.date.fromisoformat(flow.week) if flow.week else None
    await show_week(message, state, steps.booking, steps.session, week)


async def _ask_day(message: Message, state: FSMContext, steps: Steps) -> None:
    await show_day(message, state)


async def _ask_note(message: Message, state: FSMContext, steps: Steps) -> None:
    await message.answer(
        "Worüber möchten Sie sprechen? Ein, zwei Sätze helfen der Beraterin oder dem Berater bei der Vorbereitung "
        f"(optional, höchstens {MAX_NOTE_CHARS} Zeichen).",
        reply_markup=keyboard(("Ohne Notiz", "nonote", "")),
    )


async def _ask_confirm(message: Message, state: FSMContext, steps: Steps) -> None:
    await show_summary(message, state, steps.booking, steps.session, steps.municipalities)


_QUESTIONS: dict[State, Callable[[Message, FSMContext, Steps], Awaitable[None]]] = {
    Booking_.topic: _ask_topic,
    Booking_.municipality: _ask_municipality,
    Booking_.name: _ask_name,
    Booking_.email: _ask_email,
    Booking_.phone: _ask_phone,
    Booking_.format: _ask_format,
    Booking_.week: _ask_week,
    Booking_.day: _ask_day,
    Booking_.note: _ask_note,
    Booking_.confirm: _ask_confirm,
}


async def ask(step: State, message: Message, state: FSMContext, steps: Steps) -> None:
    """Move to `step` and ask its question."""
    await state.set_state(step)
    await _QUESTIONS[step](message, state, steps)


async def save_flow(state: FSMContext, **changes) -> BookingFlow:
    flow = await BookingFlow.load(state)
    for name, value in changes.items():
        setattr(flow, name, value)
    await flow.save(state)
    return flow


async def limit_reached(session: AsyncSession, booking: BookingConfig, **who) -> BookingLimitReached | None:
    """The cap one more booking would exceed; early advice only, as book_slot checks again under its lock."""
    try:
        await check_booking_limits(session, booking.policy, **who)
    except BookingLimitReached as reached:
        return reached
    return None
