"""In-memory Telegram state of one bot: private chats, messages, updates, callback queries, settings."""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from .changes import ChangeNotifier
from .errors import bad_request, forbidden
from .files import FileRecord, FileStore
from .models import CallbackAnswer
from .parsed_text import ParsedText

# Telegram delivers every update type except these unless allowed_updates asks for them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class StoredMessage:
    """One message of a private chat, sent by the user or by the bot."""

    message_id: int
    from_bot: bool
    date: int
    raw: str | None = None
    parse_mode: str | None = None
    parsed: ParsedText | None = None
    file: FileRecord | None = None
    reply_markup: dict | None = None
    edit_date: int | None = None
    reply_to: int | None = None

    @property
    def kind(self) -> str:
        """Return "text", "document" or "photo"."""
        return self.file.kind if self.file is not None else "text"


@dataclass
class Chat:
    """A chat of the bot with one simulated user: private, or a group (`group` holds its id and title)."""

    user: dict
    max_messages: int
    group: dict | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_message_id: int = 0
    blocked: bool = False
    menu_button: dict | None = None
    chat_instance: str = field(default_factory=lambda: str(secrets.randbits(62)))

    @property
    def chat_id(self) -> int:
        """Return the chat id: the user id in private chats, the group's (negative) id in groups."""
        return self.group["id"] if self.group else self.user["id"]

    def add(self, **fields: object) -> StoredMessage:
        """Append a message with the next message_id of this chat."""
        self.last_message_id += 1
        message = StoredMessage(message_id=self.last_message_id, date=int(time.time()), **fields)
        self.messages[message.message_id] = message
        while len(self.messages) > self.max_messages:
            del self.messages[next(iter(self.messages))]
        return message


@dataclass
class PendingCallback:
    """A callback query the bot still has to answer (Telegram accepts one answer)."""

    query_id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False


class UpdateQueue:
    """Unconfirmed updates in the order getUpdates hands them out; bounded like Telegram's 24 h buffer."""

    def __init__(self, capacity: int) -> None:
        self._items: deque[dict] = deque(maxlen=capacity)
        # Telegram starts a bot's update ids at "a certain positive number", not at 1: a bot restarted
        # against a new server must not see numbers it has stored before
        self._last_id = secrets.randbelow(900_000_000) + 100_000_000
        self.allowed: frozenset[str] | None = None

    def push(self, kind: str, payload: dict) -> int | None:
        """Queue an update unless allowed_updates excludes its type; return its update_id."""
        if self.allowed is not None and kind not in self.allowed:
            return None
        if self.allowed is None and kind in _OPT_IN_UPDATES:
            return None
        self._last_id += 1
        self._items.append({"update_id": self._last_id, kind: payload})
        return self._last_id

    def confirm(self, offset: int) -> None:
        """Forget updates before `offset`; a negative offset keeps only the last -offset updates."""
        if offset < 0:
            while len(self._items) > -offset:
                self._items.popleft()
            return
        while self._items and self._items[0]["update_id"] < offset:
            self._items.popleft()

    def pending(self, limit: int) -> list[dict]:
        """Return up to `limit` oldest unconfirmed updates without removing them."""
        return [item for _, item in zip(range(limit), self._items, strict=False)]

    def clear(self) -> None:
        """Drop all pending updates (deleteWebhook with drop_pending_updates)."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class BotState:
    """Everything the server remembers; only touched from the event loop, so no locking."""

    def __init__(
        self, *, bot_user: dict, max_updates: int, max_messages_per_chat: int, max_files: int
    ) -> None:
        self.bot_user = bot_user
        self.max_messages_per_chat = max_messages_per_chat
        self.chats: dict[int, Chat] = {}
        self.updates = UpdateQueue(max_updates)
        self.files = FileStore(max_files)
        self.callbacks: dict[str, PendingCallback] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.max_callbacks = max_updates
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.default_menu_button: dict | None = None
        self.webhook: dict | None = None
        self.poll_generation = 0
        self.closing = False
        self.changes = ChangeNotifier()

    def chat_for_user(self, user: dict) -> Chat:
        """Return the user's chat, creating it (the user wrote first) and refreshing the profile."""
        chat = self.chats.get(user["id"])
        if chat is None:
            chat = Chat(user=user, max_messages=self.max_messages_per_chat)
            self.chats[user["id"]] = chat
        else:
            chat.user = user
        return chat

    def group_chat(self, group_id: int, title: str, user: dict) -> Chat:
        """Return the group chat in which `user` writes, creating it on first use."""
        chat = self.chats.get(group_id)
        if chat is None:
            group = {"id": group_id, "title": title}
            chat = Chat(user=user, max_messages=self.max_messages_per_chat, group=group)
            self.chats[group_id] = chat
        chat.user = user
        return chat

    def require_chat(self, chat_id: int | str | None) -> Chat:
        """Return an existing chat or raise Telegram's "chat not found"."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            # Bots cannot reach users who never wrote to them, nor address users by @username.
            raise bad_request("chat not found")
        return chat

    def require_writable_chat(self, chat_id: int | str | None) -> Chat:
        """Like require_chat, but also refuse chats whose user blocked the bot."""
        chat = self.require_chat(chat_id)
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def record_answer(self, answer: CallbackAnswer) -> None:
        """Keep an answered callback query for inspection, dropping the oldest past the cap."""
        self.callback_answers.append(answer)
        if len(self.callback_answers) > self.max_callbacks:
            del self.callback_answers[: len(self.callback_answers) - self.max_callbacks]

    def add_callback(self, pending: PendingCallback) -> None:
        """Remember a callback query; the oldest ones expire when the cap is reached."""
        self.callbacks[pending.query_id] = pending
        while len(self.callbacks) > self.max_callbacks:
            del self.callbacks[next(iter(self.callbacks))]
