"""A person's data is exported completely and erased completely (DSGVO Art. 15, 17, 20)."""

from __future__ import annotations

import json

from sqlmodel import SQLModel, select, text

from services.privacy import Person, erase_person, export_person
from storage.tables import (
    AskedQuestion,
    EmailConfirmation,
    FsmRecord,
    MeasureReport,
    OutboxMail,
    ReportVersion,
    TelegramUpdate,
    Ticket,
    TicketMessage,
)
from tests.services.test_booking_bookings import CONFIG, NOW, _book, _slot

CHAT = 4711
NAME = "Erika Geheimname"
ADDRESS = "erika.geheim@marburg.de"
SECRETS = ("geheim", ADDRESS)  # the name, the address and every text of hers carry "geheim"


async def _person_everywhere(sessions) -> None:
    async with sessions() as session:
        session.add(
            EmailConfirmation(
                chat_id=CHAT,
                email=ADDRESS,
                purpose="booking",
                code_hash="-",
                expires_at=NOW,
                confirmed_at=NOW,
            )
        )
        session.add(
            AskedQuestion(
                channel="telegram",
                user_ref=f"tg:{CHAT}",
                question="Geheimfrage zur PV",
                kind="answer",
                reason="",
            )
        )
        session.add(FsmRecord(key=f"1:{CHAT}:{CHAT}:-:-:default", state="X", data=json.dumps({"name": NAME})))
        session.add(TelegramUpdate(update_id=991, chat_id=CHAT, payload='{"text": "geheime Nachricht"}'))
        ticket = Ticket(
            reference="KK-2026-0099",
            state="open",
            channel="telegram",
            requester_name=NAME,
            requester_email=ADDRESS,
            requester_chat_id=CHAT,
            chat_owner="bot",
            subject="Geheimes Anliegen",
            question="Geheime Frage",
            considered_entries="",
        )
        session.add(ticket)
        report = MeasureReport(
            ags="06534014",
            municipality_name="Marburg",
            year=2025,
            state="submitted",
            version_count=1,
            reporter_json=json.dumps({"reporter_name": NAME, "reporter_email": ADDRESS}),
            measures_json="[]",
            next_step="",
            owner_chat_id=CHAT,
        )
        session.add(report)
        await session.flush()
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                direction="in",
                author="requester",
                author_address=ADDRESS,
                channel="telegram",
                body="Geheimer Text",
            )
        )
        session.add(
            ReportVersion(
                report_id=report.id,
                version=1,
                submitted_at=NOW,
                reporter_name=NAME,
                reporter_email=ADDRESS,
                reporter_role="Klimaschutz",
                measures_json="[]",
                channel="telegram",
                chat_id=CHAT,
            )
        )
        await session.commit()
    await _book(
        sessions, _slot(9), contact_name=NAME, contact_email=ADDRESS, note="Geheimnotiz", chat_id=CHAT
    )


async def _rows_mentioning_her(sessions) -> list[tuple[str, str]]:
    found = []
    async with sessions() as session:
        for name in SQLModel.metadata.tables:
            for row in (await session.exec(text(f'SELECT * FROM "{name}"'))).all():
                flat = " ".join(str(value) for value in row).lower()
                if any(secret in flat for secret in SECRETS):
                    found.append((name, flat[:120]))
    return found


async def test_the_export_holds_everything_and_the_erasure_leaves_nothing_of_her(sessions):
    await _person_everywhere(sessions)
    person = Person(telegram_id=CHAT, email=ADDRESS.upper())
    async with sessions() as session:
        exported = await export_person(session, person)
    document = json.dumps(exported, ensure_ascii=False)
    for part in (
        "questions",
        "tickets",
        "bookings",
        "submitted_reports",
        "report_drafts",
        "conversation_state",
    ):
        assert exported[part], part
    assert (
        NAME in document and ADDRESS in document and "Geheimer Text" in document and "Geheimfrage" in document
    )
    assert "code_hash" not in document

    async with sessions() as session:
        counts = await erase_person(session, CONFIG, person, now=NOW)
    assert counts["bookings_cancelled"] == 1 and counts["tickets_anonymised"] == 1

    leftovers = await _rows_mentioning_her(sessions)
    # only the CANCEL invitations of her cancelled booking are still to go out
    async with sessions() as session:
        pending = (await session.exec(select(OutboxMail))).all()
    assert pending and all("cancel" in mail.purpose and mail.state == "pending" for mail in pending)
    assert [table for table, _row in leftovers if table != "outbox_mail"] == []
    async with sessions() as session:
        versions = (await session.exec(select(ReportVersion))).all()
    assert len(versions) == 1 and versions[0].measures_json == "[]"  # the municipality keeps its report


async def test_a_request_by_telegram_id_alone_finds_her_mails_through_her_bookings(sessions):
    await _person_everywhere(sessions)
    async with sessions() as session:
        await erase_person(session, CONFIG, Person(telegram_id=CHAT), now=NOW)
    async with sessions() as session:
        pending = (await session.exec(select(OutboxMail))).all()
    assert all("cancel" in mail.purpose for mail in pending)
    leftovers = [table for table, _row in await _rows_mentioning_her(sessions) if table != "outbox_mail"]
    assert leftovers == []
