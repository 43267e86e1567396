"""Repository for conversation state records (the database backend of aiogram's FSM)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import FsmRecord
from storage.types import utcnow

_UNSET = object()  # state None means "no state"; this means "leave the state as it is"


async def get_fsm_record(session: AsyncSession, *, key: str) -> FsmRecord | None:
    """The stored state of one conversation key."""
    return await session.get(FsmRecord, key)


async def update_fsm_record(
    session: AsyncSession, *, key: str, state=_UNSET, data: str | None = None
) -> bool:
    """Change an existing key in the session's transaction (one UPDATE, no commit); False when the key is
    not stored yet."""
    values: dict = {"updated_at": utcnow()}
    if state is not _UNSET:
        values["state"] = state
    if data is not None:
        values["data"] = data
    result = await session.exec(update(FsmRecord).where(FsmRecord.key == key).values(**values))
    return result.rowcount == 1


async def write_fsm_record(session: AsyncSession, *, key: str, state=_UNSET, data: str | None = None) -> None:
    """Update or insert one key in the session's transaction, without committing. Meant for the handler of
    a chat's update (one at a time per chat): should another instance insert the same key first, the
    commit fails and the update is handled again."""
    if await update_fsm_record(session, key=key, state=state, data=data):
        return
    if state in (_UNSET, None) and data in (None, "{}"):
        return  # nothing to keep: a conversation left (or erased in this transaction) is not stored anew
    record = FsmRecord(key=key, state=None if state is _UNSET else state)
    if data is not None:
        record.data = data
    session.add(record)
    await session.flush()


async def save_fsm_record(session: AsyncSession, *, key: str, state=_UNSET, data: str | None = None) -> None:
    """Insert or update one key portably (no dialect-specific upsert); commits. An existing key costs one
    UPDATE; a new one a failed UPDATE and an INSERT."""
    if await update_fsm_record(session, key=key, state=state, data=data):
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
