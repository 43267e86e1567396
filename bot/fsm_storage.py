"""aiogram FSM storage in the SQL database, so conversations survive restarts and span instances."""

from __future__ import annotations

import asyncio
import copy
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.fsm import get_fsm_record, save_fsm_record


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


class SQLStorage(BaseStorage):
    """Keeps state and data of each chat in the `fsm_record` table.

    Within one task (the handling of one update: the update inbox hands a chat only one update at a time)
    the record is read once and remembered, so the middleware's and the handler's reads cost one query;
    every change is written at once.
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

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._sessions() as session:
            await save_fsm_record(session, key=_key(key), state=value)
        self._remember(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._record(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._sessions() as session:
            await save_fsm_record(session, key=_key(key), data=json.dumps(dict(data), ensure_ascii=False))
        self._remember(key, data=copy.deepcopy(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._record(key)).data)  # callers may change what they get

    async def close(self) -> None:
        """Nothing to close: sessions are opened per call."""
