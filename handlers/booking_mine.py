"""/termine: the chat's upcoming bookings, each with Absagen (after a confirmation) and Verschieben (own bookings only)."""

from __future__ import annotations

import html

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.booking_ui import NOT_YOURS, STALE_BUTTON, BookingFlow, MyBookingCb
from handlers.booking_views import show_week
from services.booking import bookings as booking_service
from services.booking.config import FORMATS, TOPICS, BookingConfig
from services.booking.domain import CANCELLED_IN_CHAT, BookingNotFound
from services.booking.formatting import format_slot


async def cmd_termine(message: Message, session: AsyncSession) -> None:
    """/termine: the user's upcoming bookings with Absagen and Verschieben."""
    upcoming = await booking_service.upcoming_bookings_for_chat(session, chat_id=message.chat.id)
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
) -> None:
    """Absagen asks first, Ja cancels (both sides informed), Behalten keeps; Verschieben picks a new slot first."""
    if callback_data.action not in ("cancel", "cancel_yes", "keep", "move"):
        await callback.answer(STALE_BUTTON)
        return
    try:
        item = await booking_service.get_open_booking_of_chat(
            session, booking_id=callback_data.booking_id, chat_id=callback.message.chat.id
        )
    except BookingNotFound:
        await callback.answer(NOT_YOURS)
        return
    await callback.answer()
    if callback_data.action == "cancel":
        # one tap must not cancel a consultation by mistake: a second, explicit button does
        builder = InlineKeyboardBuilder()
        builder.button(
            text="✅ Ja, absagen", callback_data=MyBookingCb(action="cancel_yes", booking_id=item.id)
        )
        builder.button(text="↩️ Nein, behalten", callback_data=MyBookingCb(action="keep", booking_id=item.id))
        builder.adjust(1)
        await callback.message.answer(
            f"Möchten Sie Ihren Termin am <b>{format_slot(item.start_utc)}</b> (Nr. {item.reference}) wirklich absagen?",
            reply_markup=builder.as_markup(),
        )
    elif callback_data.action == "keep":
        await callback.message.answer(f"Gut, Ihr Termin am {format_slot(item.start_utc)} bleibt bestehen.")
    elif callback_data.action == "cancel_yes":
        await booking_service.cancel_booking(
            session, booking, booking_id=item.id, by=CANCELLED_IN_CHAT, chat_id=callback.message.chat.id
        )
        await callback.message.answer(
            f"Ihr Termin am {format_slot(item.start_utc)} ist abgesagt. Die Absage geht per E-Mail an Sie und an die Beratung."
        )
    else:
        await callback.message.answer(
            "Wählen Sie einen neuen Termin. Ihr bisheriger Termin bleibt bestehen, bis Sie den neuen bestätigen."
        )
        await BookingFlow(reschedule=item.id, topic=item.topic, format=item.format).save(state)
        await show_week(callback.message, state, booking, session, None)


async def on_broken_button(callback: CallbackQuery) -> None:
    """Booking callback data that does not parse (an outdated or crafted client): a short answer only."""
    await callback.answer(STALE_BUTTON)
