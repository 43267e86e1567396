"""The real aiogram bot against the local Bot API server, on a fresh database."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import pytest

from bot.app import serve
from bot.settings import Settings
from local_bot_api import LocalBotApi


@dataclass
class BotUnderTest:
    """The local Bot API server, the settings the bot runs with, and its task."""

    api: LocalBotApi
    settings: Settings
    task: asyncio.Task


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, **api_options):
    """Start the local Bot API server and the bot; stop both afterwards.

    Unless the server enforces Telegram's flood limits (`flood_limit=True`, the tests of the pacing itself)
    or the test sets its own pace, the bot's pacing is lifted: one message a second per chat would make
    each conversation test wait out Telegram's clock instead of testing the conversation.
    """
    async with LocalBotApi(**api_options) as api:
        changes: dict = {"telegram_api_url": api.base_url}
        paced = {"flood_global_per_second", "flood_per_chat_per_second"} & settings.model_fields_set
        if not api_options.get("flood_limit") and not paced:
            changes |= {"flood_global_per_second": 1000.0, "flood_per_chat_per_second": 100.0}
        configured = settings.model_copy(update=changes)
        ready = asyncio.Event()
        task = asyncio.create_task(serve(configured, token=api.make_token(), ready=ready))
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait({task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
        try:
            yield BotUnderTest(api, configured, task)
        finally:
            waiter.cancel()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@pytest.fixture
async def bot_chat(database_url, tmp_path):
    """A running bot on the parametrised database (SQLite and PostgreSQL)."""
    async with running_bot(Settings(database_url=database_url, mail_sink_dir=tmp_path / "mail")) as running:
        yield running
