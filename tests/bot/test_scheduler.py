"""The SLA job lives in the database job store: a restart finds it once, and it sends reminders."""

import datetime as dt

from sqlalchemy import update
from sqlmodel import select

from bot.app import build_runtime
from bot.scheduler import build_scheduler, run_sla_check, sync_jobstore_url
from bot.settings import Settings
from services.tickets import NewTicket, open_ticket
from storage.tables import OutboxMail, Ticket


def test_the_job_store_uses_a_synchronous_driver():
    assert sync_jobstore_url("sqlite:///var/x.db") == "sqlite:///var/x.db"
    assert sync_jobstore_url("postgresql://u@127.0.0.1/test").startswith("postgresql+psycopg2://")


async def test_the_sla_job_survives_a_restart_and_reminds_once(database_url, tmp_path):
    settings = Settings(database_url=database_url, mail_sink_dir=tmp_path / "sink")
    runtime = await build_runtime(settings, apply_migrations=False)
    first = build_scheduler(runtime)
    first.start(paused=True)
    first.shutdown(wait=False)
    second = build_scheduler(runtime)  # the "restarted" process
    second.start(paused=True)
    jobs = second.get_jobs()
    second.shutdown(wait=False)
    assert sorted(job.id for job in jobs) == ["booking-reminders", "report-campaign", "sla-check"]

    async with runtime.sessions() as session:
        ticket = await open_ticket(
            session, runtime.tickets, NewTicket(channel="telegram", question="Frage?", chat_id=1)
        )
        await session.exec(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(waiting_since=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
        )
        await session.commit()
    assert await run_sla_check() == 1
    assert await run_sla_check() == 0
    async with runtime.sessions() as session:
        purposes = [row.purpose for row in (await session.exec(select(OutboxMail))).all()]
    await runtime.close()
    assert purposes.count("sla_reminder") == 1
