"""A private Dovecot with a fresh advisory mailbox, and the bot's inbox pipeline on SQLite."""

from __future__ import annotations

import contextlib
import shutil

import pytest

from bot.app import build_answering
from bot.settings import Settings
from mail.handling import InboxContext
from services.advisors import Advisor, AdvisorDirectory
from services.municipalities import load_municipalities
from services.tickets import TicketConfig
from storage.database import create_engine, session_factory
from storage.migrate import migrate
from tests.imap.dovecot import DovecotServer


@pytest.fixture(scope="module")
def dovecot_server():
    if not shutil.which("dovecot"):
        pytest.skip("Dovecot is not installed (scripts/install-dovecot.sh)")
    server = DovecotServer(users={})
    server.start()
    yield server
    server.close()


@pytest.fixture
def mailbox(dovecot_server):
    return dovecot_server.add_user()


@contextlib.asynccontextmanager
async def _pipeline(url, mailbox, dovecot_server):
    """The inbox pipeline reading the test mailbox, on the database at `url` (already migrated)."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    settings = Settings(
        database_url=url,
        imap_host=dovecot_server.host,
        imap_port=dovecot_server.port,
        imap_user=mailbox.name,
        imap_password=mailbox.password,
        imap_tls="none",
        smtp_host="127.0.0.1",
        inbox_address=mailbox.name,
        imap_poll_seconds=1,
    )
    config = TicketConfig(
        inbox_address=mailbox.name, advisors=AdvisorDirectory((Advisor("Anna", "anna@example.org"),))
    )
    context = InboxContext(sessions, config, build_answering(settings), load_municipalities())
    try:
        yield settings, context, sessions
    finally:
        await engine.dispose()


@pytest.fixture
async def pipeline(tmp_path, mailbox, dovecot_server):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    await migrate(url)
    async with _pipeline(url, mailbox, dovecot_server) as running:
        yield running


@pytest.fixture
async def pg_pipeline(postgresql_clean, mailbox, dovecot_server):
    """The same pipeline on PostgreSQL, which enforces column lengths (SQLite does not)."""
    async with _pipeline(postgresql_clean, mailbox, dovecot_server) as running:
        yield running
