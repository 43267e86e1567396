"""Telegram updates that survive a crash: stored before Telegram is told they arrived, handled from the table.

Telegram forgets an update once a later `getUpdates` call passes its number as offset. aiogram's polling
does that before its handlers finish, so a question in flight during a restart was lost. Here the raw
update is committed first and the offset moves only afterwards; handling claims stored updates by lease
(oldest first, one per chat at a time, so a chat's messages keep their order) and marks them handled after
the handler returned. A crash leaves the lease to expire and the update is handled again; a repeated
delivery is stored once (`update_id`). A database outage keeps updates waiting (in Telegram, or in the
table) and tells each affected chat once that there is a technical problem.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update

from handlers.errors import update_chat_id
from handlers.texts import TECHNICAL_PROBLEM
from services import metrics
from storage.database import DATABASE_UNAVAILABLE as DATABASE_DOWN
from storage.database import uninterrupted
from storage.telegram_updates import (
    ClaimedUpdate,
    RawUpdate,
    add_updates,
    claim_updates,
    finish_update,
    finish_updates,
    prune_updates,
    retry_later,
)
from storage.types import utcnow

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)
KEEP_HANDLED = dt.timedelta(days=1)  # handled updates hold message texts: kept briefly for diagnosis only
PRUNE_EVERY_SECONDS = 3600.0
MAX_BACKOFF_SECONDS = 30.0


def raw_update(update: Update) -> RawUpdate:
    """The update as it is stored: Telegram's fields without the empty ones."""
    return RawUpdate(update.update_id, update_chat_id(update), update.model_dump_json(exclude_none=True))


@dataclass(frozen=True)
class Outcome:
    """What became of a handled update: done, given up (`failed` without `retry_in`) or to be retried."""

    failed: str | None = None
    retry_in: float | None = None


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** max(0, attempt - 1))


class UpdateInbox:
    """Long-polls Telegram into the table and handles stored updates; `run()` until cancelled."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        sessions,
        *,
        concurrency: int = 40,
        polling_timeout: int = 10,
        shutdown_grace: float = 25.0,
        lease: dt.timedelta = LEASE,
        poll: bool = True,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.sessions = sessions
        self.concurrency = concurrency
        self.polling_timeout = polling_timeout
        self.shutdown_grace = shutdown_grace
        self.lease = lease
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task] = set()
        self._database_down = False
        self._told_chats: set[int] = set()
        self._unsaved: dict[int, Outcome] = {}
        self.poll = poll  # False in webhook mode: updates arrive through receive()
        self._settled: dict[int, asyncio.Future] = {}

    async def run(self) -> None:
        """Poll and handle until cancelled; on cancel, wait for handlers in flight (bounded)."""
        await self.dispatcher.emit_startup(bot=self.bot, **self.dispatcher.workflow_data)
        fetching = asyncio.create_task(
            self.fetch_forever() if self.poll else asyncio.Event().wait(), name="telegram-fetch"
        )
        handling = asyncio.create_task(self.handle_forever(), name="telegram-handle")
        try:
            await asyncio.gather(fetching, handling)
        finally:
            fetching.cancel()
            handling.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.gather(fetching, handling)
            await self._drain()
            with contextlib.suppress(*DATABASE_DOWN):
                await self._save_outcomes()
            await self.dispatcher.emit_shutdown(bot=self.bot, **self.dispatcher.workflow_data)

    async def _drain(self) -> None:
        if not self._in_flight:
            return
        log.info("waiting for %s update(s) in flight", len(self._in_flight))
        _done, pending = await asyncio.wait(self._in_flight, timeout=self.shutdown_grace)
        for task in pending:
            task.cancel()  # its lease expires and the update is handled again after the restart
        if pending:
            await asyncio.wait(pending, timeout=2)

    # --- fetching -------------------------------------------------------------------------------------

    async def fetch_forever(self) -> None:
        """getUpdates → store → only then confirm (the next call's offset); retries store faults in place."""
        offset: int | None = None
        allowed = self.dispatcher.resolve_used_update_types()
        failures = 0
        while True:
            try:
                updates = await self.bot(
                    GetUpdates(offset=offset, timeout=self.polling_timeout, allowed_updates=allowed),
                    request_timeout=self.polling_timeout + 30,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the Bot API is unreachable: keep trying, never stop polling
                failures += 1
                if failures == 1:
                    log.error("getUpdates failed (%s: %s); retrying", type(exc).__name__, exc)
                await asyncio.sleep(_backoff(failures))
                continue
            failures = 0
            if not updates:
                continue
            await self._store(updates)
            offset = updates[-1].update_id + 1
            self._wake.set()

    async def _store(self, updates: list[Update]) -> None:
        rows = [raw_update(update) for update in updates]
        attempt = 0
        while True:
            try:
                await uninterrupted(self._add(rows))
                self._database_back()
                return
            except DATABASE_DOWN as exc:
                attempt += 1
                self._database_failed(exc)
                await self._tell_chats({row.chat_id for row in rows if row.chat_id is not None})
                await asyncio.sleep(_backoff(attempt))

    async def _add(self, rows) -> None:
        async with self.sessions() as session:
            await add_updates(session, rows)

    def wake(self) -> None:
        """Updates were stored by another path (the web chat): claim them now."""
        self._wake.set()

    async def receive(self, update: Update, *, wait: float = 10.0) -> bool:
        """Webhook mode: store the update (from then on no crash loses it), then wait, bounded, until this
        instance has handled it and written so. False when it was stored before (a repeated delivery).
        A database outage raises: the webhook answers with an error and Telegram delivers again."""
        async with self.sessions() as session:
            if not await add_updates(session, [raw_update(update)]):
                return False
        settled = self._settled.setdefault(update.update_id, asyncio.get_running_loop().create_future())
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(settled), timeout=wait)
        except TimeoutError:
            pass  # still stored: the handling loop of this or another instance handles it
        finally:
            self._settled.pop(update.update_id, None)
        return True

    # --- handling -------------------------------------------------------------------------------------

    async def handle_forever(self) -> None:
        """Claim stored updates while there is capacity and handle each in its own task."""
        attempt = 0
        next_prune = 0.0
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            free = self.concurrency - len(self._in_flight)
            claimed: list[ClaimedUpdate] = []
            if free > 0:
                try:
                    prune = loop.time() >= next_prune
                    claimed = await uninterrupted(self._claim(free, prune=prune))
                    if prune:
                        next_prune = loop.time() + PRUNE_EVERY_SECONDS
                    attempt = 0
                except DATABASE_DOWN as exc:
                    attempt += 1
                    self._database_failed(exc)
                    await asyncio.sleep(_backoff(attempt))
                    continue
            for item in claimed:
                task = asyncio.create_task(self._handle(item), name=f"update-{item.update_id}")
                self._in_flight.add(task)
                task.add_done_callback(self._finished)
            if claimed and len(claimed) == free:
                continue  # more may be waiting; claim again once a task finished
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    async def _claim(self, free: int, *, prune: bool) -> list[ClaimedUpdate]:
        await self._save_outcomes()
        async with self.sessions() as session:
            claimed = await claim_updates(session, limit=free, lease=self.lease)
            if prune:
                await prune_updates(session, older_than=utcnow() - KEEP_HANDLED)
        return claimed

    def _finished(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        self._wake.set()

    async def _handle(self, item: ClaimedUpdate) -> None:
        try:
            update = Update.model_validate_json(item.payload, context={"bot": self.bot})
        except ValueError as exc:
            log.error("stored update %s cannot be read: %s", item.update_id, exc)
            await self._settle(item.update_id, Outcome(failed=f"unreadable: {exc}"))
            return
        try:
            with metrics.UPDATE_HANDLING.time():
                await self.dispatcher.feed_update(self.bot, update, delivery_attempt=item.attempt)
        except DATABASE_DOWN as exc:
            self._database_failed(exc)
            if item.chat_id is not None:
                await self._tell_chats({item.chat_id})
            await self._settle(item.update_id, Outcome(retry_in=_backoff(item.attempt), failed=repr(exc)))
            return
        except Exception as exc:  # a bug in a handler: retrying would fail the same way
            log.exception("update %s failed", item.update_id)
            await self._settle(item.update_id, Outcome(failed=f"{type(exc).__name__}: {exc}"))
            return
        await self._settle(item.update_id, Outcome())

    async def _settle(self, update_id: int, outcome: Outcome) -> None:
        """Note what became of an update; the handling loop writes the outcomes, all in one go, before it
        claims again (so a chat's next update is claimed only after its previous one is marked)."""
        self._unsaved[update_id] = outcome
        self._wake.set()

    async def _save_outcomes(self) -> None:
        """Write the outcomes not written yet; a handled update must not be handled again after an outage."""
        if not self._unsaved:
            return
        outcomes = dict(self._unsaved)
        done = [update_id for update_id, outcome in outcomes.items() if outcome == Outcome()]
        try:
            async with self.sessions() as session:
                await finish_updates(session, done)
                for update_id, outcome in outcomes.items():
                    if outcome.retry_in is not None:
                        delay = dt.timedelta(seconds=outcome.retry_in)
                        await retry_later(session, update_id=update_id, delay=delay, reason=outcome.failed)
                    elif outcome.failed is not None:
                        await finish_update(session, update_id=update_id, failed_reason=outcome.failed)
        except DATABASE_DOWN as exc:
            self._database_failed(exc)
            raise
        for update_id in outcomes:
            self._unsaved.pop(update_id, None)
            settled = self._settled.get(update_id)
            if settled is not None and not settled.done():
                settled.set_result(None)
        self._database_back()

    # --- outage bookkeeping ---------------------------------------------------------------------------

    def _database_failed(self, exc: BaseException) -> None:
        if not self._database_down:
            self._database_down = True
            log.error("database unavailable (%s: %s); updates wait until it is back", type(exc).__name__, exc)

    def _database_back(self) -> None:
        if self._database_down:
            self._database_down = False
            self._told_chats.clear()
            log.warning("database reachable again; handling the waiting updates")

    async def _tell_chats(self, chat_ids: set[int]) -> None:
        for chat_id in chat_ids - self._told_chats:
            self._told_chats.add(chat_id)
            with contextlib.suppress(Exception):
                await self.bot.send_message(chat_id, TECHNICAL_PROBLEM)
