"""Simulated users: write to the bot, upload documents, press inline buttons, block the bot."""

from __future__ import annotations

import re
import secrets

from .formatting import MAX_TEXT_LENGTH
from .parsed_text import ParsedText, utf16_len
from .serialize import message_json, user_json
from .state import BotState, Chat, PendingCallback, StoredMessage

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?")


def _user_chat(
    state: BotState, user_id: int, first_name: str, username: str | None, language_code: str | None
) -> Chat:
    chat = state.chat_for_user(user_json(user_id, first_name, username, language_code))
    chat.blocked = False  # writing to the bot again means the user restarted it
    return chat


def _command_entities(text: str) -> list[dict]:
    # Telegram clients mark a leading /command; aiogram's filters do not need it, but handlers may.
    match = _COMMAND_RE.match(text)
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}] if match else []


def _deliver(state: BotState, chat: Chat, message: StoredMessage) -> int:
    state.updates.push("message", message_json(chat, message, state.bot_user))
    state.changes.notify()
    return message.message_id


def user_sends(
    state: BotState,
    user_id: int,
    text: str,
    *,
    first_name: str = "Test",
    username: str | None = None,
    language_code: str | None = "de",
) -> int:
    """Create a private-chat message update from the user; return its message_id."""
    if not text.strip():
        raise ValueError("Telegram users cannot send empty messages")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise ValueError("Telegram clients split texts longer than 4096 characters; send several messages")
    chat = _user_chat(state, user_id, first_name, username, language_code)
    message = chat.add(from_bot=False, raw=text, parsed=ParsedText(text, _command_entities(text)))
    return _deliver(state, chat, message)


def user_sends_in_group(
    state: BotState, group_id: int, user_id: int, text: str, *, title: str = "Gruppe"
) -> int:
    """The user writes `text` in a group the bot is a member of; return the message_id."""
    if group_id >= 0:
        raise ValueError("group chat ids are negative")
    chat = state.group_chat(group_id, title, user_json(user_id, "Test", None, "de"))
    message = chat.add(from_bot=False, raw=text, parsed=ParsedText(text, _command_entities(text)))
    return _deliver(state, chat, message)


def user_sends_document(
    state: BotState,
    user_id: int,
    filename: str,
    data: bytes,
    caption: str | None = None,
    *,
    first_name: str = "Test",
    username: str | None = None,
    language_code: str | None = "de",
) -> int:
    """Create a document message update from the user; the bot can getFile and download it."""
    if not data:
        raise ValueError("Telegram does not send empty files")
    chat = _user_chat(state, user_id, first_name, username, language_code)
    record = state.files.add("document", data, filename=filename)
    parsed = ParsedText(caption) if caption else None
    message = chat.add(from_bot=False, raw=caption, parsed=parsed, file=record)
    return _deliver(state, chat, message)


def _chat_of(state: BotState, user_id: int) -> Chat:
    chat = state.chats.get(user_id)
    if chat is None:
        raise ValueError(f"user {user_id} has never written to the bot")
    return chat


def _inline_button_dicts(message: StoredMessage) -> list[dict]:
    markup = message.reply_markup or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def user_presses(state: BotState, user_id: int, message_id: int, callback_data: str) -> str:
    """Press the callback button carrying `callback_data` on a bot message; return the query id."""
    chat = _chat_of(state, user_id)
    message = chat.messages.get(message_id)
    if message is None or not message.from_bot:
        raise ValueError(f"chat {user_id} has no bot message {message_id}")
    buttons = _inline_button_dicts(message)
    if not any(b.get("callback_data") == callback_data for b in buttons):
        available = [b.get("callback_data") for b in buttons if b.get("callback_data") is not None]
        raise ValueError(
            f"message {message_id} has no button with callback_data {callback_data!r}; has {available}"
        )
    query_id = str(secrets.randbits(63))
    state.add_callback(PendingCallback(query_id, user_id, message_id, callback_data))
    state.updates.push(
        "callback_query",
        {
            "id": query_id,
            "from": chat.user,
            "message": message_json(chat, message, state.bot_user),
            "chat_instance": chat.chat_instance,
            "data": callback_data,
        },
    )
    state.changes.notify()
    return query_id


def _latest_with_buttons(chat: Chat) -> StoredMessage:
    for message in reversed(chat.messages.values()):
        if message.from_bot and _inline_button_dicts(message):
            return message
    raise ValueError(f"no bot message with inline buttons in chat {chat.chat_id}")


def user_presses_button(
    state: BotState, user_id: int, text_or_index: str | int, message_id: int | None = None
) -> str:
    """Press a callback button by label or by row-major index (default: latest bot message with buttons)."""
    chat = _chat_of(state, user_id)
    if message_id is None:
        message = _latest_with_buttons(chat)
    elif (found := chat.messages.get(message_id)) is not None and found.from_bot:
        message = found
    else:
        raise ValueError(f"chat {user_id} has no bot message {message_id}")
    buttons = _inline_button_dicts(message)
    labels = [b["text"] for b in buttons]
    if isinstance(text_or_index, int):
        if not 0 <= text_or_index < len(buttons):
            raise ValueError(
                f"message {message.message_id} has {len(buttons)} buttons, no index {text_or_index}"
            )
        button = buttons[text_or_index]
    else:
        matches = [b for b in buttons if b["text"] == text_or_index]
        if not matches:
            raise ValueError(
                f"message {message.message_id} has no button {text_or_index!r}; labels: {labels}"
            )
        button = matches[0]
    if button.get("callback_data") is None:
        raise ValueError(f"button {button['text']!r} is not a callback button and sends no callback query")
    return user_presses(state, user_id, message.message_id, button["callback_data"])


def set_blocked(state: BotState, user_id: int, blocked: bool) -> None:
    """Mark whether the user blocked the bot (sends then fail with 403)."""
    _chat_of(state, user_id).blocked = blocked
