"""Strict flood control: sliding one-second windows, overall and per chat, like Telegram's limits."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

# sendChatAction and drafts produce no message, so Telegram does not count them as sends.
_NOT_COUNTED = {"sendchataction", "sendmessagedraft", "sendrichmessagedraft"}


def counts_for_flood(method: str) -> bool:
    """Return True for message-producing methods: send*, copyMessage(s), forwardMessage(s), edit*."""
    name = method.lower()
    if name in _NOT_COUNTED:
        return False
    return name.startswith(("send", "edit", "copymessage", "forwardmessage"))


class FloodLimiter:
    """Admit at most `global_per_second` calls overall and `per_chat_per_second` per chat in any window."""

    def __init__(
        self,
        global_per_second: int,
        per_chat_per_second: int,
        *,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.window = window
        self._clock = clock
        self._global: deque[float] = deque()
        self._chats: dict[str, deque[float]] = {}
        self.rejections = 0

    def _purge(self, stamps: deque[float], now: float) -> None:
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()

    def acquire(self, chat_key: str | None) -> int | None:
        """Record an admitted call and return None, or return retry_after seconds for a rejected one."""
        now = self._clock()
        self._purge(self._global, now)
        chat = self._chats.get(chat_key) if chat_key is not None else None
        if chat is not None:
            self._purge(chat, now)
        waits = []
        if len(self._global) >= self.global_per_second:
            waits.append(self._global[0] + self.window - now)
        if chat is not None and len(chat) >= self.per_chat_per_second:
            waits.append(chat[0] + self.window - now)
        if waits:
            # Rejected calls stay out of the windows, as in Telegram.
            self.rejections += 1
            return max(1, math.ceil(max(waits)))
        self._global.append(now)
        if chat_key is not None:
            self._chats.setdefault(chat_key, deque()).append(now)
            if len(self._chats) > 10_000:
                self._drop_idle_chats(now)
        return None

    def _drop_idle_chats(self, now: float) -> None:
        for key in [k for k, stamps in self._chats.items() if not stamps or stamps[-1] <= now - self.window]:
            del self._chats[key]
