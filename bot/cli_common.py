"""What the `klimabot` subcommands share: German plurals and a database session for one command."""

from __future__ import annotations

from bot.settings import Settings


def plural(count: int, one: str, many: str) -> str:
    """The count with the German singular or plural noun: "1 Maßnahme", "2 Maßnahmen", "0 Tickets"."""
    return f"{count} {one if count == 1 else many}"


async def with_session(settings: Settings, work):
    from storage.database import create_engine, session_factory
    from storage.migrate import migrate

    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()
