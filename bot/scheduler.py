"""The scheduler (apscheduler 3, persistent job store in the database) and its jobs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url

from services.sla import send_sla_reminders

log = logging.getLogger(__name__)

SLA_CHECK_MINUTES = 15
# apscheduler 3 skips a run that is late by more than misfire_grace_time (default 1 s); a job that
# was due while the bot was down should still run once after the restart
MISFIRE_GRACE_SECONDS = 6 * 3600


@dataclass
class JobContext:
    """What jobs need; set when the scheduler starts (jobs are stored by reference, not with objects)."""

    runtime: object = None


CONTEXT = JobContext()


def sync_jobstore_url(database_url: str) -> str:
    """The job store uses a synchronous driver: sqlite3 or psycopg2."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    driver = "sqlite" if backend == "sqlite" else "postgresql+psycopg2"
    return url.set(drivername=driver).render_as_string(hide_password=False)


async def run_sla_check() -> int:
    """Job: remind the advisors of tickets waiting longer than the SLA."""
    runtime = CONTEXT.runtime
    if runtime is None:
        return 0
    async with runtime.sessions() as session:
        count = await send_sla_reminders(session, runtime.tickets, sla_hours=runtime.settings.sla_hours)
    if count:
        log.info("SLA reminder sent for %s ticket(s)", count)
        runtime.mail_wake.set()
    return count


def build_scheduler(runtime) -> AsyncIOScheduler:
    """A scheduler whose jobs survive restarts (stored in the application database)."""
    CONTEXT.runtime = runtime
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=sync_jobstore_url(runtime.settings.database_url))},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
        timezone="Europe/Berlin",
    )
    scheduler.add_job(
        "bot.scheduler:run_sla_check",
        "interval",
        minutes=SLA_CHECK_MINUTES,
        id="sla-check",
        replace_existing=True,
    )
    return scheduler
