"""Engine and session factory for a plain SQLAlchemy URL; the async driver is chosen here."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")

# faults that mean "the database cannot be reached right now" (retry later), as opposed to a broken
# statement or value (DataError, IntegrityError), which retrying would not fix
DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    ConnectionError,
    OSError,
    TimeoutError,
)
CONNECT_TIMEOUT_SECONDS = 5
# a statement on a silent network fails after this instead of hanging for minutes
STATEMENT_TIMEOUT_SECONDS = 60
POOL_TIMEOUT_SECONDS = 30

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def async_url(url: str) -> str:
    """`sqlite:///x.db` -> `sqlite+aiosqlite:///x.db`, `postgresql://…` -> `postgresql+asyncpg://…`."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise ValueError(f"unsupported database {backend!r}; use sqlite:/// or postgresql://")
    if "+" in parsed.drivername:
        return parsed.render_as_string(hide_password=False)
    return parsed.set(drivername=_ASYNC_DRIVERS[backend]).render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    """True for SQLite URLs."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout starts without preparation."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so concurrent writers wait instead of failing."""
    ensure_sqlite_folder(url)
    if is_sqlite(url):
        # many updates are handled at once; each briefly needs a connection (SQLite serialises writes anyway)
        engine = create_async_engine(
            async_url(url),
            connect_args={"timeout": 30},
            pool_size=20,
            max_overflow=80,
            pool_timeout=POOL_TIMEOUT_SECONDS,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_async_engine(
        async_url(url),
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS, "command_timeout": STATEMENT_TIMEOUT_SECONDS},
        # kept open: an update in flight holds one connection and briefly a second (conversation state),
        # and a connection made for a burst and closed after it costs the server a new backend each time
        pool_size=30,
        max_overflow=30,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        # no ping per checkout (it doubled the round trips): a connection the server dropped fails on use,
        # SQLAlchemy then renews the pool, and every caller retries DATABASE_UNAVAILABLE later
        pool_pre_ping=False,
    )


def session_factory(
    engine: AsyncEngine, *, after_commit: Callable[[set[str]], None] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit.

    `after_commit` hears the tables that got new rows once they are committed — how the outbox workers
    wake: a row queued in a transaction that rolls back wakes nobody, one that commits always does.
    """
    if after_commit is None:
        return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    # a class of its own per factory, so the listeners reach only this factory's sessions
    tracked = type("TrackedSession", (Session,), {})

    @event.listens_for(tracked, "after_flush")
    def _remember_new_rows(session, _context) -> None:
        tables = {getattr(row, "__tablename__", "") for row in session.new}
        session.info.setdefault("new_tables", set()).update(tables)

    @event.listens_for(tracked, "after_commit")
    def _announce(session) -> None:
        tables = session.info.pop("new_tables", None)
        if tables:
            after_commit(tables)

    @event.listens_for(tracked, "after_rollback")
    def _forget(session) -> None:
        session.info.pop("new_tables", None)

    return async_sessionmaker(engine, class_=AsyncSession, sync_session_class=tracked, expire_on_commit=False)


async def uninterrupted(work: Awaitable[T]) -> T:
    """Await a unit of database work that a cancellation of the caller does not cut off mid-statement: the
    work finishes (or fails) first, then the cancellation goes on. A statement cut off makes SQLAlchemy
    terminate an aiosqlite connection in a way that leaves a task the event loop can never finish, so a
    shutdown would hang; for loops that are stopped by cancellation (the update inbox, the live feed)."""
    task = asyncio.ensure_future(work)
    interrupted = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            interrupted = True  # also a second cancellation while the work finishes
    if interrupted:
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation is what the caller gets
        raise asyncio.CancelledError
    return task.result()
