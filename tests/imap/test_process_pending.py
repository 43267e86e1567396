"""One pass of the IMAP reader against a real Dovecot: UID order, filing, faults, checkpoints, UIDVALIDITY."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
from imapclient import DELETED, SEEN

from mail.imap_reader import (
    ImapAuthError,
    ImapConnectionError,
    ImapHandlerError,
    ImapReader,
    MemoryCheckpoint,
)
from tests.imap.conftest import RecordingHandler, settings_for
from tests.imap.dovecot import make_message, port_open


async def deliver(server, user, *subjects: str, folder: str = "INBOX") -> list[int]:
    """APPEND messages as a mail client would; returns their UIDs."""
    uids = []
    for subject in subjects:
        uids.append(await asyncio.to_thread(server.append, user, make_message(subject), folder))
    return uids


async def test_new_messages_are_handled_once_in_uid_order_and_moved_to_processed(
    dovecot, mail_user, make_reader, handler, checkpoint
):
    uids = await deliver(dovecot, mail_user, "Frage 1", "Frage 2", "Frage 3")
    reader = make_reader()

    assert await reader.process_pending() == 3
    assert await reader.process_pending() == 0

    assert handler.uids == uids == sorted(uids)
    assert handler.subjects == ["Frage 1", "Frage 2", "Frage 3"]
    assert dovecot.count(mail_user, "INBOX") == 0
    assert dovecot.bodies(mail_user, "Processed") == [raw for _uid, raw in handler.calls]
    # BODY.PEEK[]: the office still sees the mail as unread in its client.
    assert all(SEEN not in flags for flags in dovecot.flags(mail_user, "Processed"))
    assert (checkpoint.uidvalidity, checkpoint.last_uid) == (dovecot.uidvalidity(mail_user), uids[-1])
    assert reader.status.processed_count == 3
    assert not reader.status.connected


async def test_quarantine_outcome_moves_message_to_quarantine_and_logs_reason(
    dovecot, mail_user, make_reader, caplog
):
    await deliver(dovecot, mail_user, "Frage", "Billig SPAM kaufen")
    reader = make_reader()

    with caplog.at_level(logging.WARNING, logger="mail.imap_reader"):
        assert await reader.process_pending() == 2

    assert dovecot.count(mail_user, "Processed") == 1
    assert dovecot.count(mail_user, "Quarantine") == 1
    assert b"SPAM" in dovecot.bodies(mail_user, "Quarantine")[0]
    assert any("quarantined" in r.message and "looks like spam" in r.message for r in caplog.records)
    assert reader.status.quarantined_count == 1


async def test_handler_failure_leaves_message_in_inbox_and_next_pass_handles_it(
    dovecot, mail_user, make_reader, handler, checkpoint
):
    first, second = await deliver(dovecot, mail_user, "Frage 1", "Frage 2")
    handler.fail_next = 1
    reader = make_reader()

    with pytest.raises(ImapHandlerError) as failure:
        await reader.process_pending()

    assert failure.value.uid == first
    assert dovecot.uids(mail_user, "INBOX") == [first, second]
    assert dovecot.count(mail_user, "Processed") == 0
    assert checkpoint.last_uid == 0
    assert not reader.status.connected

    assert await reader.process_pending() == 2
    assert handler.uids == [first, first, second]
    assert dovecot.count(mail_user, "INBOX") == 0
    assert dovecot.count(mail_user, "Processed") == 2


async def test_no_message_is_ever_deleted(dovecot, mail_user, make_reader, handler):
    await deliver(dovecot, mail_user, "Frage 1", "spam 1", "Frage 2", "spam 2", "Frage 3")
    reader = make_reader()
    handler.fail_next = 1
    expected = 5

    for _ in range(4):
        with contextlib.suppress(ImapHandlerError):
            await reader.process_pending()
        assert dovecot.total(mail_user) == expected
        await deliver(dovecot, mail_user, "Nachzügler")
        expected += 1

    assert dovecot.total(mail_user) == expected == 9
    assert dovecot.count(mail_user, "INBOX") == 1  # the last one, delivered after the final pass
    assert dovecot.count(mail_user, "Quarantine") == 2
    assert dovecot.count(mail_user, "Processed") == 6


async def test_restarted_reader_with_the_same_checkpoint_does_not_rehandle(
    dovecot, mail_user, imap_settings, checkpoint
):
    await deliver(dovecot, mail_user, "Frage 1", "Frage 2")
    before = RecordingHandler()
    assert await ImapReader(imap_settings(), checkpoint=checkpoint, handler=before).process_pending() == 2
    (late,) = await deliver(dovecot, mail_user, "Frage 3")

    after = RecordingHandler()
    restarted = ImapReader(imap_settings(), checkpoint=checkpoint, handler=after)
    assert await restarted.process_pending() == 1
    assert after.uids == [late]


async def test_message_left_in_inbox_below_the_checkpoint_is_not_rehandled(
    dovecot, mail_user, make_reader, handler, checkpoint
):
    # e.g. filed by a server without MOVE/UIDPLUS, where the original stays behind
    (old,) = await deliver(dovecot, mail_user, "schon erledigt")
    checkpoint.uidvalidity, checkpoint.last_uid = dovecot.uidvalidity(mail_user), old
    (new,) = await deliver(dovecot, mail_user, "Frage")

    assert await make_reader().process_pending() == 1
    assert handler.uids == [new]
    assert dovecot.uids(mail_user, "INBOX") == [old]


async def test_uidvalidity_change_rescans_the_mailbox_without_losing_mail(
    dovecot, mail_user, make_reader, handler, checkpoint, caplog
):
    first, second = await deliver(dovecot, mail_user, "Frage 1", "Frage 2")
    # The checkpoint claims UID 1 done, then the server renumbers (a migration or index rebuild).
    checkpoint.uidvalidity, checkpoint.last_uid = dovecot.uidvalidity(mail_user), first
    dovecot.set_uidvalidity(mail_user, "INBOX", 4242)

    with caplog.at_level(logging.WARNING, logger="mail.imap_reader"):
        assert await make_reader().process_pending() == 2

    assert handler.uids == [first, second]
    assert (checkpoint.uidvalidity, checkpoint.last_uid) == (4242, second)
    assert any("UIDVALIDITY" in record.message for record in caplog.records)
    assert dovecot.count(mail_user, "Processed") == 2


async def test_recreated_mailbox_gets_new_uidvalidity_and_is_rescanned(
    dovecot, mail_user, imap_settings, handler, checkpoint
):
    await deliver(dovecot, mail_user, "alt 1", "alt 2", "alt 3", folder="Beratung")
    reader = ImapReader(imap_settings(mailbox="Beratung"), checkpoint=checkpoint, handler=handler)
    assert await reader.process_pending() == 3
    old_validity = checkpoint.uidvalidity

    # Another client deletes and recreates the folder: UIDs start at 1 again, below last_uid 3.
    dovecot.delete_folder(mail_user, "Beratung")
    dovecot.create_folder(mail_user, "Beratung")
    fresh = await deliver(dovecot, mail_user, "neu 1", "neu 2", folder="Beratung")
    assert max(fresh) <= 3

    assert await reader.process_pending() == 2
    assert handler.subjects[-2:] == ["neu 1", "neu 2"]
    assert checkpoint.uidvalidity != old_validity
    assert dovecot.count(mail_user, "Beratung") == 0
    assert dovecot.count(mail_user, "Processed") == 5


async def test_wrong_password_raises_auth_error(dovecot, mail_user, make_reader):
    reader = make_reader(password="falsch")
    with pytest.raises(ImapAuthError):
        await reader.process_pending()
    assert not reader.status.connected


async def test_unreachable_server_raises_connection_error(dovecot, mail_user, handler):
    closed = settings_for(dovecot, mail_user, port=1)
    assert not port_open(1)
    with pytest.raises(ImapConnectionError):
        await ImapReader(closed, checkpoint=MemoryCheckpoint(), handler=handler).process_pending()


async def test_without_move_copies_then_expunges_only_that_uid(dovecot_no_move, handler):
    user = dovecot_no_move.add_user()
    (marked,) = await deliver(dovecot_no_move, user, "vom Büro gelöscht")
    dovecot_no_move.flag(user, marked, DELETED)  # someone's own \Deleted mail, not ours to expunge
    checkpoint = MemoryCheckpoint(dovecot_no_move.uidvalidity(user), marked)
    (new,) = await deliver(dovecot_no_move, user, "Frage")
    reader = ImapReader(settings_for(dovecot_no_move, user), checkpoint=checkpoint, handler=handler)

    assert await reader.process_pending() == 1

    assert handler.uids == [new]
    assert dovecot_no_move.uids(user, "INBOX") == [marked]
    assert dovecot_no_move.count(user, "Processed") == 1
    assert dovecot_no_move.total(user) == 2


async def test_without_move_or_uidplus_copies_and_keeps_the_original(dovecot_bare, handler):
    user = dovecot_bare.add_user()
    (uid,) = await deliver(dovecot_bare, user, "Frage")
    checkpoint = MemoryCheckpoint()
    reader = ImapReader(settings_for(dovecot_bare, user), checkpoint=checkpoint, handler=handler)

    assert await reader.process_pending() == 1
    assert await reader.process_pending() == 0

    assert handler.uids == [uid]
    assert dovecot_bare.uids(user, "INBOX") == [uid]
    assert all(DELETED not in flags for flags in dovecot_bare.flags(user, "INBOX"))
    assert dovecot_bare.count(user, "Processed") == 1
    assert reader.status.idle_supported is False


async def test_concurrent_passes_handle_each_message_once(dovecot, mail_user, make_reader, handler):
    uids = await deliver(dovecot, mail_user, "Frage 1", "Frage 2", "Frage 3")
    reader = make_reader()

    counts = await asyncio.gather(reader.process_pending(), reader.process_pending())

    assert sorted(counts) == [0, 3]
    assert handler.uids == uids


async def test_folders_with_non_ascii_names_are_created_and_used(dovecot, mail_user, make_reader):
    await deliver(dovecot, mail_user, "Frage", "spam")
    reader = make_reader(processed_folder="Erledigt", quarantine_folder="Prüfung")

    assert await reader.process_pending() == 2

    assert {"Erledigt", "Prüfung"} <= set(dovecot.folders(mail_user))
    assert dovecot.count(mail_user, "Prüfung") == 1
