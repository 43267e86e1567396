"""Book an Initialberatung: topic → municipality → name → e-mail (→ code) → phone → format → week → day → note
→ confirm. /termin starts it, /termine lists, moves and cancels bookings.

One handler a step, registered with magic filters on the step (typed answers) or the button's action; the
flow keeps its typed state in `BookingFlow` (ids and the choices a step offered); free slots, limits,
confirmed addresses and the booking itself are the rules of `services/booking`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.booking_buttons import button_fits
from handlers.booking_contact import ask_email, email_option, resend_code, take_address, take_code
from handlers.booking_mine import cmd_termine, on_broken_button, on_my_booking
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
    slot_choice,
)
from handlers.booking_views import choose_day, formats_for, show_day, show_summary, show_week
from handlers.flow_state import KnownContact
from handlers.keyboards import MenuCb
from handlers.shared_steps import (
    NAME_EXAMPLE,
    NOT_FOUND,
    WHICH_ONE,
    known_municipality,
    remember_municipality,
    typed_municipality,
)
from services.booking import bookings as booking_service
from services.booking.availability import next_free_slots
from services.booking.config import FORMATS, TOPICS, BookingConfig
from services.booking.contacts import full_name
from services.booking.domain import (
    CANCELLED_IN_CHAT,
    BookingLimitReached,
    BookingNotActive,
    BookingNotFound,
    ContactNotConfirmed,
    InvalidBooking,
    SlotTaken,
)
from services.booking.formatting import format_slot
from services.booking.limits import check_booking_limits
from services.booking.mails import calendar_file
from services.intents import wants_booking
from services.municipalities import MunicipalityDirectory

MAX_NOTE_CHARS = 500
_PHONE = re.compile(r"^\+?[0-9 ()/\-]{6,25}$")


@dataclass(frozen=True)
class Steps:
    """What the steps need besides the chat: the consultation hours, the update's session, the directory."""

    booking: BookingConfig
    session: AsyncSession
    municipalities: MunicipalityDirectory


async def _with_steps(handler, event, data):
    """Router middleware: hands every booking handler its `steps`."""
    data["steps"] = Steps(data["booking"], data["session"], data["municipalities"])
    return await handler(event, data)


# --- the questions of the steps ----------------------------------------------------------------------------


async def _ask_topic(message: Message, state: FSMContext, steps: Steps) -> None:
    await _topic_question(message, steps.booking)


async def _topic_question(message: Message, booking: BookingConfig) -> None:
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


async def _save(state: FSMContext, **changes) -> BookingFlow:
    flow = await BookingFlow.load(state)
    for name, value in changes.items():
        setattr(flow, name, value)
    await flow.save(state)
    return flow


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
    reached = await _limit_reached(session, booking, chat_id=message.chat.id)
    if reached is not None:
        await message.answer(limit_text(reached))
        return
    await BookingFlow().save(state, Booking_.topic)
    await _topic_question(message, booking)


async def _limit_reached(session: AsyncSession, booking: BookingConfig, **who) -> BookingLimitReached | None:
    """The cap one more booking would exceed; early advice only, as book_slot checks again under its lock."""
    try:
        await check_booking_limits(session, booking.policy, **who)
    except BookingLimitReached as reached:
        return reached
    return None


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
    await _save(state, name=name)
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
    await _save(state, phone=text)
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
    await _save(state, note=text)
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
    await _save(state, topic=callback_data.value)
    await ask(Booking_.municipality, callback.message, state, steps)


async def on_municipality(
    callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps
) -> None:
    """A municipality button: on to the name, unless the municipality holds its maximum of open bookings."""
    await callback.answer()
    municipality = steps.municipalities.get(callback_data.value)
    reached = await _limit_reached(
        steps.session,
        steps.booking,
        municipality_ags=municipality.ags,
        municipality_name=municipality.display_name,
    )
    if reached is not None:
        await callback.message.answer(limit_text(reached), reply_markup=keyboard())
        return
    await _save(state, ags=municipality.ags)
    await remember_municipality(state, municipality)
    await ask(Booking_.name, callback.message, state, steps)


async def on_known_name(callback: CallbackQuery, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await _save(state, name=full_name((await KnownContact.load(state)).name or ""))
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
    await _save(state, phone=None)
    await ask(Booking_.format, callback.message, state, steps)


async def on_format(callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await _save(state, format=callback_data.value, week=None)
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
    await _save(state, page=int(callback_data.value))
    await show_day(callback.message, state)


async def on_slot(callback: CallbackQuery, callback_data: BookCb, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    flow = await BookingFlow.load(state)
    flow = await _save(state, slot=flow.slots[int(callback_data.value)])
    await ask(Booking_.confirm if flow.reschedule else Booking_.note, callback.message, state, steps)


async def on_no_note(callback: CallbackQuery, state: FSMContext, steps: Steps) -> None:
    await callback.answer()
    await _save(state, note="")
    await ask(Booking_.confirm, callback.message, state, steps)


async def on_book(callback: CallbackQuery, state: FSMContext, steps: Steps) -> None:
    """„Verbindlich buchen“ (or confirm the move): the booking, its confirmation with the calendar file."""
    await callback.answer()
    message, flow = callback.message, await BookingFlow.load(state)
    slot = flow.chosen_slot(steps.booking)
    if slot is None:
        await message.answer("Dieser Termin ist nicht mehr buchbar. Bitte wählen Sie einen anderen.")
        await ask(Booking_.week, message, state, steps)
        return
    try:
        if flow.reschedule:
            old = await booking_service.get_open_booking_of_chat(
                steps.session, booking_id=flow.reschedule, chat_id=message.chat.id
            )
            result = await booking_service.reschedule_booking(
                steps.session, steps.booking, booking=old, new_slot=slot, by=CANCELLED_IN_CHAT
            )
            done = f"✅ Verschoben: Ihre Initialberatung ist jetzt am <b>{format_slot(result.start_utc)}</b>."
        else:
            municipality = steps.municipalities.get(flow.ags) if flow.ags else None
            request = booking_service.BookingRequest(
                topic=flow.topic,
                format=flow.format,
                municipality_name=municipality.display_name if municipality else "",
                municipality_ags=municipality.ags if municipality else None,
                contact_name=flow.name,
                contact_email=flow.email,
                contact_phone=flow.phone,
                note=flow.note,
                chat_id=message.chat.id,
            )
            result = await booking_service.book_slot(steps.session, steps.booking, slot=slot, request=request)
            done = (
                f"✅ Gebucht! Ihre Initialberatung ({html.escape(TOPICS[result.topic])}) ist am "
                f"<b>{format_slot(result.start_utc)}</b> mit {html.escape(slot.advisor_name)} "
                f"({FORMATS[result.format]}). Nummer: <b>{result.reference}</b>.\n\n"
                f"Die Kalendereinladung geht an {html.escape(result.contact_email)}. Ich erinnere Sie 24 Stunden und "
                "eine Stunde vorher hier im Chat. Mit /termine können Sie absagen oder verschieben."
            )
    except SlotTaken:
        alternatives = await next_free_slots(
            steps.session, steps.booking, topic=flow.topic, after=slot.start_utc, limit=5
        )
        flow.slots, flow.page, flow.day = [slot_choice(s) for s in alternatives], 0, slot.day.isoformat()
        await flow.save(state, Booking_.day)
        buttons = [(format_slot(s.start_utc), "slot", str(i)) for i, s in enumerate(alternatives)]
        await message.answer(
            "😕 Dieser Termin wurde gerade von jemand anderem gebucht. Das sind die nächsten freien Termine:",
            reply_markup=keyboard(*buttons),
        )
        return
    except (BookingNotFound, BookingNotActive):
        await BookingFlow.forget(state)
        await message.answer("Dieser Termin existiert nicht mehr. Mit /termine sehen Sie Ihre Buchungen.")
        return
    except BookingLimitReached as reached:
        await BookingFlow.forget(state)
        await message.answer(limit_text(reached))
        return
    except ContactNotConfirmed:
        await message.answer("Bitte bestätigen Sie zuerst die E-Mail-Adresse für die Einladung.")
        await ask(Booking_.email, message, state, steps)
        return
    except InvalidBooking as invalid:
        await message.answer(
            f"{html.escape(str(invalid))}\nMit „⬅️ Zurück“ können Sie Ihre Angaben ändern.",
            reply_markup=keyboard(),
        )
        return
    await BookingFlow.forget(state)
    # the confirmation carries the calendar entry: one message, a file to save in any calendar
    name, ics = calendar_file(steps.booking, result)
    await message.answer_document(BufferedInputFile(ics, filename=name), caption=done)


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
    router.message.middleware(_with_steps)
    router.callback_query.middleware(_with_steps)
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
