"""Dispatcher middlewares: one database session per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.fsm_storage import deferred_fsm_writes, write_deferred_fsm


class DbSessionMiddleware(BaseMiddleware):
    """Opens a session for the update and hands it to the handler as `session`; commits what the handler
    left open once it returned, with the conversation's new step and data (handlers never commit; a
    handler that raises leaves nothing half-done, its conversation included)."""

    def __init__(self, sessions: async_sessionmaker):
        self.sessions = sessions

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.sessions() as session:
            data["session"] = session
            with deferred_fsm_writes() as conversation:
                result = await handler(event, data)
                await write_deferred_fsm(session)
                if session.in_transaction():
                    await session.commit()
                conversation.committed()
            return result
