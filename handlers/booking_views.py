"""The booking conversation's views: free weeks, free times of a day, the summary before booking."""

from __future__ import annotations

import datetime as dt
import html

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.booking_ui import Booking_, keyboard
from services.booking.availability import Slot, free_week
from services.booking.config import FORMATS, TOPICS, BookingConfig
from services.booking.formatting import format_day, format_slot_range, format_time, format_week

SLOTS_PER_PAGE = 8


def formats_for(booking: BookingConfig, topic: str | None) -> list[str]:
    """The formats at least one advisor of the topic offers (all formats if none is known)."""
    offered = {f for advisor in booking.schedules.covering(topic or "") for f in advisor.formats}
    return [f for f in FORMATS if f in offered] or list(FORMATS)


async def show_week(
    message: Message,
    state: FSMContext,
    booking: BookingConfig,
    session: AsyncSession,
    week_start: dt.date | None,
) -> None:
    """The week view: one button per day with free slots, and paging within the bookable weeks."""
    data = await state.get_data()
    view = await free_week(session, booking, topic=data["b_topic"], week_start=week_start)
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
    header = f"<b>Freie Termine</b> ({html.escape(TOPICS.get(data['b_topic'], ''))}), Woche {format_week(view.week_start)}:"
    if not days:
        header += "\nIn dieser Woche ist leider nichts frei."
    await message.answer(
        header,
        reply_markup=keyboard(*days, *paging, rows=[1] * len(days) + ([len(paging)] if paging else [])),
    )


async def show_day(message: Message, state: FSMContext) -> None:
    """The free start times of the chosen day, a page of SLOTS_PER_PAGE at a time."""
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
        reply_markup=keyboard(*buttons, *paging, rows=rows),
    )


async def show_summary(message: Message, state: FSMContext) -> None:
    """What will be booked (or moved), with the button that books it."""
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
    await message.answer("\n".join(lines), reply_markup=keyboard((label, "book", "")))


async def choose_day(
    message: Message, state: FSMContext, booking: BookingConfig, session: AsyncSession, day: dt.date
) -> None:
    """Load the free slots of `day` into the conversation and show them (or the week if none is left)."""
    data = await state.get_data()
    view = await free_week(session, booking, topic=data["b_topic"], week_start=day)
    slots = next((d.slots for d in view.days if d.day == day), ())
    if not slots:
        await message.answer("An diesem Tag ist inzwischen nichts mehr frei.")
        await show_week(message, state, booking, session, day)
        return
    await state.set_state(Booking_.day)
    await state.update_data(b_day=day.isoformat(), b_page=0, b_slots=[slot_data(s) for s in slots])
    await show_day(message, state)


def slot_data(slot: Slot) -> list[str]:
    """A slot as JSON-friendly conversation data."""
    return [slot.start_utc.isoformat(), slot.end_utc.isoformat(), slot.advisor_email, slot.advisor_name]


def slot_from(data: list[str]) -> Slot:
    """The slot stored by slot_data."""
    return Slot(dt.datetime.fromisoformat(data[0]), dt.datetime.fromisoformat(data[1]), data[2], data[3])
