"""Group chats: the bot's flows are for private chats only; a group gets a short hint instead.

A group is several people: a report, a booking or a ticket there would show one person's data to all and
mix their answers into one conversation state.
"""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from handlers import texts


async def _hint(bot: Bot) -> str:
    me = await bot.me()
    link = f"https://t.me/{me.username}" if me.username else "im Einzelchat"
    return texts.GROUP_HINT.format(link=link)


def _addresses_bot(message: Message, username: str | None) -> bool:
    text = message.text or message.caption or ""
    if text.startswith("/"):
        return True
    if username and f"@{username}".casefold() in text.casefold():
        return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.is_bot)


async def on_group_message(message: Message, bot: Bot) -> None:
    """Commands, mentions and replies to the bot get the hint; other group talk is not the bot's business."""
    me = await bot.me()
    if _addresses_bot(message, me.username):
        await message.reply(await _hint(bot), disable_web_page_preview=True)


async def on_group_button(callback: CallbackQuery, bot: Bot) -> None:
    """A button pressed in a group: the hint as a pop-up, nothing else happens."""
    with contextlib.suppress(Exception):  # an old query can no longer be answered
        await callback.answer(await _hint(bot), show_alert=True)


def build_router() -> Router:
    """Catches everything from non-private chats before any conversation router sees it."""
    router = Router(name=__name__)
    router.message.register(on_group_message, F.chat.type != ChatType.PRIVATE)
    router.callback_query.register(on_group_button, F.message.chat.type != ChatType.PRIVATE)
    return router
