"""The web chat behind a load balancer in front of two instances, in a real browser: the page, its event
stream and its posts land on different instances, and the conversation still flows and survives a reload."""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pytest

from tests.browser.balancer import RoundRobinBalancer
from tests.browser.conftest import (
    bot_messages,
    open_chat,
    running_web_chat,
    send,
    until,
    web_settings,
)

pytestmark = pytest.mark.slow


async def test_a_conversation_through_a_balancer_over_two_instances(
    postgresql_clean, tmp_path, advisors_file, visitors
):
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(
            running_web_chat(web_settings(postgresql_clean, tmp_path / "a", advisors_file))
        )
        second = await stack.enter_async_context(
            running_web_chat(web_settings(postgresql_clean, tmp_path / "b", advisors_file))
        )
        backends = [
            ("127.0.0.1", int(chat.settings.http_listen.rsplit(":", 1)[1])) for chat in (first, second)
        ]
        balancer = await stack.enter_async_context(RoundRobinBalancer(backends))
        public = replace(first, url=f"http://127.0.0.1:{balancer.port}/chat")

        page = await visitors.open()
        await open_chat(page, public)
        await send(page, "Was ist eine THG-Bilanz?")
        await until(page, "Quelle")
        await page.reload()
        await until(page, "Quelle")
        await send(page, "Danke!")
        await until(page, "Gern")
        assert set(balancer.connections) == set(backends)  # both instances served this visitor
        assert await bot_messages(page).count() >= 3
        assert not visitors.problems(page).page_errors
