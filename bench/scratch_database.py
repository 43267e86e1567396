"""The benchmarks' throw-away PostgreSQL databases, created next to KLIMABOT_BENCH_PG_URL."""

from __future__ import annotations

import os

PG_ADMIN_URL = os.environ.get("KLIMABOT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def admin_connection():
    """A connection to the administration database (asyncpg wants the postgres:// scheme)."""
    import asyncpg

    return await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://", 1), timeout=5)


async def pg_admin(statement: str) -> None:
    """Run one statement there (CREATE DATABASE, DROP DATABASE …)."""
    connection = await admin_connection()
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def scratch_url(name: str) -> str:
    """The URL of the database `name` on the same server."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
