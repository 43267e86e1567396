"""Raw HTTP: sendMessage, edits and deletions with Telegram's checks."""

from __future__ import annotations

import pytest

from local_bot_api.methods.messages import NOT_MODIFIED

from .conftest import USER, RawCaller


def keyboard(*buttons: dict) -> dict:
    return {"inline_keyboard": [list(buttons)]}


@pytest.fixture
def chat(api):
    api.user_sends(USER, "/start")
    return USER


async def test_chat_must_exist(raw: RawCaller):
    status, body = await raw.json("sendMessage", chat_id=USER, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await raw.json("sendMessage", chat_id="@someone", text="hi")
    assert body["description"] == "Bad Request: chat not found"


async def test_sent_message_is_a_full_message(raw: RawCaller, api, chat):
    status, body = await raw.json(
        "sendMessage",
        chat_id=chat,
        text="<b>Hallo</b>",
        parse_mode="HTML",
        reply_markup=keyboard({"text": "A", "callback_data": "a"}),
    )
    assert status == 200
    msg = body["result"]
    assert msg["message_id"] == 2  # the user's /start was message 1
    assert msg["from"]["id"] == api.bot_id and msg["from"]["is_bot"] is True
    assert msg["chat"] == {"id": chat, "type": "private", "first_name": "Test"}
    assert msg["text"] == "Hallo"
    assert msg["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert msg["reply_markup"] == keyboard({"text": "A", "callback_data": "a"})
    assert isinstance(msg["date"], int)
    _, second = await raw.json("sendMessage", chat_id=chat, text="next")
    assert second["result"]["message_id"] == 3


async def test_text_length_limits(raw: RawCaller, chat):
    assert (await raw.json("sendMessage", chat_id=chat, text="x" * 4096))[0] == 200
    status, body = await raw.json("sendMessage", chat_id=chat, text="x" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    # Tags do not count, entities do not either: the limit applies after parsing.
    status, _ = await raw.json(
        "sendMessage", chat_id=chat, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML"
    )
    assert status == 200
    # Emoji outside the BMP count twice, as in Telegram's UTF-16 counting.
    assert (await raw.json("sendMessage", chat_id=chat, text="😀" * 2049))[0] == 400
    status, body = await raw.json("sendMessage", chat_id=chat, text="   ")
    assert body["description"] == "Bad Request: message text is empty"
    status, body = await raw.json("sendMessage", chat_id=chat, text="<b></b>", parse_mode="HTML")
    assert body["description"] == "Bad Request: message text is empty"


async def test_parse_modes(raw: RawCaller, chat):
    status, body = await raw.json("sendMessage", chat_id=chat, text="<b>x", parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    status, body = await raw.json("sendMessage", chat_id=chat, text="Ende.", parse_mode="MarkdownV2")
    assert "Character '.' is reserved" in body["description"]
    assert (await raw.json("sendMessage", chat_id=chat, text="Ende\\.", parse_mode="markdownv2"))[0] == 200
    assert (await raw.json("sendMessage", chat_id=chat, text="*a*", parse_mode="Markdown"))[0] == 200
    status, body = await raw.json("sendMessage", chat_id=chat, text="x", parse_mode="BBCode")
    assert status == 400 and "unsupported parse_mode" in body["description"]


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        (keyboard({"text": "A", "callback_data": "x" * 65}), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard({"text": "A", "callback_data": "ä" * 33}), "Bad Request: BUTTON_DATA_INVALID"),  # 66 bytes
        (keyboard({"text": "A", "callback_data": ""}), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard({"text": "A"}), "Text buttons are unallowed in the inline keyboard"),
        (keyboard({"text": "A", "callback_data": "a", "url": "https://x.de"}), "exactly one action field"),
        (keyboard({"text": "A", "url": "klima.de"}), "is invalid: Wrong HTTP URL"),
        (keyboard({"text": "A", "url": "ftp://klima.de"}), "is invalid"),
        (keyboard({"text": "A", "web_app": {"url": "http://klima.de"}}), "Only HTTPS links are allowed"),
        (keyboard({"text": "", "callback_data": "a"}), "BUTTON_TEXT_INVALID"),
        (keyboard({"text": "A", "callback_data": "a", "style": "pink"}), "invalid button style"),
        (
            {"inline_keyboard": [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]},
            "REPLY_MARKUP_TOO_LONG",
        ),
        (
            {"inline_keyboard": [{"text": "A", "callback_data": "a"}]},
            'Field "inline_keyboard" must be of type Array',
        ),
    ],
)
async def test_inline_keyboard_rejections(raw: RawCaller, chat, markup, description):
    status, body = await raw.json("sendMessage", chat_id=chat, text="x", reply_markup=markup)
    assert status == 400
    assert description in body["description"]


@pytest.mark.parametrize(
    "markup",
    [
        keyboard({"text": "A", "callback_data": "x" * 64}),
        keyboard({"text": "A", "callback_data": "ä" * 32}),
        keyboard(
            {"text": "A", "url": "https://klima.de/pfad?x=1"}, {"text": "B", "url": "tg://resolve?domain=x"}
        ),
        {"inline_keyboard": [[{"text": str(i), "callback_data": str(i)}] for i in range(100)]},
        {"keyboard": [["Ja", {"text": "Nein"}]], "resize_keyboard": True},
        {"remove_keyboard": True},
        {"force_reply": True},
    ],
)
async def test_valid_markups(raw: RawCaller, chat, markup):
    status, body = await raw.json("sendMessage", chat_id=chat, text="x", reply_markup=markup)
    assert status == 200, body


async def test_edit_message_text(raw: RawCaller, api, chat):
    kb = keyboard({"text": "A", "callback_data": "a"})
    _, sent = await raw.json("sendMessage", chat_id=chat, text="alt", reply_markup=kb)
    mid = sent["result"]["message_id"]
    status, body = await raw.json(
        "editMessageText", chat_id=chat, message_id=mid, text="alt", reply_markup=kb
    )
    assert (status, body["description"]) == (400, f"Bad Request: {NOT_MODIFIED}")
    # Same text in different markup that renders identically is still "not modified".
    status, body = await raw.json(
        "editMessageText", chat_id=chat, message_id=mid, text="<i></i>alt", parse_mode="HTML", reply_markup=kb
    )
    assert status == 400
    status, body = await raw.json(
        "editMessageText", chat_id=chat, message_id=mid, text="neu", reply_markup=kb
    )
    assert status == 200 and body["result"]["text"] == "neu" and "edit_date" in body["result"]
    # Leaving out reply_markup removes the keyboard, exactly as Telegram does.
    status, body = await raw.json("editMessageText", chat_id=chat, message_id=mid, text="neu")
    assert status == 200 and "reply_markup" not in body["result"]
    [message] = api.bot_messages(chat)
    assert (message.text, message.buttons, message.edited) == ("neu", [], True)


async def test_edit_errors(raw: RawCaller, chat):
    status, body = await raw.json("editMessageText", chat_id=chat, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await raw.json("editMessageText", chat_id=chat, message_id=1, text="x")
    assert body["description"] == "Bad Request: message can't be edited"  # message 1 is the user's
    status, body = await raw.json("editMessageText", inline_message_id="abc", text="x")
    assert status == 400


async def test_edit_reply_markup(raw: RawCaller, api, chat):
    kb = keyboard({"text": "A", "callback_data": "a"})
    _, sent = await raw.json("sendMessage", chat_id=chat, text="x", reply_markup=kb)
    mid = sent["result"]["message_id"]
    status, body = await raw.json("editMessageReplyMarkup", chat_id=chat, message_id=mid, reply_markup=kb)
    assert body["description"].startswith("Bad Request: message is not modified")
    new = keyboard({"text": "B", "callback_data": "b"})
    status, _ = await raw.json("editMessageReplyMarkup", chat_id=chat, message_id=mid, reply_markup=new)
    assert status == 200
    assert api.bot_messages(chat)[0].buttons == [[("B", "b")]]
    status, body = await raw.json(
        "editMessageReplyMarkup", chat_id=chat, message_id=mid, reply_markup={"keyboard": [["x"]]}
    )
    assert status == 400


async def test_delete_message(raw: RawCaller, api, chat):
    _, sent = await raw.json("sendMessage", chat_id=chat, text="weg")
    mid = sent["result"]["message_id"]
    assert (await raw.json("deleteMessage", chat_id=chat, message_id=mid)) == (
        200,
        {"ok": True, "result": True},
    )
    status, body = await raw.json("deleteMessage", chat_id=chat, message_id=mid)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    assert api.bot_messages(chat) == []


async def test_reply_parameters(raw: RawCaller, chat):
    status, body = await raw.json("sendMessage", chat_id=chat, text="x", reply_parameters={"message_id": 1})
    assert status == 200 and body["result"]["reply_to_message"]["text"] == "/start"
    status, body = await raw.json("sendMessage", chat_id=chat, text="x", reply_parameters={"message_id": 77})
    assert body["description"] == "Bad Request: message to be replied not found"


async def test_blocked_user(raw: RawCaller, api, chat):
    api.user_blocks(chat)
    status, body = await raw.json("sendMessage", chat_id=chat, text="x")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    api.user_sends(chat, "wieder da")
    assert (await raw.json("sendMessage", chat_id=chat, text="x"))[0] == 200


async def test_chat_action_and_get_chat(raw: RawCaller, chat):
    assert (await raw.json("sendChatAction", chat_id=chat, action="typing"))[0] == 200
    status, body = await raw.json("sendChatAction", chat_id=chat, action="dancing")
    assert status == 400
    status, body = await raw.json("getChat", chat_id=chat)
    assert body["result"]["type"] == "private" and body["result"]["id"] == chat
