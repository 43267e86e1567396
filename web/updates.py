"""What a visitor does in the page, as the Telegram update the bot's handlers already understand."""

from __future__ import annotations

import time
from typing import Any

from storage.web_chat import WEB_UPDATE_BASE


def update_id_of(event_id: int) -> int:
    """The update's number: the visitor's event gives it (far above Telegram's own numbers)."""
    return WEB_UPDATE_BASE + event_id


def visitor(chat_id: int) -> dict[str, Any]:
    """The visitor as a Telegram user (the chat id is the user id, as in a private chat)."""
    return {"id": chat_id, "is_bot": False, "first_name": "Besucher", "language_code": "de"}


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Besucher"}


def _message(chat_id: int, message_id: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": _chat(chat_id),
        "from": visitor(chat_id),
        **content,
    }


def text_update(event_id: int, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
    """A typed message."""
    return {"update_id": update_id_of(event_id), "message": _message(chat_id, message_id, text=text)}


def document_update(
    event_id: int, chat_id: int, message_id: int, *, file_id: str, name: str, content_type: str, size: int
) -> dict[str, Any]:
    """An uploaded file (photos too arrive as documents: the handlers take either)."""
    document = {
        "file_id": file_id,
        "file_unique_id": file_id[-16:],
        "file_name": name,
        "mime_type": content_type,
        "file_size": size,
    }
    return {"update_id": update_id_of(event_id), "message": _message(chat_id, message_id, document=document)}


def press_update(
    event_id: int, chat_id: int, *, callback_id: str, message: dict[str, Any], data: str
) -> dict[str, Any]:
    """A pressed button of one of the bot's messages."""
    return {
        "update_id": update_id_of(event_id),
        "callback_query": {
            "id": callback_id,
            "from": visitor(chat_id),
            "chat_instance": str(chat_id),
            "message": message,
            "data": data,
        },
    }
