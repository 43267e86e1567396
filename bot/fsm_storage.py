"""aiogram FSM storage in the SQL database, so conversations survive restarts and span instances."""

from __future__ import annotations

import json
from collections.abc import Mapping
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


class SQLStorage(BaseStorage):
    """Keeps state and data of each chat in the `fsm_record` table."""

    def __init__(self, sessions: async_sessionmaker):
        self._sessions = sessions

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._sessions() as session:
            await save_fsm_record(session, key=_key(key), state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessions() as session:
            record = await get_fsm_record(session, key=_key(key))
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._sessions() as session:
            await save_fsm_record(session, key=_key(key), data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessions() as session:
            record = await get_fsm_record(session, key=_key(key))
            return json.loads(record.data) if record and record.data else {}

    async def close(self) -> None:
        """Nothing to close: sessions are opened per call."""
