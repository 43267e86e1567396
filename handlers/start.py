"""/start, /help, /hilfe and the main menu (topics, contact, help)."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers import texts
from handlers.handover import start_escalation
from handlers.keyboards import MenuCb, TopicCb, entries_menu, main_menu, topics_menu
from knowledge.model import TOPICS
from services.answering import AnsweringService
from services.booking.config import BookingConfig
from services.presenting import HELP_TEXT


def _topics_with_entries(answering: AnsweringService) -> list[str]:
    present = {entry.topic for entry in answering.entries}
    return [topic for topic in TOPICS if topic in present]


def booking_open(booking: BookingConfig) -> bool:
    """True when at least one advisor offers consultation hours."""
    return bool(booking.schedules.offered_topics())


async def cmd_start(message: Message, state: FSMContext, booking: BookingConfig, settings) -> None:
    """Welcome, privacy notice and main menu (an unfinished hand-over is dropped)."""
    if await state.get_state() is not None:
        await state.set_state(None)
    await message.answer(
        f"{texts.WELCOME}\n\n{texts.privacy_notice(settings)}",
        reply_markup=main_menu(booking=booking_open(booking)),
    )


async def cmd_help(message: Message, booking: BookingConfig) -> None:
    """What the bot can do, with the main menu."""
    await message.answer(HELP_TEXT, reply_markup=main_menu(booking=booking_open(booking)))


async def on_menu_ask(callback: CallbackQuery) -> None:
    """Explain that a question is simply typed."""
    await callback.answer()
    await callback.message.answer(texts.ASK_PROMPT)


async def on_menu_help(callback: CallbackQuery, booking: BookingConfig) -> None:
    """Show the help text and the main menu again."""
    await callback.answer()
    await callback.message.answer(HELP_TEXT, reply_markup=main_menu(booking=booking_open(booking)))


async def on_menu_topics(callback: CallbackQuery, answering: AnsweringService) -> None:
    """List the topics of the knowledge base."""
    await callback.answer()
    await callback.message.answer(
        texts.TOPICS_PROMPT, reply_markup=topics_menu(_topics_with_entries(answering))
    )


async def on_menu_contact(callback: CallbackQuery, state: FSMContext) -> None:
    """Hand the question over to the human advisors of the Fachstelle."""
    await callback.answer()
    await start_escalation(callback.message, state)


async def on_topic(callback: CallbackQuery, callback_data: TopicCb, answering: AnsweringService) -> None:
    """List the entries of one topic as buttons."""
    await callback.answer()
    entries = sorted(
        (entry for entry in answering.entries if entry.topic == callback_data.topic),
        key=lambda entry: entry.title,
    )
    # topic names hold "&" ("Bündnis & Mitgliedschaft"), which Telegram's HTML refuses unescaped
    title = html.escape(TOPICS.get(callback_data.topic, "Thema"))
    await callback.message.answer(
        f"<b>{title}</b> – wählen Sie eine Frage:", reply_markup=entries_menu(entries)
    )


def build_router() -> Router:
    """A fresh router with this conversation's handlers (one per dispatcher)."""
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help", "hilfe", "menu", "menue"))
    router.callback_query.register(on_menu_ask, MenuCb.filter(F.action == "ask"))
    router.callback_query.register(on_menu_help, MenuCb.filter(F.action.in_({"help", "menu"})))
    router.callback_query.register(on_menu_topics, MenuCb.filter(F.action == "topics"))
    router.callback_query.register(on_menu_contact, MenuCb.filter(F.action == "contact"))
    router.callback_query.register(on_topic, TopicCb.filter())
    return router
