"""Which channel a chat belongs to: a Telegram chat or a visitor of the web chat (same conversations)."""

from __future__ import annotations

from storage.web_chat import is_web_chat

TELEGRAM = "telegram"
WEB = "web"


def chat_channel(chat_id: int) -> str:
    """`web` for a web chat visitor's conversation, else `telegram` (what tickets and the question log record)."""
    return WEB if is_web_chat(chat_id) else TELEGRAM
