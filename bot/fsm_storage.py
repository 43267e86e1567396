"""aiogram FSM storage in the SQL database, so conversations survive restarts and span instances."""

from __future__ import annotations

import asyncio
import copy
import json
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.fsm import get_fsm_record, save_fsm_record, write_fsm_record


def _key(key: StorageKey) -> str:
    return ":".join(
        str(part) if part is not None else "-"
        for part in (
            key.bot_id,
            key.chat_id,
            key.user_id,
            key.thread_id,
            key.business_connection_id,
            key.destiny,
        )
    )


@dataclass
class _Record:
    state: str | None
    data: dict[str, Any]


@dataclass
class _Deferred:
    """The conversation changes one update's handler made, written with the handler's own transaction."""

    task: asyncio.Task | None
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {"state"/"data": value}
    storages: list[SQLStorage] = field(default_factory=list)
    done: bool = False

    def committed(self) -> None:
        """The handler's transaction, with these changes, is committed."""
        self.changes.clear()
        self.done = True


_DEFERRED: ContextVar[_Deferred | None] = ContextVar("klimabot_fsm_deferred", default=None)


@contextmanager
def deferred_fsm_writes() -> Iterator[_Deferred]:
    """While the block runs, this task's `SQLStorage` changes wait for `write_deferred_fsm` (called with the
    handler's session before its commit; then `committed()`): the step and the draft it belongs to commit
    together, in one transaction instead of one per change. Tasks the handler starts still write at once."""
    deferred = _Deferred(asyncio.current_task())
    token = _DEFERRED.set(deferred)
    try:
        yield deferred
    finally:
        _DEFERRED.reset(token)
        if not deferred.done:  # the handler or its commit failed: what this task remembered was not written
            for storage in deferred.storages:
                storage.forget_task()


async def write_deferred_fsm(session: AsyncSession) -> None:
    """Put the waiting changes into `session`'s transaction: one UPDATE a key (an INSERT for a new one)."""
    deferred = _DEFERRED.get()
    if deferred is None:
        return
    for name, values in deferred.changes.items():
        await write_fsm_record(session, key=name, **values)


def _deferring() -> _Deferred | None:
    deferred = _DEFERRED.get()
    if deferred is None or deferred.task is not asyncio.current_task():
        return None
    return deferred


class SQLStorage(BaseStorage):
    """Keeps state and data of each chat in the `fsm_record` table.

    Within one task (the handling of one update: the update inbox hands a chat only one update at a time)
    the record is read once and remembered, so the middleware's and the handler's reads cost one query.
    Inside `deferred_fsm_writes` (the session middleware around a handler) changes are written with the
    handler's transaction; elsewhere every change is written at once.
    """

    def __init__(self, sessions: async_sessionmaker):
        self._sessions = sessions
        self._read: weakref.WeakKeyDictionary[asyncio.Task, dict[str, _Record]] = weakref.WeakKeyDictionary()

    def _task_cache(self) -> dict[str, _Record] | None:
        task = asyncio.current_task()
        if task is None:
            return None
        return self._read.setdefault(task, {})

    async def _record(self, key: StorageKey) -> _Record:
        cache, name = self._task_cache(), _key(key)
        if cache is not None and name in cache:
            return cache[name]
        async with self._sessions() as session:
            stored = await get_fsm_record(session, key=name)
            record = _Record(
                stored.state if stored else None, json.loads(stored.data) if stored and stored.data else {}
            )
        if cache is not None:
            cache[name] = record
        return record

    def _remember(self, key: StorageKey, **changes) -> None:
        cache, name = self._task_cache(), _key(key)
        if cache is not None and name in cache:
            for field, value in changes.items():
                setattr(cache[name], field, value)

    async def _write(self, key: StorageKey, **values) -> None:
        deferred = _deferring()
        if deferred is not None:
            await self._record(key)  # remembered, so that this task reads its own change
            deferred.changes.setdefault(_key(key), {}).update(values)
            if self not in deferred.storages:
                deferred.storages.append(self)
            return
        async with self._sessions() as session:
            await save_fsm_record(session, key=_key(key), **values)

    def forget_task(self) -> None:
        """Drop what this task read or changed (its handler failed: its changes were not written)."""
        task = asyncio.current_task()
        if task is not None:
            self._read.pop(task, None)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)
        self._remember(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._record(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=json.dumps(dict(data), ensure_ascii=False))
        self._remember(key, data=copy.deepcopy(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._record(key)).data)  # callers may change what they get

    async def close(self) -> None:
        """Nothing to close: sessions are opened per call."""
