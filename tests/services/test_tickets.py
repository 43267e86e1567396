"""Tickets on SQLite and PostgreSQL: references, outbox in the same transaction, relay, close."""

import asyncio

from sqlmodel import select

from services.advisors import Advisor, AdvisorDirectory
from services.outgoing import OutgoingMail
from services.tickets import (
    AdvisorReply,
    NewTicket,
    TicketConfig,
    add_requester_message,
    allocate_reference,
    close_ticket,
    find_ticket_by_message_ids,
    open_ticket,
    record_advisor_reply,
)
from storage.tables import OutboxMail, TelegramOutbox, TicketMessage

CONFIG = TicketConfig(
    inbox_address="fachstelle@example.org",
    advisors=AdvisorDirectory(
        (Advisor("Anna Berater", "anna@example.org"), Advisor("Bernd B", "bernd@example.org"))
    ),
)


async def _open(sessions, **fields):
    new = NewTicket(
        channel="telegram",
        question="Wie fördern wir einen Trinkbrunnen am Marktplatz?",
        requester_name="Frau Test",
        chat_id=4711,
        municipality_ags="06534014",
        municipality_name="Marburg",
        conversation=("Nutzer: Trinkbrunnen Förderung?", "Bot: keine sichere Antwort"),
        considered=(("krl-klimaanpassung-beispiele", "Klimaanpassung: Was fördert die Klimarichtlinie?"),),
    )
    async with sessions() as session:
        return await open_ticket(session, CONFIG, NewTicket(**{**new.__dict__, **fields}))


async def test_references_are_unique_and_consecutive_under_concurrency(sessions):
    async def one():
        async with sessions() as session:
            reference = await allocate_reference(session, year=2026)
            await session.commit()
            return reference

    references = await asyncio.gather(*(one() for _ in range(20)))
    assert sorted(references) == [f"KK-2026-{n:04d}" for n in range(1, 21)]


async def test_opening_a_ticket_queues_the_advisor_mail_and_the_copy_in_one_transaction(sessions):
    ticket = await _open(sessions, requester_email="Test@Marburg.de")
    async with sessions() as session:
        mails = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    assert ticket.reference.startswith("KK-") and ticket.state == "waiting"
    assert [m.purpose for m in mails] == ["escalation", "acknowledgement"]
    escalation = OutgoingMail.from_json(mails[0].payload)
    assert escalation.subject.startswith(f"[{ticket.reference}] Wie fördern wir")
    assert {address for _, address in escalation.to} == {"anna@example.org", "bernd@example.org"}
    assert "Marburg" in escalation.text and "krl-klimaanpassung-beispiele" in escalation.text
    assert "Trinkbrunnen Förderung?" in escalation.text
    assert OutgoingMail.from_json(mails[1].payload).to == (("Frau Test", "test@marburg.de"),)


async def test_a_follow_up_threads_onto_the_advisor_mail(sessions):
    ticket = await _open(sessions)
    async with sessions() as session:
        await add_requester_message(session, CONFIG, ticket, text="Noch eine Ergänzung", channel="telegram")
        mails = [
            OutgoingMail.from_json(m.payload)
            for m in (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
        ]
    first, follow_up = mails
    assert follow_up.in_reply_to == first.message_id and first.message_id in follow_up.references
    async with sessions() as session:
        assert (await find_ticket_by_message_ids(session, [follow_up.message_id])).id == ticket.id


async def test_an_advisor_reply_is_relayed_to_telegram_and_intern_notes_are_not(sessions):
    ticket = await _open(sessions)
    async with sessions() as session:
        await record_advisor_reply(
            session,
            CONFIG,
            ticket,
            AdvisorReply("anna@example.org", "Nur für uns: prüfen", "<i1@x>", internal=True),
        )
        ticket = await record_advisor_reply(
            session,
            CONFIG,
            ticket,
            AdvisorReply(
                "anna@example.org",
                "Das geht über die Klimarichtlinie <b>!</b>",
                "<r1@x>",
                attachments=(("info.pdf", b"%PDF"),),
            ),
        )
        relayed = (await session.exec(select(TelegramOutbox).order_by(TelegramOutbox.id))).all()
        messages = (await session.exec(select(TicketMessage).where(TicketMessage.author == "advisor"))).all()
    assert [r.kind for r in relayed] == ["reply", "document"]
    assert "Klimarichtlinie &lt;b&gt;!&lt;/b&gt;" in relayed[0].text and "prüfen" not in relayed[0].text
    assert ticket.state == "answered" and ticket.answered_by == "anna@example.org"
    assert [m.internal for m in messages] == [True, False]


async def test_erledigt_relays_then_closes_and_tells_the_user(sessions):
    ticket = await _open(sessions)
    async with sessions() as session:
        ticket = await record_advisor_reply(
            session, CONFIG, ticket, AdvisorReply("anna@example.org", "Antwort", "<r2@x>", close=True)
        )
        relayed = (await session.exec(select(TelegramOutbox).order_by(TelegramOutbox.id))).all()
    assert ticket.state == "closed"
    assert "Antwort" in relayed[0].text and "abgeschlossen" in relayed[1].text


async def test_an_email_requester_gets_the_reply_by_mail_and_the_cli_can_close(sessions):
    ticket = await _open(
        sessions, channel="email", chat_id=None, requester_email="a@b.de", incoming_message_id="<q@b.de>"
    )
    async with sessions() as session:
        await record_advisor_reply(
            session, CONFIG, ticket, AdvisorReply("anna@example.org", "Hallo!", "<r3@x>")
        )
        await close_ticket(session, CONFIG, reference=ticket.reference.lower(), by="cli")
        mails = [
            OutgoingMail.from_json(m.payload)
            for m in (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
        ]
    reply = mails[2]
    assert reply.to == (("Frau Test", "a@b.de"),) and reply.text == "Hallo!"
    assert "<q@b.de>" in reply.references
    assert mails[1].auto_submitted == "auto-replied" and mails[1].in_reply_to == "<q@b.de>"
    assert mails[-1].auto_submitted == "auto-generated"
