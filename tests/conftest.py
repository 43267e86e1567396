"""Shared fixtures: the databases every storage test runs on (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import pytest

from storage.database import create_engine, session_factory
from storage.migrate import upgrade_database

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# Tests that read the development material beside the repository (fact sheet, mail corpora): CI checks the
# project out next to it; a clone elsewhere skips them instead of failing on a missing file
requires_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared is not checked out next to the project"
)
PG_ADMIN_URL = os.environ.get("KLIMABOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TABLES_TO_CLEAR = (
    "web_event",
    "web_file",
    "web_visitor",
    "feedback",
    "asked_question",
    "fsm_record",
    "processed_mail",
    "telegram_outbox",
    "outbox_mail",
    "ticket_message",
    "ticket",
    "reference_counter",
    "mail_checkpoint",
    "advisor_absence",
    "booking",
    "reference_sequence",
    "report_campaign_send",
    "report_contact",
    "report_attachment",
    "report_version",
    "measure_report",
    "telegram_update",
    "email_confirmation",
    "report_access",
)


async def _pg_admin(statement: str) -> None:
    import asyncpg

    url = PG_ADMIN_URL.replace("postgresql://", "postgres://", 1)
    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL database for this test run, migrated to head."""
    name = f"klimabot_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: fail in CI, skip on a laptop without PostgreSQL
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade_database(url)
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """One SQLite file migrated to head; each test gets a copy (migrating per test cost most of the time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "klimabot.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of a migrated, empty database — once SQLite, once PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "klimabot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgresql_clean")
    return url


@pytest.fixture
def postgresql_clean(postgres_url):
    """The session's PostgreSQL database with all rows removed."""
    asyncio.run(_clear(postgres_url))
    return postgres_url


async def _clear(url: str) -> None:
    from sqlalchemy import text

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {', '.join(TABLES_TO_CLEAR)} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def sessions(database_url):
    """A session factory on the parametrised database."""
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


# folders that start servers (the bot against the local Bot API, Dovecot) and files that read every corpus
# mail, the whole evaluation set or thousands of rows
SLOW_FOLDERS = ("e2e", "imap", "mail_imap")
SLOW_FILES = (
    "test_corpora.py",
    "test_parsing_corpora.py",
    "test_eval.py",
    "test_report_export.py",
    "test_hostile_parsing.py",
    "test_hostile_mail.py",
    "test_flood_limiter.py",
    "test_startup.py",  # starts the bot against the local Bot API
    "test_leadership.py",  # PostgreSQL sessions ended by the server
    "test_migrations_concurrent.py",  # three processes migrating PostgreSQL
)


def pytest_collection_modifyitems(config, items):
    """Mark the slow folders, so `make test-fast` (`-m "not slow"`) leaves them out."""
    root = Path(__file__).parent
    for item in items:
        parts = Path(str(item.fspath)).relative_to(root).parts
        if parts and (parts[0] in SLOW_FOLDERS or parts[-1] in SLOW_FILES):
            item.add_marker(pytest.mark.slow)
