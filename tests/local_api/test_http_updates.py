"""Raw HTTP: getUpdates confirmation, long polling, conflicts, webhooks."""

from __future__ import annotations

import asyncio
import time

from .conftest import USER, RawCaller


async def test_offset_confirms_and_limit(raw: RawCaller, api):
    for text in ("a", "b", "c"):
        api.user_sends(USER, text)
    _, body = await raw.json("getUpdates", limit=2)
    ids = [u["update_id"] for u in body["result"]]
    assert [u["message"]["text"] for u in body["result"]] == ["a", "b"]
    # Without offset nothing is confirmed: the same updates come again.
    _, again = await raw.json("getUpdates")
    assert len(again["result"]) == 3
    _, rest = await raw.json("getUpdates", offset=ids[-1] + 1)
    assert [u["message"]["text"] for u in rest["result"]] == ["c"]
    _, none = await raw.json("getUpdates", offset=rest["result"][0]["update_id"] + 1)
    assert none["result"] == []
    assert api.pending_updates == 0


async def test_negative_offset_keeps_the_last_updates(raw: RawCaller, api):
    for text in ("a", "b", "c"):
        api.user_sends(USER, text)
    _, body = await raw.json("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in body["result"]] == ["c"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(raw: RawCaller, api):
    poll = asyncio.create_task(raw.json("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    api.user_sends(USER, "jetzt")
    status, body = await poll
    assert time.monotonic() - started < 0.5
    assert status == 200 and body["result"][0]["message"]["text"] == "jetzt"


async def test_long_poll_times_out_empty(raw: RawCaller):
    started = time.monotonic()
    _, body = await raw.json("getUpdates", timeout=1)
    assert body["result"] == []
    assert 0.9 < time.monotonic() - started < 2


async def test_second_poll_terminates_the_first_with_409(raw: RawCaller):
    first = asyncio.create_task(raw.json("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    _, body = await raw.json("getUpdates", timeout=0)
    status, first_body = await first
    assert status == 409
    assert first_body["description"].startswith("Conflict: terminated by other getUpdates request")
    assert body["ok"] is True


async def test_allowed_updates_filter(raw: RawCaller, api):
    await raw.json("getUpdates", allowed_updates=["callback_query"])
    api.user_sends(USER, "ignored")
    _, body = await raw.json("getUpdates")
    assert body["result"] == []
    await raw.json("getUpdates", allowed_updates=[])
    api.user_sends(USER, "seen")
    _, body = await raw.json("getUpdates")
    assert [u["message"]["text"] for u in body["result"]] == ["seen"]


async def test_webhook_blocks_get_updates(raw: RawCaller, api):
    status, body = await raw.json("setWebhook", url="http://insecure.example")
    assert status == 400 and "HTTPS URL must be provided" in body["description"]
    status, body = await raw.json("setWebhook", url="https://bot.example:8080/hook")
    assert status == 400 and "ports 80, 88, 443 or 8443" in body["description"]
    assert (await raw.json("setWebhook", url="https://bot.example/hook"))[0] == 200
    status, body = await raw.json("getUpdates")
    assert status == 409
    assert "can't use getUpdates method while webhook is active" in body["description"]
    _, info = await raw.json("getWebhookInfo")
    assert info["result"]["url"] == "https://bot.example/hook"
    api.user_sends(USER, "x")
    assert (await raw.json("deleteWebhook", drop_pending_updates=True))[0] == 200
    _, body = await raw.json("getUpdates")
    assert body == {"ok": True, "result": []}
    _, info = await raw.json("getWebhookInfo")
    assert info["result"] == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


async def test_log_out_and_close(raw: RawCaller):
    assert (await raw.json("logOut"))[1] == {"ok": True, "result": True}
    assert (await raw.json("close"))[1] == {"ok": True, "result": True}


async def test_stop_ends_pending_long_poll(api, raw: RawCaller):
    poll = asyncio.create_task(raw.json("getUpdates", timeout=30))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await api.stop()
    status, body = await poll
    assert status == 200 and body["result"] == []
    assert time.monotonic() - started < 1.5
