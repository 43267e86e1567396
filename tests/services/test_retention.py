"""Retention makes old personal records anonymous or deletes them; recent ones stay untouched."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from services.retention import RetentionPolicy, apply_retention
from storage.tables import AskedQuestion, MeasureReport, OutboxMail, Ticket, TicketMessage, WebEvent
from storage.web_chat import WEB_CHAT_BASE

NOW = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(days=800)
RECENT = NOW - dt.timedelta(days=10)


async def test_old_records_lose_what_is_personal_and_recent_ones_stay(sessions):
    async with sessions() as session:
        for created, text in ((OLD, "alte Frage"), (RECENT, "neue Frage")):
            session.add(
                AskedQuestion(
                    created_at=created,
                    channel="telegram",
                    user_ref="tg:1",
                    question=text,
                    kind="answer",
                    reason="",
                )
            )
        for number, closed in ((1, OLD), (2, RECENT)):
            session.add(
                Ticket(
                    reference=f"KK-2025-000{number}",
                    state="closed",
                    channel="email",
                    requester_name="Eva Alt",
                    requester_email="eva@gemeinde.de",
                    chat_owner="bot",
                    subject="Betreff",
                    question="Text",
                    considered_entries="",
                    closed_at=closed,
                )
            )
        session.add(
            MeasureReport(
                ags="06534014",
                municipality_name="Marburg",
                year=2024,
                reporter_json="{}",
                measures_json="[]",
                next_step="",
                updated_at=OLD,
            )
        )
        session.add(
            OutboxMail(
                message_id="<a@x>",
                purpose="p",
                primary_recipient="eva@gemeinde.de",
                payload="{}",
                state="sent",
                created_at=OLD,
            )
        )
        await session.flush()
        first = (await session.exec(select(Ticket).where(Ticket.reference == "KK-2025-0001"))).one()
        session.add(
            TicketMessage(
                ticket_id=first.id, direction="in", author="requester", channel="email", body="Hallo"
            )
        )
        for age_days, text in ((400, "alte Frage im Web-Chat"), (3, "neue Frage im Web-Chat")):
            session.add(
                WebEvent(
                    chat_id=WEB_CHAT_BASE + 1,
                    kind="message",
                    message_id=age_days,
                    payload=f'{{"from": "user", "parts": [{{"text": "{text}"}}]}}',
                    created_at=NOW - dt.timedelta(days=age_days),
                )
            )
        await session.commit()

    async with sessions() as session:
        counts = await apply_retention(session, RetentionPolicy(), now=NOW)
    assert counts == {
        "questions": 1,
        "closed_tickets": 1,
        "past_bookings": 0,
        "unsubmitted_drafts": 1,
        "sent_mails": 1,
        "web_chat_events": 1,
    }
    async with sessions() as session:
        questions = sorted(q.question for q in (await session.exec(select(AskedQuestion))).all())
        tickets = {t.reference: t for t in (await session.exec(select(Ticket))).all()}
        messages = (await session.exec(select(TicketMessage))).all()
        drafts = (await session.exec(select(MeasureReport))).all()
        web_texts = [event.payload for event in (await session.exec(select(WebEvent))).all()]
    assert len(web_texts) == 1 and "neue Frage im Web-Chat" in web_texts[0]
    assert questions == ["[gelöscht]", "neue Frage"]  # the count stays for the statistics
    assert tickets["KK-2025-0001"].requester_email is None and tickets["KK-2025-0001"].subject == "[gelöscht]"
    assert tickets["KK-2025-0002"].requester_name == "Eva Alt"
    assert [m.body for m in messages] == ["[gelöscht]"] and drafts == []
    async with sessions() as session:  # a second run finds nothing more to do
        assert not any((await apply_retention(session, RetentionPolicy(), now=NOW)).values())
