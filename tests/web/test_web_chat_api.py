"""The web chat through its browser protocol: conversations, live events, and what keeps it safe."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.web.client import WebVisitor, buttons, text
from tests.web.conftest import running_web_bot, web_settings

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_new_visitor_gets_a_private_cookie_and_a_strict_page(web_bot):
    browser = WebVisitor(web_bot.base_url)
    try:
        async with browser.http.get(f"{web_bot.base_url}/chat") as response:
            assert response.status == 200
            cookie = response.headers["Set-Cookie"]
            policy = response.headers["Content-Security-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
        assert "Path=/chat" in cookie
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'self'" in policy
        for name in ("chat.js", "chat.css"):
            async with browser.http.get(f"{web_bot.base_url}/chat/static/{name}") as response:
                assert response.status == 200
        async with browser.http.get(f"{web_bot.base_url}/chat/static/..%2Fchannel.py") as response:
            assert response.status == 404
            assert "error" in await response.json()
    finally:
        await browser.close()


async def test_a_question_gets_its_answer_with_sources_and_feedback_buttons(visitor):
    greeting = await visitor.reply_to("/start")
    assert "klimabot" in text(greeting)
    assert "📝 Maßnahmen melden" in buttons(greeting)
    answer = await visitor.reply_to("Was ist eigentlich eine THG-Bilanz?")
    assert any(part.get("href", "").startswith("https://") for part in answer["parts"])
    assert any(part.get("b") for part in answer["parts"])  # Telegram's <b> arrives as a flag, not as markup
    assert "<b>" not in text(answer)
    feedback = buttons(answer)
    assert "👍 Hilfreich" in feedback
    status, _ = await visitor.press(answer["message_id"], feedback["👍 Hilfreich"])
    assert status == 202
    await visitor.wait_for(
        lambda messages: len(messages) >= 2 and "👍 Hilfreich" not in buttons(messages[-1])
    )


async def test_only_buttons_the_bot_shows_can_be_pressed(visitor):
    greeting = await visitor.reply_to("/start")
    status, body = await visitor.press(greeting["message_id"], "f:1:1")
    assert status == 409 and "Knopf" in body["error"]
    status, _ = await visitor.press(greeting["message_id"] + 1, buttons(greeting)["ℹ️ Hilfe"])
    assert status == 409
    stranger = WebVisitor(visitor.base_url)
    try:
        await stranger.open_page()
        status, _ = await stranger.press(greeting["message_id"], buttons(greeting)["ℹ️ Hilfe"])
        assert status == 409  # another visitor's message
    finally:
        await stranger.close()


async def test_requests_without_the_page_or_the_cookie_are_refused(web_bot, visitor):
    status, body = await visitor.post("/chat/api/send", {"text": "hallo"}, Origin="https://evil.example")
    assert status == 403 and body["error"]
    status, body = await visitor.post("/chat/api/send", {"text": "hallo"}, **{"Content-Type": "text/plain"})
    assert status == 400
    cookieless = WebVisitor(web_bot.base_url)
    try:
        status, body = await cookieless.say("hallo")
        assert status == 401 and "neu" in body["error"]
        async with cookieless.http.get(f"{web_bot.base_url}/chat/api/history") as response:
            assert response.status == 401
    finally:
        await cookieless.close()


async def test_a_flood_of_messages_gets_a_friendly_429(visitor):
    statuses = []
    for number in range(30):
        status, body = await visitor.say(f"Frage {number}")
        statuses.append(status)
    assert 429 in statuses and statuses[0] == 202
    status, body = await visitor.say("noch eine")
    assert status == 429 and "Geduld" in body["error"]


async def test_empty_and_overlong_messages_are_refused_in_german(visitor):
    status, body = await visitor.say("   \u0000 ")
    assert status == 400 and "Nachricht" in body["error"]
    status, body = await visitor.say("x" * 5000)
    assert status == 413 and "4.096" in body["error"]


async def _upload(browser: WebVisitor, name: str, data: bytes) -> tuple[int, dict]:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    async with browser.http.post(
        f"{browser.base_url}/chat/api/upload", data=form, headers={"Origin": browser.origin}
    ) as response:
        return response.status, await response.json()


async def test_uploads_are_photos_or_pdfs_of_at_most_10_mb_and_only_their_chat_gets_them(visitor):
    status, body = await _upload(visitor, "bericht.pdf", PDF)
    assert status == 202, body
    shown = [event for event in await visitor.history() if event.get("document")]
    assert shown and shown[-1]["from"] == "user" and shown[-1]["document"]["name"] == "bericht.pdf"
    url = visitor.base_url + shown[-1]["document"]["url"]
    async with visitor.http.get(url) as response:
        assert response.status == 200 and await response.read() == PDF
        assert "attachment" in response.headers["Content-Disposition"]
    stranger = WebVisitor(visitor.base_url)
    try:
        await stranger.open_page()
        async with stranger.http.get(url) as response:
            assert response.status == 404
    finally:
        await stranger.close()
    status, body = await _upload(visitor, "skript.pdf", b"#!/bin/sh\necho hallo\n")
    assert status == 400 and "PDF" in body["error"]
    status, body = await _upload(visitor, "gross.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 10))
    assert status == 413 and "10 MB" in body["error"]


async def test_new_messages_reach_the_open_page_live(visitor):
    async with visitor.stream() as events:
        status, _ = await visitor.say("/start")
        assert status == 202
        seen = []
        async with asyncio.timeout(15):
            while not any(event.get("from") == "bot" for event in seen):
                seen.append(await events.get())
    assert seen[0]["from"] == "user" and text(seen[0]) == "/start"
    ids = [event["id"] for event in seen]
    assert ids == sorted(ids)


async def test_a_reply_address_can_be_left_and_is_checked(visitor):
    status, body = await visitor.post("/chat/api/email", {"email": "max..muster@gemeinde.de"})
    assert status == 400 and "E-Mail-Adresse" in body["error"]
    status, body = await visitor.post("/chat/api/email", {"email": " Anna.Beispiel@Gemeinde-Musterstadt.de "})
    assert status == 200 and body["email"].endswith("@gemeinde-musterstadt.de")
    async with visitor.http.get(f"{visitor.base_url}/chat/api/me") as response:
        me = await response.json()
    assert me["email"] == body["email"]
    assert any(command["command"] == "/termin" for command in me["commands"])


@pytest.mark.slow
async def test_the_conversation_survives_a_restart_of_the_server(database_url, tmp_path):
    settings = web_settings(database_url, tmp_path)
    browser = WebVisitor(f"http://{settings.http_listen}")
    try:
        async with running_web_bot(settings):
            await browser.open_page()
            await browser.reply_to("/start")
            before = await browser.history()
        async with running_web_bot(settings):
            assert await browser.history() == before
            answer = await browser.reply_to("Was ist eine THG-Bilanz?")
            assert "THG" in text(answer) or "Treibhausgas" in text(answer)
    finally:
        await browser.close()
