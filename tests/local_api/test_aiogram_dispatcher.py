"""An aiogram Dispatcher polling the server end to end: user writes, handler answers, chat shows it."""

from __future__ import annotations

import asyncio

from aiogram import Dispatcher, F
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from local_bot_api import LocalBotApi

from .conftest import make_bot


async def test_echo_and_button_flow_via_polling(api: LocalBotApi):
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Nochmal", callback_data="again")]]
        )
        await message.answer(f"Echo: {message.text}", reply_markup=keyboard)

    @dp.callback_query(F.data == "again")
    async def again(query: CallbackQuery) -> None:
        await query.answer("Gern")
        await query.message.edit_text(query.message.text + " (wiederholt)")

    bot = make_bot(api)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        api.user_sends(77, "Hallo Klimabot")
        [answer] = await api.wait_for_messages(77, 1, timeout=5)
        assert answer.text == "Echo: Hallo Klimabot"
        assert answer.buttons == [[("Nochmal", "again")]]

        api.user_presses_button(77, "Nochmal")
        edited = await api.wait_for(lambda: [m for m in api.bot_messages(77) if m.edited], timeout=5)
        assert edited[0].text == "Echo: Hallo Klimabot (wiederholt)"
        assert edited[0].buttons == []
        await api.wait_for(lambda: api.callback_answers, timeout=5)
        assert api.callback_answers[0].text == "Gern"
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, timeout=5)
    assert any(r.method == "getUpdates" for r in api.requests)
