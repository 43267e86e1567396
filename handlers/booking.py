"""Book an Initialberatung: topic → municipality → contact → format → week → slot → note → confirm; /termine."""

from __future__ import annotations

import datetime as dt
import html
import re

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
    MyBookingCb,
    clear_flow,
    keyboard,
    limit_text,
)
from handlers.booking_views import (
    choose_day,
    formats_for,
    show_day,
    show_summary,
    show_week,
    slot_data,
    slot_from,
)
from handlers.keyboards import MenuCb
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
from services.municipalities import Municipality, MunicipalityDirectory

MAX_NOTE_CHARS = 500
_PHONE = re.compile(r"^\+?[0-9 ()/\-]{6,25}$")


async def start_booking(
    message: Message,
    state: FSMContext,
    booking: BookingConfig,
    session: AsyncSession,
) -> None:
    """Begin the booking conversation, unless the chat already holds its maximum of open bookings."""
    topics = booking.schedules.offered_topics()
    if not topics:
        await message.answer(
            "Derzeit sind keine Beratungstermine buchbar. Bitte wenden Sie sich an die Fachstelle."
        )
        return
    reached = await _limit_reached(session, booking, chat_id=message.chat.id)
    if reached is not None:
        await message.answer(limit_text(reached))
        return
    await state.update_data(b_reschedule=None)
    await state.set_state(Booking_.topic)
    await message.answer(
        "📅 <b>Initialberatung buchen</b>\nZu welchem Thema möchten Sie beraten werden?",
        reply_markup=keyboard(*[(TOPICS[t], "topic", t) for t in topics], back=False),
    )


async def _limit_reached(session: AsyncSession, booking: BookingConfig, **who) -> BookingLimitReached | None:
    """The cap one more booking would exceed; early advice only, as book_slot checks again under its lock."""
    try:
        await check_booking_limits(session, booking.policy, **who)
    except BookingLimitReached as reached:
        return reached
    return None


async def _ask(
    message: Message, state: FSMContext, step: State, booking: BookingConfig, session: AsyncSession
) -> None:
    data = await state.get_data()
    await state.set_state(step)
    if step == Booking_.topic:
        await start_booking(message, state, booking, session)
    elif step == Booking_.municipality:
        known = (
            [(f"✅ {data['known_municipality']}", "muni", data["known_ags"])] if data.get("known_ags") else []
        )
        await message.answer(
            "Für welche Kommune buchen Sie? Schreiben Sie den Namen, z. B. <i>Marburg</i> oder <i>Landkreis Gießen</i>.",
            reply_markup=keyboard(*known),
        )
    elif step == Booking_.name:
        known_name = full_name(data.get("known_name") or "")
        known = [(f"✅ {known_name}", "name", "")] if known_name else []
        await message.answer(
            "Wie heißen Sie? (Vor- und Nachname für die Einladung)", reply_markup=keyboard(*known)
        )
    elif step == Booking_.email:
        await ask_email(message, state, session, booking)
    elif step == Booking_.phone:
        await message.answer(
            "Unter welcher Telefonnummer erreichen wir Sie? (optional)",
            reply_markup=keyboard(("Ohne Telefonnummer", "nophone", "")),
        )
    elif step == Booking_.format:
        offered = formats_for(booking, data.get("b_topic"))
        await message.answer(
            "Wie möchten Sie beraten werden?",
            reply_markup=keyboard(*[(FORMATS[f], "format", f) for f in offered]),
        )
    elif step == Booking_.week:
        week = dt.date.fromisoformat(data["b_week"]) if data.get("b_week") else None
        await show_week(message, state, booking, session, week)
    elif step == Booking_.day:
        await show_day(message, state)
    elif step == Booking_.note:
        await message.answer(
            "Worüber möchten Sie sprechen? Ein, zwei Sätze helfen der Beraterin oder dem Berater bei der Vorbereitung "
            f"(optional, höchstens {MAX_NOTE_CHARS} Zeichen).",
            reply_markup=keyboard(("Ohne Notiz", "nonote", "")),
        )
    elif step == Booking_.confirm:
        await show_summary(message, state)


async def on_text(
    message: Message,
    state: FSMContext,
    booking: BookingConfig,
    municipalities: MunicipalityDirectory,
    session: AsyncSession,
    settings,
) -> None:
    """Typed answers: municipality, name, e-mail, code, phone, note; anything else repeats the question."""
    current = await state.get_state()
    text = (message.text or "").strip()
    if current == Booking_.municipality.state:
        matches = municipalities.match(text[:200], limit=3)
        if not matches:
            await message.answer(
                "Diese Kommune habe ich in Hessen nicht gefunden. Bitte prüfen Sie die Schreibweise."
            )
            await _ask(message, state, Booking_.municipality, booking, session)
            return
        buttons = [(f"✅ {m.municipality.display_name}", "muni", m.municipality.ags) for m in matches]
        await message.answer("Welche Kommune meinen Sie?", reply_markup=keyboard(*buttons))
    elif current == Booking_.name.state:
        name = full_name(text)
        if name is None:
            await message.answer(
                "Bitte geben Sie Vor- und Nachnamen an, z. B. <i>Erika Muster</i> – so steht es in der Einladung."
            )
            await _ask(message, state, Booking_.name, booking, session)
            return
        await state.update_data(b_name=name, known_name=name)
        await _ask(message, state, Booking_.email, booking, session)
    elif current == Booking_.email.state:
        if await take_address(message, state, session, booking, settings, text):
            await _ask(message, state, Booking_.phone, booking, session)
    elif current == Booking_.code.state:
        if await take_code(message, state, session, booking, settings):
            await _ask(message, state, Booking_.phone, booking, session)
    elif current == Booking_.phone.state:
        if not _PHONE.match(text) or sum(ch.isdigit() for ch in text) < 6:
            await message.answer(
                "Bitte eine Telefonnummer nur mit Ziffern, Leerzeichen, +, / oder - (z. B. 0611 123456)."
            )
            await _ask(message, state, Booking_.phone, booking, session)
            return
        await state.update_data(b_phone=text)
        await _ask(message, state, Booking_.format, booking, session)
    elif current == Booking_.note.state:
        if len(text) > MAX_NOTE_CHARS:
            await message.answer(
                f"Die Notiz ist zu lang ({len(text)} Zeichen). Bitte kürzen Sie auf {MAX_NOTE_CHARS} Zeichen."
            )
            await _ask(message, state, Booking_.note, booking, session)
            return
        await state.update_data(b_note=text)
        await _ask(message, state, Booking_.confirm, booking, session)
    else:
        await message.answer("Bitte wählen Sie eine der Schaltflächen – oder „Abbrechen“.")
        await _ask(message, state, next(s for s in ORDER if s.state == current), booking, session)


async def on_button(
    callback: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
    municipalities: MunicipalityDirectory,
    settings,
) -> None:
    """Every button of the booking conversation; a stale or crafted one only gets a short answer."""
    message, action, value = callback.message, callback_data.action, callback_data.value
    current = await state.get_state()
    if action == "cancel":
        await callback.answer()
        await clear_flow(state)
        await message.answer("Abgebrochen – es wurde nichts gebucht. /termin startet eine neue Buchung.")
        return
    if current is None or not current.startswith(Booking_.__name__):
        await callback.answer("Diese Buchung ist nicht mehr aktiv. Mit /termin starten Sie eine neue.")
        return
    data = await state.get_data()
    if not button_fits(action, value, current, data, booking, municipalities):
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    if action == "back":
        await _go_back(message, state, booking, session, current, data)
    elif action == "topic":
        await state.update_data(b_topic=value)
        await _ask(message, state, Booking_.municipality, booking, session)
    elif action == "muni":
        await _choose_municipality(message, state, session, booking, municipalities.get(value))
    elif action == "name":
        await state.update_data(b_name=full_name(data["known_name"]))
        await _ask(message, state, Booking_.email, booking, session)
    elif action == "email":
        address = email_option(data, value)
        if await take_address(message, state, session, booking, settings, address):
            await _ask(message, state, Booking_.phone, booking, session)
    elif action == "resend":
        await resend_code(message, state, session, booking, settings)
    elif action == "newmail":
        await ask_email(message, state, session, booking)
    elif action == "nophone":
        await state.update_data(b_phone=None)
        await _ask(message, state, Booking_.format, booking, session)
    elif action == "format":
        await state.update_data(b_format=value, b_week=None)
        await _ask(message, state, Booking_.week, booking, session)
    elif action == "week":
        await show_week(message, state, booking, session, dt.date.fromisoformat(value))
    elif action == "day":
        await choose_day(message, state, booking, session, dt.date.fromisoformat(value))
    elif action == "page":
        await state.update_data(b_page=int(value))
        await show_day(message, state)
    elif action == "slot":
        await state.update_data(b_slot=data["b_slots"][int(value)])
        await _ask(
            message, state, Booking_.confirm if data.get("b_reschedule") else Booking_.note, booking, session
        )
    elif action == "nonote":
        await state.update_data(b_note="")
        await _ask(message, state, Booking_.confirm, booking, session)
    elif action == "book":
        await _book(callback, state, session, booking)


async def _choose_municipality(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
    municipality: Municipality,
) -> None:
    reached = await _limit_reached(
        session, booking, municipality_ags=municipality.ags, municipality_name=municipality.display_name
    )
    if reached is not None:
        await message.answer(limit_text(reached), reply_markup=keyboard())
        return
    await state.update_data(
        b_ags=municipality.ags,
        b_municipality=municipality.display_name,
        known_ags=municipality.ags,
        known_municipality=municipality.display_name,
    )
    await _ask(message, state, Booking_.name, booking, session)


async def _go_back(message, state, booking, session, current: str, data: dict) -> None:
    """One step back; entered data stays in the conversation state."""
    if current == Booking_.code.state:
        await ask_email(message, state, session, booking)
        return
    order = RESCHEDULE_ORDER if data.get("b_reschedule") else ORDER
    states = [step.state for step in order]
    index = states.index(current) if current in states else 0
    if index == 0:
        if data.get("b_reschedule"):
            await clear_flow(state)
            await message.answer("Verschieben abgebrochen – Ihr bisheriger Termin bleibt bestehen.")
        else:
            await start_booking(message, state, booking, session)
        return
    await _ask(message, state, order[index - 1], booking, session)


async def _book(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, booking: BookingConfig
) -> None:
    data = await state.get_data()
    slot = slot_from(data["b_slot"])
    try:
        if data.get("b_reschedule"):
            old = await booking_service.get_open_booking_of_chat(
                session, booking_id=data["b_reschedule"], chat_id=callback.message.chat.id
            )
            result = await booking_service.reschedule_booking(
                session, booking, booking=old, new_slot=slot, by=CANCELLED_IN_CHAT
            )
            done = f"✅ Verschoben: Ihre Initialberatung ist jetzt am <b>{format_slot(result.start_utc)}</b>."
        else:
            request = booking_service.BookingRequest(
                topic=data["b_topic"],
                format=data["b_format"],
                municipality_name=data.get("b_municipality") or "",
                municipality_ags=data.get("b_ags"),
                contact_name=data["b_name"],
                contact_email=data["b_email"],
                contact_phone=data.get("b_phone"),
                note=data.get("b_note") or "",
                chat_id=callback.message.chat.id,
            )
            result = await booking_service.book_slot(session, booking, slot=slot, request=request)
            done = (
                f"✅ Gebucht! Ihre Initialberatung ({html.escape(TOPICS[result.topic])}) ist am <b>{format_slot(result.start_utc)}</b> "
                f"mit {html.escape(slot.advisor_name)} ({FORMATS[result.format]}). Nummer: <b>{result.reference}</b>.\n\n"
                f"Die Kalendereinladung geht an {html.escape(result.contact_email)}. Ich erinnere Sie 24 Stunden und "
                "eine Stunde vorher hier im Chat. Mit /termine können Sie absagen oder verschieben."
            )
    except SlotTaken:
        alternatives = await next_free_slots(
            session, booking, topic=data["b_topic"], after=slot.start_utc, limit=5
        )
        await state.update_data(
            b_slots=[slot_data(s) for s in alternatives], b_page=0, b_day=slot.day.isoformat()
        )
        await state.set_state(Booking_.day)
        buttons = [(format_slot(s.start_utc), "slot", str(i)) for i, s in enumerate(alternatives)]
        await callback.message.answer(
            "😕 Dieser Termin wurde gerade von jemand anderem gebucht. Das sind die nächsten freien Termine:",
            reply_markup=keyboard(*buttons),
        )
        return
    except (BookingNotFound, BookingNotActive):
        await clear_flow(state)
        await callback.message.answer(
            "Dieser Termin existiert nicht mehr. Mit /termine sehen Sie Ihre Buchungen."
        )
        return
    except BookingLimitReached as reached:
        await clear_flow(state)
        await callback.message.answer(limit_text(reached))
        return
    except ContactNotConfirmed:
        await callback.message.answer("Bitte bestätigen Sie zuerst die E-Mail-Adresse für die Einladung.")
        await ask_email(callback.message, state, session, booking)
        return
    except InvalidBooking as invalid:
        await callback.message.answer(
            f"{html.escape(str(invalid))}\nMit „⬅️ Zurück“ können Sie Ihre Angaben ändern.",
            reply_markup=keyboard(),
        )
        return
    await clear_flow(state)
    # the confirmation carries the calendar entry: one message, a file to save in any calendar
    name, ics = calendar_file(booking, result)
    await callback.message.answer_document(BufferedInputFile(ics, filename=name), caption=done)


async def cmd_termin(
    message: Message, state: FSMContext, session: AsyncSession, booking: BookingConfig
) -> None:
    """/termin: start a booking."""
    await start_booking(message, state, booking, session)


def booking_is_open(_message: Message, booking: BookingConfig) -> bool:
    """Filter: the advisors offer consultation hours at all."""
    return bool(booking.schedules.offered_topics())


async def on_menu_book(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, booking: BookingConfig
) -> None:
    """Main menu / answer button: start a booking."""
    await callback.answer()
    await start_booking(callback.message, state, booking, session)


def build_router() -> Router:
    """A fresh router with the booking conversation (before free-text answering)."""
    router = Router(name=__name__)
    router.callback_query.register(on_menu_book, MenuCb.filter(F.action == "book"))
    router.message.register(cmd_termin, Command("termin", "buchen"))
    router.message.register(cmd_termine, Command("termine"))
    router.message.register(cmd_termin, StateFilter(None), F.text.func(wants_booking), booking_is_open)
    for step in (*ORDER, Booking_.code):
        router.message.register(on_text, step, F.text)
    router.callback_query.register(on_button, BookCb.filter())
    router.callback_query.register(on_my_booking, MyBookingCb.filter())
    # after the two above: data with our prefixes that they could not parse
    router.callback_query.register(
        on_broken_button, F.data.startswith((f"{BookCb.__prefix__}:", f"{MyBookingCb.__prefix__}:"))
    )
    return router
