"""Over-long values and data errors (issue #9): one mail never stops the inbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from email.utils import make_msgid

from sqlmodel import select

import mail.handling
from mail.handling import Outcome, handle_email
from services.outgoing import OutgoingMail
from services.tickets import NewTicket, open_ticket
from storage.tables import OutboxMail, ProcessedMail, TelegramOutbox, Ticket, TicketMessage
from tests.mail_pipeline.conftest import ADVISOR, make_mail

QUESTION = "Welche Baumarten eignen sich für Friedhöfe?"


def raw_mail(
    *, from_header: str, message_id: str | None = None, subject: str = "Baumpflanzung", body: str = QUESTION
) -> bytes:
    """A mail written byte by byte, so header values of any length survive unchanged."""
    message_id = message_id or make_msgid(domain="marburg.de")
    return (
        f"From: {from_header}\r\nTo: fachstelle@example.org\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


async def _tickets(inbox):
    async with inbox.sessions() as session:
        return (await session.exec(select(Ticket).order_by(Ticket.id))).all()


async def test_an_over_long_from_name_is_cut_to_fit_and_the_mail_becomes_a_ticket(inbox):
    name = "Stadtverwaltung " + "Ä" * 300
    result = await handle_email(raw_mail(from_header=f"{name} <kaemmerei@marburg.de>"), inbox)
    assert result.outcome is Outcome.PROCESSED and result.ticket_reference
    (ticket,) = await _tickets(inbox)
    assert len(ticket.requester_name) <= 200 and ticket.requester_name.startswith("Stadtverwaltung ÄÄ")


async def test_an_over_long_message_id_is_hashed_so_the_mail_is_handled_once(inbox):
    long_id = "<" + "k" * 1500 + "@marburg.de>"
    raw = raw_mail(from_header="Kämmerei <kaemmerei@marburg.de>", message_id=long_id)
    first = await handle_email(raw, inbox)
    second = await handle_email(raw, inbox)
    assert first.outcome is Outcome.PROCESSED and first.ticket_reference
    assert second.reason == "duplicate"
    async with inbox.sessions() as session:
        (mark,) = (await session.exec(select(ProcessedMail))).all()
        stored = (await session.exec(select(TicketMessage.message_id))).all()
    assert len(mark.message_key) <= 998 and all(len(value or "") <= 998 for value in stored)


async def test_an_over_long_from_address_is_quarantined_with_the_reason(inbox):
    address = "k" * 400 + "@marburg.de"
    result = await handle_email(raw_mail(from_header=f"Kämmerei <{address}>"), inbox)
    assert result.outcome is Outcome.QUARANTINE and "From" in result.reason
    assert await _tickets(inbox) == []


async def test_an_advisor_reply_with_an_over_long_message_id_and_file_name_is_relayed(inbox):
    async with inbox.sessions() as session:
        ticket = await open_ticket(
            session, inbox.tickets, NewTicket(channel="telegram", question=QUESTION, chat_id=7)
        )
        (row,) = (await session.exec(select(OutboxMail))).all()
    escalation = OutgoingMail.from_json(row.payload)
    file_name = "Förderbescheid " + "x" * 300 + ".pdf"
    reply = make_mail(
        sender=ADVISOR,
        subject="Re: " + escalation.subject,
        body="Anbei der Bescheid.",
        in_reply_to=escalation.message_id,
        attachments=((file_name, b"%PDF-1.7"),),
    ).replace(b"Message-ID: <", b"Message-ID: <" + b"m" * 1200, 1)
    result = await handle_email(reply, inbox)
    assert result.reason == "advisor reply relayed", result
    async with inbox.sessions() as session:
        rows = (await session.exec(select(TelegramOutbox).order_by(TelegramOutbox.id))).all()
    document = rows[-1]
    assert document.kind == "document" and len(document.document_name) <= 255
    assert document.document_name.startswith("Förderbescheid") and document.document_name.endswith(".pdf")
    assert ticket.reference


async def test_a_mail_that_hits_a_data_error_is_quarantined_and_the_next_one_is_handled(inbox, monkeypatch):
    real_open_ticket = mail.handling.open_ticket

    async def open_ticket_with_a_bad_value(session, config, new):
        if "Gift" in (new.subject or ""):
            # a value the database refuses: a NOT NULL column left empty (SQLite and PostgreSQL agree)
            session.add(ProcessedMail(message_key="bad", outcome=None))
            await session.flush()
        return await real_open_ticket(session, config, new)

    monkeypatch.setattr(mail.handling, "open_ticket", open_ticket_with_a_bad_value)
    poison = await handle_email(raw_mail(from_header="a@marburg.de", subject="Gift"), inbox)
    normal = await handle_email(raw_mail(from_header="b@marburg.de"), inbox)
    assert poison.outcome is Outcome.QUARANTINE and "IntegrityError" in poison.reason
    assert normal.outcome is Outcome.PROCESSED and normal.ticket_reference
    assert [ticket.requester_email for ticket in await _tickets(inbox)] == ["b@marburg.de"]


async def test_a_value_too_long_for_postgresql_is_quarantined_not_retried_forever(
    postgresql_clean, answering, monkeypatch
):
    from mail.handling import InboxContext
    from services.advisors import Advisor, AdvisorDirectory
    from services.municipalities import load_municipalities
    from services.tickets import TicketConfig
    from storage.database import create_engine, session_factory

    engine = create_engine(postgresql_clean)
    config = TicketConfig(
        inbox_address="fachstelle@example.org", advisors=AdvisorDirectory((Advisor("A", ADVISOR),))
    )
    inbox = InboxContext(session_factory(engine), config, answering, load_municipalities())
    real_open_ticket = mail.handling.open_ticket

    async def open_ticket_with_a_long_value(session, config, new):
        # a column nobody fitted yet: PostgreSQL raises "value too long" (a DataError)
        session.add(ProcessedMail(message_key="bad", outcome="x" * 40))
        await session.flush()
        return await real_open_ticket(session, config, new)

    monkeypatch.setattr(mail.handling, "open_ticket", open_ticket_with_a_long_value)
    try:
        result = await handle_email(raw_mail(from_header="a@marburg.de"), inbox)
    finally:
        await engine.dispose()
    assert result.outcome is Outcome.QUARANTINE and "DataError" in result.reason


async def test_a_concurrent_duplicate_is_a_duplicate_not_a_data_error(inbox, monkeypatch):
    raw = raw_mail(from_header="a@marburg.de", message_id="<twice@marburg.de>")
    real_open_ticket = mail.handling.open_ticket

    async def another_instance_was_faster(session, config, new):
        # the same mail, handled meanwhile by a second reader: our processed-mark now collides
        async with inbox.sessions() as other:
            other.add(ProcessedMail(message_key="<twice@marburg.de>", outcome="ticket"))
            await other.commit()
        return await real_open_ticket(session, config, new)

    monkeypatch.setattr(mail.handling, "open_ticket", another_instance_was_faster)
    result = await handle_email(raw, inbox)
    assert result.outcome is Outcome.PROCESSED and result.reason == "duplicate"
