"""Two instances in webhook mode on one PostgreSQL database, posts spread round robin over both: every
update is handled once and in order; one instance leads; when it stops, the other takes over."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

import aiohttp
import pytest

from bot.app import serve
from bot.settings import Settings
from local_bot_api import LocalBotApi
from tests.bot.tcp_proxy import free_port

pytestmark = pytest.mark.slow  # starts two bots

SECRET = "zwei-Instanzen"
USERS = range(6100, 6110)


async def _start(api: LocalBotApi, token: str, database_url: str, tmp_path, name: str):
    listen = f"127.0.0.1:{free_port()}"
    settings = Settings(
        database_url=database_url,
        mail_sink_dir=tmp_path / name,
        telegram_api_url=api.base_url,
        webhook_url="https://bot.example.org/tg",
        webhook_listen=listen,
        webhook_secret=SECRET,
        flood_global_per_second=1000,
        flood_per_chat_per_second=100,
    )
    ready = asyncio.Event()
    task = asyncio.create_task(serve(settings, token=token, ready=ready))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    return task, listen


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _leading(http, listen: str) -> bool:
    async with http.get(f"http://{listen}/healthz") as response:
        return (await response.json())["workers"]["leader"]["leading"]


async def test_two_instances_share_the_work_and_the_survivor_takes_over(postgres_url, tmp_path):
    async with LocalBotApi() as api, aiohttp.ClientSession() as http:
        token = api.make_token()
        first, first_listen = await _start(api, token, postgres_url, tmp_path, "one")
        second, second_listen = await _start(api, token, postgres_url, tmp_path, "two")
        try:
            leaders = [await _leading(http, first_listen), await _leading(http, second_listen)]
            assert sorted(leaders) == [False, True]
            hooks = itertools.cycle([f"http://{first_listen}/tg", f"http://{second_listen}/tg"])
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

            async def push_all() -> None:
                updates = api.state.updates.pending(100)
                if updates:
                    api.state.updates.confirm(updates[-1]["update_id"] + 1)
                for update in updates:  # Telegram posts each again when unsure: the second post is a no-op
                    for hook in (next(hooks), next(hooks)):
                        async with http.post(hook, json=update, headers=headers) as response:
                            assert response.status == 200

            for user in USERS:
                api.user_sends(user, "/start")
                api.user_sends(user, "Wie hoch ist der Fördersatz der Klimarichtlinie?")
            await push_all()
            for user in USERS:
                await api.wait_for(lambda u=user: len(api.bot_messages(u)) >= 2, timeout=20)
            first_counts = {user: len(api.bot_messages(user)) for user in USERS}
            assert (
                len(set(first_counts.values())) == 1
            )  # the same conversation for everyone: none handled twice
            for user in USERS:
                assert "Klima" in api.bot_messages(user)[0].text  # the welcome came first

            was_leader = first if leaders[0] else second
            survivor_listen = second_listen if leaders[0] else first_listen
            await _stop(was_leader)
            hooks = itertools.cycle([f"http://{survivor_listen}/tg"])
            for _ in range(60):  # within the retry interval (10 s)
                if await _leading(http, survivor_listen):
                    break
                await asyncio.sleep(0.5)
            assert await _leading(http, survivor_listen)
            for user in USERS:
                api.user_sends(user, "Danke!")
            await push_all()
            for user in USERS:
                await api.wait_for(lambda u=user: len(api.bot_messages(u)) > first_counts[u], timeout=20)
        finally:
            for task in (first, second):
                if not task.done():
                    await _stop(task)
