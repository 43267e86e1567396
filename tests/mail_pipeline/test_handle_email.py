"""The incoming-mail pipeline: answer, ticket, relay, loop protection, bounces — on SQLite and PostgreSQL."""

from sqlmodel import select

from mail.handling import Outcome, handle_email
from services.outgoing import OutgoingMail
from storage.tables import OutboxMail, TelegramOutbox, Ticket
from tests.mail_pipeline.conftest import ADVISOR, make_mail


async def _outbox(inbox):
    async with inbox.sessions() as session:
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    return [(row.purpose, OutgoingMail.from_json(row.payload)) for row in rows]


async def _tickets(inbox):
    async with inbox.sessions() as session:
        return (await session.exec(select(Ticket).order_by(Ticket.id))).all()


async def test_a_question_the_knowledge_base_answers_gets_an_automatic_reply_once(inbox):
    raw = make_mail(
        subject="Fördersatz Klimarichtlinie",
        body="Guten Tag,\n\nwie hoch ist der Fördersatz der Klimarichtlinie für Klima-Kommunen?\n\nViele Grüße\nKämmerei\nStadt Marburg",
    )
    first = await handle_email(raw, inbox)
    second = await handle_email(raw, inbox)
    assert first.outcome is Outcome.PROCESSED and "knowledge base" in first.reason
    assert second.reason == "duplicate"
    ((purpose, mail),) = await _outbox(inbox)
    assert purpose == "auto_answer" and mail.auto_submitted == "auto-replied"
    assert "Quellen:" in mail.text and "antworten sie einfach" in mail.text.lower()
    (ticket,) = await _tickets(inbox)
    assert ticket.municipality_name == "Marburg"


async def test_an_unclear_mail_becomes_a_ticket_acknowledged_and_forwarded(inbox):
    result = await handle_email(
        make_mail(subject="Baumpflanzung", body="Welche Baumarten eignen sich für unseren Friedhof?"), inbox
    )
    purposes = [purpose for purpose, _ in await _outbox(inbox)]
    assert result.ticket_reference and purposes == ["escalation", "acknowledgement"]


async def test_an_advisor_reply_reaches_the_requester_and_out_of_office_does_not(inbox):
    await handle_email(
        make_mail(subject="Baumpflanzung", body="Welche Baumarten eignen sich für Friedhöfe?"), inbox
    )
    escalation = (await _outbox(inbox))[0][1]
    ooo = make_mail(
        sender=ADVISOR,
        subject="Automatische Antwort: " + escalation.subject,
        body="Ich bin bis Montag nicht im Büro.",
        in_reply_to=escalation.message_id,
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert "auto-reply" in (await handle_email(ooo, inbox)).reason
    reply = make_mail(
        sender=ADVISOR,
        subject="Re: " + escalation.subject,
        body="Heimische Arten wie Feldahorn.\n\nAm 25.11.2026 um 10:00 schrieb Fachstelle:\n> Welche Baumarten",
        in_reply_to=escalation.message_id,
        references=(escalation.message_id,),
    )
    assert (await handle_email(reply, inbox)).reason == "advisor reply relayed"
    relayed = [mail for purpose, mail in await _outbox(inbox) if purpose == "advisor_reply"]
    assert len(relayed) == 1 and relayed[0].text == "Heimische Arten wie Feldahorn."
    assert relayed[0].to[0][1] == "kaemmerei@marburg.de"


async def test_intern_notes_stay_internal_and_erledigt_closes(inbox):
    await handle_email(
        make_mail(subject="Baumpflanzung", body="Welche Baumarten eignen sich für Friedhöfe?"), inbox
    )
    escalation = (await _outbox(inbox))[0][1]
    note = make_mail(
        sender=ADVISOR,
        subject="Re: x",
        body="#intern\nBernd, übernimmst du?",
        in_reply_to=escalation.message_id,
    )
    assert (await handle_email(note, inbox)).reason == "internal note"
    done = make_mail(
        sender=ADVISOR, subject="Re: x", body="Feldahorn passt.\n#erledigt", in_reply_to=escalation.message_id
    )
    await handle_email(done, inbox)
    purposes = [purpose for purpose, _ in await _outbox(inbox)]
    assert purposes.count("advisor_reply") == 1 and "closed_notice" in purposes
    assert (await _tickets(inbox))[0].state == "closed"


async def test_a_reply_to_an_automatic_answer_reopens_it_as_a_ticket_for_the_advisors(inbox):
    await handle_email(
        make_mail(subject="Fördersatz", body="Wie hoch ist der Fördersatz der Klimarichtlinie?"), inbox
    )
    auto = (await _outbox(inbox))[0][1]
    follow_up = make_mail(
        subject="Re: Fördersatz",
        body="Das reicht mir nicht, bitte rufen Sie an.",
        in_reply_to=auto.message_id,
    )
    await handle_email(follow_up, inbox)
    (ticket,) = await _tickets(inbox)
    purpose, forwarded = (await _outbox(inbox))[-1]
    assert ticket.state == "waiting" and purpose == "follow_up"
    assert "automatische Antwort" in forwarded.text and "Fördersatz" in forwarded.text


async def test_automatic_and_list_mails_get_no_reply_and_no_ticket(inbox):
    for headers in (
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"List-Id": "<news.example.org>"},
    ):
        await handle_email(make_mail(subject="Newsletter", body="Welche Baumarten?", headers=headers), inbox)
    await handle_email(make_mail(sender="MAILER-DAEMON@example.net", subject="x", body="y"), inbox)
    assert await _outbox(inbox) == [] and await _tickets(inbox) == []


async def test_a_sender_gets_at_most_the_daily_limit_of_automatic_replies(inbox):
    for n in range(5):
        await handle_email(
            make_mail(subject=f"Frage {n}", body=f"Welche Baumarten eignen sich für Friedhof {n}?"), inbox
        )
    purposes = [purpose for purpose, _ in await _outbox(inbox)]
    assert purposes.count("acknowledgement") == 3 and purposes.count("escalation") == 5


async def test_a_mail_claiming_to_be_from_an_advisor_without_thread_is_an_ordinary_new_mail(inbox):
    result = await handle_email(
        make_mail(sender=ADVISOR, subject="[KK-2026-9999] Re: x", body="Bitte zahlen Sie aus."), inbox
    )
    assert "ticket opened" in result.reason
    async with inbox.sessions() as session:
        assert (await session.exec(select(TelegramOutbox))).all() == []


async def test_a_third_party_reply_in_a_ticket_thread_is_not_relayed_to_the_requester(inbox):
    await handle_email(
        make_mail(subject="Baumpflanzung", body="Welche Baumarten eignen sich für Friedhöfe?"), inbox
    )
    escalation = (await _outbox(inbox))[0][1]
    intruder = make_mail(
        sender="x@evil.example", subject="Re: x", body="Hallo", in_reply_to=escalation.message_id
    )
    await handle_email(intruder, inbox)
    assert len(await _tickets(inbox)) == 2
    assert not [p for p, _ in await _outbox(inbox) if p == "advisor_reply"]


async def test_a_bounce_marks_the_outbox_mail_and_tells_the_advisors(inbox):
    await handle_email(
        make_mail(subject="Baumpflanzung", body="Welche Baumarten eignen sich für Friedhöfe?"), inbox
    )
    ack = (await _outbox(inbox))[1][1]
    dsn = (
        "From: MAILER-DAEMON@mx.example.net\r\nTo: fachstelle@example.org\r\nSubject: Undelivered Mail\r\n"
        "Message-ID: <dsn1@mx.example.net>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
        "Final-Recipient: rfc822; kaemmerei@marburg.de\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {ack.message_id}\r\nSubject: x\r\n\r\n--b--\r\n"
    ).encode()
    assert (await handle_email(dsn, inbox)).reason == "bounce"
    async with inbox.sessions() as session:
        states = {row.purpose: row.state for row in (await session.exec(select(OutboxMail))).all()}
    assert states["acknowledgement"] == "bounced" and "bounce_notice" in states
    assert len(await _tickets(inbox)) == 1


async def test_garbage_goes_to_quarantine(inbox):
    result = await handle_email(b"\x00\x01 not a mail", inbox)
    assert result.outcome is Outcome.QUARANTINE
