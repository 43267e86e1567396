"""Conversation state survives a restart and is shared between instances (database and Redis)."""

import uuid

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.fsm_storage import SQLStorage
from storage.database import create_engine, session_factory


class Flow(StatesGroup):
    step = State()


KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def test_state_and_data_survive_a_new_storage_on_the_same_database(database_url):
    first_engine = create_engine(database_url)
    first = SQLStorage(session_factory(first_engine))
    await first.set_state(KEY, Flow.step)
    await first.update_data(KEY, {"question": "Förderung für PV?", "count": 2})
    await first_engine.dispose()  # the process "restarts"

    second_engine = create_engine(database_url)
    second = SQLStorage(session_factory(second_engine))
    assert await second.get_state(KEY) == Flow.step.state
    assert await second.get_data(KEY) == {"question": "Förderung für PV?", "count": 2}
    await second.set_state(KEY, None)
    assert await second.get_state(KEY) is None
    assert await second.get_data(KEY) == {"question": "Förderung für PV?", "count": 2}
    await second_engine.dispose()


async def test_unknown_key_has_no_state_and_empty_data(sessions):
    storage = SQLStorage(sessions)
    other = StorageKey(bot_id=1, chat_id=7, user_id=7)
    assert await storage.get_state(other) is None
    assert await storage.get_data(other) == {}


async def test_redis_storage_is_used_when_configured():
    from aiogram.fsm.storage.redis import RedisStorage

    from bot.app import build_fsm_storage
    from bot.settings import Settings

    storage = build_fsm_storage(Settings(redis_url="redis://127.0.0.1:6379/0"), runtime=None)
    assert isinstance(storage, RedisStorage)
    key = StorageKey(bot_id=1, chat_id=int(uuid.uuid4().int % 10**9), user_id=1)
    try:
        await storage.set_state(key, Flow.step)
    except Exception as exc:  # pragma: no cover - only without a Redis server
        await storage.close()
        pytest.skip(f"Redis not reachable: {exc}")
    reopened = build_fsm_storage(Settings(redis_url="redis://127.0.0.1:6379/0"), runtime=None)
    assert await reopened.get_state(key) == Flow.step.state
    await storage.set_state(key, None)
    await storage.close()
    await reopened.close()


async def test_one_update_reads_the_record_once_and_the_next_update_reads_it_afresh(database_url):
    """Within the task handling one update the record is read once; a change made elsewhere in between
    (another instance handled the chat's previous update) is seen by the next task."""
    import asyncio

    from sqlalchemy import event

    engine = create_engine(database_url)
    storage, elsewhere = SQLStorage(session_factory(engine)), SQLStorage(session_factory(engine))
    await elsewhere.set_state(KEY, Flow.step)
    await elsewhere.set_data(KEY, {"step": 1})
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    async def one_update():
        state, data = await storage.get_state(KEY), await storage.get_data(KEY)
        return state, data, await storage.get_state(KEY)

    selects_before = sum(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert await asyncio.create_task(one_update()) == (Flow.step.state, {"step": 1}, Flow.step.state)
    selects = sum(s.lstrip().upper().startswith("SELECT") for s in statements) - selects_before
    assert selects == 1
    await asyncio.create_task(elsewhere.set_data(KEY, {"step": 2}))
    assert (await asyncio.create_task(one_update()))[1] == {"step": 2}

    async def write_then_read():
        await storage.get_data(KEY)
        await storage.set_data(KEY, {"step": 3})
        data = await storage.get_data(KEY)
        data["step"] = 99  # a caller changing what it got does not change what is stored
        return await storage.get_data(KEY)

    assert await asyncio.create_task(write_then_read()) == {"step": 3}
    await engine.dispose()


def _counting(engine) -> list[str]:
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


async def _handle(storage: SQLStorage, sessions, handler) -> None:
    """What the session middleware does around a handler: its changes go into the handler's transaction."""
    from bot.fsm_storage import deferred_fsm_writes, write_deferred_fsm

    async with sessions() as session:
        with deferred_fsm_writes() as conversation:
            await handler(session)
            await write_deferred_fsm(session)
            await session.commit()
            conversation.committed()


async def test_a_handlers_step_and_data_are_one_update_in_its_own_transaction(database_url):
    import asyncio

    engine = create_engine(database_url)
    sessions = session_factory(engine)
    storage = SQLStorage(sessions)
    await storage.set_state(KEY, Flow.step)  # the chat is known
    statements = _counting(engine)

    async def handler(session):
        await storage.set_state(KEY, None)
        await storage.set_data(KEY, {"step": 2})
        assert await storage.get_data(KEY) == {"step": 2}  # the handler reads its own change
        assert await SQLStorage(sessions).get_data(KEY) == {}  # nothing written before its commit

    await asyncio.create_task(_handle(storage, sessions, handler))
    writes = [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) == 1 and "fsm_record" in writes[0]
    fresh = SQLStorage(sessions)
    assert (await fresh.get_state(KEY), await fresh.get_data(KEY)) == (None, {"step": 2})
    await engine.dispose()


async def test_a_new_chats_step_is_inserted_with_the_handlers_transaction(sessions):
    import asyncio

    storage = SQLStorage(sessions)
    new = StorageKey(bot_id=1, chat_id=77, user_id=77)

    async def handler(session):
        await storage.set_state(new, Flow.step)

    await asyncio.create_task(_handle(storage, sessions, handler))
    assert await SQLStorage(sessions).get_state(new) == Flow.step.state


async def test_a_failing_handler_leaves_the_conversation_as_it_was(sessions):
    import asyncio

    storage = SQLStorage(sessions)
    await storage.set_state(KEY, Flow.step)
    await storage.set_data(KEY, {"step": 1})

    async def handler(session):
        await storage.set_data(KEY, {"step": 2})
        raise RuntimeError("the handler broke")

    async def update_then_error_handler():
        with pytest.raises(RuntimeError):
            await _handle(storage, sessions, handler)
        return await storage.get_data(KEY)  # e.g. the error handler of the same task

    assert await asyncio.create_task(update_then_error_handler()) == {"step": 1}
    assert await SQLStorage(sessions).get_data(KEY) == {"step": 1}


async def test_a_task_the_handler_starts_writes_at_once(sessions):
    import asyncio

    storage = SQLStorage(sessions)
    other = StorageKey(bot_id=1, chat_id=88, user_id=88)

    async def handler(session):
        await asyncio.create_task(storage.set_state(other, Flow.step))  # e.g. a relay to another chat
        assert await SQLStorage(sessions).get_state(other) == Flow.step.state

    await asyncio.create_task(_handle(storage, sessions, handler))
