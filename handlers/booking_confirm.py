"""The last step of a booking: „Verbindlich buchen“ (or confirm a move) and every way it can fail."""

from __future__ import annotations

import html

from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery

from handlers.booking_steps import Steps, ask
from handlers.booking_ui import Booking_, BookingFlow, keyboard, limit_text, slot_choice
from services.booking import bookings as booking_service
from services.booking.availability import next_free_slots
from services.booking.config import FORMATS, TOPICS
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
from services.booking.mails import calendar_file


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
