"""The long-running IMAP reader against a real Dovecot: IDLE wake-ups, polling, reconnects, cancellation."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

from mail.imap_reader import ImapReader, MemoryCheckpoint
from tests.imap.conftest import RecordingHandler, settings_for, wait_until
from tests.imap.dovecot import MailUser, make_message


async def deliver(server, user, subject: str) -> int:
    """APPEND one message as a mail client would; returns its UID."""
    return await asyncio.to_thread(server.append, user, make_message(subject))


def idle_threads() -> list[threading.Thread]:
    """The reader's IDLE threads still alive."""
    return [thread for thread in threading.enumerate() if thread.name.startswith("imap-idle-")]


async def test_idle_wakes_the_reader_within_two_seconds_of_an_append(
    dovecot, mail_user, make_reader, handler, running
):
    reader = make_reader(poll_interval=60.0)
    running(reader)
    await wait_until(lambda: reader.status.idling, within=5)
    assert reader.status.idle_supported is True

    for expected in (1, 2):
        await deliver(dovecot, mail_user, f"Frage {expected}")
        took = await wait_until(lambda n=expected: len(handler.calls) == n, within=2)
        assert took < 2

    await wait_until(lambda: dovecot.count(mail_user, "Processed") == 2, within=2)
    assert reader.status.connected


async def test_mail_waiting_at_start_is_handled_by_run(dovecot, mail_user, make_reader, handler, running):
    await deliver(dovecot, mail_user, "vor dem Start")
    running(make_reader())
    await wait_until(lambda: len(handler.calls) == 1, within=3)


async def test_reader_reconnects_after_its_connections_are_killed_mid_idle(
    dovecot, mail_user, make_reader, handler, running
):
    reader = make_reader(poll_interval=60.0)
    running(reader)
    await wait_until(lambda: reader.status.idling, within=5)

    dovecot.kill_connections(mail_user)
    await wait_until(lambda: not reader.status.idling, within=3)
    await wait_until(lambda: reader.status.idling, within=5)
    assert dovecot.connections(mail_user) >= 1

    await deliver(dovecot, mail_user, "nach dem Abbruch")
    await wait_until(lambda: len(handler.calls) == 1, within=2)


async def test_reader_survives_a_server_restart(dovecot, mail_user, make_reader, handler, running):
    reader = make_reader(poll_interval=60.0)
    running(reader)
    await wait_until(lambda: reader.status.idling, within=5)

    await asyncio.to_thread(dovecot.restart)
    await wait_until(lambda: reader.status.idling, within=5)
    await deliver(dovecot, mail_user, "nach dem Neustart")
    await wait_until(lambda: len(handler.calls) == 1, within=2)


async def test_server_down_at_start_backs_off_and_succeeds_once_it_is_up(stopped_dovecot, handler, running):
    server = stopped_dovecot
    user = server.add_user()
    reader = ImapReader(
        settings_for(server, user, max_backoff=0.4, poll_interval=60.0),
        checkpoint=MemoryCheckpoint(),
        handler=handler,
    )
    running(reader)
    await wait_until(lambda: (reader.status.last_error or "").startswith("ImapConnectionError"), within=3)
    await asyncio.sleep(1.0)  # a few backoff rounds against a closed port
    assert not reader.status.connected

    await asyncio.to_thread(server.start)
    await deliver(server, user, "erste Nachricht")
    await wait_until(lambda: len(handler.calls) == 1, within=5)
    await wait_until(lambda: reader.status.idling and reader.status.last_error is None, within=5)


async def test_handler_failure_is_retried_after_backoff_without_losing_the_message(
    dovecot, mail_user, make_reader, handler, running
):
    handler.fail_next = 2
    uid = await deliver(dovecot, mail_user, "Frage")
    reader = make_reader(max_backoff=0.4, poll_interval=60.0)
    running(reader)

    await wait_until(lambda: dovecot.count(mail_user, "Processed") == 1, within=5)
    assert handler.uids == [uid, uid, uid]
    assert dovecot.total(mail_user) == 1
    # Cleared when the pass that filed the message ends, a moment after the move.
    await wait_until(lambda: reader.status.last_error is None, within=2)


async def test_polling_is_used_when_the_server_lacks_idle(dovecot_no_move, running):
    user = dovecot_no_move.add_user()
    handler = RecordingHandler()
    reader = ImapReader(
        settings_for(dovecot_no_move, user, poll_interval=0.3),
        checkpoint=MemoryCheckpoint(),
        handler=handler,
    )
    running(reader)
    await wait_until(lambda: reader.status.idle_supported is False, within=5)

    await deliver(dovecot_no_move, user, "per Abfrage")
    await wait_until(lambda: len(handler.calls) == 1, within=2)
    assert not reader.status.idling
    assert not idle_threads()


async def test_cancelling_run_stops_the_idle_thread_within_seconds(dovecot, mail_user, make_reader):
    reader = make_reader(poll_interval=60.0)
    task = asyncio.create_task(reader.run())
    try:
        await wait_until(lambda: reader.status.idling, within=5)
        assert idle_threads()
        started = time.monotonic()
        task.cancel()
        done, _pending = await asyncio.wait([task], timeout=5)
        took = time.monotonic() - started
    finally:
        task.cancel()

    assert done and task.cancelled()
    assert took < 3
    assert not idle_threads()
    assert not reader.status.connected
    await wait_until(lambda: dovecot.connections(mail_user) == 0, within=3)


async def test_cancelling_run_while_a_handler_runs_leaves_the_message_in_inbox(
    dovecot, mail_user, imap_settings
):
    entered = asyncio.Event()

    async def slow_handler(uid: int, raw: bytes):
        entered.set()
        await asyncio.sleep(30)

    await deliver(dovecot, mail_user, "Frage")
    checkpoint = MemoryCheckpoint()
    reader = ImapReader(imap_settings(), checkpoint=checkpoint, handler=slow_handler)
    task = asyncio.create_task(reader.run())
    try:
        await asyncio.wait_for(entered.wait(), timeout=5)
        task.cancel()
        await asyncio.wait([task], timeout=5)
    finally:
        task.cancel()

    assert task.cancelled()
    assert checkpoint.last_uid == 0
    assert dovecot.count(mail_user, "INBOX") == 1
    await wait_until(lambda: dovecot.connections(mail_user) == 0, within=3)


async def test_auth_error_backs_off_and_recovers_once_the_account_works(dovecot, handler, running):
    late = MailUser(f"spaet-{uuid.uuid4().hex[:8]}@example.org", "secret")
    reader = ImapReader(
        settings_for(dovecot, late, max_backoff=0.4, poll_interval=60.0),
        checkpoint=MemoryCheckpoint(),
        handler=handler,
    )
    running(reader)
    await wait_until(lambda: (reader.status.last_error or "").startswith("ImapAuthError"), within=3)

    await asyncio.to_thread(dovecot.add_user, late.name, late.password)
    await wait_until(lambda: reader.status.idling, within=5)
    await deliver(dovecot, late, "endlich")
    await wait_until(lambda: len(handler.calls) == 1, within=2)


async def test_idle_is_reissued_after_idle_timeout_and_keeps_working(
    dovecot, mail_user, imap_settings, handler, running
):
    now = [1000.0]
    reader = ImapReader(
        imap_settings(idle_timeout=300.0, poll_interval=600.0),
        checkpoint=MemoryCheckpoint(),
        handler=handler,
        clock=lambda: now[0],
    )
    running(reader)
    await wait_until(lambda: reader.status.idling and reader.status.last_pass_at == 1000.0, within=5)

    now[0] += 301  # RFC 2177: DONE and a fresh IDLE, followed by a safety-net pass
    await wait_until(lambda: reader.status.last_pass_at == 1301.0, within=3)
    await wait_until(lambda: reader.status.idling, within=3)

    await deliver(dovecot, mail_user, "nach dem Erneuern")
    await wait_until(lambda: len(handler.calls) == 1, within=2)
    assert reader.status.last_error is None
