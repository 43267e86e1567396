"""Which instance runs the work that must run once: the IMAP reader and the scheduler's jobs.

Several instances may share one PostgreSQL database. The one holding a PostgreSQL advisory lock (on a
connection of its own) is the leader and runs the singletons; the others try again every few seconds. When
the leader dies, PostgreSQL drops its connection and with it the lock, and another instance takes over at
its next try (within `retry_seconds`, 10 s by default; TCP keepalives bound a silent network to ~25 s). A
leader that can no longer reach the database stops its singletons before anyone else can start them
again. On SQLite (one process, see `bot.single_process`) the only process leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

LOCK_KEY = 0x6B6C696D61  # "klima": the advisory lock every instance of this bot competes for
KEEPALIVE = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}


class Leadership:
    """`run(lead)` until cancelled: `lead()` runs exactly while this instance holds the lock."""

    def __init__(
        self,
        database_url: str,
        *,
        retry_seconds: float = 10.0,
        check_seconds: float = 5.0,
        key: int = LOCK_KEY,
    ) -> None:
        self.database_url = database_url
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.key = key
        self.is_leader = False

    def _shared_database(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "postgresql"

    async def run(self, lead: Callable[[], Awaitable[None]]) -> None:
        if not self._shared_database():
            self.is_leader = True
            await lead()
            return
        while True:
            connection = await self._try_to_lead()
            if connection is None:
                await asyncio.sleep(self.retry_seconds)
                continue
            try:
                await self._lead_while_connected(connection, lead)
            finally:
                self.is_leader = False
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.close(), timeout=5)
            await asyncio.sleep(self.retry_seconds)

    async def _try_to_lead(self):
        import asyncpg

        url = make_url(self.database_url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        try:
            connection = await asyncpg.connect(dsn, timeout=5, server_settings=KEEPALIVE)
        except Exception as exc:  # the database is down: try again later, as every instance does
            log.warning("leader election: database unreachable (%s)", type(exc).__name__)
            return None
        try:
            if await connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key):
                return connection
        except Exception as exc:
            log.warning("leader election failed (%s)", type(exc).__name__)
        await connection.close()
        return None

    async def _lead_while_connected(self, connection, lead: Callable[[], Awaitable[None]]) -> None:
        self.is_leader = True
        log.info("this instance leads: it runs the IMAP reader and the scheduled jobs")
        leading = asyncio.create_task(lead(), name="leader-work")
        try:
            while not leading.done():
                done, _ = await asyncio.wait({leading}, timeout=self.check_seconds)
                if done:
                    break
                try:
                    await asyncio.wait_for(connection.fetchval("SELECT 1"), timeout=self.check_seconds)
                except Exception as exc:
                    log.error(
                        "leadership lost (%s): stopping the IMAP reader and the jobs", type(exc).__name__
                    )
                    break
        finally:
            leading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await leading
        if leading.done() and not leading.cancelled() and leading.exception() is not None:
            log.error("leader work failed: %r", leading.exception())
