"""The advisory inbox read from a real Dovecot: corpora, crash and restart, exactly-once."""

import asyncio

from sqlmodel import func, select

from bot.mail_channel import build_imap_reader
from mail.handling import handle_email
from storage.tables import ProcessedMail, Ticket
from tests.mail_pipeline.conftest import make_mail
from tests.mail_pipeline.test_corpora import corpus_files


async def test_every_corpus_message_is_processed_or_quarantined_and_nothing_is_lost(
    pipeline, dovecot_server, mailbox
):
    settings, context, _ = pipeline
    files = corpus_files()
    dovecot_server.append_all(mailbox, [path.read_bytes() for path in files])
    before = dovecot_server.total(mailbox)
    reader = build_imap_reader(settings, context)
    handled = 0
    for _ in range(5):  # bounded: each pass handles everything that is new
        handled += await reader.process_pending()
        if dovecot_server.count(mailbox, "INBOX") == 0:
            break
    processed = dovecot_server.count(mailbox, "Processed")
    quarantined = dovecot_server.count(mailbox, "Quarantine")
    print(f"{len(files)} corpus files: {processed} processed, {quarantined} quarantined")
    assert dovecot_server.count(mailbox, "INBOX") == 0
    assert processed + quarantined == before == dovecot_server.total(mailbox)


async def test_a_crash_after_handling_does_not_handle_the_message_twice(pipeline, dovecot_server, mailbox):
    settings, context, sessions = pipeline
    dovecot_server.append(
        mailbox, make_mail(subject="Baumpflanzung", body="Welche Baumarten eignen sich für Friedhöfe?")
    )

    crashed = asyncio.Event()

    async def crash_after_commit(uid, raw):
        await handle_email(raw, context)  # the ticket is committed …
        crashed.set()
        raise asyncio.CancelledError  # … and the process dies before the message is moved

    reader = build_imap_reader(settings, context)
    reader._handler = crash_after_commit  # the same reader, killed mid-way
    try:
        await reader.process_pending()
    except (asyncio.CancelledError, Exception):
        pass
    assert crashed.is_set() and dovecot_server.count(mailbox, "INBOX") == 1

    restarted = build_imap_reader(settings, context)
    await restarted.process_pending()
    async with sessions() as session:
        tickets = (await session.exec(select(func.count(Ticket.id)))).one()
        marks = (await session.exec(select(func.count(ProcessedMail.message_key)))).one()
    assert tickets == 1 and marks == 1
    assert dovecot_server.count(mailbox, "INBOX") == 0 and dovecot_server.count(mailbox, "Processed") == 1
