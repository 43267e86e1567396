"""Binding chats to a municipality's reports on SQLite and PostgreSQL: only by a code to an address that belongs there."""

import asyncio
import re
from decimal import Decimal

import pytest
from sqlmodel import select

from services import reports
from services.email_codes import CodeCheck
from services.outgoing import OutgoingMail
from services.report_fields import SKIPPED, YearMonth
from services.reports import AccessDenied, MunicipalityContacts
from storage.tables import MeasureReport, OutboxMail, ReportAccess

WOELLSTADT = ("06440025", "Wöllstadt")
ALICE, BOB, MALLORY = 101, 202, 303
DOMAIN = "klimabot.example"
YEARS = (2025, 2026)
NOBODY_ON_FILE = MunicipalityContacts()
ON_FILE = MunicipalityContacts({WOELLSTADT[0]: ("rathaus@woellstadt.example", "klima@woellstadt.example")})
REPORTER = {
    "reporter_name": "Erika Muster",
    "reporter_email": "erika@woellstadt.example",
    "reporter_role": "Klimaschutzmanagerin",
}


async def _mails(session) -> list[OutgoingMail]:
    rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    return [OutgoingMail.from_json(row.payload) for row in rows]


async def _last_code(session) -> tuple[str, str]:
    """(recipient, code) of the newest mail in the outbox."""
    mail = (await _mails(session))[-1]
    return mail.to[0][1], re.search(r"\b(\d{6})\b", mail.text).group(1)


async def _send(session, chat, contacts=NOBODY_ON_FILE, *, target=None, own_email=None):
    return await reports.send_binding_code(
        session,
        chat_id=chat,
        ags=WOELLSTADT[0],
        target=target,
        own_email=own_email,
        contacts=contacts,
        domain=DOMAIN,
        minutes=30,
    )


async def _bind(sessions, chat, contacts=NOBODY_ON_FILE, *, target=None, own_email=None):
    """Ask for a code, read it from the outbox and type it: the binding result."""
    async with sessions() as session:
        await _send(session, chat, contacts, target=target, own_email=own_email)
        _, code = await _last_code(session)
        return await reports.confirm_binding(session, chat_id=chat, code=code, contacts=contacts)


async def _options(sessions, contacts=NOBODY_ON_FILE):
    async with sessions() as session:
        return await reports.binding_options(session, ags=WOELLSTADT[0], contacts=contacts)


async def _submitted_by_alice(sessions):
    """Alice binds as first reporter and submits Wöllstadt's report 2025."""
    assert (await _bind(sessions, ALICE, own_email=REPORTER["reporter_email"])).granted
    async with sessions() as session:
        draft = await reports.open_draft(
            session, chat_id=ALICE, ags=WOELLSTADT[0], municipality_name=WOELLSTADT[1], year=2025, years=YEARS
        )
        draft.reporter.update(REPORTER)
        draft.measures = [{"title": "Geheime Maßnahme"}]
        await reports.save_draft(session, draft)
        return draft


async def test_an_unbound_chat_can_neither_open_nor_read_nor_change_the_report(sessions):
    draft = await _submitted_by_alice(sessions)
    async with sessions() as session:
        assert await reports.may_edit(session, chat_id=ALICE, ags=WOELLSTADT[0])
        assert not await reports.may_edit(session, chat_id=MALLORY, ags=WOELLSTADT[0])
        with pytest.raises(AccessDenied):
            await reports.open_draft(
                session,
                chat_id=MALLORY,
                ags=WOELLSTADT[0],
                municipality_name=WOELLSTADT[1],
                year=2025,
                years=YEARS,
            )
        with pytest.raises(AccessDenied):
            await reports.chat_draft(session, chat_id=MALLORY, ags=WOELLSTADT[0], year=2025)
        with pytest.raises(AccessDenied):
            await reports.change_draft(
                session,
                chat_id=MALLORY,
                ags=WOELLSTADT[0],
                year=2025,
                change=lambda d: d.measures.append({"title": "Untergeschoben"}),
            )
        row = await session.get(MeasureReport, draft.report_id, populate_existing=True)
    assert row.owner_chat_id == ALICE and "Untergeschoben" not in row.measures_json
    options = await _options(sessions)
    assert [(t.masked, t.via) for t in options.targets] == [("e***@woellstadt.example", "reporter")]
    assert not options.first_reporter
    assert "erika@" not in repr(options) and "Erika" not in repr(options)


async def test_the_first_chat_confirms_its_own_address_which_becomes_the_reporter_address(sessions):
    options = await _options(sessions)
    assert options.targets == () and options.first_reporter
    async with sessions() as session:
        sent = await _send(session, ALICE, own_email=" Erika@Woellstadt.example ")
        recipient, code = await _last_code(session)
        assert sent.masked == "e***@woellstadt.example" and recipient == "erika@woellstadt.example"
        assert not await reports.may_edit(session, chat_id=ALICE, ags=WOELLSTADT[0])  # not before the code
        result = await reports.confirm_binding(session, chat_id=ALICE, code=code, contacts=NOBODY_ON_FILE)
        assert (result.check, result.ags, result.granted) == (CodeCheck.CONFIRMED, WOELLSTADT[0], True)
        access = (await session.exec(select(ReportAccess))).one()
        assert (access.chat_id, access.email, access.via) == (
            ALICE,
            "erika@woellstadt.example",
            "first-reporter",
        )
        draft = await reports.open_draft(
            session, chat_id=ALICE, ags=WOELLSTADT[0], municipality_name=WOELLSTADT[1], year=2025, years=YEARS
        )
    assert draft.reporter == {"reporter_email": "erika@woellstadt.example"}
    assert draft.next_step == "reporter:reporter_name"
    later = await _options(sessions)  # the next chat is offered a code to the first reporter's address
    assert [t.masked for t in later.targets] == ["e***@woellstadt.example"] and not later.first_reporter


async def test_a_code_to_an_address_on_file_binds_the_chat(sessions):
    options = await _options(sessions, ON_FILE)
    assert [(t.masked, t.via) for t in options.targets] == [
        ("r***@woellstadt.example", "fachstelle-contact"),
        ("k***@woellstadt.example", "fachstelle-contact"),
    ]
    assert not options.first_reporter  # the Fachstelle knows the municipality: nobody starts on their own
    async with sessions() as session:
        with pytest.raises(AccessDenied):
            await _send(session, BOB, ON_FILE, own_email="bob@example.org")
        assert await _mails(session) == []
    result = await _bind(sessions, BOB, ON_FILE, target=options.targets[1].key)
    assert result.granted
    async with sessions() as session:
        (mail,) = await _mails(session)
        access = (await session.exec(select(ReportAccess))).one()
        assert await reports.may_edit(session, chat_id=BOB, ags=WOELLSTADT[0])
    assert mail.to[0][1] == "klima@woellstadt.example"
    assert (access.email, access.via) == ("klima@woellstadt.example", "fachstelle-contact")


async def test_a_second_chat_binds_by_a_code_to_the_reporter_of_the_report(sessions):
    await _submitted_by_alice(sessions)
    async with sessions() as session:
        draft = await reports.chat_draft(session, chat_id=ALICE, ags=WOELLSTADT[0], year=2025)
        draft.measures = [
            {
                "title": "LED",
                "area": "klimaschutz",
                "action_field": "gebaeude",
                "status": "geplant",
                "start": YearMonth(2025, None),
                "end": SKIPPED,
                "cost": Decimal("100"),
                "funding": "keine",
                "co2_saving": SKIPPED,
                "description": "Kurz.",
                "link": SKIPPED,
                "attachment": SKIPPED,
            }
        ]
        await reports.save_draft(session, draft)
        await reports.submit_report(
            session,
            draft=draft,
            fachstelle_address="fachstelle@klimabot.example",
            sender_domain=DOMAIN,
            now=draft.updated_at,
            chat_id=ALICE,
        )
    options = await _options(sessions)
    (target,) = options.targets
    assert (target.masked, target.via) == ("e***@woellstadt.example", "reporter")
    result = await _bind(sessions, BOB, target=target.key)
    async with sessions() as session:
        recipient, _ = await _last_code(session)
        access = await session.get(ReportAccess, (BOB, WOELLSTADT[0]))
    assert result.granted and recipient == "erika@woellstadt.example"
    assert access.via == "reporter"


async def test_a_target_that_was_not_offered_or_a_wrong_code_binds_nothing(sessions):
    await _submitted_by_alice(sessions)
    async with sessions() as session:
        before = len(await _mails(session))
        with pytest.raises(AccessDenied):
            await _send(session, MALLORY, target="0000000000")  # a crafted button
        with pytest.raises(AccessDenied):
            await _send(session, MALLORY, own_email="mallory@example.org")  # somebody reports already
        assert len(await _mails(session)) == before
        (target,) = (
            await reports.binding_options(session, ags=WOELLSTADT[0], contacts=NOBODY_ON_FILE)
        ).targets
        await _send(session, MALLORY, target=target.key)
        _, code = await _last_code(session)
        wrong = "000000" if code != "000000" else "111111"
        result = await reports.confirm_binding(session, chat_id=MALLORY, code=wrong, contacts=NOBODY_ON_FILE)
        assert (result.check, result.granted, result.attempts_left) == (CodeCheck.WRONG, False, 4)
        assert not await reports.may_edit(session, chat_id=MALLORY, ags=WOELLSTADT[0])


async def test_two_chats_racing_to_be_the_first_reporter_bind_only_one(sessions):
    codes = {}
    for chat, address in ((ALICE, "alice@example.org"), (BOB, "bob@example.org")):
        async with sessions() as session:
            await _send(session, chat, own_email=address)
            codes[chat] = (await _last_code(session))[1]

    async def confirm(chat):
        async with sessions() as session:
            return await reports.confirm_binding(
                session, chat_id=chat, code=codes[chat], contacts=NOBODY_ON_FILE
            )

    results = await asyncio.gather(confirm(ALICE), confirm(BOB))
    assert sorted(r.granted for r in results) == [False, True]
    async with sessions() as session:
        (access,) = (await session.exec(select(ReportAccess))).all()
    assert access.via == "first-reporter"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("kim@gemeinde.example", "k***@gemeinde.example"),
        ("a@b.de", "a***@b.de"),
        ("Klima.Schutz@Stadt.Example", "k***@stadt.example"),
    ],
)
def test_addresses_are_shown_masked(address, masked):
    assert reports.mask_email(address) == masked
