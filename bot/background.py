"""An instance's background work: what every instance runs, and what only the leader runs.

Every instance sends from the outboxes (their claims are compare-and-set, so no mail or message goes out
twice). The IMAP reader and the scheduled jobs run on the leader only (`bot.leadership`): another instance
takes over when the leader dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from aiogram import Bot

from bot.leadership import Leadership
from bot.mail_channel import build_imap_reader, build_transport
from bot.relay import run_relay_worker
from bot.scheduler import build_scheduler, stop_scheduler
from mail.outbox import Sender, run_outbox_worker
from services import document_worker

log = logging.getLogger(__name__)


@dataclass
class BackgroundWork:
    """The running tasks; `leader` tells whether this instance leads and what it runs then."""

    tasks: list[asyncio.Task] = field(default_factory=list)
    leadership: Leadership | None = None
    reader: asyncio.Task | None = None
    scheduler: object | None = None

    def health(self) -> dict[str, dict]:
        """Liveness of every worker this instance must run now (the leader's too, when it leads)."""
        workers = {task.get_name(): {"alive": not task.done()} for task in self.tasks}
        leading = bool(self.leadership and self.leadership.is_leader)
        workers["leader"] = {"alive": True, "leading": leading}
        if leading:
            if self.reader is not None:
                workers["imap-reader"] = {"alive": not self.reader.done()}
            workers["scheduler"] = {"alive": bool(self.scheduler is not None and self.scheduler.running)}
        return workers


def start_background_work(runtime, bot: Bot) -> BackgroundWork:
    """Outbox workers here; IMAP reader and scheduler once this instance leads."""
    settings = runtime.settings
    sender = Sender(settings.inbox_address)
    work = BackgroundWork(
        leadership=Leadership(settings.database_url, retry_seconds=settings.leader_retry_seconds)
    )
    work.tasks = [
        asyncio.create_task(
            run_outbox_worker(runtime.sessions, build_transport(settings), sender, wake=runtime.mail_wake),
            name="mail-outbox",
        ),
        asyncio.create_task(
            run_relay_worker(bot, runtime.sessions, wake=runtime.relay_wake), name="telegram-relay"
        ),
    ]
    if not settings.mail_enabled:
        log.warning(
            "mail channel off (KLIMABOT_IMAP_HOST/KLIMABOT_SMTP_HOST not set): outgoing mails are written to %s",
            settings.mail_sink_dir,
        )

    async def lead() -> None:
        if settings.mail_enabled:
            reader = build_imap_reader(settings, runtime.inbox_context())
            work.reader = asyncio.create_task(reader.run(), name="imap-reader")
            log.info(
                "mail channel on: reading %s@%s",
                settings.imap_user or settings.inbox_address,
                settings.imap_host,
            )
        work.scheduler = build_scheduler(runtime)
        work.scheduler.start()
        try:
            await asyncio.Event().wait()  # until leadership ends (cancelled)
        finally:
            await stop_scheduler(work.scheduler)
            if work.reader is not None:
                work.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(work.reader, timeout=10)
            work.reader, work.scheduler = None, None

    work.tasks.append(asyncio.create_task(work.leadership.run(lead), name="leadership"))
    return work


async def stop_background_work(work: BackgroundWork) -> None:
    """Cancel the workers (the leader's stop with the leadership task) and the document worker."""
    for task in work.tasks:
        task.cancel()
    for task in work.tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=10)
    document_worker.stop()
