"""The report reminder campaign: from the configured date, once, one follow-up, opt-out respected."""

import datetime as dt

from sqlmodel import select

from bot.app import build_runtime
from bot.scheduler import CONTEXT, run_report_campaign
from bot.settings import Settings
from services import reports
from storage.tables import TelegramOutbox


async def test_the_campaign_reminds_missing_municipalities_once_and_follows_up_once(database_url, tmp_path):
    settings = Settings(
        database_url=database_url,
        mail_sink_dir=tmp_path / "sink",
        report_campaign_date="2027-03-01",
        report_campaign_year=2026,
        report_followup_weeks=2,
    )
    runtime = await build_runtime(settings, apply_migrations=False)
    CONTEXT.runtime = runtime
    async with runtime.sessions() as session:
        await reports.remember_contact(session, chat_id=11, ags="06440025", name="Wöllstadt")
        await reports.remember_contact(session, chat_id=12, ags="06534014", name="Marburg")
        await reports.remember_contact(session, chat_id=13, ags="06411000", name="Darmstadt")
        await reports.set_no_reminders(session, chat_id=13)
    march = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
    try:
        assert await run_report_campaign(now=march - dt.timedelta(days=1)) == 0
        assert await run_report_campaign(now=march) == 2
        assert await run_report_campaign(now=march + dt.timedelta(days=1)) == 0
        assert await run_report_campaign(now=march + dt.timedelta(weeks=2, hours=1)) == 2
        assert await run_report_campaign(now=march + dt.timedelta(weeks=6)) == 0
        async with runtime.sessions() as session:
            rows = (await session.exec(select(TelegramOutbox).order_by(TelegramOutbox.id))).all()
    finally:
        CONTEXT.runtime = None
        await runtime.close()
    assert sorted(row.chat_id for row in rows) == [11, 11, 12, 12]
    assert all(row.kind == "report_reminder" and "2026" in row.text for row in rows)
