"""/meine_daten (everything stored about the user, as a JSON file) and /daten_loeschen (after a confirmation)."""

from __future__ import annotations

import json

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from services.booking.config import BookingConfig
from services.privacy import Person, erase_person, export_person
from services.privacy_requests import PrivacyWish, privacy_wish


class PrivacyCb(CallbackData, prefix="privacy"):
    action: str  # "erase" or "keep"


async def cmd_my_data(message: Message, session: AsyncSession) -> None:
    """Art. 15/20: one machine-readable file with everything stored about this Telegram user."""
    document = await export_person(session, Person(telegram_id=message.from_user.id))
    data = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
    await message.answer_document(
        BufferedInputFile(data, filename="meine-daten-klimabot.json"),
        caption="Das sind alle Daten, die ich zu Ihnen gespeichert habe (JSON). Löschen: /daten_loeschen",
    )


async def cmd_erase(message: Message) -> None:
    """Ask before erasing: one tap must not delete by mistake."""
    builder = InlineKeyboardBuilder()
    builder.button(text="🗑 Ja, löschen", callback_data=PrivacyCb(action="erase"))
    builder.button(text="↩️ Abbrechen", callback_data=PrivacyCb(action="keep"))
    builder.adjust(2)
    await message.answer(
        "Soll ich Ihre Daten löschen? Gelöscht werden Ihre Kontaktdaten, Fragen, Nachrichten an die Fachstelle "
        "und laufende Gespräche; künftige Termine werden abgesagt (beide Seiten werden informiert). "
        "Eingereichte Berichte bleiben bei Ihrer Kommune, ohne Ihren Namen und Ihre Adresse.",
        reply_markup=builder.as_markup(),
    )


async def on_erase(
    callback: CallbackQuery,
    callback_data: PrivacyCb,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
) -> None:
    """Erase after „Ja, löschen“; „Abbrechen“ keeps everything."""
    await callback.answer()
    if callback_data.action != "erase":
        await callback.message.edit_text("Gut, es bleibt alles, wie es ist.")
        return
    await state.clear()  # first: the erasure then removes the (empty) record too
    await erase_person(session, booking, Person(telegram_id=callback.from_user.id))
    await callback.message.edit_text(
        "✅ Ihre Daten sind gelöscht. Schreiben Sie mir einfach wieder, wenn Sie eine Frage haben."
    )


def build_router() -> Router:
    """A fresh router with the privacy commands (one per dispatcher)."""
    router = Router(name=__name__)
    router.message.register(cmd_my_data, Command("meine_daten"), F.chat.type == "private")
    router.message.register(cmd_erase, Command("daten_loeschen"), F.chat.type == "private")
    # "Bitte löschen Sie meine Daten", "Welche Daten haben Sie über mich?": the same, asked in words
    private = F.chat.type == "private"
    router.message.register(cmd_erase, StateFilter(None), private, F.text.func(_wish(PrivacyWish.ERASURE)))
    router.message.register(cmd_my_data, StateFilter(None), private, F.text.func(_wish(PrivacyWish.ACCESS)))
    router.callback_query.register(on_erase, PrivacyCb.filter())
    return router


def _wish(wanted: PrivacyWish):
    return lambda text: privacy_wish(text) is wanted
