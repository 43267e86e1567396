"""The terminal chat shows every bot message once, edits again, and the pop-up notices of buttons."""

from __future__ import annotations

import contextlib

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.local_chat import ChatView
from local_bot_api import LocalBotApi

USER = 3131


@contextlib.asynccontextmanager
async def _bot(api: LocalBotApi):
    bot = Bot(api.make_token(), session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_follow_up_messages_edits_and_pop_up_notices_are_shown_in_order():
    async with LocalBotApi() as api, _bot(api) as bot:
        api.user_sends(USER, "/start")
        view = ChatView(api, USER)
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Ja", callback_data="ja")]]
        )
        first = await bot.send_message(USER, "Erste Nachricht", reply_markup=keyboard)
        await bot.send_message(USER, "Zweite Nachricht")
        shown = view.news()
        assert [line.strip().splitlines()[0] for line in shown] == [
            "🤖 Erste Nachricht",
            "🤖 Zweite Nachricht",
        ]
        assert view.news() == []  # nothing twice
        assert view.buttons == {1: (first.message_id, "ja")}

        query_id = api.user_presses(USER, first.message_id, "ja")
        await bot.answer_callback_query(query_id, text="Schon erledigt", show_alert=True)
        await bot.edit_message_text("Erste Nachricht, geändert", chat_id=USER, message_id=first.message_id)
        later = view.news()
        assert any("(geändert) Erste Nachricht, geändert" in line for line in later)
        assert any("⚠️ Schon erledigt" in line for line in later)
