"""Build the JSON objects Telegram returns: User, Chat, Message, File."""

from __future__ import annotations

from .files import FileRecord
from .state import Chat, StoredMessage


def bot_user_json(bot_id: int, first_name: str, username: str) -> dict:
    """Return the bot's User object as it appears in Message.from."""
    return {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username}


def user_json(user_id: int, first_name: str, username: str | None, language_code: str | None) -> dict:
    """Return a simulated user's User object, omitting empty optional fields like Telegram."""
    user: dict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def private_chat_json(chat: Chat) -> dict:
    """Return the Chat object of a private chat (or of a group, for the group test chats)."""
    if chat.group:
        return {"id": chat.group["id"], "type": "group", "title": chat.group["title"]}
    out = {"id": chat.chat_id, "type": "private", "first_name": chat.user["first_name"]}
    if "username" in chat.user:
        out["username"] = chat.user["username"]
    return out


def chat_full_info_json(chat: Chat) -> dict:
    """Return the ChatFullInfo object getChat answers for a private chat."""
    return {
        **private_chat_json(chat),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


def _document_json(record: FileRecord) -> dict:
    out: dict = {"file_id": record.file_id, "file_unique_id": record.file_unique_id, "file_size": record.size}
    if record.filename:
        out["file_name"] = record.filename
    if record.mime_type:
        out["mime_type"] = record.mime_type
    return out


def _photo_json(record: FileRecord) -> list[dict]:
    return [
        {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "width": record.width,
            "height": record.height,
            "file_size": record.size,
        }
    ]


def message_json(chat: Chat, message: StoredMessage, bot_user: dict, *, with_reply: bool = True) -> dict:
    """Return the full Message object for a stored message."""
    out: dict = {
        "message_id": message.message_id,
        "from": bot_user if message.from_bot else chat.user,
        "chat": private_chat_json(chat),
        "date": message.date,
    }
    if with_reply and message.reply_to is not None and (target := chat.messages.get(message.reply_to)):
        out["reply_to_message"] = message_json(chat, target, bot_user, with_reply=False)
    if message.edit_date is not None:
        out["edit_date"] = message.edit_date
    parsed = message.parsed
    if message.file is None:
        out["text"] = parsed.text if parsed else ""
        if parsed and parsed.entities:
            out["entities"] = parsed.entities
    else:
        if message.file.kind == "photo":
            out["photo"] = _photo_json(message.file)
        else:
            out["document"] = _document_json(message.file)
        if parsed and parsed.text:
            out["caption"] = parsed.text
            if parsed.entities:
                out["caption_entities"] = parsed.entities
    markup = message.reply_markup
    # Telegram echoes only inline keyboards in Message.reply_markup, and only non-empty ones.
    if markup and markup.get("inline_keyboard"):
        out["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    return out


def file_json(record: FileRecord) -> dict:
    """Return the File object getFile answers."""
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": record.size,
        "file_path": record.file_path,
    }
