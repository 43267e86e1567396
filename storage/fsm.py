"""Repository for conversation state records (the database backend of aiogram's FSM)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import FsmRecord
from storage.types import utcnow

_UNSET = object()


async def get_fsm_record(session: AsyncSession, *, key: str) -> FsmRecord | None:
    """The stored state of one conversation key."""
    return await session.get(FsmRecord, key)


async def save_fsm_record(session: AsyncSession, *, key: str, state=_UNSET, data: str | None = None) -> None:
    """Insert or update one key portably (no dialect-specific upsert); commits. An existing key costs one
    UPDATE; a new one a failed UPDATE and an INSERT."""
    values: dict = {"updated_at": utcnow()}
    if state is not _UNSET:
        values["state"] = state
    if data is not None:
        values["data"] = data
    result = await session.exec(update(FsmRecord).where(FsmRecord.key == key).values(**values))
    if result.rowcount == 1:
        await session.commit()
        return
    for _attempt in range(3):
        record = await session.get(FsmRecord, key, populate_existing=True)
        if record is None:
            record = FsmRecord(key=key)
        if state is not _UNSET:
            record.state = state
        if data is not None:
            record.data = data
        record.updated_at = utcnow()
        session.add(record)
        try:
            await session.commit()
            return
        except IntegrityError:
            # another instance inserted the same key first: retry as an update
            await session.rollback()
    raise RuntimeError(f"could not save conversation state {key!r}")
