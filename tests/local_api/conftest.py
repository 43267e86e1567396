"""Fixtures: a running LocalBotApi, a raw HTTP caller and a real aiogram Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from local_bot_api import LocalBotApi

USER = 1001


class RawCaller:
    """Calls Bot API methods over plain HTTP and returns (status, parsed JSON body)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self.session = session
        self.base_url = base_url
        self.token = token

    def url(self, method: str) -> str:
        """Return the method URL for this caller's token."""
        return f"{self.base_url}/bot{self.token}/{method}"

    async def json(self, method: str, **params: Any) -> tuple[int, dict]:
        """POST params as application/json."""
        async with self.session.post(self.url(method), json=params) as resp:
            return resp.status, await resp.json()

    async def form(self, method: str, **params: Any) -> tuple[int, dict]:
        """POST params as application/x-www-form-urlencoded."""
        async with self.session.post(self.url(method), data={k: str(v) for k, v in params.items()}) as resp:
            return resp.status, await resp.json()

    async def multipart(
        self, method: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]]
    ) -> tuple[int, dict]:
        """POST fields and files as multipart/form-data."""
        form = aiohttp.FormData()
        for key, value in fields.items():
            form.add_field(key, value)
        for key, (filename, data) in files.items():
            form.add_field(key, data, filename=filename, content_type="application/octet-stream")
        async with self.session.post(self.url(method), data=form) as resp:
            return resp.status, await resp.json()


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    """A running server without flood limits."""
    async with LocalBotApi() as server:
        yield server


@pytest.fixture
async def raw(api: LocalBotApi) -> AsyncIterator[RawCaller]:
    """A plain-HTTP caller with a valid token."""
    async with aiohttp.ClientSession() as session:
        yield RawCaller(session, api.base_url, api.make_token())


def make_bot(api: LocalBotApi) -> Bot:
    """Return an aiogram Bot that talks to `api`."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    return Bot(api.make_token(), session=session)


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    """A real aiogram Bot pointed at the server."""
    tg_bot = make_bot(api)
    yield tg_bot
    await tg_bot.session.close()
