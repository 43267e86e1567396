"""Snapshots of stored messages for the Python API (tests and the local chat)."""

from __future__ import annotations

from .keyboards import inline_buttons, reply_keyboard_labels
from .models import BotMessage
from .state import StoredMessage


def to_bot_message(message: StoredMessage) -> BotMessage:
    """Return what the user sees of one bot message."""
    parsed = message.parsed
    document = None
    photo = None
    if message.file is not None and message.file.kind == "photo":
        photo = message.file.data
    elif message.file is not None:
        document = (message.file.filename or "", message.file.data)
    return BotMessage(
        message_id=message.message_id,
        text=parsed.text if parsed else "",
        html=message.raw,
        parse_mode=message.parse_mode,
        buttons=inline_buttons(message.reply_markup),
        document=document,
        edited=message.edit_date is not None,
        date=message.date,
        photo=photo,
        reply_keyboard=reply_keyboard_labels(message.reply_markup),
        entities=list(parsed.entities) if parsed else [],
    )
