"""The scheduler (apscheduler 3) and its jobs: each a few lines that call services.

The jobs are fixed intervals that look at the database for what is due (reminders, SLA, campaign), so
nothing needs to be stored about them: each start schedules them afresh, with a first run right away, and
whatever fell due while the bot was down is found then. apscheduler 3's database job store would talk to
the database synchronously on the event loop: a locked table or a silent network froze Telegram, IMAP and
the outbox with it, so the jobs are kept in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
from dataclasses import dataclass

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from services.booking.bookings import due_reminders, mark_reminded
from services.booking.formatting import format_label, format_slot, topic_label
from services.reports import campaign_targets, record_campaign_send
from services.retention import RetentionPolicy, apply_retention
from services.sla import send_sla_reminders
from services.working_time import BERLIN
from storage.tables import TelegramOutbox
from storage.types import utcnow

log = logging.getLogger(__name__)

SLA_CHECK_MINUTES = 15
REMINDER_CHECK_MINUTES = 1
# a run that is late (a busy loop, a suspended machine) still happens once instead of being skipped
MISFIRE_GRACE_SECONDS = 3600


@dataclass
class JobContext:
    """What jobs need; set when the scheduler starts (jobs are stored by reference, not with objects)."""

    runtime: object = None


CONTEXT = JobContext()


def reminder_text(booking, kind) -> str:
    """The Telegram reminder of a booking."""
    when = "morgen" if str(kind).endswith("24h") or "day" in str(kind).lower() else "in einer Stunde"
    return (
        f"⏰ Erinnerung: Ihre Initialberatung ({topic_label(booking.topic)}, {format_label(booking.format)}) "
        f"ist {when} – {format_slot(booking.start_utc)}. Absagen oder verschieben: /termine"
    )


async def run_sla_check() -> int:
    """Job: remind the advisors of tickets waiting longer than the SLA."""
    runtime = CONTEXT.runtime
    if runtime is None:
        return 0
    async with runtime.sessions() as session:
        count = await send_sla_reminders(session, runtime.tickets, sla_hours=runtime.settings.sla_hours)
    if count:
        log.info("SLA reminder sent for %s ticket(s)", count)
    return count


async def run_booking_reminders(now=None) -> int:
    """Job: queue the 24 h and 1 h reminders that are due; each fires once (claimed by compare-and-set)."""
    runtime = CONTEXT.runtime
    if runtime is None:
        return 0
    sent = 0
    async with runtime.sessions() as session:
        for booking, kind in await due_reminders(session, now=now or utcnow()):
            if booking.telegram_chat_id is None:
                await mark_reminded(session, booking_id=booking.id, kind=kind)
                continue
            if await mark_reminded(session, booking_id=booking.id, kind=kind):
                session.add(
                    TelegramOutbox(
                        chat_id=booking.telegram_chat_id, kind="text", text=reminder_text(booking, kind)
                    )
                )
                await session.commit()
                sent += 1
    return sent


CAMPAIGN_TEXTS = {
    "first": (
        "📝 Erinnerung: Der Maßnahmenbericht {year} für {name} fehlt noch. Mit /bericht melden Sie Ihre "
        "Klimaschutz- und Anpassungsmaßnahmen in wenigen Minuten – Sie können jederzeit unterbrechen."
    ),
    "follow_up": (
        "📝 Noch einmal zur Erinnerung: Der Maßnahmenbericht {year} für {name} ist noch nicht abgegeben. "
        "Mit /bericht geht es los."
    ),
}


async def run_report_campaign(now=None) -> int:
    """Job: on and after the campaign date, remind contacts whose municipality has not reported (once, then one follow-up)."""
    runtime = CONTEXT.runtime
    settings = runtime.settings if runtime else None
    if settings is None or not settings.report_campaign_date:
        return 0
    now = now or utcnow()
    start = dt.date.fromisoformat(settings.report_campaign_date)
    if now.astimezone(BERLIN).date() < start:
        return 0
    year = settings.report_campaign_year or start.year - 1
    follow_up_after = dt.timedelta(weeks=settings.report_followup_weeks)
    sent = 0
    async with runtime.sessions() as session:
        for kind in ("first", "follow_up"):
            for contact in await campaign_targets(
                session, year=year, kind=kind, now=now, follow_up_after=follow_up_after
            ):
                if not await record_campaign_send(
                    session, chat_id=contact.chat_id, year=year, kind=kind, now=now
                ):
                    continue
                text = CAMPAIGN_TEXTS[kind].format(year=year, name=contact.municipality_name)
                session.add(TelegramOutbox(chat_id=contact.chat_id, kind="report_reminder", text=text))
                await session.commit()
                sent += 1
    return sent


_RUNNING_JOBS: set[asyncio.Task] = set()


def _tracked(job):
    """The job as the scheduler runs it, remembered while it runs so that stopping can wait for it."""

    @functools.wraps(job)
    async def run():
        task = asyncio.current_task()
        _RUNNING_JOBS.add(task)
        try:
            return await job()
        finally:
            _RUNNING_JOBS.discard(task)

    return run


async def stop_scheduler(scheduler: AsyncIOScheduler, *, grace: float = 10.0) -> None:
    """Stop the scheduler (it cancels the jobs running) and wait, bounded, until those have unwound, so none
    is cut off mid-transaction when the database connections are closed next."""
    running = {task for task in _RUNNING_JOBS if not task.done()}
    with contextlib.suppress(Exception):
        scheduler.shutdown(wait=False)
    if running:
        await asyncio.wait(running, timeout=grace)


async def run_retention(now=None) -> dict[str, int]:
    """Job: erase or anonymise what is older than its retention period (daily)."""
    runtime = CONTEXT.runtime
    if runtime is None:
        return {}
    settings = runtime.settings
    policy = RetentionPolicy(
        questions_days=settings.retention_questions_days,
        closed_tickets_days=settings.retention_closed_tickets_days,
        past_bookings_days=settings.retention_past_bookings_days,
        unsubmitted_drafts_days=settings.retention_unsubmitted_drafts_days,
        sent_mails_days=settings.retention_sent_mails_days,
    )
    async with runtime.sessions() as session:
        counts = await apply_retention(session, policy, now=now)
    if any(counts.values()):
        log.info("retention: %s", counts)
    return counts


def build_scheduler(runtime) -> AsyncIOScheduler:
    """The scheduler with its interval jobs, each due once right after start."""
    CONTEXT.runtime = runtime
    scheduler = AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
        timezone="Europe/Berlin",
    )
    first_run = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    jobs = (
        (run_booking_reminders, "booking-reminders", dt.timedelta(minutes=REMINDER_CHECK_MINUTES)),
        (run_report_campaign, "report-campaign", dt.timedelta(hours=1)),
        (run_sla_check, "sla-check", dt.timedelta(minutes=SLA_CHECK_MINUTES)),
        (run_retention, "retention", dt.timedelta(days=1)),
    )
    for job, job_id, every in jobs:
        scheduler.add_job(
            _tracked(job), "interval", seconds=every.total_seconds(), id=job_id, next_run_time=first_run
        )
    return scheduler
