"""Raw HTTP: injected faults and the strict flood limit."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from local_bot_api import FaultRule, LocalBotApi

from .conftest import USER, RawCaller


async def test_fault_429_then_normal(raw: RawCaller, api):
    api.user_sends(USER, "hi")
    api.add_fault(FaultRule(method="sendMessage", kind="429", count=2, retry_after=3))
    for _ in range(2):
        status, body = await raw.json("sendMessage", chat_id=USER, text="x")
        assert status == 429
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        }
    assert (await raw.json("getMe"))[0] == 200  # other methods are not affected
    assert (await raw.json("sendMessage", chat_id=USER, text="x"))[0] == 200


async def test_fault_500_for_any_method(raw: RawCaller, api):
    api.add_fault(FaultRule(kind="500"))
    status, body = await raw.json("getMe")
    assert (status, body) == (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    assert (await raw.json("getMe"))[0] == 200


async def test_fault_slow(raw: RawCaller, api):
    api.add_fault(FaultRule(method="getme", kind="slow", delay=0.3))
    started = time.monotonic()
    assert (await raw.json("getMe"))[0] == 200
    assert time.monotonic() - started >= 0.3


async def test_fault_drop_closes_the_connection(raw: RawCaller, api):
    api.add_fault(FaultRule(method="getMe", kind="drop"))
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw.json("getMe")
    assert (await raw.json("getMe"))[0] == 200
    assert [r.status for r in api.requests] == [0, 200]


def test_fault_rule_validation():
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultRule(kind="boom")
    with pytest.raises(ValueError):
        FaultRule(count=0)


async def test_strict_flood_limit_per_chat_and_global():
    async with LocalBotApi(flood_limit=True, global_per_second=5, per_chat_per_second=1) as api:
        async with aiohttp.ClientSession() as session:
            raw = RawCaller(session, api.base_url, api.make_token())
            for user in range(1, 8):
                api.user_sends(user, "hi")
            assert (await raw.json("sendMessage", chat_id=1, text="a"))[0] == 200
            status, body = await raw.json("sendMessage", chat_id=1, text="b")
            assert status == 429
            assert body["parameters"]["retry_after"] == 1
            assert body["description"] == "Too Many Requests: retry after 1"
            # Non-message methods are not counted.
            assert (await raw.json("sendChatAction", chat_id=1, action="typing"))[0] == 200
            statuses = [(await raw.json("sendMessage", chat_id=u, text="c"))[0] for u in range(2, 8)]
            assert statuses == [200, 200, 200, 200, 429, 429]  # 5 per second overall
            assert api.flood_rejections == 3
            await asyncio.sleep(1.05)
            assert (await raw.json("sendMessage", chat_id=1, text="d"))[0] == 200
