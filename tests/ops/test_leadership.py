"""One instance leads (IMAP reader, jobs); another takes over when it dies or loses the database."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

from bot.leadership import Leadership


def _instance(url: str, key: int) -> tuple[Leadership, asyncio.Event, asyncio.Event]:
    return Leadership(url, retry_seconds=0.2, check_seconds=0.2, key=key), asyncio.Event(), asyncio.Event()


async def _lead_until_cancelled(started: asyncio.Event, stopped: asyncio.Event) -> None:
    started.set()
    try:
        await asyncio.Event().wait()
    finally:
        stopped.set()


async def test_only_one_instance_leads_and_another_takes_over_when_it_dies(postgres_url):
    first, first_started, first_stopped = _instance(postgres_url, key=1001)
    second, second_started, second_stopped = _instance(postgres_url, key=1001)
    running_first = asyncio.create_task(
        first.run(lambda: _lead_until_cancelled(first_started, first_stopped))
    )
    await asyncio.wait_for(first_started.wait(), 10)
    running_second = asyncio.create_task(
        second.run(lambda: _lead_until_cancelled(second_started, second_stopped))
    )
    await asyncio.sleep(1.0)  # several tries of the second instance
    assert first.is_leader and not second.is_leader and not second_started.is_set()

    running_first.cancel()  # the leader dies: its connection, and with it the lock, goes
    with contextlib.suppress(asyncio.CancelledError):
        await running_first
    assert first_stopped.is_set()
    await asyncio.wait_for(second_started.wait(), 5)
    assert second.is_leader
    running_second.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running_second


async def test_a_leader_that_loses_its_database_connection_stops_leading(postgres_url):
    leader, started, stopped = _instance(postgres_url, key=1002)
    running = asyncio.create_task(leader.run(lambda: _lead_until_cancelled(started, stopped)))
    await asyncio.wait_for(started.wait(), 10)
    admin = await asyncpg.connect(postgres_url.replace("postgresql://", "postgres://", 1))
    try:  # the server ends the leader's session, as a failover or a network cut would
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1002"
        )
    finally:
        await admin.close()
    await asyncio.wait_for(stopped.wait(), 5)
    started.clear()
    await asyncio.wait_for(started.wait(), 5)  # and leads again once it holds the lock anew
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running


async def test_on_sqlite_the_only_process_leads(tmp_path):
    leader, started, stopped = _instance(f"sqlite:///{tmp_path / 'x.db'}", key=1003)
    running = asyncio.create_task(leader.run(lambda: _lead_until_cancelled(started, stopped)))
    await asyncio.wait_for(started.wait(), 5)
    assert leader.is_leader
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
