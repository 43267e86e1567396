"""The bot's aiogram session: calls about web chats go to the web channel, all others to Telegram.

Without a Telegram token there is no Telegram: the bot then serves the web chat only, and the few calls it
makes about itself at start (`getMe`, `setMyCommands`, `deleteWebhook`) are answered here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from typing import Any

from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import PRODUCTION
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    DeleteWebhook,
    GetMe,
    GetUpdates,
    Response,
    SetMyCommands,
    TelegramMethod,
)

from web.channel import BOT_USER, FILE_PATH_PREFIX, WebChannel, is_web_method

NO_TELEGRAM_ANSWERS: dict[type, Any] = {
    GetMe: {
        **BOT_USER,
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    },
    SetMyCommands: True,
    DeleteWebhook: True,
    GetUpdates: [],
}


_RESPONSE_TYPES: dict[Any, type[Response]] = {}


def response_type(method: TelegramMethod | type[TelegramMethod]) -> type[Response]:
    """`Response[<what the method returns>]`, built once: pydantic keeps generic models only weakly, so
    building it per call (as aiogram's `check_response` does) re-creates the model class every time."""
    returning = method.__returning__
    if returning not in _RESPONSE_TYPES:
        _RESPONSE_TYPES[returning] = Response[returning]
    return _RESPONSE_TYPES[returning]


def keep_response_models() -> None:
    """Build every method's response model once and keep it: then aiogram's own parsing of Telegram's
    answers finds it in pydantic's cache instead of building a model class per call (a few % of the CPU)."""
    pending = list(TelegramMethod.__subclasses__())
    while pending:
        method = pending.pop()
        pending.extend(method.__subclasses__())
        with contextlib.suppress(Exception):  # abstract bases have no concrete return type
            response_type(method)


class ChannelSession(BaseSession):
    """Routes each Bot API call to the web channel or to Telegram's session (with its flood control)."""

    def __init__(self, web: WebChannel, telegram: BaseSession | None = None) -> None:
        super().__init__(api=telegram.api if telegram is not None else PRODUCTION)
        keep_response_models()
        self.web = web
        self.telegram = telegram

    async def make_request(self, bot, method: TelegramMethod, timeout: int | None = None) -> Any:  # noqa: ASYNC109 (aiogram's signature)
        if is_web_method(method):
            result = await self.web.execute(bot, method)
        elif self.telegram is not None:
            return await self.telegram(bot, method, timeout)
        elif type(method) in NO_TELEGRAM_ANSWERS:
            result = NO_TELEGRAM_ANSWERS[type(method)]
        else:
            raise TelegramBadRequest(method, "Bad Request: chat not found (no Telegram configured)")
        # validated exactly as a Bot API answer, so handlers get the same objects on both channels
        return (
            response_type(method).model_validate({"ok": True, "result": result}, context={"bot": bot}).result
        )

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (aiogram's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        if FILE_PATH_PREFIX in url:
            yield await self.web.file_content(url)
            return
        if self.telegram is None:
            raise FileNotFoundError(url)
        async for chunk in self.telegram.stream_content(url, headers, timeout, chunk_size, raise_for_status):
            yield chunk

    async def close(self) -> None:
        if self.telegram is not None:
            await self.telegram.close()
