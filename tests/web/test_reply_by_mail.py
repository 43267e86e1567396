"""A web visitor who left an address gets the advisor's reply in the page and by mail."""

from __future__ import annotations

from sqlmodel import select

from services.tickets import AdvisorReply, NewTicket, record_advisor_reply
from services.tickets import open_ticket as open_ticket_
from storage import web_chat
from storage.tables import OutboxMail, TelegramOutbox
from tests.services.test_tickets import CONFIG


async def _web_ticket(sessions, *, reply_email: str | None):
    async with sessions() as session:
        visitor = await web_chat.add_visitor(session, token="cookie-of-the-visitor")
        await web_chat.set_reply_email(session, visitor_id=visitor.id, email=reply_email)
        await session.commit()
        ticket = await open_ticket_(
            session,
            CONFIG,
            NewTicket(
                channel="web",
                question="Wird ein Trinkbrunnen gefördert?",
                requester_name="Frau Web",
                chat_id=visitor.chat_id,
            ),
        )
    return ticket


async def _reply(sessions, ticket):
    async with sessions() as session:
        await record_advisor_reply(
            session,
            CONFIG,
            ticket,
            AdvisorReply("anna@example.org", "Ja, über die Klimarichtlinie.", "<r@x>"),
        )
        relayed = (await session.exec(select(TelegramOutbox))).all()
        mails = (await session.exec(select(OutboxMail).where(OutboxMail.purpose == "advisor_reply"))).all()
    return relayed, mails


async def test_the_reply_goes_to_the_page_and_to_the_address_left(sessions):
    ticket = await _web_ticket(sessions, reply_email="frau.web@gemeinde.de")
    relayed, mails = await _reply(sessions, ticket)
    assert [item.kind for item in relayed] == ["reply"]
    assert len(mails) == 1 and mails[0].primary_recipient == "frau.web@gemeinde.de"
    assert "Klimarichtlinie" in mails[0].payload


async def test_without_an_address_the_reply_waits_in_the_page_only(sessions):
    ticket = await _web_ticket(sessions, reply_email=None)
    relayed, mails = await _reply(sessions, ticket)
    assert [item.kind for item in relayed] == ["reply"] and mails == []
