"""Wake-up signal for everything that waits on the in-memory state (long polls, test waits)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ChangeNotifier:
    """Each `notify()` wakes all current waiters; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every coroutine currently blocked in `wait()`."""
        self._event.set()
        # A fresh event for the next round, so late waiters block until the next change.
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Block until the next `notify()` or until `seconds` have passed."""
        if seconds <= 0:
            return
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass

    async def wait_until(self, predicate: Callable[[], T], seconds: float, what: str) -> T:
        """Return the first truthy `predicate()` result; raise TimeoutError after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {seconds:.1f}s waiting for {what}")
            await self.wait(remaining)
