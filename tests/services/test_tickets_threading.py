"""Which Message-IDs tie a mail to a ticket (issue #9): only those of mails the bot itself sent, per audience."""

from __future__ import annotations

from sqlmodel import select

from services.advisors import Advisor, AdvisorDirectory
from services.outgoing import OutgoingMail
from services.tickets import (
    Audience,
    NewTicket,
    TicketConfig,
    add_requester_message,
    find_ticket_by_sent_message_ids,
    fit_column,
    open_ticket,
)
from storage.tables import OutboxMail, Ticket

CONFIG = TicketConfig(
    inbox_address="fachstelle@example.org", advisors=AdvisorDirectory((Advisor("Anna", "anna@example.org"),))
)


async def _email_ticket(sessions, incoming="<question@marburg.de>") -> tuple[Ticket, dict[str, str]]:
    new = NewTicket(
        channel="email",
        question="Welche Bäume?",
        requester_email="kaemmerei@marburg.de",
        incoming_message_id=incoming,
    )
    async with sessions() as session:
        ticket = await open_ticket(session, CONFIG, new)
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    return ticket, {row.purpose: OutgoingMail.from_json(row.payload).message_id for row in rows}


async def test_a_mail_to_the_advisors_ties_an_advisor_reply_and_a_mail_to_the_requester_does_not(sessions):
    ticket, sent = await _email_ticket(sessions)
    async with sessions() as session:
        found = await find_ticket_by_sent_message_ids(
            session, [sent["escalation"]], audience=Audience.ADVISORS
        )
        assert found.id == ticket.id
        ack = [sent["acknowledgement"]]
        assert await find_ticket_by_sent_message_ids(session, ack, audience=Audience.ADVISORS) is None
        assert (
            await find_ticket_by_sent_message_ids(session, ack, audience=Audience.REQUESTER)
        ).id == ticket.id
        assert (await find_ticket_by_sent_message_ids(session, ack)).id == ticket.id


async def test_the_requesters_own_message_id_ties_nothing(sessions):
    await _email_ticket(sessions, incoming="<question@marburg.de>")
    async with sessions() as session:
        for audience in (None, Audience.ADVISORS, Audience.REQUESTER):
            assert (
                await find_ticket_by_sent_message_ids(session, ["<question@marburg.de>"], audience=audience)
                is None
            )


async def test_the_first_known_id_wins_and_unknown_or_empty_ids_are_skipped(sessions):
    first, first_sent = await _email_ticket(sessions, incoming="<q1@marburg.de>")
    second, second_sent = await _email_ticket(sessions, incoming="<q2@marburg.de>")
    async with sessions() as session:
        ids = ["", "<unknown@x>", second_sent["escalation"], first_sent["escalation"]]
        assert (await find_ticket_by_sent_message_ids(session, ids)).id == second.id
        assert await find_ticket_by_sent_message_ids(session, []) is None


async def test_a_follow_up_mail_to_the_advisors_ties_their_reply_too(sessions):
    ticket, _ = await _email_ticket(sessions)
    async with sessions() as session:
        ticket = await session.get(Ticket, ticket.id)
        await add_requester_message(session, CONFIG, ticket, text="Noch etwas", channel="email")
        rows = (await session.exec(select(OutboxMail).where(OutboxMail.purpose == "follow_up"))).all()
        follow_up = OutgoingMail.from_json(rows[0].payload)
        found = await find_ticket_by_sent_message_ids(
            session, [follow_up.message_id], audience=Audience.ADVISORS
        )
    assert found.id == ticket.id


async def test_requester_values_are_fitted_to_their_columns(sessions):
    new = NewTicket(
        channel="email",
        question="Frage",
        requester_name="N" * 500,
        municipality_name="M" * 500,
        incoming_message_id="<" + "i" * 2000 + "@x>",
        considered=(("e" * 400, "t"), ("f" * 400, "t")),
    )
    async with sessions() as session:
        ticket = await open_ticket(session, CONFIG, new)
    assert len(ticket.requester_name) == 200 and len(ticket.municipality_name) == 200
    assert len(ticket.considered_entries) <= 500
    assert fit_column("abc", 2) == "ab" and fit_column(None, 2) is None
