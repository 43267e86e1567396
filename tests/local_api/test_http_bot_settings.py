"""Raw HTTP: commands, menu button and callback query answers."""

from __future__ import annotations

import pytest

from .conftest import USER, RawCaller


async def test_commands_roundtrip(raw: RawCaller, api):
    commands = [
        {"command": "start", "description": "Beginnen"},
        {"command": "hilfe_2", "description": "Hilfe"},
    ]
    assert (await raw.json("setMyCommands", commands=commands))[0] == 200
    assert (await raw.json("getMyCommands"))[1]["result"] == commands
    assert api.my_commands() == commands
    # Lists are kept per language and scope, without fallback.
    assert (await raw.json("getMyCommands", language_code="en"))[1]["result"] == []
    assert (await raw.json("deleteMyCommands"))[0] == 200
    assert (await raw.json("getMyCommands"))[1]["result"] == []


@pytest.mark.parametrize(
    ("commands", "description"),
    [
        ([{"command": "Start", "description": "x"}], "BOT_COMMAND_INVALID"),
        ([{"command": "/start", "description": "x"}], "BOT_COMMAND_INVALID"),
        ([{"command": "a" * 33, "description": "x"}], "BOT_COMMAND_INVALID"),
        ([{"command": "ok", "description": "x" * 257}], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([{"command": "ok", "description": " "}], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([{"command": f"c{i}", "description": "x"} for i in range(101)], "BOT_COMMANDS_TOO_MUCH"),
        ([{"command": "ok"}], 'Can\'t find field "description"'),
    ],
)
async def test_command_rejections(raw: RawCaller, commands, description):
    status, body = await raw.json("setMyCommands", commands=commands)
    assert status == 400
    assert description in body["description"]


async def test_limits_are_inclusive(raw: RawCaller):
    commands = [{"command": f"c{i}", "description": "x" * 256} for i in range(100)]
    commands[0]["command"] = "a" * 32
    assert (await raw.json("setMyCommands", commands=commands))[0] == 200


async def test_menu_button(raw: RawCaller, api):
    api.user_sends(USER, "hi")
    assert (await raw.json("getChatMenuButton", chat_id=USER))[1]["result"] == {"type": "commands"}
    assert (await raw.json("setChatMenuButton", chat_id=USER, menu_button={"type": "default"}))[0] == 200
    assert (await raw.json("getChatMenuButton", chat_id=USER))[1]["result"] == {"type": "default"}
    status, _ = await raw.json("setChatMenuButton", chat_id=4242, menu_button={"type": "default"})
    assert status == 400


async def test_callback_answers(raw: RawCaller, api):
    api.user_sends(USER, "/start")
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    _, sent = await raw.json("sendMessage", chat_id=USER, text="Frage?", reply_markup=markup)
    query_id = api.user_presses(USER, sent["result"]["message_id"], "yes")
    _, updates = await raw.json("getUpdates")
    callback = updates["result"][-1]["callback_query"]
    assert (callback["id"], callback["data"]) == (query_id, "yes")
    assert callback["message"]["message_id"] == sent["result"]["message_id"]
    assert callback["from"]["id"] == USER

    status, body = await raw.json("answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    assert status == 400
    assert (await raw.json("answerCallbackQuery", callback_query_id=query_id, text="Danke"))[0] == 200
    status, body = await raw.json("answerCallbackQuery", callback_query_id=query_id)
    expected = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert (status, body["description"]) == (400, expected)
    status, body = await raw.json("answerCallbackQuery", callback_query_id="123")
    assert body["description"] == expected
    [answer] = api.callback_answers
    assert (answer.query_id, answer.text, answer.data, answer.show_alert) == (query_id, "Danke", "yes", False)
