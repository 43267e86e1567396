"""Paces outgoing Bot API calls to Telegram's flood limits and retries 429 answers after retry_after."""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError

log = logging.getLogger(__name__)

# Methods that put something into a chat; Telegram's limits (about 30 messages a second overall,
# about one a second per chat) apply to these. Answering callbacks or polling is not limited.
_PACED_PREFIXES = ("Send", "Edit", "Copy", "Forward")
_UNPACED = {"SendChatAction"}
# Telegram measures the window on its side; a little slack absorbs differences in network latency.
_WINDOW_SLACK = 1.05


class SlidingWindowLimiter:
    """At most `limit` acquisitions within any window of `window` seconds, first come first served."""

    def __init__(self, limit: int, window: float):
        self.limit = max(1, limit)
        self.window = window
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more call fits into the window, then take it."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                while self._times and now - self._times[0] >= self.window:
                    self._times.popleft()
                if len(self._times) < self.limit:
                    self._times.append(now)
                    return
                await asyncio.sleep(self.window - (now - self._times[0]) + 0.001)


class ChatPacer:
    """Keeps a minimum interval between two paced calls to the same chat."""

    def __init__(self, per_second: float, max_chats: int = 50_000):
        self.interval = _WINDOW_SLACK / per_second
        self._next: dict[int | str, float] = {}
        self._locks: dict[int | str, asyncio.Lock] = {}
        self._max_chats = max_chats

    async def acquire(self, chat_id: int | str) -> None:
        """Wait for the chat's next free moment and reserve it."""
        loop = asyncio.get_running_loop()
        if len(self._next) > self._max_chats:
            now = loop.time()
            for stale in [
                key for key, when in self._next.items() if when < now and not self._locks[key].locked()
            ]:
                self._next.pop(stale, None)
                self._locks.pop(stale, None)
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            now = loop.time()
            ready = self._next.get(chat_id, now)
            if ready > now:
                await asyncio.sleep(ready - now)
            self._next[chat_id] = max(ready, now) + self.interval

    def hold(self, chat_id: int | str, seconds: float) -> None:
        """Telegram asked this chat to wait: push its next free moment back."""
        loop = asyncio.get_running_loop()
        self._next[chat_id] = max(self._next.get(chat_id, 0.0), loop.time() + seconds)


class FloodControl(BaseRequestMiddleware):
    """Request middleware: waits for a free slot, sends, and on 429 waits retry_after and sends again."""

    def __init__(
        self, global_per_second: float = 30.0, per_chat_per_second: float = 1.0, max_attempts: int = 6
    ):
        self.global_limiter = SlidingWindowLimiter(int(global_per_second), _WINDOW_SLACK)
        self.chat_pacer = ChatPacer(per_chat_per_second)
        self.max_attempts = max_attempts

    async def __call__(self, make_request, bot, method):
        name = type(method).__name__
        paced = name.startswith(_PACED_PREFIXES) and name not in _UNPACED
        chat_id = getattr(method, "chat_id", None)
        for attempt in range(1, self.max_attempts + 1):
            if paced:
                if chat_id is not None:
                    await self.chat_pacer.acquire(chat_id)
                await self.global_limiter.acquire()
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.max_attempts:
                    raise
                log.warning("Telegram flood limit on %s, retrying after %ss", name, exc.retry_after)
                if chat_id is not None:
                    self.chat_pacer.hold(chat_id, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except TelegramServerError:
                # 5xx: Telegram did not process the call, so sending again cannot duplicate it
                if attempt == self.max_attempts:
                    raise
                await asyncio.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
        raise RuntimeError("unreachable")
