"""The durable outbox against a real SMTP server: delivery, SMTP down then up, refusals, permanent failures."""

import datetime as dt
import email
from email import policy

from sqlalchemy import update
from sqlmodel import select

from mail.outbox import Sender, deliver_due_mail
from mail.smtp_sender import SmtpSettings, send_email
from services.outgoing import OutgoingMail, ReportDocument, new_message_id, queue_mail
from storage.tables import OutboxMail
from tests.smtp.smtp_server import TestSmtpServer

SENDER = Sender("fachstelle@example.org")


def _transport(server: TestSmtpServer):
    settings = SmtpSettings(host=server.host, port=server.port, tls="none", timeout=3.0)

    async def send(message):
        return await send_email(settings, message)

    return send


async def _queue(
    sessions,
    to=(("Anna Berater", "anna@example.org"),),
    subject="[KK-2026-0001] Trinkbrunnen",
    report_document: ReportDocument | None = None,
) -> str:
    mail = OutgoingMail(
        message_id=new_message_id("example.org"),
        to=tuple(to),
        subject=subject,
        text="Frage zur Förderung",
        in_reply_to="<prev@example.org>",
        references=("<root@example.org>", "<prev@example.org>"),
        report_document=report_document,
    )
    async with sessions() as session:
        queue_mail(session, mail, purpose="escalation")
        await session.commit()
    return mail.message_id


async def _states(sessions):
    async with sessions() as session:
        return [
            (m.state, m.attempts)
            for m in (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
        ]


async def _make_due(sessions):
    async with sessions() as session:
        await session.exec(update(OutboxMail).values(next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
        await session.commit()


async def test_a_queued_mail_arrives_with_its_message_id_threading_and_reply_to(sessions):
    with TestSmtpServer() as server:
        message_id = await _queue(sessions)
        report = await deliver_due_mail(sessions, _transport(server), SENDER)
        (received,) = await server.wait_for_messages(1)
    parsed = email.message_from_bytes(received.raw, policy=policy.default)
    assert report.sent == 1 and await _states(sessions) == [("sent", 1)]
    assert parsed["Message-ID"] == message_id
    assert parsed["In-Reply-To"] == "<prev@example.org>"
    assert "<root@example.org>" in parsed["References"]
    assert parsed["Reply-To"] == "fachstelle@example.org"


async def test_smtp_down_loses_nothing_and_the_mail_goes_out_when_it_is_back(sessions):
    server = TestSmtpServer().start()
    transport = _transport(server)
    server.stop()
    await _queue(sessions)
    report = await deliver_due_mail(sessions, transport, SENDER)
    assert report.retried == 1 and await _states(sessions) == [("pending", 1)]
    await deliver_due_mail(sessions, transport, SENDER)  # not due yet: backoff
    assert await _states(sessions) == [("pending", 1)]
    server.start()
    try:
        await _make_due(sessions)
        report = await deliver_due_mail(sessions, transport, SENDER)
        assert report.sent == 1 and await _states(sessions) == [("sent", 2)]
        assert len(await server.wait_for_messages(1)) == 1
    finally:
        server.stop()


async def test_a_permanent_failure_is_marked_failed_and_partial_refusals_are_recorded(sessions):
    with TestSmtpServer() as server:
        server.refuse_recipient("gone@example.org", 550)
        await _queue(sessions, to=(("Gone", "gone@example.org"),))
        await _queue(sessions, to=(("Anna", "anna@example.org"), ("Gone", "gone@example.org")))
        await deliver_due_mail(sessions, _transport(server), SENDER)
    async with sessions() as session:
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    assert [r.state for r in rows] == ["failed", "partial"]
    assert "550" in rows[0].last_error and "gone@example.org" in rows[1].last_error


async def test_a_crash_between_sending_and_recording_sends_again_with_the_same_message_id(sessions):
    with TestSmtpServer() as server:
        message_id = await _queue(sessions)
        async with sessions() as session:  # a worker claimed it and died
            await session.exec(
                update(OutboxMail).values(
                    state="sending", next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
                )
            )
            await session.commit()
        await deliver_due_mail(sessions, _transport(server), SENDER)
        (received,) = await server.wait_for_messages(1)
    assert email.message_from_bytes(received.raw, policy=policy.default)["Message-ID"] == message_id
    assert (await _states(sessions))[0][0] == "sent"


async def test_a_mail_whose_report_document_can_no_longer_be_made_fails_and_the_rest_go_out(sessions):
    with TestSmtpServer() as server:
        await _queue(sessions, report_document=ReportDocument(report_id=404, version=1))  # erased meanwhile
        await _queue(sessions)
        report = await deliver_due_mail(sessions, _transport(server), SENDER)
        assert len(await server.wait_for_messages(1)) == 1
    async with sessions() as session:
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    assert (report.sent, report.failed) == (1, 1)
    assert [r.state for r in rows] == ["failed", "sent"]
    assert "report 404 version 1 is not stored" in rows[0].last_error
