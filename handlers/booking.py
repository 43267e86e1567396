"""Book an Initialberatung: topic → municipality → name → e-mail (→ code) → phone → format → week → day → note
→ confirm. /termin starts it, /termine lists, moves and cancels bookings.

One handler a step, registered with magic filters on the step (typed answers) or the button's action; the
flow keeps its typed state in `BookingFlow` (ids and the choices a step offered); free slots, limits,
confirmed addresses and the booking itself are the rules of `services/booking`.
"""

from __future__ import annotations

import datetime as dt
import re

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.booking_buttons import button_fits
from handlers.booking_confirm import on_book
from handlers.booking_contact import email_option, resend_code, take_address, take_code
from handlers.booking_mine import cmd_termine, on_broken_button, on_my_booking
from handlers.booking_steps import (
    MAX_NOTE_CHARS,
    Steps,
    ask,
    limit_reached,
    save_flow,
    topic_question,
    with_steps,
)
from handlers.booking_ui import (
    ORDER,
    RESCHEDULE_ORDER,
    STALE_BUTTON,
    BookCb,
    Booking_,
    BookingFlow,
    MyBookingCb,
    keyboard,
    limit_text,
)
from handlers.booking_views import choose_day, show_day, show_week
from handlers.flow_state import KnownContact
from handlers.keyboards import MenuCb
from handlers.shared_steps import (
    NOT_FOUND,
    WHICH_ONE,
    remember_municipality,
    typed_municipality,
)
from services.booking.config import BookingConfig
from services.booking.contacts import full_name
from services.intents import wants_booking
from services.municipalities import MunicipalityDirectory

_PHONE = re.compile(r"^\+?[0-9 ()/\-]{6,25}$")


# --- the way in ----------------------------------------------------------------------------------------------


async def start_booking(
    message: Message, state: FSMContext, booking: BookingConfig, session: AsyncSession
) -> None:
    """Begin a booking, unless nobody offers consultations or the chat holds its maximum of open bookings."""
    if not booking.schedules.offered_topics():
        await message.answer(
            "Derzeit sind keine Beratungstermine buchbar. Bitte wenden Sie sich an die Fachstelle."
        )
        return
    reached = await limit_reached(session, booking, chat_id=message.chat.id)
    if reached is not None:
        await message.answer(limit_text(reached))
        return
    await BookingFlow().save(state, Booking_.topic)
    await topic_question(message, booking)


async def cmd_termin(
    message: Message, state: FSMContext, session: AsyncSession, booking: BookingConfig
) -> None:
    """/termin (or a wish in words): start a booking."""
    await start_booking(message, state, booking, session)


async def on_menu_book(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, booking: BookingConfig
) -> None:
    """Main menu / answer button: start a booking."""
    await callback.answer()
    await start_booking(callback.message, state, booking, session)


def booking_is_open(_message: Message, booking: BookingConfig) -> bool:
    """Filter: the advisors offer consultation hours at all."""
    return bool(booking.schedules.offered_topics())


# --- typed answers -------------------------------------------------------------------------------------------


async def on_municipality_typed(message: Message, state: FSMContext, steps: Steps) -> None:
    """A typed municipality: its candidates as buttons, or the question again."""
    buttons = typed_municipality(message.text or "", steps.municipalities)
    if not buttons:
        await message.answer(NOT_FOUND)
        await ask(Booking_.municipality, message, state, steps)
        return
    await message.answer(WHICH_ONE, reply_markup=keyboard(*buttons))


async def on_name_typed(message: Message, state: FSMContext, steps: Steps) -> None:
    """First and last name for the invitation."""
    name = full_name((message.text or "").strip())
    if name is None:
        await message.answer(
            "Bitte geben Sie Vor- und Nachnamen an, z. B. <i>Erika Muster</i> – so steht es in der Einladung."
        )
        await ask(Booking_.name, message, state, steps)
        return
    await save_flow(state, name=name)
    await KnownContact.remember(state, name=name)
    await ask(Booking_.email, message, state, steps)


async def on_email_typed(message: Message, state: FSMContext, steps: Steps, settings) -> None:
    """An address: usable at once, or a code is mailed to it."""
    if await take_address(
        message, state, steps.session, steps.booking, settings, (message.text or "").strip()
    ):
        await ask(Booking_.phone, message, state, steps)


async def on_code_typed(message: Message, state: FSMContext, steps: Steps, settings) -> None:
    """The mailed code (or another address)."""
    if await take_code(message, state, steps.session, steps.booking, settings):
        await ask(Booking_.phone, message, state, steps)


async def on_phone_typed(message: Message, state: FSMContext, steps: Steps) -> None:
    """An optional phone number."""
    text = (message.text or "").strip()
    if not _PHONE.match(text) or sum(ch.isdigit() for ch in text) < 6:
        await message.answer(
            "Bitte eine Telefonnummer nur mit Ziffern, Leerzeichen, +, / oder - (z. B. 0611 123456)."
        )
        await ask(Booking_.phone, message, state, steps)
        return
    await save_flow(state, phone=text)
    await ask(Booking_.format, message, state, steps)


async def on_note_typed(message: Message, state: FSMContext, steps: Steps) -> None:
    """An optional note for the advisor."""
    text = (message.text or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        await message.answer(
            f"Die Notiz ist zu lang ({len(text)} Zeichen). Bitte kürzen Sie auf {MAX_NOTE_CHARS} Zeichen."
        )
        await ask(Booking_.note, message, state, steps)
        return
    await save_flow(state, note=text)
    await ask(Booking_.confirm, message, state, steps)


async def on_text_instead_of_button(
    message: Message, state: FSMContext, raw_state: str, steps: Steps
) -> None:
    """Text where a button is expected: the question again."""
    await message.answer("Bitte wählen Sie eine der Schaltflächen – oder „Abbrechen“.")
    await ask(next(s for s in ORDER if s.state == raw_state), message, state, steps)


# --- buttons -------------------------------------------------------------------------------------------------


async def on_cancel(callback: CallbackQuery, state: FSMContext) -> None:
    """„Abbrechen“ in any step: nothing is booked."""
    await callback.answer()
    await BookingFlow.forget(state)
    await callback.message.answer("Abgebrochen – es wurde nichts gebucht. /termin startet eine neue Buchung.")


async def on_inactive(callback: CallbackQuery) -> None:
    """A button of a booking that is no longer going on."""
    await callback.answer("Diese Buchung ist nicht mehr aktiv. Mit /termin starten Sie eine neue.")


async def not_offered_now(
    callback: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    raw_state: str,
    booking: BookingConfig,
    municipalities: MunicipalityDirectory,
) -> bool:
    """Filter: the button does not belong to the current step or carries a value the step did not offer."""
    flow, known = await BookingFlow.load(state), await KnownContact.load(state)
    return not button_fits(
        callback_data.action, callback_data.value, raw_state, flow, known, booking, municipalities
    )


async def on_stale(callback: CallbackQuery) -> None:
    """A stale or crafted button: a short answer only."""
    await callback.answer(STALE_BUTTON)


async def on_back(callback: CallbackQuery, state: FSMContext, raw_state: str, steps: Steps) -> None:
    """One step back; what was entered stays in the flow."""
    await callback.answer()
    message, flow = callback.message, await BookingFlow.load(state)
    if raw_state == Booking_.code.state:
        await ask(Booking_.email, message, state, steps)
        return
    order = RESCHEDULE_ORDER if flow.reschedule else ORDER
    states = [step.state for step in order]
    index = states.index(raw_state) if raw_state in states else 0
    if index > 0:
        await ask(order[index - 1], message, state, steps)
    elif flow.reschedule:
        await BookingFlow.forget(state)
        await message.answer("Verschieben abgebrochen – Ihr bisheriger Termin bleibt bestehen.")
    else:
        await ask(Booking_.topic, message, state, steps)


async def on_topic(callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await save_flow(state, topic=callback_data.value)
    await ask(Booking_.municipality, callback.message, state, steps)


async def on_municipality(
    callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps
) -> None:
    """A municipality button: on to the name, unless the municipality holds its maximum of open bookings."""
    await callback.answer()
    municipality = steps.municipalities.get(callback_data.value)
    reached = await limit_reached(
        steps.session,
        steps.booking,
        municipality_ags=municipality.ags,
        municipality_name=municipality.display_name,
    )
    if reached is not None:
        await callback.message.answer(limit_text(reached), reply_markup=keyboard())
        return
    await save_flow(state, ags=municipality.ags)
    await remember_municipality(state, municipality)
    await ask(Booking_.name, callback.message, state, steps)


async def on_known_name(callback: CallbackQuery, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await save_flow(state, name=full_name((await KnownContact.load(state)).name or ""))
    await ask(Booking_.email, callback.message, state, steps)


async def on_email_choice(
    callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps, settings
) -> None:
    await callback.answer()
    address = email_option(await BookingFlow.load(state), callback_data.value) or ""
    if await take_address(callback.message, state, steps.session, steps.booking, settings, address):
        await ask(Booking_.phone, callback.message, state, steps)


async def on_resend_code(callback: CallbackQuery, state: FSMContext, steps: Steps, settings) -> None:
    await callback.answer()
    await resend_code(callback.message, state, steps.session, steps.booking, settings)


async def on_other_address(callback: CallbackQuery, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await ask(Booking_.email, callback.message, state, steps)


async def on_no_phone(callback: CallbackQuery, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await save_flow(state, phone=None)
    await ask(Booking_.format, callback.message, state, steps)


async def on_format(callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await save_flow(state, format=callback_data.value, week=None)
    await ask(Booking_.week, callback.message, state, steps)


async def on_week(callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await show_week(
        callback.message, state, steps.booking, steps.session, dt.date.fromisoformat(callback_data.value)
    )


async def on_day(callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await choose_day(
        callback.message, state, steps.booking, steps.session, dt.date.fromisoformat(callback_data.value)
    )


async def on_page(callback: CallbackQuery, callback_data: BookCb, state: FSMContext) -> None:
    await callback.answer()
    await save_flow(state, page=int(callback_data.value))
    await show_day(callback.message, state)


async def on_slot(callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    flow = await BookingFlow.load(state)
    flow = await save_flow(state, slot=flow.slots[int(callback_data.value)])
    await ask(Booking_.confirm if flow.reschedule else Booking_.note, callback.message, state, steps)


async def on_no_note(callback: CallbackQuery, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await save_flow(state, note="")
    await ask(Booking_.confirm, callback.message, state, steps)


_BUTTONS = {
    "back": on_back,
    "topic": on_topic,
    "muni": on_municipality,
    "name": on_known_name,
    "email": on_email_choice,
    "resend": on_resend_code,
    "newmail": on_other_address,
    "nophone": on_no_phone,
    "format": on_format,
    "week": on_week,
    "day": on_day,
    "page": on_page,
    "slot": on_slot,
    "nonote": on_no_note,
    "book": on_book,
}
_TYPED = {
    Booking_.municipality: on_municipality_typed,
    Booking_.name: on_name_typed,
    Booking_.email: on_email_typed,
    Booking_.code: on_code_typed,
    Booking_.phone: on_phone_typed,
    Booking_.note: on_note_typed,
}


def build_router() -> Router:
    """A fresh router with the booking conversation (before free-text answering)."""
    router = Router(name=__name__)
    router.message.middleware(with_steps)
    router.callback_query.middleware(with_steps)
    router.callback_query.register(on_menu_book, MenuCb.filter(F.action == "book"))
    router.message.register(cmd_termin, Command("termin", "buchen"))
    router.message.register(cmd_termine, Command("termine"))
    router.message.register(cmd_termin, StateFilter(None), F.text.func(wants_booking), booking_is_open)
    for step, handler in _TYPED.items():
        router.message.register(handler, step, F.text)
    router.message.register(
        on_text_instead_of_button, StateFilter(*(s for s in ORDER if s not in _TYPED)), F.text
    )
    router.callback_query.register(on_cancel, BookCb.filter(F.action == "cancel"))
    router.callback_query.register(on_inactive, BookCb.filter(), ~StateFilter(Booking_))
    router.callback_query.register(on_stale, BookCb.filter(), not_offered_now)
    for action, handler in _BUTTONS.items():
        router.callback_query.register(handler, BookCb.filter(F.action == action))
    router.callback_query.register(on_stale, BookCb.filter())  # an action no step offers
    router.callback_query.register(on_my_booking, MyBookingCb.filter())
    # after the two above: data with our prefixes that they could not parse
    router.callback_query.register(
        on_broken_button, F.data.startswith((f"{BookCb.__prefix__}:", f"{MyBookingCb.__prefix__}:"))
    )
    return router
