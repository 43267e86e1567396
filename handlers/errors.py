"""Errors of the other routers, translated for the user: an apology instead of silence."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update

from handlers import texts
from storage.database import DATABASE_UNAVAILABLE

log = logging.getLogger(__name__)


def update_chat_id(update: Update) -> int | None:
    """The chat an update belongs to (its messages must be handled in order), if it has one."""
    event = update.event
    chat = getattr(event, "chat", None) or getattr(getattr(event, "message", None), "chat", None)
    if chat is not None:
        return chat.id
    user = getattr(event, "from_user", None)
    return user.id if user is not None else None


async def on_unexpected_error(event: ErrorEvent, bot: Bot, contact: str) -> bool:
    """A bug in a handler: log it with the update number, apologise, and do not retry the update."""
    log.error("update %s failed: %s", event.update.update_id, event.exception, exc_info=event.exception)
    chat_id = update_chat_id(event.update)
    if chat_id is not None:
        with contextlib.suppress(Exception):  # the chat may be gone or Telegram unreachable
            await bot.send_message(chat_id, texts.UNEXPECTED_ERROR.format(contact=contact))
    return True


def build_router() -> Router:
    """Errors router; an unreachable database is left to the update inbox, which retries the update."""
    router = Router(name=__name__)
    router.errors.register(on_unexpected_error, ~ExceptionTypeFilter(*DATABASE_UNAVAILABLE))
    return router
