"""A real aiogram Bot against the server: results parse, Telegram's errors raise aiogram's exceptions."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import BotCommand, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from local_bot_api import FaultRule, LocalBotApi

from .conftest import USER, make_bot


class SendTelepathy(TelegramMethod[bool]):
    """A method Telegram does not have."""

    __returning__ = bool
    __api_method__ = "sendTelepathy"

    chat_id: int


@pytest.fixture
def chat(api: LocalBotApi) -> int:
    api.user_sends(USER, "/start", first_name="Erika", username="erika")
    return USER


def builder_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="Ja", callback_data="answer:yes")
    builder.button(text="Nein", callback_data="answer:no")
    builder.button(text="Mehr", url="https://klima-kommunen.hessen.de")
    builder.adjust(2, 1)
    return builder.as_markup()


async def test_get_me(bot: Bot, api: LocalBotApi):
    me = await bot.get_me()
    assert me.id == bot.id == api.bot_id
    assert me.username == "klimabot_local_bot"


async def test_send_message_with_builder_keyboard_and_edit(bot: Bot, api: LocalBotApi, chat: int):
    sent = await bot.send_message(
        chat, "<b>Frage</b>: passt das?", parse_mode="HTML", reply_markup=builder_keyboard()
    )
    assert sent.text == "Frage: passt das?"
    assert sent.chat.id == chat and sent.from_user.id == bot.id
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "answer:yes"
    [shown] = api.bot_messages(chat)
    assert shown.html == "<b>Frage</b>: passt das?"
    assert shown.buttons == [
        [("Ja", "answer:yes"), ("Nein", "answer:no")],
        [("Mehr", "https://klima-kommunen.hessen.de")],
    ]

    edited = await bot.edit_message_text("Danke!", chat_id=chat, message_id=sent.message_id)
    assert edited.text == "Danke!" and edited.edit_date is not None
    [shown] = api.bot_messages(chat)
    assert (shown.text, shown.edited, shown.buttons) == ("Danke!", True, [])

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Danke!", chat_id=chat, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=chat, message_id=999)


async def test_edit_reply_markup_and_delete(bot: Bot, api: LocalBotApi, chat: int):
    sent = await bot.send_message(chat, "x", reply_markup=builder_keyboard())
    await bot.edit_message_reply_markup(chat_id=chat, message_id=sent.message_id, reply_markup=None)
    assert api.bot_messages(chat)[0].buttons == []
    assert await bot.delete_message(chat, sent.message_id) is True
    assert api.bot_messages(chat) == []


async def test_telegram_rejections_raise_bad_request(bot: Bot, chat: int):
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(chat, "<b>kaputt", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(chat, "x" * 4097)
    too_long = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="x" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(chat, "x", reply_markup=too_long)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "x")
    with pytest.raises(TelegramBadRequest, match="Character '!' is reserved"):
        await bot.send_message(chat, "Hallo!", parse_mode="MarkdownV2")


async def test_unknown_method_raises_not_found(bot: Bot):
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(SendTelepathy(chat_id=1))


async def test_retry_after_and_server_errors(bot: Bot, api: LocalBotApi, chat: int):
    api.add_fault(FaultRule(method="sendMessage", kind="429", retry_after=7))
    with pytest.raises(TelegramRetryAfter) as err:
        await bot.send_message(chat, "x")
    assert err.value.retry_after == 7
    api.add_fault(FaultRule(method="sendMessage", kind="500"))
    with pytest.raises(TelegramServerError):
        await bot.send_message(chat, "x")
    api.add_fault(FaultRule(method="sendMessage", kind="drop"))
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(chat, "x")
    assert (await bot.send_message(chat, "endlich")).text == "endlich"


async def test_blocked_user_raises_forbidden(bot: Bot, api: LocalBotApi, chat: int):
    api.user_blocks(chat)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(chat, "x")


async def test_long_poll_returns_user_message_quickly(bot: Bot, api: LocalBotApi):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    api.user_sends(USER, "Wie beantrage ich Fördermittel?")
    updates = await poll
    assert time.monotonic() - started < 0.5
    assert updates[0].message.text == "Wie beantrage ich Fördermittel?"
    assert updates[0].message.from_user.language_code == "de"


async def test_callback_press_flow(bot: Bot, api: LocalBotApi, chat: int):
    sent = await bot.send_message(chat, "Frage?", reply_markup=builder_keyboard())
    query_id = api.user_presses_button(chat, "Nein")
    updates = await bot.get_updates(offset=-1)
    callback = updates[0].callback_query
    assert (callback.id, callback.data, callback.message.message_id) == (
        query_id,
        "answer:no",
        sent.message_id,
    )
    assert await bot.answer_callback_query(callback.id, text="Notiert") is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(callback.id)
    assert api.callback_answers[0].text == "Notiert"


async def test_send_document_with_buffered_input_file(bot: Bot, api: LocalBotApi, chat: int):
    data = "Förderprogramm;Betrag\nKlimaschutz;1000\n".encode()
    sent = await bot.send_document(
        chat,
        BufferedInputFile(data, filename="foerderung.csv"),
        caption="Übersicht",
        reply_markup=builder_keyboard(),
    )
    assert sent.document.file_name == "foerderung.csv"
    assert sent.document.file_size == len(data)
    assert sent.caption == "Übersicht"
    [shown] = api.bot_messages(chat)
    assert shown.document == ("foerderung.csv", data)
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded.read() == data
    again = await bot.send_document(chat, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id


async def test_commands_and_chat(bot: Bot, chat: int):
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start!", description="x")])
    info = await bot.get_chat(chat)
    assert (info.id, info.type, info.username) == (chat, "private", "erika")
    assert await bot.send_chat_action(chat, "typing") is True


async def test_strict_flood_limit_raises_retry_after():
    async with LocalBotApi(flood_limit=True, global_per_second=30, per_chat_per_second=1) as api:
        for user in range(1, 41):
            api.user_sends(user, "hi")
        tg_bot = make_bot(api)
        try:
            results = await asyncio.gather(
                *(tg_bot.send_message(user, "Rundbrief") for user in range(1, 41)), return_exceptions=True
            )
            # The same chat twice in a row is limited too.
            with pytest.raises(TelegramRetryAfter):
                await tg_bot.send_message(1, "nochmal")
        finally:
            await tg_bot.session.close()
        rejected = [r for r in results if isinstance(r, TelegramRetryAfter)]
        assert len(rejected) == 10
        assert all(r.retry_after >= 1 for r in rejected)
        assert api.flood_rejections == 11
        assert sum(1 for r in api.requests if r.status == 429) == 11
