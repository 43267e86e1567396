"""Strict sliding-window flood limiter with a fake clock."""

from __future__ import annotations

from local_bot_api.flood import FloodLimiter, counts_for_flood


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_per_chat_limit_and_retry_after():
    clock = FakeClock()
    limiter = FloodLimiter(30, 1, clock=clock)
    assert limiter.acquire("1") is None
    clock.now += 0.2
    assert limiter.acquire("1") == 1  # ceil(0.8) seconds, never below 1
    assert limiter.acquire("2") is None  # other chats are unaffected
    clock.now += 0.81
    assert limiter.acquire("1") is None
    assert limiter.rejections == 1


def test_global_limit_counts_all_chats_and_rejections_do_not_count():
    clock = FakeClock()
    limiter = FloodLimiter(3, 10, clock=clock)
    for chat in "abc":
        assert limiter.acquire(chat) is None
    assert limiter.acquire("d") == 1
    assert limiter.acquire("e") == 1
    clock.now += 1.0
    # The two rejected calls did not extend the window.
    assert limiter.acquire("f") is None
    assert limiter.rejections == 2


def test_window_slides():
    clock = FakeClock()
    limiter = FloodLimiter(2, 5, clock=clock)
    assert limiter.acquire("x") is None
    clock.now += 0.6
    assert limiter.acquire("x") is None
    clock.now += 0.5  # the first call left the window, the second did not
    assert limiter.acquire("x") is None
    assert limiter.acquire("x") == 1


def test_counted_methods():
    assert counts_for_flood("sendMessage")
    assert counts_for_flood("SENDDOCUMENT")
    assert counts_for_flood("editMessageText")
    assert counts_for_flood("copyMessage")
    assert counts_for_flood("forwardMessages")
    assert not counts_for_flood("sendChatAction")
    assert not counts_for_flood("getUpdates")
    assert not counts_for_flood("answerCallbackQuery")
