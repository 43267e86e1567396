"""A web visitor sees and erases what is stored: the export is a download, the erasure empties the page."""

from __future__ import annotations

import json

from tests.web.client import buttons, text


async def test_the_export_is_a_download_and_the_erasure_removes_the_conversation(visitor):
    await visitor.reply_to("/start")
    await visitor.post("/chat/api/email", {"email": "besucher@gemeinde.de"})
    await visitor.reply_to("Was ist eine THG-Bilanz?")
    export = await visitor.reply_to("/meine_daten")
    assert export.get("document"), text(export)
    async with visitor.http.get(visitor.base_url + export["document"]["url"]) as response:
        assert response.status == 200
        data = json.loads(await response.read())
    assert data["web_chat"]["reply_email"] == "besucher@gemeinde.de"
    assert any("THG-Bilanz" in json.dumps(event, ensure_ascii=False) for event in data["web_chat"]["events"])

    question = await visitor.reply_to("/daten_loeschen")
    status, _ = await visitor.press(question["message_id"], buttons(question)["🗑 Ja, löschen"])
    assert status == 202
    await visitor.wait_for(lambda messages: any("gelöscht" in text(m) for m in messages))
    remaining = json.dumps(await visitor.history(), ensure_ascii=False)
    assert "THG-Bilanz" not in remaining and "besucher@gemeinde.de" not in remaining
    async with visitor.http.get(f"{visitor.base_url}/chat/api/me") as response:
        assert (await response.json())["email"] is None
