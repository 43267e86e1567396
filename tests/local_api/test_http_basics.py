"""Raw HTTP: routing, tokens, content types, answer shapes, unemulated methods."""

from __future__ import annotations

import aiohttp

from .conftest import USER, RawCaller


async def test_get_me_and_answer_shape(raw: RawCaller, api):
    status, body = await raw.json("getMe")
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["id"] == api.bot_id
    assert body["result"]["is_bot"] is True


async def test_malformed_token_is_unauthorized(raw: RawCaller):
    async with raw.session.post(f"{raw.base_url}/bot123:short/getMe") as resp:
        assert resp.status == 401
        assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_and_path_are_404(raw: RawCaller):
    status, body = await raw.json("sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}
    async with raw.session.get(f"{raw.base_url}/nothing/here") as resp:
        assert resp.status == 404
        assert (await resp.json())["description"] == "Not Found"


async def test_method_names_are_case_insensitive_and_get_works(raw: RawCaller):
    async with raw.session.get(raw.url("GETME")) as resp:
        assert resp.status == 200
    async with raw.session.get(raw.url("getmycommands"), params={"language_code": "de"}) as resp:
        assert (await resp.json()) == {"ok": True, "result": []}


async def test_all_content_types(raw: RawCaller, api):
    api.user_sends(USER, "hallo")
    status, _ = await raw.json("sendMessage", chat_id=USER, text="json")
    assert status == 200
    status, _ = await raw.form("sendMessage", chat_id=USER, text="form")
    assert status == 200
    status, _ = await raw.multipart("sendMessage", {"chat_id": str(USER), "text": "multipart"}, {})
    assert status == 200
    async with raw.session.get(raw.url("sendMessage"), params={"chat_id": USER, "text": "query"}) as resp:
        assert resp.status == 200
    assert [m.text for m in api.bot_messages(USER)] == ["json", "form", "multipart", "query"]


async def test_broken_json_body(raw: RawCaller):
    async with raw.session.post(
        raw.url("getMe"), data=b"{", headers={"Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 400
        assert "can't parse JSON" in (await resp.json())["description"]


async def test_required_parameter_missing(raw: RawCaller):
    status, body = await raw.json("sendMessage", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await raw.json("banChatMember", chat_id=1)
    assert (status, body["description"]) == (400, "Bad Request: user_id is required")


async def test_unemulated_methods_answer_true_after_validation(raw: RawCaller, api):
    status, body = await raw.json("setMessageReaction", chat_id=1, message_id=1)
    assert (status, body) == (200, {"ok": True, "result": True})
    status, body = await raw.json("setMessageReaction", chat_id=1, message_id="x")
    assert status == 400


async def test_request_log(raw: RawCaller, api):
    api.user_sends(USER, "hi")
    await raw.json("sendMessage", chat_id=USER, text="a")
    await raw.json("sendMessage", chat_id=999, text="b")
    await raw.json("nope")
    methods = [(r.method, r.chat_id, r.status) for r in api.requests]
    assert methods == [("sendMessage", USER, 200), ("sendMessage", 999, 400), ("nope", None, 404)]
    started, method, chat_id, status = api.requests[0]
    assert started > 0 and method == "sendMessage"


async def test_server_runs_on_localhost_and_stops(api):
    assert api.base_url.startswith("http://127.0.0.1:")
    await api.stop()
    async with aiohttp.ClientSession() as session:
        try:
            await session.get(api.base_url, timeout=aiohttp.ClientTimeout(total=1))
            raise AssertionError("server still answers")
        except aiohttp.ClientConnectionError:
            pass
