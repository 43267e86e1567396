"""Book an Initialberatung: topic → municipality → contact → format → week → slot → note → confirm; /termine."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.inputs import is_email_address
from handlers.keyboards import MenuCb
from services.booking import bookings as booking_service
from services.booking.availability import Slot, free_week, next_free_slots
from services.booking.config import FORMATS, TOPICS, BookingConfig
from services.booking.domain import BookingNotActive, BookingNotFound, SlotTaken
from services.booking.formatting import format_day, format_slot, format_slot_range, format_time, format_week
from services.municipalities import MunicipalityDirectory
from storage.tables import Booking

SLOTS_PER_PAGE = 8
MAX_NOTE_CHARS = 500
_PHONE = re.compile(r"^\+?[0-9 ()/\-]{6,25}$")
FLOW_KEYS = (
    "b_topic",
    "b_ags",
    "b_municipality",
    "b_name",
    "b_email",
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
    phone = State()
    format = State()
    week = State()
    day = State()
    note = State()
    confirm = State()


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


def _keyboard(
    *buttons: tuple[str, str, str], rows: list[int] | None = None, back: bool = True
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, action, value in buttons:
        builder.button(text=label[:60], callback_data=BookCb(action=action, value=value))
    if back:
        builder.button(text="⬅️ Zurück", callback_data=BookCb(action="back"))
    builder.button(text="✖️ Abbrechen", callback_data=BookCb(action="cancel"))
    layout = rows if rows is not None else [1] * len(buttons)
    builder.adjust(*layout, 2 if back else 1)
    return builder.as_markup()


async def start_booking(
    message: Message,
    state: FSMContext,
    booking: BookingConfig,
    session: AsyncSession,
    *,
    reschedule: Booking | None = None,
) -> None:
    """Begin the booking conversation (or a rescheduling, which starts at the week view)."""
    topics = booking.schedules.offered_topics()
    if not topics:
        await message.answer(
            "Derzeit sind keine Beratungstermine buchbar. Bitte wenden Sie sich an die Fachstelle."
        )
        return
    if reschedule is not None:
        await state.update_data(
            b_reschedule=reschedule.id, b_topic=reschedule.topic, b_format=reschedule.format, b_week=None
        )
        await _show_week(message, state, booking, session, None)
        return
    await state.update_data(b_reschedule=None)
    await state.set_state(Booking_.topic)
    await message.answer(
        "📅 <b>Initialberatung buchen</b>\nZu welchem Thema möchten Sie beraten werden?",
        reply_markup=_keyboard(*[(TOPICS[t], "topic", t) for t in topics], back=False),
    )


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
            reply_markup=_keyboard(*known),
        )
    elif step == Booking_.name:
        known = [(f"✅ {data['known_name']}", "name", "")] if data.get("known_name") else []
        await message.answer(
            "Wie heißen Sie? (Vor- und Nachname für die Einladung)", reply_markup=_keyboard(*known)
        )
    elif step == Booking_.email:
        known = [(f"✅ {data['known_email']}", "email", "")] if data.get("known_email") else []
        await message.answer(
            "An welche E-Mail-Adresse soll die Kalendereinladung gehen?", reply_markup=_keyboard(*known)
        )
    elif step == Booking_.phone:
        await message.answer(
            "Unter welcher Telefonnummer erreichen wir Sie? (optional)",
            reply_markup=_keyboard(("Ohne Telefonnummer", "nophone", "")),
        )
    elif step == Booking_.format:
        offered = _formats_for(booking, data.get("b_topic"))
        await message.answer(
            "Wie möchten Sie beraten werden?",
            reply_markup=_keyboard(*[(FORMATS[f], "format", f) for f in offered]),
        )
    elif step == Booking_.week:
        week = dt.date.fromisoformat(data["b_week"]) if data.get("b_week") else None
        await _show_week(message, state, booking, session, week)
    elif step == Booking_.day:
        await _show_day(message, state)
    elif step == Booking_.note:
        await message.answer(
            "Worüber möchten Sie sprechen? Ein, zwei Sätze helfen der Beraterin oder dem Berater bei der Vorbereitung "
            f"(optional, höchstens {MAX_NOTE_CHARS} Zeichen).",
            reply_markup=_keyboard(("Ohne Notiz", "nonote", "")),
        )
    elif step == Booking_.confirm:
        await _show_summary(message, state)


def _formats_for(booking: BookingConfig, topic: str | None) -> list[str]:
    offered = {f for advisor in booking.schedules.covering(topic or "") for f in advisor.formats}
    return [f for f in FORMATS if f in offered] or list(FORMATS)


async def _show_week(
    message: Message,
    state: FSMContext,
    booking: BookingConfig,
    session: AsyncSession,
    week_start: dt.date | None,
) -> None:
    data = await state.get_data()
    view = await free_week(session, booking, topic=data["b_topic"], week_start=week_start)
    await session.commit()  # end the read transaction before talking to Telegram
    await state.set_state(Booking_.week)
    await state.update_data(b_week=view.week_start.isoformat())
    days = [
        (f"{format_day(d.day)} · {len(d.slots)} frei", "day", d.day.isoformat()) for d in view.days if d.slots
    ]
    paging = []
    if view.previous_week:
        paging.append(("◀️ Vorherige Woche", "week", view.previous_week.isoformat()))
    if view.next_week:
        paging.append(("Nächste Woche ▶️", "week", view.next_week.isoformat()))
    header = (
        f"<b>Freie Termine</b> ({TOPICS.get(data['b_topic'], '')}), Woche {format_week(view.week_start)}:"
    )
    if not days:
        header += "\nIn dieser Woche ist leider nichts frei."
    await message.answer(
        header,
        reply_markup=_keyboard(*days, *paging, rows=[1] * len(days) + ([len(paging)] if paging else [])),
    )


async def _show_day(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    slots = data.get("b_slots", [])
    page = int(data.get("b_page", 0))
    start = page * SLOTS_PER_PAGE
    shown = slots[start : start + SLOTS_PER_PAGE]
    buttons = [
        (format_time(dt.datetime.fromisoformat(s[0])), "slot", str(start + i)) for i, s in enumerate(shown)
    ]
    paging = []
    if page > 0:
        paging.append(("◀️ Früher", "page", str(page - 1)))
    if start + SLOTS_PER_PAGE < len(slots):
        paging.append(("Später ▶️", "page", str(page + 1)))
    day = dt.date.fromisoformat(data["b_day"])
    rows = (
        [4] * (len(buttons) // 4)
        + ([len(buttons) % 4] if len(buttons) % 4 else [])
        + ([len(paging)] if paging else [])
    )
    await message.answer(
        f"Freie Uhrzeiten am <b>{format_day(day)}</b> (jeweils Beginn):",
        reply_markup=_keyboard(*buttons, *paging, rows=rows),
    )


async def _show_summary(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    start, end, _email, advisor = data["b_slot"]
    lines = [
        "<b>Bitte prüfen Sie Ihre Buchung:</b>",
        f"📅 {format_slot_range(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))}",
        f"🗂 Thema: {html.escape(TOPICS.get(data['b_topic'], ''))}",
        f"💬 Format: {html.escape(FORMATS.get(data['b_format'], ''))}",
        f"👤 Beratung: {html.escape(advisor)}",
    ]
    if not data.get("b_reschedule"):
        lines += [
            f"🏛 Kommune: {html.escape(data.get('b_municipality') or '')}",
            f"✉️ {html.escape(data.get('b_name') or '')}, {html.escape(data.get('b_email') or '')}"
            + (f", {html.escape(data['b_phone'])}" if data.get("b_phone") else ""),
            f"📝 {html.escape(data.get('b_note') or 'ohne Notiz')}",
        ]
    label = "✅ Verschieben bestätigen" if data.get("b_reschedule") else "✅ Verbindlich buchen"
    await state.set_state(Booking_.confirm)
    await message.answer("\n".join(lines), reply_markup=_keyboard((label, "book", "")))


async def on_text(
    message: Message,
    state: FSMContext,
    booking: BookingConfig,
    municipalities: MunicipalityDirectory,
    session: AsyncSession,
) -> None:
    """Typed answers: municipality, name, e-mail, phone, note; anything else repeats the question."""
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
        await message.answer("Welche Kommune meinen Sie?", reply_markup=_keyboard(*buttons))
    elif current == Booking_.name.state:
        if not 3 <= len(text) <= 100 or not re.search(r"[A-Za-zÄÖÜäöüß]", text):
            await message.answer("Bitte geben Sie Ihren Namen an (3 bis 100 Zeichen).")
            await _ask(message, state, Booking_.name, booking, session)
            return
        await state.update_data(b_name=text, known_name=text)
        await _ask(message, state, Booking_.email, booking, session)
    elif current == Booking_.email.state:
        if not is_email_address(text):
            await message.answer(
                "Das sieht nicht nach einer E-Mail-Adresse aus (Beispiel: <i>name@gemeinde.de</i>)."
            )
            await _ask(message, state, Booking_.email, booking, session)
            return
        await state.update_data(b_email=text.lower(), known_email=text.lower())
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
    mail_wake: asyncio.Event,
) -> None:
    """Every button of the booking conversation."""
    await callback.answer()
    message, action, value = callback.message, callback_data.action, callback_data.value
    current = await state.get_state()
    if action == "cancel":
        await _clear(state)
        await message.answer("Abgebrochen – es wurde nichts gebucht. /termin startet eine neue Buchung.")
        return
    if current is None or not current.startswith(Booking_.__name__):
        await message.answer("Diese Buchung ist nicht mehr aktiv. Mit /termin starten Sie eine neue.")
        return
    data = await state.get_data()
    if action == "back":
        await _go_back(message, state, booking, session, current, data)
    elif action == "topic" and value in TOPICS:
        await state.update_data(b_topic=value)
        await _ask(message, state, Booking_.municipality, booking, session)
    elif action == "muni":
        municipality = municipalities.get(value)
        if municipality is None:
            await _ask(message, state, Booking_.municipality, booking, session)
            return
        await state.update_data(
            b_ags=municipality.ags,
            b_municipality=municipality.display_name,
            known_ags=municipality.ags,
            known_municipality=municipality.display_name,
        )
        await _ask(message, state, Booking_.name, booking, session)
    elif action == "name" and data.get("known_name"):
        await state.update_data(b_name=data["known_name"])
        await _ask(message, state, Booking_.email, booking, session)
    elif action == "email" and data.get("known_email"):
        await state.update_data(b_email=data["known_email"])
        await _ask(message, state, Booking_.phone, booking, session)
    elif action == "nophone":
        await state.update_data(b_phone=None)
        await _ask(message, state, Booking_.format, booking, session)
    elif action == "format" and value in FORMATS:
        await state.update_data(b_format=value, b_week=None)
        await _ask(message, state, Booking_.week, booking, session)
    elif action == "week":
        await _show_week(message, state, booking, session, dt.date.fromisoformat(value))
    elif action == "day":
        await _choose_day(message, state, booking, session, dt.date.fromisoformat(value))
    elif action == "page":
        await state.update_data(b_page=int(value))
        await _show_day(message, state)
    elif action == "slot":
        slots = data.get("b_slots", [])
        index = int(value) if value.isdigit() else -1
        if not 0 <= index < len(slots):
            await _ask(message, state, Booking_.week, booking, session)
            return
        await state.update_data(b_slot=slots[index])
        await _ask(
            message, state, Booking_.confirm if data.get("b_reschedule") else Booking_.note, booking, session
        )
    elif action == "nonote":
        await state.update_data(b_note="")
        await _ask(message, state, Booking_.confirm, booking, session)
    elif action == "book" and current == Booking_.confirm.state:
        await _book(callback, state, session, booking, mail_wake)


async def _choose_day(
    message: Message, state: FSMContext, booking: BookingConfig, session: AsyncSession, day: dt.date
) -> None:
    data = await state.get_data()
    view = await free_week(session, booking, topic=data["b_topic"], week_start=day)
    await session.commit()
    slots = next((d.slots for d in view.days if d.day == day), ())
    if not slots:
        await message.answer("An diesem Tag ist inzwischen nichts mehr frei.")
        await _show_week(message, state, booking, session, day)
        return
    await state.set_state(Booking_.day)
    await state.update_data(b_day=day.isoformat(), b_page=0, b_slots=[_slot_data(s) for s in slots])
    await _show_day(message, state)


def _slot_data(slot: Slot) -> list[str]:
    return [slot.start_utc.isoformat(), slot.end_utc.isoformat(), slot.advisor_email, slot.advisor_name]


def _slot_from(data: list[str]) -> Slot:
    return Slot(dt.datetime.fromisoformat(data[0]), dt.datetime.fromisoformat(data[1]), data[2], data[3])


RESCHEDULE_ORDER = [Booking_.week, Booking_.day, Booking_.confirm]


async def _go_back(message, state, booking, session, current: str, data: dict) -> None:
    """One step back; entered data stays in the conversation state."""
    order = RESCHEDULE_ORDER if data.get("b_reschedule") else ORDER
    states = [step.state for step in order]
    index = states.index(current) if current in states else 0
    if index == 0:
        if data.get("b_reschedule"):
            await _clear(state)
            await message.answer("Verschieben abgebrochen – Ihr bisheriger Termin bleibt bestehen.")
        else:
            await start_booking(message, state, booking, session)
        return
    await _ask(message, state, order[index - 1], booking, session)


async def _book(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, booking: BookingConfig, mail_wake
) -> None:
    data = await state.get_data()
    slot = _slot_from(data["b_slot"])
    try:
        if data.get("b_reschedule"):
            old = await booking_service.get_booking(session, booking_id=data["b_reschedule"])
            if old.telegram_chat_id != callback.message.chat.id:
                raise BookingNotFound(old.id)
            result = await booking_service.reschedule_booking(
                session, booking, booking=old, new_slot=slot, by="telegram"
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
                f"✅ Gebucht! Ihre Initialberatung ({TOPICS[result.topic]}) ist am <b>{format_slot(result.start_utc)}</b> "
                f"mit {html.escape(slot.advisor_name)} ({FORMATS[result.format]}). Nummer: <b>{result.reference}</b>.\n\n"
                f"Die Kalendereinladung geht an {html.escape(result.contact_email)}. Ich erinnere Sie 24 Stunden und "
                "eine Stunde vorher hier im Chat. Mit /termine können Sie absagen oder verschieben."
            )
    except SlotTaken:
        alternatives = await next_free_slots(
            session, booking, topic=data["b_topic"], after=slot.start_utc, limit=5
        )
        await session.commit()
        await state.update_data(
            b_slots=[_slot_data(s) for s in alternatives], b_page=0, b_day=slot.day.isoformat()
        )
        await state.set_state(Booking_.day)
        buttons = [(format_slot(s.start_utc), "slot", str(i)) for i, s in enumerate(alternatives)]
        await callback.message.answer(
            "😕 Dieser Termin wurde gerade von jemand anderem gebucht. Das sind die nächsten freien Termine:",
            reply_markup=_keyboard(*buttons),
        )
        return
    except (BookingNotFound, BookingNotActive):
        await _clear(state)
        await callback.message.answer(
            "Dieser Termin existiert nicht mehr. Mit /termine sehen Sie Ihre Buchungen."
        )
        return
    mail_wake.set()
    await _clear(state)
    await callback.message.answer(done)


async def _clear(state: FSMContext) -> None:
    await state.set_state(None)
    data = await state.get_data()
    await state.set_data({key: value for key, value in data.items() if key not in FLOW_KEYS})


async def cmd_termin(
    message: Message, state: FSMContext, session: AsyncSession, booking: BookingConfig
) -> None:
    """/termin: start a booking."""
    await start_booking(message, state, booking, session)


async def cmd_termine(message: Message, session: AsyncSession) -> None:
    """/termine: the user's upcoming bookings with Absagen and Verschieben."""
    upcoming = await booking_service.upcoming_bookings_for_chat(session, chat_id=message.chat.id)
    await session.commit()
    if not upcoming:
        await message.answer(
            "Sie haben keine anstehenden Termine. Mit /termin buchen Sie eine Initialberatung."
        )
        return
    for item in upcoming:
        builder = InlineKeyboardBuilder()
        builder.button(text="❌ Absagen", callback_data=MyBookingCb(action="cancel", booking_id=item.id))
        builder.button(text="🔁 Verschieben", callback_data=MyBookingCb(action="move", booking_id=item.id))
        await message.answer(
            f"📅 <b>{format_slot(item.start_utc)}</b> – {html.escape(TOPICS.get(item.topic, item.topic))}, "
            f"{html.escape(FORMATS.get(item.format, item.format))} (Nr. {item.reference})",
            reply_markup=builder.as_markup(),
        )


async def on_my_booking(
    callback: CallbackQuery,
    callback_data: MyBookingCb,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
    mail_wake: asyncio.Event,
) -> None:
    """Absagen (cancel, with both sides informed) or Verschieben (choose a new slot first)."""
    await callback.answer()
    try:
        item = await booking_service.get_booking(session, booking_id=callback_data.booking_id)
        if item.telegram_chat_id != callback.message.chat.id or item.state != "active":
            raise BookingNotFound(item.id)
    except BookingNotFound:
        await callback.message.answer(
            "Diesen Termin gibt es nicht mehr. Mit /termine sehen Sie Ihre Buchungen."
        )
        return
    if callback_data.action == "cancel":
        await booking_service.cancel_booking(
            session, booking, booking_id=item.id, by="telegram", chat_id=callback.message.chat.id
        )
        mail_wake.set()
        await callback.message.answer(
            f"Ihr Termin am {format_slot(item.start_utc)} ist abgesagt. Die Absage geht per E-Mail an Sie und an die Beratung."
        )
    else:
        await callback.message.answer(
            "Wählen Sie einen neuen Termin. Ihr bisheriger Termin bleibt bestehen, bis Sie den neuen bestätigen."
        )
        await start_booking(callback.message, state, booking, session, reschedule=item)


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
    for step in ORDER:
        router.message.register(on_text, step, F.text)
    router.callback_query.register(on_button, BookCb.filter())
    router.callback_query.register(on_my_booking, MyBookingCb.filter())
    return router
