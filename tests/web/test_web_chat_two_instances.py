"""Two instances behind a load balancer: a page's stream on one, its messages posted to the other."""

from __future__ import annotations

import asyncio

import pytest
import yarl

from tests.web.client import WebVisitor, text
from tests.web.conftest import running_web_bot, web_settings

pytestmark = pytest.mark.slow


async def _next_bot_event(events: asyncio.Queue) -> dict:
    async with asyncio.timeout(15):
        while True:
            event = await events.get()
            if event.get("from") == "bot":
                return event


async def test_the_answer_reaches_the_page_whichever_instance_handled_the_message(postgresql_clean, tmp_path):
    first = web_settings(postgresql_clean, tmp_path / "a")
    second = web_settings(postgresql_clean, tmp_path / "b")
    async with running_web_bot(first) as a, running_web_bot(second) as b:
        on_a = WebVisitor(a.base_url)
        try:
            await on_a.open_page()
            # the same browser (cookie) reaching the other instance, as a balancer may route it
            on_b = WebVisitor(b.base_url)
            on_b.http.cookie_jar.update_cookies(
                {cookie.key: cookie.value for cookie in on_a.http.cookie_jar},
                response_url=yarl.URL(on_b.base_url),
            )
            try:
                async with on_b.stream() as events:
                    status, _ = await on_a.say("/start")
                    assert status == 202
                    greeting = await _next_bot_event(events)
                    assert "klimabot" in text(greeting)
                    status, _ = await on_b.say("Was ist eine THG-Bilanz?")
                    assert status == 202
                    answer = await _next_bot_event(events)
                    assert "THG" in text(answer) or "Treibhausgas" in text(answer)
                assert await on_a.history() == await on_b.history()
            finally:
                await on_b.close()
        finally:
            await on_a.close()
