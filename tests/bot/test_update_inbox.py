"""Telegram updates survive a crash: stored before they are confirmed, handled once, in order per chat."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from sqlmodel import select

from bot.update_inbox import UpdateInbox
from local_bot_api import LocalBotApi
from storage.tables import TelegramUpdate
from storage.telegram_updates import RawUpdate, add_updates, claim_updates, finish_update

LEASE = dt.timedelta(minutes=2)


def _raw(update_id: int, chat_id: int | None) -> RawUpdate:
    return RawUpdate(update_id, chat_id, f'{{"update_id": {update_id}}}')


async def test_a_repeated_delivery_is_stored_and_handled_once(sessions):
    async with sessions() as session:
        assert await add_updates(session, [_raw(10, 1), _raw(11, 2)]) == 2
        assert await add_updates(session, [_raw(11, 2), _raw(12, 3)]) == 1
        claimed = await claim_updates(session, limit=10, lease=LEASE)
        assert [item.update_id for item in claimed] == [10, 11, 12]
        for item in claimed:
            await finish_update(session, update_id=item.update_id)
        assert await add_updates(session, [_raw(10, 1)]) == 0
        assert await claim_updates(session, limit=10, lease=LEASE) == []


async def test_a_chat_gets_its_next_update_only_after_the_previous_one(sessions):
    async with sessions() as session:
        await add_updates(session, [_raw(1, 5), _raw(2, 5), _raw(3, 6)])
        first = await claim_updates(session, limit=10, lease=LEASE)
        assert [item.update_id for item in first] == [1, 3]
        assert await claim_updates(session, limit=10, lease=LEASE) == []
        await finish_update(session, update_id=1)
        second = await claim_updates(session, limit=10, lease=LEASE)
        assert [item.update_id for item in second] == [2]


async def test_two_instances_never_claim_the_same_update(sessions):
    async with sessions() as session:
        await add_updates(session, [_raw(n, n) for n in range(1, 41)])

    async def claim():
        async with sessions() as session:
            return [item.update_id for item in await claim_updates(session, limit=40, lease=LEASE)]

    first, second = await asyncio.gather(claim(), claim())
    assert not set(first) & set(second)
    assert sorted(first + second) == list(range(1, 41))


async def test_an_expired_lease_is_claimed_again_and_counts_the_attempt(sessions):
    async with sessions() as session:
        await add_updates(session, [_raw(7, 1)])
        (first,) = await claim_updates(session, limit=1, lease=LEASE)
        later = dt.datetime.now(dt.UTC) + LEASE + dt.timedelta(seconds=1)
        (again,) = await claim_updates(session, limit=1, lease=LEASE, now=later)
        assert (first.attempt, again.attempt) == (1, 2)


@contextlib.asynccontextmanager
async def _bot(api: LocalBotApi):
    bot = Bot(api.make_token(), session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    try:
        yield bot
    finally:
        await bot.session.close()


def _recording_dispatcher(seen: list[str], *, hang_on: str | None = None, started=None) -> Dispatcher:
    router = Router()

    @router.message(F.text)
    async def record(message: Message) -> None:
        if message.text == hang_on:
            started.set()
            await asyncio.Event().wait()  # the process dies while this handler runs
        seen.append(message.text)
        await message.answer(f"erledigt: {message.text}")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_an_update_in_flight_when_the_process_dies_is_handled_after_the_restart(sessions):
    async with LocalBotApi() as api, _bot(api) as bot:
        seen_before: list[str] = []
        started = asyncio.Event()
        lease = dt.timedelta(seconds=1)
        dying = UpdateInbox(
            bot,
            _recording_dispatcher(seen_before, hang_on="Frage A", started=started),
            sessions,
            shutdown_grace=0.05,
            lease=lease,
        )
        task = asyncio.create_task(dying.run())
        api.user_sends(101, "Frage A")
        await asyncio.wait_for(started.wait(), 10)
        await api.wait_for(lambda: api.pending_updates == 0, timeout=10)  # Telegram has forgotten it
        await _stop(task)
        assert seen_before == []

        seen_after: list[str] = []
        restarted = UpdateInbox(bot, _recording_dispatcher(seen_after), sessions, lease=lease)
        task = asyncio.create_task(restarted.run())
        try:
            await api.wait_for(lambda: seen_after == ["Frage A"], timeout=10)
        finally:
            await _stop(task)
        async with sessions() as session:
            row = (await session.exec(select(TelegramUpdate))).one()
        assert row.state == "done" and row.attempts == 2
        assert [m.text for m in api.bot_messages(101)] == ["erledigt: Frage A"]


async def test_shutdown_waits_for_the_handlers_in_flight(sessions):
    async with LocalBotApi() as api, _bot(api) as bot:
        seen: list[str] = []
        router = Router()
        started = asyncio.Event()

        @router.message(F.text)
        async def slow(message: Message) -> None:
            started.set()
            await asyncio.sleep(0.5)
            seen.append(message.text)

        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        task = asyncio.create_task(UpdateInbox(bot, dispatcher, sessions).run())
        api.user_sends(102, "Bitte zu Ende bearbeiten")
        await asyncio.wait_for(started.wait(), 10)
        await _stop(task)
        assert seen == ["Bitte zu Ende bearbeiten"]
        async with sessions() as session:
            assert (await session.exec(select(TelegramUpdate.state))).all() == ["done"]


async def test_messages_of_one_chat_are_handled_in_the_order_sent(sessions):
    async with LocalBotApi() as api, _bot(api) as bot:
        seen: list[str] = []
        task = asyncio.create_task(UpdateInbox(bot, _recording_dispatcher(seen), sessions).run())
        try:
            for n in range(8):
                api.user_sends(103, f"Nachricht {n}")
            await api.wait_for(lambda: len(seen) == 8, timeout=15)
        finally:
            await _stop(task)
        assert seen == [f"Nachricht {n}" for n in range(8)]


async def test_a_failing_handler_gets_an_apology_and_is_not_retried(sessions):
    from handlers import errors
    from handlers.texts import UNEXPECTED_ERROR

    async with LocalBotApi() as api, _bot(api) as bot:
        router = Router()
        calls: list[str] = []

        @router.message(F.text)
        async def broken(message: Message) -> None:
            calls.append(message.text)
            raise RuntimeError("a bug")

        dispatcher = Dispatcher(contact="fachstelle@example.org")
        dispatcher.include_routers(errors.build_router(), router)
        task = asyncio.create_task(UpdateInbox(bot, dispatcher, sessions).run())
        try:
            api.user_sends(104, "Löst einen Fehler aus")
            await api.wait_for(lambda: api.bot_messages(104), timeout=10)
            await asyncio.sleep(1.5)
        finally:
            await _stop(task)
        assert [m.text for m in api.bot_messages(104)] == [
            UNEXPECTED_ERROR.format(contact="fachstelle@example.org")
        ]
        assert calls == ["Löst einen Fehler aus"]
        async with sessions() as session:
            assert (await session.exec(select(TelegramUpdate.state))).all() == ["done"]
