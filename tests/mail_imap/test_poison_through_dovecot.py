"""A poison mail in a real Dovecot inbox on PostgreSQL (issue #9): the mails behind it are still handled."""

from __future__ import annotations

from sqlmodel import select

import mail.handling
from bot.mail_channel import build_imap_reader
from mail.imap_reader import ImapHandlerError
from storage.tables import ProcessedMail, Ticket
from tests.mail_pipeline.test_poison_mail import raw_mail


async def _drain(reader, passes: int = 3) -> None:
    """A few passes, as the running reader would make them; a handler fault ends a pass."""
    for _ in range(passes):
        try:
            await reader.process_pending()
        except ImapHandlerError:
            continue


async def _requesters(sessions) -> list[str]:
    async with sessions() as session:
        return list((await session.exec(select(Ticket.requester_email).order_by(Ticket.id))).all())


async def test_over_long_values_do_not_stop_the_inbox(pg_pipeline, dovecot_server, mailbox):
    settings, context, sessions = pg_pipeline
    dovecot_server.append(mailbox, raw_mail(from_header="Rathaus " + "Ä" * 300 + " <name@marburg.de>"))
    dovecot_server.append(mailbox, raw_mail(from_header="id@marburg.de", message_id="<" + "i" * 1500 + "@x>"))
    dovecot_server.append(mailbox, raw_mail(from_header="Lang <" + "a" * 400 + "@marburg.de>"))
    dovecot_server.append(mailbox, raw_mail(from_header="normal@marburg.de"))
    await _drain(build_imap_reader(settings, context))
    assert await _requesters(sessions) == ["name@marburg.de", "id@marburg.de", "normal@marburg.de"]
    assert dovecot_server.count(mailbox, "INBOX") == 0
    assert (
        dovecot_server.count(mailbox, "Processed") == 3 and dovecot_server.count(mailbox, "Quarantine") == 1
    )


async def test_a_mail_that_hits_a_data_error_goes_to_quarantine_and_the_next_is_processed(
    pg_pipeline, dovecot_server, mailbox, monkeypatch
):
    settings, context, sessions = pg_pipeline
    real_open_ticket = mail.handling.open_ticket

    async def open_ticket_with_a_long_value(session, config, new):
        if "Gift" in (new.subject or ""):
            session.add(ProcessedMail(message_key="bad", outcome="x" * 40))  # PostgreSQL: value too long
            await session.flush()
        return await real_open_ticket(session, config, new)

    monkeypatch.setattr(mail.handling, "open_ticket", open_ticket_with_a_long_value)
    dovecot_server.append(mailbox, raw_mail(from_header="gift@marburg.de", subject="Gift"))
    dovecot_server.append(mailbox, raw_mail(from_header="normal@marburg.de"))
    await _drain(build_imap_reader(settings, context))
    assert await _requesters(sessions) == ["normal@marburg.de"]
    assert (
        dovecot_server.count(mailbox, "Quarantine") == 1 and dovecot_server.count(mailbox, "Processed") == 1
    )
