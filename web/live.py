"""Live events for the open pages of this process, whichever instance stored them.

One poller per process reads new events of all chats from the database (right away when this process
stored some, otherwise every `interval` seconds while a page is open) and hands each to the pages of its
chat. Behind a load balancer the page's stream and the bot's answer may be on different instances: the
database is what they share.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

from services import metrics
from storage import web_chat
from storage.database import DATABASE_UNAVAILABLE, uninterrupted
from storage.web_chat import ShownEvent

log = logging.getLogger(__name__)

# PostgreSQL hands out ids at insert and commits in any order: look this far back for late commits
LATE_COMMIT_WINDOW = 200
REMEMBERED = 4000


class LiveEvents:
    """Subscribe a page to its chat; `poke()` when events were stored; `run()` until cancelled."""

    def __init__(self, sessions, *, wake: asyncio.Event | None = None, interval: float = 0.25) -> None:
        self.sessions = sessions
        self.interval = interval
        self._pages: dict[int, set[asyncio.Queue]] = {}
        self._wake = wake or asyncio.Event()  # set after every commit that stored events (session hook)
        self._newest = 0
        self._floor = 0  # events stored before this process started are read from the history, not here
        self._seen: set[int] = set()
        self._seen_order: deque[int] = deque()

    def poke(self) -> None:
        """Events were stored (by this process): read them now."""
        self._wake.set()

    def subscribe(self, chat_id: int) -> asyncio.Queue[ShownEvent]:
        """A queue of the chat's new events for one open page."""
        queue: asyncio.Queue[ShownEvent] = asyncio.Queue(maxsize=1000)
        self._pages.setdefault(chat_id, set()).add(queue)
        self._wake.set()
        metrics.WEB_CHAT_OPEN_PAGES.inc()
        return queue

    def unsubscribe(self, chat_id: int, queue: asyncio.Queue) -> None:
        """The page closed."""
        pages = self._pages.get(chat_id)
        if pages is not None and queue in pages:
            pages.discard(queue)
            metrics.WEB_CHAT_OPEN_PAGES.dec()
            if not pages:
                del self._pages[chat_id]

    async def run(self) -> None:
        """Read and hand out new events until cancelled."""
        async with self.sessions() as session:
            self._newest = self._floor = await web_chat.newest_event_id(session)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval if self._pages else 5.0)
            self._wake.clear()
            if not self._pages:
                continue
            try:
                await uninterrupted(self._read_new())
            except DATABASE_UNAVAILABLE as exc:
                log.warning("web chat: reading new events failed (%s); trying again", type(exc).__name__)
                await asyncio.sleep(1.0)
            except Exception:  # a bug must not end the live feed of every open page
                log.exception("web chat: reading new events failed")
                await asyncio.sleep(1.0)

    async def _read_new(self) -> None:
        async with self.sessions() as session:
            recent = await web_chat.list_recent_event_ids(
                session, after=max(self._floor, self._newest - LATE_COMMIT_WINDOW)
            )
            new = [event_id for event_id in recent if event_id not in self._seen]
            events = await web_chat.get_events(session, event_ids=new)
        for event in events:
            self._remember(event.id)
            self._newest = max(self._newest, event.id)
            for queue in self._pages.get(event.chat_id, ()):
                with contextlib.suppress(asyncio.QueueFull):  # a page that stopped reading: it reloads
                    queue.put_nowait(event)

    def _remember(self, event_id: int) -> None:
        self._seen.add(event_id)
        self._seen_order.append(event_id)
        while len(self._seen_order) > REMEMBERED:
            self._seen.discard(self._seen_order.popleft())
