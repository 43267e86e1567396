"""`uninterrupted`: database work finishes even when its caller is cancelled, once or twice."""

import asyncio

import pytest
from sqlmodel import select

from storage.database import uninterrupted
from storage.tables import OutboxMail


async def test_work_finishes_though_the_caller_is_cancelled_twice_and_the_caller_is_still_cancelled():
    finished = asyncio.Event()

    async def work():
        await asyncio.sleep(0.05)
        finished.set()
        return "done"

    caller = asyncio.create_task(uninterrupted(work()))
    await asyncio.sleep(0.01)
    caller.cancel()
    await asyncio.sleep(0.01)
    caller.cancel()  # a shutdown that cancels again while the work finishes
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert finished.is_set()


async def test_without_a_cancellation_the_result_and_errors_come_through():
    async def ok():
        return 7

    async def broken():
        raise ValueError("kaputt")

    assert await uninterrupted(ok()) == 7
    with pytest.raises(ValueError, match="kaputt"):
        await uninterrupted(broken())


async def test_a_cancelled_query_leaves_the_connection_usable_and_nothing_pending(sessions):
    async def query():
        async with sessions() as session:
            for _ in range(20):
                await session.exec(select(OutboxMail))

    caller = asyncio.create_task(uninterrupted(query()))
    await asyncio.sleep(0)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    async with sessions() as session:
        assert (await session.exec(select(OutboxMail))).all() == []
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert not [t for t in others if "terminate" in repr(t.get_coro())]
