"""Fixtures for the IMAP transport tests: private Dovecot servers per session, a fresh account per test."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import shutil
import time
from collections.abc import Callable

import pytest

from mail.imap_reader import HandleResult, ImapReader, ImapSettings, MemoryCheckpoint, Outcome
from tests.imap.dovecot import DovecotServer, MailUser

# Post-login capabilities of the reduced servers: Dovecot's own list minus IDLE and MOVE (and UIDPLUS).
NO_MOVE_CAPABILITY = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE NAMESPACE UIDPLUS"
BARE_CAPABILITY = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE NAMESPACE"


def _require_dovecot() -> None:
    if not (shutil.which("dovecot") and shutil.which("doveadm")):
        message = "Dovecot is not installed: run `bash scripts/install-dovecot.sh` (as root)"
    elif os.geteuid() != 0:
        message = "the test Dovecot must be started as root (its login processes drop privileges)"
    else:
        return
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _serve(**options: str) -> DovecotServer:
    _require_dovecot()
    server = DovecotServer(**options)
    server.start()
    return server


@pytest.fixture(scope="session")
def dovecot():
    """The session's private Dovecot (IDLE, MOVE, UIDPLUS) on 127.0.0.1."""
    server = _serve()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def dovecot_no_move():
    """A Dovecot that hides IDLE and MOVE but offers UIDPLUS."""
    server = _serve(imap_capability=NO_MOVE_CAPABILITY)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def dovecot_bare():
    """A Dovecot that hides IDLE, MOVE and UIDPLUS."""
    server = _serve(imap_capability=BARE_CAPABILITY)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def stopped_dovecot():
    """A private Dovecot of this test's own, configured but not started yet."""
    _require_dovecot()
    server = DovecotServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def mail_user(dovecot) -> MailUser:
    """A fresh, empty account on the session's Dovecot."""
    return dovecot.add_user()


def settings_for(server: DovecotServer, user: MailUser, **overrides) -> ImapSettings:
    """Reader settings for a test account, with timings short enough for tests."""
    values = {
        "host": server.host,
        "port": server.port,
        "user": user.name,
        "password": user.password,
        "tls": "none",
        "poll_interval": 0.3,
        "idle_timeout": 60.0,
        "connect_timeout": 5.0,
        "max_backoff": 0.5,
    }
    values.update(overrides)
    return ImapSettings(**values)


@pytest.fixture
def imap_settings(dovecot, mail_user) -> Callable[..., ImapSettings]:
    """Builds settings for the test's account; keyword arguments override fields."""
    return lambda **overrides: settings_for(dovecot, mail_user, **overrides)


def _subject(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"] or "")


class RecordingHandler:
    """A handler that records what it saw; subjects containing "spam" are quarantined."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, bytes]] = []
        self.fail_next = 0

    async def __call__(self, uid: int, raw: bytes) -> HandleResult:
        self.calls.append((uid, raw))
        if self.fail_next > 0:
            self.fail_next -= 1
            raise RuntimeError("database is down")
        subject = _subject(raw)
        if "spam" in subject.lower():
            return HandleResult(Outcome.QUARANTINE, reason="looks like spam")
        return HandleResult(Outcome.PROCESSED)

    @property
    def uids(self) -> list[int]:
        """The UIDs handled so far, in call order."""
        return [uid for uid, _raw in self.calls]

    @property
    def subjects(self) -> list[str]:
        """The subjects handled so far, in call order."""
        return [_subject(raw) for _uid, raw in self.calls]


@pytest.fixture
def handler() -> RecordingHandler:
    """A fresh recording handler."""
    return RecordingHandler()


@pytest.fixture
def checkpoint() -> MemoryCheckpoint:
    """An empty in-memory checkpoint."""
    return MemoryCheckpoint()


@pytest.fixture
def make_reader(imap_settings, checkpoint, handler) -> Callable[..., ImapReader]:
    """Builds a reader on the test's account; keyword arguments override settings fields."""

    def make(**overrides) -> ImapReader:
        return ImapReader(imap_settings(**overrides), checkpoint=checkpoint, handler=handler)

    return make


async def wait_until(predicate: Callable[[], bool], within: float, interval: float = 0.02) -> float:
    """Poll predicate until true (bounded by `within` seconds); returns the seconds it took."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > within:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(interval)
    return time.monotonic() - started


@pytest.fixture
async def running():
    """Starts reader.run() tasks and cancels them (bounded) after the test."""
    tasks: list[asyncio.Task] = []

    def start(reader: ImapReader) -> asyncio.Task:
        task = asyncio.create_task(reader.run())
        tasks.append(task)
        return task

    yield start
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=10)
