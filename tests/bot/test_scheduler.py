"""The scheduler: its jobs are set up afresh on each start, never block the event loop, and remind once."""

import asyncio
import datetime as dt
import sqlite3
import threading

from sqlalchemy import update
from sqlmodel import select

from bot.app import build_runtime
from bot.scheduler import build_scheduler, run_sla_check, stop_scheduler
from bot.settings import Settings
from services.tickets import NewTicket, open_ticket
from storage.tables import OutboxMail, Ticket


async def test_each_start_schedules_the_jobs_once_and_the_sla_job_reminds_once(database_url, tmp_path):
    settings = Settings(database_url=database_url, mail_sink_dir=tmp_path / "sink")
    runtime = await build_runtime(settings, apply_migrations=False)
    first = build_scheduler(runtime)
    first.start(paused=True)
    first.shutdown(wait=False)
    second = build_scheduler(runtime)  # the "restarted" process
    second.start(paused=True)
    jobs = second.get_jobs()
    second.shutdown(wait=False)
    assert all(job.next_run_time is not None for job in jobs)  # due right after the start
    assert sorted(job.id for job in jobs) == [
        "booking-reminders",
        "report-campaign",
        "retention",
        "sla-check",
    ]

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


async def test_a_locked_database_does_not_freeze_the_event_loop(tmp_path):
    """A job waiting for a locked SQLite table leaves Telegram, IMAP and the outbox running."""
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    settings = Settings(database_url=url, mail_sink_dir=tmp_path / "sink")
    runtime = await build_runtime(settings)
    scheduler = build_scheduler(runtime)
    scheduler.start()
    lock_taken, release = threading.Event(), threading.Event()

    def hold_lock():
        connection = sqlite3.connect(tmp_path / "locked.db")
        connection.execute("BEGIN EXCLUSIVE")
        lock_taken.set()
        release.wait(10)
        connection.rollback()
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    lock_taken.wait(5)
    loop = asyncio.get_running_loop()
    job = asyncio.create_task(run_sla_check())
    for scheduled in scheduler.get_jobs():
        scheduler.modify_job(scheduled.id, next_run_time=dt.datetime.now(dt.UTC))
    worst, last = 0.0, loop.time()
    for _ in range(30):  # 1.5 s of ticks while the table is locked and the jobs wait for it
        await asyncio.sleep(0.05)
        now = loop.time()
        worst, last = max(worst, now - last), now
    release.set()
    await asyncio.to_thread(holder.join)
    await asyncio.wait_for(job, 30)
    await stop_scheduler(scheduler)
    await runtime.close()
    assert worst < 0.5
