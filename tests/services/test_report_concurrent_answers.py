"""Two chats on one report, on SQLite and PostgreSQL: nobody takes the report away, no answer is lost."""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from services import reports
from services.report_fields import SKIPPED, YearMonth
from services.reports import DraftChanged
from storage.tables import MeasureReport

MARBURG = ("06534014", "Marburg")
ALICE, BOB = 101, 202
YEARS = (2025, 2026)
NOW = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)
REPORTER = {
    "reporter_name": "Maria Muster",
    "reporter_email": "m.muster@marburg.example",
    "reporter_role": "Klimaschutzmanagerin",
}
LED = {
    "title": "LED",
    "area": "klimaschutz",
    "action_field": "gebaeude",
    "status": "geplant",
    "start": YearMonth(2025, None),
    "end": SKIPPED,
    "cost": Decimal("100.00"),
    "funding": "keine",
    "co2_saving": SKIPPED,
    "description": "Kurz.",
    "link": SKIPPED,
    "attachment": SKIPPED,
}


@pytest.fixture
async def bound(sessions):
    """Alice and Bob both work for Marburg; Alice opened the report 2025 first."""
    async with sessions() as session:
        for chat in (ALICE, BOB):
            await reports.grant_access(session, chat_id=chat, ags=MARBURG[0], email=None, via="fachstelle")
        await _open(session, ALICE)
    return sessions


async def _open(session, chat):
    return await reports.open_draft(
        session, chat_id=chat, ags=MARBURG[0], municipality_name=MARBURG[1], year=2025, years=YEARS
    )


async def _answer(sessions, chat, target, key, value):
    async with sessions() as session:
        return await reports.change_draft(
            session,
            chat_id=chat,
            ags=MARBURG[0],
            year=2025,
            change=lambda draft: reports.set_answer(draft, target, key, value),
        )


async def _load(sessions, chat):
    async with sessions() as session:
        return await reports.chat_draft(session, chat_id=chat, ags=MARBURG[0], year=2025)


async def test_opening_a_report_never_moves_it_to_another_chat(bound):
    async with bound() as session:
        bobs = await _open(session, BOB)
        row = await session.get(MeasureReport, bobs.report_id)
    assert row.owner_chat_id == ALICE and bobs.owner_chat_id == ALICE


async def test_answers_given_at_the_same_time_are_all_kept(bound):
    answers = [
        (ALICE, "reporter", "reporter_name", "Maria Muster"),
        (BOB, "reporter", "reporter_email", "m.muster@marburg.example"),
        (ALICE, "reporter", "reporter_role", "Klimaschutzmanagerin"),
        (ALICE, "current", "title", "Radweg"),
        (BOB, "current", "title", "Stadtbäume"),
        (ALICE, "current", "area", "klimaschutz"),
        (BOB, "current", "area", "klimaanpassung"),
        (ALICE, "current", "status", "geplant"),
        (BOB, "current", "status", "in_umsetzung"),
        (BOB, "current", "description", "Zwanzig Bäume."),
    ]
    await asyncio.gather(*(_answer(bound, *answer) for answer in answers))
    alices, bobs = await _load(bound, ALICE), await _load(bound, BOB)
    assert alices.reporter == bobs.reporter == REPORTER
    # each chat answers its own measure: the other's answers never land in it
    assert alices.current == {"title": "Radweg", "area": "klimaschutz", "status": "geplant"}
    assert bobs.current == {
        "title": "Stadtbäume",
        "area": "klimaanpassung",
        "status": "in_umsetzung",
        "description": "Zwanzig Bäume.",
    }
    async with bound() as session:
        row = await session.get(MeasureReport, alices.report_id)
    assert row.revision == len(answers)


async def test_measures_filed_at_the_same_time_are_all_kept(bound):
    await asyncio.gather(
        _answer(bound, ALICE, "current", "title", "Radweg"), _answer(bound, BOB, "current", "title", "Bäume")
    )

    async def file_measure(chat):
        async with bound() as session:
            await reports.change_draft(
                session, chat_id=chat, ags=MARBURG[0], year=2025, change=reports.file_current_measure
            )

    await asyncio.gather(file_measure(ALICE), file_measure(BOB))
    draft = await _load(bound, ALICE)
    assert sorted(m["title"] for m in draft.measures) == ["Bäume", "Radweg"]
    assert draft.current is None and (await _load(bound, BOB)).current is None


async def test_a_stale_working_copy_is_refused_instead_of_overwriting(bound):
    first, second = await _load(bound, ALICE), await _load(bound, ALICE)
    first.reporter["reporter_name"] = "Maria Muster"
    async with bound() as session:
        await reports.save_draft(session, first)
    second.reporter["reporter_role"] = "Bürgermeisterin"
    async with bound() as session:
        with pytest.raises(DraftChanged):
            await reports.save_draft(session, second)
    assert (await _load(bound, ALICE)).reporter == {"reporter_name": "Maria Muster"}


async def _submit(sessions, chat):
    async with sessions() as session:
        return await reports.submit_chat_draft(
            session,
            chat_id=chat,
            ags=MARBURG[0],
            year=2025,
            fachstelle_address="fachstelle@example.org",
            sender_domain="example.org",
            now=NOW,
        )


async def _ready_to_submit(sessions, chat):
    for key, value in REPORTER.items():
        await _answer(sessions, chat, "reporter", key, value)
    for key, value in LED.items():
        await _answer(sessions, chat, "current", key, value)
    async with sessions() as session:
        await reports.change_draft(
            session, chat_id=chat, ags=MARBURG[0], year=2025, change=reports.file_current_measure
        )


async def test_a_submission_keeps_the_measure_another_chat_is_answering(bound):
    await _ready_to_submit(bound, ALICE)
    await _answer(bound, BOB, "current", "title", "Bäume")
    result, submitted = await _submit(bound, ALICE)
    assert result.version == 1 and [m["title"] for m in submitted.measures] == ["LED"]
    assert (await _load(bound, BOB)).current == {"title": "Bäume"}


async def test_answers_given_while_a_report_is_submitted_are_kept(bound):
    await _ready_to_submit(bound, ALICE)
    roles = [f"Rolle {n}" for n in range(6)]
    titles = [f"Maßnahme {n}" for n in range(6)]

    async def bob_answers():
        for role, title in zip(roles, titles, strict=True):
            await _answer(bound, BOB, "reporter", "reporter_role", role)
            await _answer(bound, BOB, "measure:0", "description", title)

    (result, _), _ = await asyncio.gather(_submit(bound, ALICE), bob_answers())
    draft = await _load(bound, BOB)
    assert draft.reporter["reporter_role"] == roles[-1] and draft.measures[0]["description"] == titles[-1]
    async with bound() as session:
        (version,) = await reports.list_versions(session, ags=MARBURG[0], year=2025)
    assert result.version == 1 and version.reporter_role in ["Klimaschutzmanagerin", *roles]


async def test_a_submission_of_a_working_copy_that_changed_meanwhile_is_refused(bound):
    await _ready_to_submit(bound, ALICE)
    reviewed = await _load(bound, ALICE)
    await _answer(bound, BOB, "reporter", "reporter_role", "Bürgermeisterin")
    async with bound() as session:
        with pytest.raises(DraftChanged):
            await reports.submit_report(
                session,
                draft=reviewed,
                fachstelle_address="fachstelle@example.org",
                sender_domain="example.org",
                now=NOW,
                chat_id=ALICE,
                expected_revision=reviewed.revision,
            )
        assert await reports.list_versions(session, ags=MARBURG[0], year=2025) == []
