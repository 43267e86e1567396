"""Applies the Alembic migrations programmatically (start-up and `klimabot db upgrade`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.database import ensure_sqlite_folder

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (blocking; call outside the event loop or via `migrate`)."""
    ensure_sqlite_folder(database_url)
    command.upgrade(alembic_config(database_url), revision)


async def migrate(database_url: str) -> None:
    """`upgrade_database` from async code, in a worker thread (Alembic runs its own loop)."""
    await asyncio.to_thread(upgrade_database, database_url)
