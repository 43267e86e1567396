"""The web chat as the bot sees it: what aiogram would send to Telegram for a web chat is stored as events.

The bot's handlers, the relay of advisors' replies and the scheduler all talk to one `Bot`; its session
(`web.bot_session.ChannelSession`) hands every Bot API call about a web chat to `WebChannel.execute`, which
stores it as an event of that chat (`storage/web_chat.py`) and answers like the Bot API would. The browser
reads the events (`web/routes.py`). So every conversation is written once and serves both channels.

While an update is handled, the events are collected and written after the handler returned, in a
transaction of their own: the handler's own transaction may hold SQLite's write lock until it ends.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import mimetypes
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.default import Default
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, InputFile, TelegramObject

from storage import web_chat
from storage.web_chat import is_web_chat
from web.rich_text import html_parts, plain_parts, plain_text

log = logging.getLogger(__name__)

BOT_USER = {"id": 1, "is_bot": True, "first_name": "klimabot", "username": "klimabot_web"}
FILE_PATH_PREFIX = "web-files/"
FILE_ID_PREFIX = "web-"
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # the Bot API's limit for documents a bot sends


@dataclass
class _PendingEvent:
    chat_id: int
    kind: str
    payload: dict[str, Any]
    message_id: int | None = None


@dataclass
class _Collected:
    """The events of the update being handled, written once its handler returned."""

    events: list[_PendingEvent] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)


_collecting: contextvars.ContextVar[_Collected | None] = contextvars.ContextVar("web_events", default=None)


class _MessageIds:
    """Message ids unique per chat across instances: microseconds since 1970, strictly growing per process."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns() // 1000)
            return self._last


MESSAGE_IDS = _MessageIds()


def callback_query_id(chat_id: int, event_id: int) -> str:
    """The id of a web chat's button press; it names the chat so that the pop-up notice finds its page."""
    return f"{FILE_ID_PREFIX}{chat_id}-{event_id}"


def _chat_of_callback(callback_id: str) -> int | None:
    if not callback_id.startswith(FILE_ID_PREFIX):
        return None
    number = callback_id[len(FILE_ID_PREFIX) :].split("-", 1)[0]
    return int(number) if number.isdigit() else None


def is_web_method(method: TelegramMethod) -> bool:
    """Whether a Bot API call is about a web chat (by chat id, callback id or file id)."""
    chat_id = getattr(method, "chat_id", None)
    if isinstance(chat_id, int) and is_web_chat(chat_id):
        return True
    if isinstance(method, AnswerCallbackQuery):
        return _chat_of_callback(method.callback_query_id) is not None
    if isinstance(method, GetFile):
        return method.file_id.startswith(FILE_ID_PREFIX)
    return False


def keyboard_rows(markup: Any) -> list[list[dict[str, str]]] | None:
    """Inline buttons as the browser gets them (callback data or link); other keyboards are not shown."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    rows = []
    for row in markup.inline_keyboard:
        buttons = []
        for button in row:
            if button.callback_data is not None:
                buttons.append({"text": button.text, "data": button.callback_data})
            elif button.url:
                buttons.append({"text": button.text, "url": button.url})
        if buttons:
            rows.append(buttons)
    return rows or None


def bot_message_json(chat_id: int, message_id: int, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The Bot API's `Message` for what was stored."""
    result = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Web"},
        "from": BOT_USER,
        **extra,
    }
    if payload.get("buttons"):
        result["reply_markup"] = {
            "inline_keyboard": [
                [
                    {"text": b["text"], "callback_data": b["data"]}
                    if "data" in b
                    else {"text": b["text"], "url": b["url"]}
                    for b in row
                ]
                for row in payload["buttons"]
            ]
        }
    text = plain_text(payload.get("parts") or [])
    if payload.get("document"):
        if text:
            result["caption"] = text
    else:
        result["text"] = text or " "
    return result


class WebChannel:
    """Carries out the Bot API calls of web chats on the web chat's tables."""

    def __init__(self, sessions) -> None:
        self.sessions = sessions

    # --- collecting while an update is handled ---------------------------------------------------------

    def middleware(self) -> BaseMiddleware:
        """An outer update middleware: collects the web events of the handling, writes them afterwards."""
        return _CollectingMiddleware(self)

    async def write(self, collected: _Collected) -> None:
        """Store collected events and files in one transaction."""
        if not collected.events and not collected.files:
            return
        async with self.sessions() as session:
            for item in collected.files:
                await web_chat.add_file(session, **item)
            for event in collected.events:
                await web_chat.add_event(
                    session,
                    chat_id=event.chat_id,
                    kind=event.kind,
                    payload=event.payload,
                    message_id=event.message_id,
                )
            await session.commit()

    async def _store(self, event: _PendingEvent, file: dict[str, Any] | None = None) -> None:
        collected = _collecting.get()
        if collected is not None:
            if file is not None:
                collected.files.append(file)
            collected.events.append(event)
            return
        await self.write(_Collected([event], [file] if file else []))

    async def _current(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        collected = _collecting.get()
        if collected is not None:
            for event in reversed(collected.events):
                if event.chat_id == chat_id and event.message_id == message_id:
                    return None if event.kind == "delete" else event.payload
        async with self.sessions() as session:
            return await web_chat.get_message(session, chat_id=chat_id, message_id=message_id)

    # --- the Bot API calls ----------------------------------------------------------------------------

    async def execute(self, bot, method: TelegramMethod) -> Any:
        """Carry out one call about a web chat; the result is what the Bot API would return (as JSON)."""
        if isinstance(method, SendMessage):
            return await self._send(method.chat_id, self._parts(bot, method.text, method.parse_mode), method)
        if isinstance(method, (SendDocument, SendPhoto)):
            return await self._send_file(bot, method)
        if isinstance(method, EditMessageText):
            return await self._edit(method, parts=self._parts(bot, method.text, method.parse_mode))
        if isinstance(method, EditMessageReplyMarkup):
            return await self._edit(method, parts=None)
        if isinstance(method, DeleteMessage):
            if await self._current(method.chat_id, method.message_id) is None:
                raise TelegramBadRequest(method, "Bad Request: message to delete not found")
            await self._store(_PendingEvent(method.chat_id, "delete", {}, method.message_id))
            return True
        if isinstance(method, AnswerCallbackQuery):
            if method.text:
                chat_id = _chat_of_callback(method.callback_query_id)
                notice = {"text": method.text, "alert": bool(method.show_alert)}
                await self._store(_PendingEvent(chat_id, "notice", notice))
            return True
        if isinstance(method, GetFile):
            return await self._file_info(method)
        if isinstance(method, SendChatAction):
            return True
        log.warning("web chat: %s is not supported", type(method).__name__)
        raise TelegramBadRequest(
            method, f"Bad Request: {type(method).__name__} is not available in the web chat"
        )

    def _parts(self, bot, text: str | None, parse_mode: Any) -> list[dict[str, Any]]:
        if isinstance(parse_mode, Default):
            parse_mode = bot.default[parse_mode.name]
        if not text:
            return []
        mode = str(getattr(parse_mode, "value", parse_mode) or "")
        return html_parts(text) if mode.upper() == "HTML" else plain_parts(text)

    async def _send(self, chat_id: int, parts, method, document: dict | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "from": "bot",
            "parts": parts,
            "buttons": keyboard_rows(method.reply_markup),
        }
        if document is not None:
            payload["document"] = document
        message_id = MESSAGE_IDS.next()
        await self._store(_PendingEvent(chat_id, "message", payload, message_id))
        return bot_message_json(chat_id, message_id, payload)

    async def _send_file(self, bot, method: SendDocument | SendPhoto) -> dict[str, Any]:
        source = method.document if isinstance(method, SendDocument) else method.photo
        if not isinstance(source, InputFile):
            raise TelegramBadRequest(method, "Bad Request: only new files can be sent to the web chat")
        data = b"".join([chunk async for chunk in source.read(bot)])
        if len(data) > MAX_DOCUMENT_BYTES:
            raise TelegramBadRequest(method, "Request Entity Too Large")
        name = source.filename or ("foto.jpg" if isinstance(method, SendPhoto) else "Dokument")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        file_id = secrets.token_urlsafe(24)
        file = {
            "file_id": file_id,
            "chat_id": method.chat_id,
            "name": name,
            "content_type": content_type,
            "data": data,
        }
        document = {"name": name, "url": f"/chat/api/files/{file_id}", "size": len(data)}
        payload: dict[str, Any] = {
            "from": "bot",
            "parts": self._parts(bot, method.caption, method.parse_mode),
            "buttons": keyboard_rows(method.reply_markup),
            "document": document,
        }
        message_id = MESSAGE_IDS.next()
        await self._store(_PendingEvent(method.chat_id, "message", payload, message_id), file)
        described = {
            "file_id": FILE_ID_PREFIX + file_id,
            "file_unique_id": file_id[:16],
            "file_name": name,
            "mime_type": content_type,
            "file_size": len(data),
        }
        return bot_message_json(method.chat_id, message_id, payload, document=described)

    async def _edit(self, method, *, parts) -> dict[str, Any]:
        if method.chat_id is None or method.message_id is None:
            raise TelegramBadRequest(method, "Bad Request: inline messages do not exist in the web chat")
        current = await self._current(method.chat_id, method.message_id)
        if current is None:
            # gone from the page (the visitor's data were just erased): show the new text as a new message
            return await self._send(method.chat_id, parts or [], method)
        if current.get("from") != "bot":
            raise TelegramBadRequest(method, "Bad Request: message to edit not found")
        # as in Telegram: editing the text without a keyboard removes the keyboard
        changed = {**current, "buttons": keyboard_rows(method.reply_markup)}
        if parts is not None:
            changed["parts"] = parts
        if changed == current:
            raise TelegramBadRequest(method, "Bad Request: message is not modified")
        await self._store(_PendingEvent(method.chat_id, "edit", changed, method.message_id))
        return bot_message_json(method.chat_id, method.message_id, changed)

    async def _file_info(self, method: GetFile) -> dict[str, Any]:
        file_id = method.file_id[len(FILE_ID_PREFIX) :]
        async with self.sessions() as session:
            stored = await web_chat.get_file(session, file_id=file_id)
        if stored is None:
            raise TelegramBadRequest(method, "Bad Request: invalid file_id")
        return {
            "file_id": method.file_id,
            "file_unique_id": file_id[:16],
            "file_size": stored.size,
            "file_path": FILE_PATH_PREFIX + file_id,
        }

    async def file_content(self, file_path: str) -> bytes:
        """The bytes behind a `file_path` that `execute(GetFile)` gave out."""
        file_id = file_path.rsplit(FILE_PATH_PREFIX, 1)[-1]
        async with self.sessions() as session:
            stored = await web_chat.get_file(session, file_id=file_id)
        if stored is None:
            raise FileNotFoundError(file_path)
        return stored.data


class _CollectingMiddleware(BaseMiddleware):
    def __init__(self, channel: WebChannel) -> None:
        self.channel = channel

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        collected = _Collected()
        token = _collecting.set(collected)
        try:
            result = await handler(event, data)
        except asyncio.CancelledError:
            # stopped mid-way (shutdown): the update is handled again after the restart and sends anew;
            # no new database work may start while the process stops
            raise
        except Exception:
            await self.channel.write(collected)  # what it sent was sent, though it failed (as in Telegram)
            raise
        finally:
            _collecting.reset(token)
        await self.channel.write(collected)
        return result
