"""The bot's Bot API calls about a web chat, carried out on the web chat's tables as the Bot API would."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from storage import web_chat
from web.bot_session import ChannelSession
from web.channel import FILE_ID_PREFIX, WebChannel

CHAT = web_chat.WEB_CHAT_BASE + 7


@pytest.fixture
async def bot(sessions):
    web = WebChannel(sessions)
    bot = Bot("1:web-chat-only", session=ChannelSession(web), default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


async def _shown(sessions) -> list[dict]:
    async with sessions() as session:
        return [event.as_json() for event in await web_chat.list_events(session, chat_id=CHAT, after=0)]


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=label)] for label in labels]
    )


async def test_messages_edits_and_deletions_become_events_as_in_telegram(bot, sessions):
    sent = await bot.send_message(
        CHAT, "Hallo <b>Welt</b> &amp; <a href='javascript:alert(1)'>du</a>", reply_markup=_keyboard("Ja")
    )
    assert sent.text == "Hallo Welt & du" and sent.reply_markup.inline_keyboard[0][0].callback_data == "Ja"
    await bot.edit_message_text("Neu", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text("Neu", chat_id=CHAT, message_id=sent.message_id)
    await bot.delete_message(CHAT, sent.message_id)
    first, edit, deletion = await _shown(sessions)
    assert first["parts"] == [
        {"text": "Hallo "},
        {"text": "Welt", "b": True},
        {"text": " & du"},  # no link: only http(s), mailto and tel survive
    ]
    assert first["buttons"] == [[{"text": "Ja", "data": "Ja"}]]
    assert edit["type"] == "edit" and edit["parts"] == [{"text": "Neu"}] and edit["buttons"] is None
    assert deletion["type"] == "delete" and deletion["message_id"] == sent.message_id


async def test_a_document_is_a_download_and_an_uploaded_file_can_be_fetched_by_the_bot(bot, sessions):
    await bot.send_document(
        CHAT, BufferedInputFile(b"%PDF-1.4 Bericht", filename="Bericht.pdf"), caption="Ihr Bericht"
    )
    (event,) = await _shown(sessions)
    assert event["document"]["name"] == "Bericht.pdf" and event["document"]["url"].startswith(
        "/chat/api/files/"
    )
    async with sessions() as session:
        await web_chat.add_file(
            session,
            file_id="upload1",
            chat_id=CHAT,
            name="foto.jpg",
            content_type="image/jpeg",
            data=b"\xff\xd8\xffJPEG",
        )
        await session.commit()
    downloaded = await bot.download(FILE_ID_PREFIX + "upload1")
    assert downloaded.read() == b"\xff\xd8\xffJPEG"


async def test_without_telegram_other_chats_are_refused_and_the_bot_knows_itself(bot):
    me = await bot.get_me()
    assert me.is_bot
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(4711, "an einen Telegram-Chat")
