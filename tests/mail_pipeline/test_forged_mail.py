"""Forged mail (issue #9): only a reply threaded onto a mail the bot sent may act for an advisor or a requester."""

from __future__ import annotations

from sqlmodel import select

from mail.handling import Outcome, handle_email
from services.outgoing import OutgoingMail
from services.tickets import NewTicket, open_ticket
from storage.tables import OutboxMail, ProcessedMail, TelegramOutbox, Ticket, TicketMessage
from tests.mail_pipeline.conftest import ADVISOR, make_mail

REQUESTER = "kaemmerei@marburg.de"
DMARC_FAIL = {
    "Authentication-Results": "mx.fachstelle.example; dmarc=fail (p=reject) header.from=example.org"
}


async def _outbox(inbox, purpose=None):
    async with inbox.sessions() as session:
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    return [OutgoingMail.from_json(r.payload) for r in rows if purpose is None or r.purpose == purpose]


async def _telegram(inbox):
    async with inbox.sessions() as session:
        return (await session.exec(select(TelegramOutbox))).all()


async def _tickets(inbox):
    async with inbox.sessions() as session:
        return (await session.exec(select(Ticket).order_by(Ticket.id))).all()


async def _telegram_ticket(inbox) -> Ticket:
    new = NewTicket(channel="telegram", question="Welche Baumarten eignen sich für Friedhöfe?", chat_id=4711)
    async with inbox.sessions() as session:
        return await open_ticket(session, inbox.tickets, new)


async def _email_ticket(inbox) -> tuple[Ticket, OutgoingMail, OutgoingMail, bytes]:
    """An e-mail ticket; returns it, the escalation, the acknowledgement and the requester's mail."""
    question = make_mail(
        sender=REQUESTER, subject="Baumpflanzung", body="Welche Baumarten eignen sich für Friedhöfe?"
    )
    await handle_email(question, inbox)
    escalation, acknowledgement = await _outbox(inbox)
    (ticket,) = await _tickets(inbox)
    return ticket, escalation, acknowledgement, question


async def test_a_forged_advisor_mail_with_only_the_subject_tag_is_quarantined_and_the_advisors_told(inbox):
    ticket = await _telegram_ticket(inbox)
    forged = make_mail(
        sender=ADVISOR,
        name="Anna Berater",
        subject=f"AW: [{ticket.reference}] Baumpflanzung",
        body="Bitte überweisen Sie die Gebühr an DE00 1234.\n#erledigt",
        attachments=(("rechnung.pdf", b"%PDF-evil"),),
    )
    result = await handle_email(forged, inbox)
    assert result.outcome is Outcome.QUARANTINE and ticket.reference in result.reason
    assert await _telegram(inbox) == []
    (after,) = await _tickets(inbox)
    assert after.state == "waiting" and after.answered_by is None
    (notice,) = await _outbox(inbox, "quarantine_notice")
    assert {address for _, address in notice.to} == {ADVISOR}
    assert ADVISOR in notice.text and ticket.reference in notice.text and "Quarantine" in notice.text
    assert notice.attachments == () and "DE00" not in notice.text and notice.auto_submitted
    assert f"[{ticket.reference}]" not in notice.subject  # a reply to the notice must not look like an answer


async def test_a_forged_advisor_mail_threaded_onto_the_requesters_own_message_is_quarantined(inbox):
    ticket, _, _, question = await _email_ticket(inbox)
    requester_message_id = next(
        line for line in question.decode().splitlines() if line.startswith("Message-ID")
    )
    message_id = requester_message_id.split(":", 1)[1].strip()
    forged = make_mail(
        sender=ADVISOR, subject="Re: Baumpflanzung", body="Die Antwort ist nein.", in_reply_to=message_id
    )
    result = await handle_email(forged, inbox)
    assert result.outcome is Outcome.QUARANTINE
    assert await _outbox(inbox, "advisor_reply") == []
    assert len(await _outbox(inbox, "quarantine_notice")) == 1


async def test_an_advisor_reply_threaded_onto_a_mail_the_bot_sent_the_requester_is_quarantined(inbox):
    _, _, acknowledgement, _ = await _email_ticket(inbox)
    forged = make_mail(
        sender=ADVISOR,
        subject="Re: " + acknowledgement.subject,
        body="Erledigt, keine Förderung.",
        in_reply_to=acknowledgement.message_id,
        references=(acknowledgement.message_id,),
    )
    result = await handle_email(forged, inbox)
    assert result.outcome is Outcome.QUARANTINE
    assert await _outbox(inbox, "advisor_reply") == []


async def test_the_same_forged_mail_again_stays_quarantined_and_the_advisors_are_told_once(inbox):
    ticket = await _telegram_ticket(inbox)
    forged = make_mail(sender=ADVISOR, subject=f"[{ticket.reference}] x", body="Gefälscht")
    first = await handle_email(forged, inbox)
    second = await handle_email(forged, inbox)
    assert first.outcome is Outcome.QUARANTINE and second.outcome is Outcome.QUARANTINE
    assert "duplicate" in second.reason
    assert len(await _outbox(inbox, "quarantine_notice")) == 1
    async with inbox.sessions() as session:
        (mark,) = (await session.exec(select(ProcessedMail))).all()
    assert mark.outcome == "quarantine" and ticket.reference in mark.reason


async def test_a_threaded_advisor_reply_whose_dmarc_failed_is_quarantined(inbox):
    ticket = await _telegram_ticket(inbox)
    (escalation,) = await _outbox(inbox, "escalation")
    reply = make_mail(
        sender=ADVISOR,
        subject="Re: " + escalation.subject,
        body="Feldahorn.",
        in_reply_to=escalation.message_id,
        headers=DMARC_FAIL,
    )
    result = await handle_email(reply, inbox)
    assert result.outcome is Outcome.QUARANTINE and "dmarc=fail" in result.reason
    assert await _telegram(inbox) == []
    (notice,) = await _outbox(inbox, "quarantine_notice")
    assert "dmarc=fail" in notice.text and ticket.reference in notice.text


async def test_a_threaded_advisor_reply_whose_dkim_and_spf_failed_is_quarantined(inbox):
    await _telegram_ticket(inbox)
    (escalation,) = await _outbox(inbox, "escalation")
    reply = make_mail(
        sender=ADVISOR,
        subject="Re: x",
        body="Feldahorn.",
        in_reply_to=escalation.message_id,
        headers={
            "Authentication-Results": "mx; dkim=fail header.d=example.org; spf=fail smtp.mailfrom=example.org"
        },
    )
    result = await handle_email(reply, inbox)
    assert result.outcome is Outcome.QUARANTINE and "dkim=fail, spf=fail" in result.reason
    assert await _telegram(inbox) == []


async def test_a_threaded_advisor_reply_that_passed_is_relayed_even_with_a_forged_fail_further_down(inbox):
    await _telegram_ticket(inbox)
    (escalation,) = await _outbox(inbox, "escalation")
    reply = make_mail(
        sender=ADVISOR,
        subject="Re: x",
        body="Feldahorn.",
        in_reply_to=escalation.message_id,
        headers={"Authentication-Results": "mx.fachstelle.example; dmarc=pass header.from=example.org"},
    )
    # what the sender wrote sits below what our server added on top
    raw = reply.replace(b"Authentication-Results", b"X-Moved", 1)
    raw = (
        b"Authentication-Results: mx.fachstelle.example; dmarc=pass header.from=example.org\r\n"
        + raw.replace(
            b"X-Moved: mx.fachstelle.example; dmarc=pass", b"Authentication-Results: evil.example; dmarc=fail"
        )
    )
    result = await handle_email(raw, inbox)
    assert result.reason == "advisor reply relayed"
    assert [row.kind for row in await _telegram(inbox)] == ["reply"]


async def test_an_advisor_reply_to_the_follow_up_mail_is_relayed(inbox):
    ticket, _, acknowledgement, _ = await _email_ticket(inbox)
    follow_up = make_mail(
        sender=REQUESTER,
        subject="Re: x",
        body="Noch eine Frage: auch Urnenfelder?",
        in_reply_to=acknowledgement.message_id,
    )
    assert (await handle_email(follow_up, inbox)).reason == "follow-up added"
    (forwarded,) = await _outbox(inbox, "follow_up")
    reply = make_mail(
        sender=ADVISOR, subject="Re: x", body="Ja, auch dort.", in_reply_to=forwarded.message_id
    )
    assert (await handle_email(reply, inbox)).reason == "advisor reply relayed"
    (relayed,) = await _outbox(inbox, "advisor_reply")
    assert relayed.to[0][1] == REQUESTER and relayed.text == "Ja, auch dort."
    # the requester never learns the Message-IDs of the advisors' thread
    (escalation,) = await _outbox(inbox, "escalation")
    assert escalation.message_id not in relayed.references and forwarded.message_id not in relayed.references
    assert relayed.in_reply_to != forwarded.message_id


async def test_a_stranger_using_the_requesters_address_and_the_tag_does_not_write_into_the_ticket(inbox):
    ticket, _, _, _ = await _email_ticket(inbox)
    forged = make_mail(
        sender=REQUESTER,
        subject=f"Re: [{ticket.reference}] Baumpflanzung",
        body="Bitte Bankdaten ändern: DE99.",
    )
    result = await handle_email(forged, inbox)
    assert result.outcome is Outcome.PROCESSED and result.ticket_reference != ticket.reference
    async with inbox.sessions() as session:
        thread = (await session.exec(select(TicketMessage).where(TicketMessage.ticket_id == ticket.id))).all()
    assert "DE99" not in " ".join(message.body for message in thread)
    new = (await _tickets(inbox))[-1]
    assert new.reference == result.ticket_reference
    escalation = (await _outbox(inbox, "escalation"))[-1]
    assert ticket.reference in escalation.text and "DE99" in escalation.text


async def test_a_requester_follow_up_whose_authentication_failed_is_not_added_to_the_ticket(inbox):
    ticket, _, acknowledgement, _ = await _email_ticket(inbox)
    forged = make_mail(
        sender=REQUESTER,
        subject="Re: " + acknowledgement.subject,
        body="Bitte Bankdaten ändern: DE99.",
        in_reply_to=acknowledgement.message_id,
        headers={"Authentication-Results": "mx.fachstelle.example; dmarc=fail header.from=marburg.de"},
    )
    result = await handle_email(forged, inbox)
    assert result.ticket_reference != ticket.reference
    assert await _outbox(inbox, "follow_up") == []
    # no automatic mail goes to an address that failed authentication
    assert len(await _outbox(inbox, "acknowledgement")) == 1
    escalation = (await _outbox(inbox, "escalation"))[-1]
    assert "dmarc=fail" in escalation.text


async def test_a_requester_reply_to_the_acknowledgement_is_still_a_follow_up(inbox):
    ticket, _, acknowledgement, _ = await _email_ticket(inbox)
    follow_up = make_mail(
        sender=REQUESTER,
        subject="Re: " + acknowledgement.subject,
        body="Ergänzung: es geht um 40 Bäume.",
        in_reply_to=acknowledgement.message_id,
        references=(acknowledgement.message_id,),
    )
    result = await handle_email(follow_up, inbox)
    assert result.reason == "follow-up added" and result.ticket_reference == ticket.reference


async def test_a_flood_of_forged_mails_is_all_quarantined_but_the_notices_are_capped(inbox, monkeypatch):
    import services.mail_requests

    monkeypatch.setattr(services.mail_requests, "QUARANTINE_NOTICES_PER_DAY", 2)
    ticket = await _telegram_ticket(inbox)
    results = [
        await handle_email(make_mail(sender=ADVISOR, subject=f"[{ticket.reference}] {n}", body="x"), inbox)
        for n in range(4)
    ]
    assert [result.outcome for result in results] == [Outcome.QUARANTINE] * 4
    assert "limit" in results[-1].reason
    assert len(await _outbox(inbox, "quarantine_notice")) == 2
