"""Public value types of the local API: what tests see of chats, callback answers and requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class BotMessage:
    """A message of the bot as the user currently sees it (edits applied, deletions removed)."""

    message_id: int
    text: str
    html: str | None
    parse_mode: str | None
    buttons: list[list[tuple[str, str]]]
    document: tuple[str, bytes] | None
    edited: bool
    date: int
    photo: bytes | None = None
    reply_keyboard: list[list[str]] | None = None
    entities: list[dict] = field(default_factory=list)

    def button_labels(self) -> list[str]:
        """Return all inline button labels, row by row."""
        return [label for row in self.buttons for label, _ in row]


@dataclass(frozen=True)
class CallbackAnswer:
    """One answerCallbackQuery call the bot made."""

    query_id: str
    user_id: int
    message_id: int
    data: str
    text: str | None
    show_alert: bool


class RequestRecord(NamedTuple):
    """One API call: monotonic arrival time, method, chat_id (if any) and HTTP status (0 = dropped)."""

    time: float
    method: str
    chat_id: int | str | None
    status: int
