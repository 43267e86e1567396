"""What `GET /healthz` reports: the database, the background workers that must run here, the backlogs."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from services import metrics
from storage.backlog import backlogs

DATABASE_TIMEOUT_SECONDS = 3.0


@dataclass
class HealthProbe:
    """Knows the runtime's sessions and the tasks and scheduler that must be alive; `check()` looks."""

    sessions: object
    tasks: dict[str, asyncio.Task] = field(default_factory=dict)
    scheduler: object | None = None

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
        workers = {}
        for name, task in self.tasks.items():
            alive = not task.done()
            workers[name] = {"alive": alive}
            healthy = healthy and alive
        if self.scheduler is not None:
            running = bool(getattr(self.scheduler, "running", False))
            workers["scheduler"] = {"alive": running}
            healthy = healthy and running
        report["workers"] = workers
        report["status"] = "ok" if healthy else "fail"
        return healthy, report
