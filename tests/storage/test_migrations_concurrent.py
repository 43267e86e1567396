"""Instances that start at once on one PostgreSQL database migrate one after the other, without errors."""

from __future__ import annotations

import asyncio
import sys
import uuid

from sqlalchemy import text

from storage.database import create_engine
from tests.conftest import PG_ADMIN_URL, _pg_admin


async def test_three_instances_migrating_a_fresh_database_at_once_all_succeed(postgres_url):
    """(`postgres_url`: skipped where no PostgreSQL runs, as the other PostgreSQL tests.)"""
    name = f"klimabot_migrate_{uuid.uuid4().hex[:10]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        # processes, as instances are (Alembic's context is one per process)
        starts = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "import sys\nfrom storage.migrate import upgrade_database\nupgrade_database(sys.argv[1])",
                url,
            )
            for _ in range(3)
        ]
        assert [await start.wait() for start in starts] == [0, 0, 0]
        engine = create_engine(url)
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one()
        await engine.dispose()
        assert versions == 1
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
