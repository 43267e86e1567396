"""The booking conversation's views: free weeks, free times of a day, the summary before booking."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.booking_ui import Booking_, BookingFlow, keyboard, slot_choice
from services.booking.availability import Slot, free_week
from services.booking.config import FORMATS, TOPICS, BookingConfig
from services.booking.formatting import format_day, format_slot_range, format_time, format_week
from services.municipalities import MunicipalityDirectory

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
    flow = await BookingFlow.load(state)
    view = await free_week(session, booking, topic=flow.topic, week_start=week_start)
    flow.week = view.week_start.isoformat()
    await flow.save(state, Booking_.week)
    days = [
        (f"{format_day(d.day)} · {len(d.slots)} frei", "day", d.day.isoformat()) for d in view.days if d.slots
    ]
    paging = []
    if view.previous_week:
        paging.append(("◀️ Vorherige Woche", "week", view.previous_week.isoformat()))
    if view.next_week:
        paging.append(("Nächste Woche ▶️", "week", view.next_week.isoformat()))
    topic = html.escape(TOPICS.get(flow.topic, ""))
    header = f"<b>Freie Termine</b> ({topic}), Woche {format_week(view.week_start)}:"
    if not days:
        header += "\nIn dieser Woche ist leider nichts frei."
    await message.answer(
        header,
        reply_markup=keyboard(*days, *paging, rows=[1] * len(days) + ([len(paging)] if paging else [])),
    )


async def show_day(message: Message, state: FSMContext) -> None:
    """The free start times of the chosen day, a page of SLOTS_PER_PAGE at a time."""
    flow = await BookingFlow.load(state)
    start = flow.page * SLOTS_PER_PAGE
    shown = flow.slots[start : start + SLOTS_PER_PAGE]
    buttons = [
        (format_time(dt.datetime.fromisoformat(choice[0])), "slot", str(start + i))
        for i, choice in enumerate(shown)
    ]
    paging = []
    if flow.page > 0:
        paging.append(("◀️ Früher", "page", str(flow.page - 1)))
    if start + SLOTS_PER_PAGE < len(flow.slots):
        paging.append(("Später ▶️", "page", str(flow.page + 1)))
    day = dt.date.fromisoformat(flow.day or "")
    rows = (
        [4] * (len(buttons) // 4)
        + ([len(buttons) % 4] if len(buttons) % 4 else [])
        + ([len(paging)] if paging else [])
    )
    await message.answer(
        f"Freie Uhrzeiten am <b>{format_day(day)}</b> (jeweils Beginn):",
        reply_markup=keyboard(*buttons, *paging, rows=rows),
    )


async def show_summary(
    message: Message,
    state: FSMContext,
    booking: BookingConfig,
    session: AsyncSession,
    municipalities: MunicipalityDirectory,
) -> None:
    """What will be booked (or moved), with the button that books it."""
    flow = await BookingFlow.load(state)
    slot = flow.chosen_slot(booking)
    if slot is None:  # the advisor no longer offers consultations: choose again
        await message.answer("Dieser Termin ist nicht mehr buchbar. Bitte wählen Sie einen anderen.")
        await show_week(message, state, booking, session, None)
        return
    lines = [
        "<b>Bitte prüfen Sie Ihre Buchung:</b>",
        f"📅 {format_slot_range(slot.start_utc, slot.end_utc)}",
        f"🗂 Thema: {html.escape(TOPICS.get(flow.topic, ''))}",
        f"💬 Format: {html.escape(FORMATS.get(flow.format, ''))}",
        f"👤 Beratung: {html.escape(slot.advisor_name)}",
    ]
    if not flow.reschedule:
        municipality = municipalities.get(flow.ags) if flow.ags else None
        lines += [
            f"🏛 Kommune: {html.escape(municipality.display_name if municipality else '')}",
            f"✉️ {html.escape(flow.name)}, {html.escape(flow.email)}"
            + (f", {html.escape(flow.phone)}" if flow.phone else ""),
            f"📝 {html.escape(flow.note or 'ohne Notiz')}",
        ]
    label = "✅ Verschieben bestätigen" if flow.reschedule else "✅ Verbindlich buchen"
    await state.set_state(Booking_.confirm)
    await message.answer("\n".join(lines), reply_markup=keyboard((label, "book", "")))


async def choose_day(
    message: Message, state: FSMContext, booking: BookingConfig, session: AsyncSession, day: dt.date
) -> None:
    """Load the free slots of `day` into the conversation and show them (or the week if none is left)."""
    flow = await BookingFlow.load(state)
    view = await free_week(session, booking, topic=flow.topic, week_start=day)
    slots = next((d.slots for d in view.days if d.day == day), ())
    if not slots:
        await message.answer("An diesem Tag ist inzwischen nichts mehr frei.")
        await show_week(message, state, booking, session, day)
        return
    await offer_slots(message, state, flow, day, slots)


async def offer_slots(
    message: Message, state: FSMContext, flow: BookingFlow, day: dt.date, slots: Sequence[Slot]
) -> None:
    """The day step with these slots to choose from (its first page)."""
    flow.day, flow.page, flow.slots = day.isoformat(), 0, [slot_choice(s) for s in slots]
    await flow.save(state, Booking_.day)
    await show_day(message, state)
