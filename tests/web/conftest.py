"""The bot serving only the web chat (no Telegram token) on a free port."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import pytest

from bot.app import serve
from bot.settings import Settings
from tests.bot.tcp_proxy import free_port
from tests.web.client import WebVisitor


@dataclass
class WebBot:
    """A running web-only bot: its settings and base URL."""

    settings: Settings
    base_url: str
    task: asyncio.Task


START_SECONDS = 60  # migrations, the knowledge base, the question model (trained if missing)


@contextlib.asynccontextmanager
async def running_web_bot(settings: Settings):
    """Serve `settings` (no token) until the block ends; a start that fails or hangs fails the test."""
    ready = asyncio.Event()
    task = asyncio.create_task(serve(settings, ready=ready), name="klimabot-web")
    waiter = asyncio.create_task(ready.wait())
    try:
        await asyncio.wait({task, waiter}, timeout=START_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # start-up failed: its exception is the test's error
            raise AssertionError("serve() ended before it was ready")
        if not ready.is_set():
            raise AssertionError(f"the bot was not ready within {START_SECONDS} s")
        yield WebBot(settings, f"http://{settings.http_listen}", task)
    finally:
        waiter.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def web_settings(database_url: str, tmp_path, **changes) -> Settings:
    """Settings of a web-only bot on a free port."""
    return Settings(
        database_url=database_url,
        mail_sink_dir=tmp_path / "mail",
        http_listen=f"127.0.0.1:{free_port()}",
        **changes,
    )


@pytest.fixture
async def web_bot(database_url, tmp_path):
    """A web-only bot on the parametrised database (SQLite and PostgreSQL)."""
    async with running_web_bot(web_settings(database_url, tmp_path)) as running:
        yield running


@pytest.fixture
async def visitor(web_bot):
    """A browser that opened the chat page (it holds its cookie)."""
    browser = WebVisitor(web_bot.base_url)
    await browser.open_page()
    yield browser
    await browser.close()
