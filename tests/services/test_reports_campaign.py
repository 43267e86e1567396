"""The report campaign on SQLite and PostgreSQL: who is reminded first and again, opt-out, never twice."""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import select

from services import reports
from services.report_fields import SKIPPED, YearMonth
from services.reports import CampaignContact
from storage.tables import ReportContact

YEAR = 2025
NOW = dt.datetime(2026, 2, 2, 8, 0, tzinfo=dt.UTC)
TWO_WEEKS = dt.timedelta(days=14)
MARBURG, KASSEL, FULDA, GIESSEN = (
    ("06534014", "Marburg"),
    ("06611000", "Stadt Kassel"),
    ("06631009", "Stadt Fulda"),
    ("06531005", "Stadt Gießen"),
)


async def _submit(sessions, who, year=YEAR):
    """A complete report of `who` for `year`, submitted."""
    async with sessions() as session:
        draft = await reports.get_or_start_draft(
            session, ags=who[0], municipality_name=who[1], year=year, chat_id=None
        )
        draft.reporter.update(
            reporter_name="Jo Beispiel", reporter_email="jo@example.org", reporter_role="Amt"
        )
        draft.measures = [
            {
                "title": "Radweg",
                "area": "klimaschutz",
                "action_field": "mobilitaet",
                "status": "geplant",
                "start": YearMonth(2025, None),
                "end": SKIPPED,
                "cost": Decimal("0.00"),
                "funding": "keine",
                "co2_saving": SKIPPED,
                "description": "Planung begonnen.",
                "link": SKIPPED,
                "attachment": SKIPPED,
            }
        ]
        await reports.submit_report(
            session, draft=draft, fachstelle_address="f@example.org", sender_domain="example.org", now=NOW
        )


async def _targets(sessions, kind, now=NOW, year=YEAR):
    async with sessions() as session:
        found = await reports.campaign_targets(
            session, year=year, kind=kind, now=now, follow_up_after=TWO_WEEKS
        )
    return [contact.chat_id for contact in found]


async def _record(sessions, chat_id, kind, now=NOW, year=YEAR):
    async with sessions() as session:
        return await reports.record_campaign_send(session, chat_id=chat_id, year=year, kind=kind, now=now)


@pytest.fixture
async def contacts(sessions):
    """Four chats: Marburg has submitted, Kassel and Gießen have not, the Fulda chat opted out."""
    async with sessions() as session:
        for chat_id, (ags, name) in ((1, MARBURG), (2, KASSEL), (3, FULDA), (4, GIESSEN)):
            await reports.remember_contact(session, chat_id=chat_id, ags=ags, name=name, now=NOW)
        assert await reports.set_no_reminders(session, chat_id=3) is True
    await _submit(sessions, MARBURG)
    return sessions


async def test_first_reminders_go_to_contacts_whose_municipality_has_not_submitted(contacts):
    async with contacts() as session:
        found = await reports.campaign_targets(session, year=YEAR, kind="first", now=NOW)
    assert found == [CampaignContact(2, *KASSEL), CampaignContact(4, *GIESSEN)]
    assert await _targets(contacts, "first", year=YEAR - 1) == [1, 2, 4]  # nobody submitted for 2024


async def test_a_recorded_first_reminder_is_not_sent_again(contacts):
    assert await _record(contacts, 2, "first") is True
    assert await _record(contacts, 2, "first", now=NOW + dt.timedelta(hours=1)) is False
    assert await _targets(contacts, "first") == [4]
    assert await _targets(contacts, "first", year=YEAR + 1) == [1, 2, 4]  # each year is a campaign of its own
    async with contacts() as session:
        contact = await session.get(ReportContact, 2)
    assert contact.last_contacted_at == NOW


async def test_follow_up_comes_after_the_waiting_time_and_only_once(contacts):
    assert await _record(contacts, 2, "first") is True
    assert await _record(contacts, 4, "first", now=NOW + dt.timedelta(days=3)) is True
    assert await _targets(contacts, "follow_up") == []
    assert await _targets(contacts, "follow_up", now=NOW + TWO_WEEKS - dt.timedelta(seconds=1)) == []
    assert await _targets(contacts, "follow_up", now=NOW + TWO_WEEKS) == [2]
    assert await _targets(contacts, "follow_up", now=NOW + dt.timedelta(days=20)) == [2, 4]
    assert await _record(contacts, 2, "follow_up", now=NOW + dt.timedelta(days=20)) is True
    assert await _targets(contacts, "follow_up", now=NOW + dt.timedelta(days=30)) == [4]


async def test_submitting_or_opting_out_ends_the_reminders(contacts):
    await _record(contacts, 2, "first")
    await _record(contacts, 4, "first")
    later = NOW + dt.timedelta(days=20)
    await _submit(contacts, KASSEL)
    async with contacts() as session:
        assert await reports.set_no_reminders(session, chat_id=4) is True
    assert await _targets(contacts, "follow_up", now=later) == []
    async with contacts() as session:
        assert await reports.set_no_reminders(session, chat_id=4, value=False) is True
        assert await reports.set_no_reminders(session, chat_id=999) is False  # unknown chat
    assert await _targets(contacts, "follow_up", now=later) == [4]


async def test_a_draft_alone_does_not_stop_the_reminders(contacts):
    async with contacts() as session:
        await reports.get_or_start_draft(
            session, ags=KASSEL[0], municipality_name=KASSEL[1], year=YEAR, chat_id=2
        )
    assert await _targets(contacts, "first") == [2, 4]


async def test_a_contact_follows_the_municipality_it_chose_last(contacts):
    async with contacts() as session:
        await reports.remember_contact(
            session, chat_id=2, ags=MARBURG[0], name=MARBURG[1], now=NOW + TWO_WEEKS
        )
        contacts_rows = (await session.exec(select(ReportContact).order_by(ReportContact.chat_id))).all()
    assert [(c.chat_id, c.ags) for c in contacts_rows] == [
        (1, MARBURG[0]),
        (2, MARBURG[0]),
        (3, FULDA[0]),
        (4, GIESSEN[0]),
    ]
    assert (contacts_rows[1].first_seen_at, contacts_rows[1].last_seen_at) == (NOW, NOW + TWO_WEEKS)
    assert contacts_rows[1].municipality_name == "Marburg"
    assert await _targets(contacts, "first") == [4]


async def test_two_instances_recording_the_same_reminder_at_once_send_it_once(contacts):
    results = await asyncio.gather(*(_record(contacts, 2, "first") for _ in range(2)))
    assert sorted(results) == [False, True]
    results = await asyncio.gather(*(_record(contacts, 4, "follow_up") for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]


async def test_an_unknown_reminder_kind_is_refused(contacts):
    async with contacts() as session:
        with pytest.raises(ValueError):
            await reports.campaign_targets(session, year=YEAR, kind="third", now=NOW)
