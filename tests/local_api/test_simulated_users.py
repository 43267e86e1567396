"""The Python API of simulated users: sending, pressing buttons, waiting, inspecting chats."""

from __future__ import annotations

import pytest

from local_bot_api import LocalBotApi

from .conftest import USER, RawCaller

KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Ja", "callback_data": "yes"}, {"text": "Nein", "callback_data": "no"}],
        [{"text": "Web", "url": "https://klima.de"}],
    ]
}


async def _send(raw: RawCaller, text: str, markup: dict | None = None) -> int:
    params = {"chat_id": USER, "text": text}
    if markup:
        params["reply_markup"] = markup
    status, body = await raw.json("sendMessage", **params)
    assert status == 200, body
    return body["result"]["message_id"]


async def test_user_message_ids_and_profile(api: LocalBotApi, raw: RawCaller):
    first = api.user_sends(USER, "Hallo", first_name="Erika", username="erika_m", language_code="en")
    second = api.user_sends(USER, "Noch was")
    assert (first, second) == (1, 2)
    _, body = await raw.json("getUpdates")
    sender = body["result"][0]["message"]["from"]
    assert sender == {
        "id": USER,
        "is_bot": False,
        "first_name": "Erika",
        "username": "erika_m",
        "language_code": "en",
    }
    with pytest.raises(ValueError):
        api.user_sends(USER, "   ")


async def test_press_only_existing_buttons(api: LocalBotApi, raw: RawCaller):
    api.user_sends(USER, "/start")
    mid = await _send(raw, "Frage", KEYBOARD)
    with pytest.raises(ValueError, match="no button with callback_data 'maybe'"):
        api.user_presses(USER, mid, "maybe")
    with pytest.raises(ValueError, match="no bot message"):
        api.user_presses(USER, 1, "yes")  # message 1 is the user's own
    with pytest.raises(ValueError, match="no button 'Vielleicht'"):
        api.user_presses_button(USER, "Vielleicht")
    with pytest.raises(ValueError, match="not a callback button"):
        api.user_presses_button(USER, "Web")
    with pytest.raises(ValueError, match="never written"):
        api.user_presses_button(999, 0)
    assert api.user_presses(USER, mid, "yes")


async def test_press_by_index_defaults_to_latest_message_with_buttons(api: LocalBotApi, raw: RawCaller):
    api.user_sends(USER, "/start")
    older = await _send(raw, "Alt", KEYBOARD)
    await _send(raw, "Neu", {"inline_keyboard": [[{"text": "Weiter", "callback_data": "next"}]]})
    await _send(raw, "ohne Knöpfe")
    api.user_presses_button(USER, 0)
    api.user_presses_button(USER, 1, message_id=older)
    _, body = await raw.json("getUpdates")
    data = [u["callback_query"]["data"] for u in body["result"] if "callback_query" in u]
    assert data == ["next", "no"]
    with pytest.raises(ValueError, match="no index 5"):
        api.user_presses_button(USER, 5)


async def test_bot_messages_reflect_state(api: LocalBotApi, raw: RawCaller):
    assert api.bot_messages(USER) == []
    api.user_sends(USER, "/start")
    mid = await _send(raw, "<i>eins</i>")
    assert api.bot_messages(USER)[0].text == "<i>eins</i>"  # no parse_mode: tags are plain text
    await raw.json("sendMessage", chat_id=USER, text="<i>zwei</i>", parse_mode="HTML")
    await raw.json("deleteMessage", chat_id=USER, message_id=mid)
    [message] = api.bot_messages(USER)
    assert (message.text, message.html, message.parse_mode) == ("zwei", "<i>zwei</i>", "HTML")


async def test_waiting(api: LocalBotApi, raw: RawCaller):
    api.user_sends(USER, "/start")
    with pytest.raises(TimeoutError, match="1 bot message"):
        await api.wait_for_messages(USER, 1, timeout=0.1)
    await _send(raw, "da")
    assert [m.text for m in await api.wait_for_messages(USER, 1, timeout=0.1)] == ["da"]
    assert await api.wait_for(lambda: api.pending_updates, timeout=0.1) == 1


async def test_make_token_is_valid_and_belongs_to_the_bot(api: LocalBotApi):
    token = api.make_token()
    bot_id, secret = token.split(":")
    assert int(bot_id) == api.bot_id
    assert len(secret) == 35


async def test_start_twice_fails_and_stop_is_idempotent(api: LocalBotApi):
    with pytest.raises(RuntimeError):
        await api.start()
    await api.stop()
    await api.stop()
