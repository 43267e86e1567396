"""What `GET /healthz` reports: the database, the background workers that must run here, the backlogs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services import metrics
from storage.backlog import backlogs

DATABASE_TIMEOUT_SECONDS = 3.0


@dataclass
class HealthProbe:
    """Knows the runtime's sessions and the workers that must be alive; `check()` looks.

    `workers()` reports the background workers (`{name: {"alive": bool, ...}}`, the leader's only while
    this instance leads); `watch()` adds a task of its own, such as the update handling.
    """

    sessions: object
    workers: Callable[[], dict[str, dict]] = dict
    tasks: dict[str, asyncio.Task] = field(default_factory=dict)

    def watch(self, name: str, task: asyncio.Task) -> None:
        """A background task whose death makes the instance unhealthy."""
        self.tasks[name] = task

    async def check(self) -> tuple[bool, dict]:
        """(healthy, report): unhealthy when the database cannot be reached or a watched worker stopped."""
        report: dict = {}
        healthy = True
        started = time.perf_counter()
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                async with self.sessions() as session:
                    queues = await backlogs(session)
            report["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
            metrics.set_backlogs(queues)
            report["backlog"] = {
                name: {"pending": queue.pending, "oldest_pending_seconds": queue.oldest_seconds}
                for name, queue in queues.items()
            }
        except Exception as exc:  # any failure to reach the database is the answer here
            healthy = False
            report["database"] = {"ok": False, "error": type(exc).__name__}
        workers = dict(self.workers())
        workers.update({name: {"alive": not task.done()} for name, task in self.tasks.items()})
        healthy = healthy and all(worker["alive"] for worker in workers.values())
        report["workers"] = workers
        report["status"] = "ok" if healthy else "fail"
        return healthy, report
