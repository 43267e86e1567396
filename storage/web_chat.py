"""The web chat's tables: visitors (by cookie hash), the events each chat shows, and its files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import WebEvent, WebFile, WebVisitor
from storage.types import utcnow

# Telegram's user ids stay below 2**52; a web visitor's conversation runs as a private chat above them
WEB_CHAT_BASE = 10**16
# update ids of the web channel, far above Telegram's (which count up from a few hundred million)
WEB_UPDATE_BASE = 2**52
# a button press is stored only so that its update gets a number of its own; it is never shown
PRESS = "press"


def is_web_chat(chat_id: int | None) -> bool:
    """Whether `chat_id` is a web visitor's conversation."""
    return chat_id is not None and chat_id >= WEB_CHAT_BASE


def token_hash(token: str) -> str:
    """What is stored of a visitor's cookie: its SHA-256 (a database leak does not hand out sessions)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Visitor:
    """A web visitor as the channel sees it."""

    id: int
    chat_id: int
    reply_email: str | None


@dataclass(frozen=True)
class ShownEvent:
    """One stored event of a chat, as it goes to the browser."""

    id: int
    chat_id: int
    message_id: int
    kind: str
    payload: dict[str, Any]
    created_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        """The event in the browser protocol (`web/PROTOCOL.md`)."""
        return {
            **self.payload,
            "id": self.id,
            "type": self.kind,
            "message_id": self.message_id,
            "time": self.created_at.isoformat(),
        }


def _visitor(row: WebVisitor) -> Visitor:
    return Visitor(row.id, WEB_CHAT_BASE + row.id, row.reply_email)


async def add_visitor(session: AsyncSession, *, token: str) -> Visitor:
    """A new visitor for a fresh cookie."""
    row = WebVisitor(token_hash=token_hash(token))
    session.add(row)
    await session.flush()
    return _visitor(row)


async def get_visitor(session: AsyncSession, *, token: str) -> Visitor | None:
    """The visitor holding this cookie, if any."""
    row = (
        await session.execute(select(WebVisitor).where(WebVisitor.token_hash == token_hash(token)))
    ).scalar_one_or_none()
    return _visitor(row) if row is not None else None


async def touch_visitor(session: AsyncSession, *, visitor_id: int) -> None:
    """Note that the visitor was here (retention counts from the last visit)."""
    await session.execute(update(WebVisitor).where(WebVisitor.id == visitor_id).values(last_seen_at=utcnow()))


async def set_reply_email(session: AsyncSession, *, visitor_id: int, email: str | None) -> None:
    """The address advisors' replies also go to (None: none)."""
    await session.execute(update(WebVisitor).where(WebVisitor.id == visitor_id).values(reply_email=email))


async def get_reply_email(session: AsyncSession, *, chat_id: int) -> str | None:
    """The reply address a web chat left, if it is a web chat and left one."""
    if not is_web_chat(chat_id):
        return None
    return (
        await session.execute(select(WebVisitor.reply_email).where(WebVisitor.id == chat_id - WEB_CHAT_BASE))
    ).scalar_one_or_none()


async def add_event(
    session: AsyncSession, *, chat_id: int, kind: str, payload: dict[str, Any], message_id: int | None = None
) -> ShownEvent:
    """Store an event (a notice or a press has no `message_id`)."""
    row = WebEvent(chat_id=chat_id, kind=kind, message_id=message_id, payload=json.dumps(payload))
    session.add(row)
    await session.flush()
    return _shown(row.id, chat_id, message_id, kind, payload, row.created_at)


def _shown(event_id, chat_id, message_id, kind, payload, created_at) -> ShownEvent:
    return ShownEvent(event_id, chat_id, message_id or 0, kind, payload, created_at)


async def get_message(session: AsyncSession, *, chat_id: int, message_id: int) -> dict[str, Any] | None:
    """The newest version of one message of the chat (None if it never existed or was deleted)."""
    rows = (
        await session.execute(
            select(WebEvent.kind, WebEvent.payload)
            .where(
                WebEvent.chat_id == chat_id,
                WebEvent.message_id == message_id,
                WebEvent.kind.in_(("message", "edit", "delete")),
            )
            .order_by(WebEvent.id.desc())
            .limit(1)
        )
    ).first()
    if rows is None or rows.kind == "delete":
        return None
    return json.loads(rows.payload)


def _rows_to_events(rows) -> list[ShownEvent]:
    return [
        _shown(row.id, row.chat_id, row.message_id, row.kind, json.loads(row.payload), row.created_at)
        for row in rows
    ]


_EVENT_COLUMNS = (
    WebEvent.id,
    WebEvent.chat_id,
    WebEvent.message_id,
    WebEvent.kind,
    WebEvent.payload,
    WebEvent.created_at,
)


async def list_events(
    session: AsyncSession, *, chat_id: int, after: int, limit: int = 500
) -> list[ShownEvent]:
    """The chat's shown events after id `after`, oldest first."""
    rows = await session.execute(
        select(*_EVENT_COLUMNS)
        .where(WebEvent.chat_id == chat_id, WebEvent.id > after, WebEvent.kind != PRESS)
        .order_by(WebEvent.id)
        .limit(limit)
    )
    return _rows_to_events(rows)


async def list_recent_event_ids(session: AsyncSession, *, after: int, limit: int = 2000) -> list[int]:
    """Ids of shown events of every chat after id `after`, ascending (cheap: no payloads)."""
    rows = await session.execute(
        select(WebEvent.id)
        .where(WebEvent.id > after, WebEvent.kind != PRESS)
        .order_by(WebEvent.id)
        .limit(limit)
    )
    return [row[0] for row in rows]


async def get_events(session: AsyncSession, *, event_ids: list[int]) -> list[ShownEvent]:
    """These events, oldest first."""
    if not event_ids:
        return []
    rows = await session.execute(
        select(*_EVENT_COLUMNS).where(WebEvent.id.in_(event_ids)).order_by(WebEvent.id)
    )
    return _rows_to_events(rows)


async def newest_event_id(session: AsyncSession) -> int:
    """The highest event id so far (0 when there is none)."""
    return (await session.execute(select(func.max(WebEvent.id)))).scalar_one() or 0


async def add_file(
    session: AsyncSession, *, file_id: str, chat_id: int, name: str, content_type: str, data: bytes
) -> None:
    """Store an uploaded or sent file."""
    session.add(
        WebFile(id=file_id, chat_id=chat_id, name=name, content_type=content_type, size=len(data), data=data)
    )
    await session.flush()


async def get_file(session: AsyncSession, *, file_id: str) -> WebFile | None:
    """One stored file (the caller checks that it belongs to the asking chat)."""
    return await session.get(WebFile, file_id)


async def export_chat(session: AsyncSession, *, chat_id: int) -> dict[str, Any]:
    """What the web chat stored of a visitor (privacy export): the address left and the conversation."""
    reply_email = await get_reply_email(session, chat_id=chat_id)
    events = await list_events(session, chat_id=chat_id, after=0, limit=100_000)
    files = (
        await session.execute(
            select(WebFile.name, WebFile.content_type, WebFile.size, WebFile.created_at).where(
                WebFile.chat_id == chat_id
            )
        )
    ).all()
    return {
        "reply_email": reply_email,
        "events": [event.as_json() for event in events],
        "files": [
            {"name": name, "content_type": kind, "size": size, "created_at": created.isoformat()}
            for name, kind, size, created in files
        ],
    }


async def delete_chat(session: AsyncSession, *, chat_id: int) -> None:
    """Everything a web chat showed and stored (privacy erasure); the visitor keeps its cookie, not its address."""
    await session.execute(delete(WebEvent).where(WebEvent.chat_id == chat_id))
    await session.execute(delete(WebFile).where(WebFile.chat_id == chat_id))
    if is_web_chat(chat_id):
        await set_reply_email(session, visitor_id=chat_id - WEB_CHAT_BASE, email=None)


async def prune_web_chats(session: AsyncSession, *, older_than: dt.datetime) -> int:
    """Delete events and files older than `older_than` and visitors not seen since (retention)."""
    events = await session.execute(delete(WebEvent).where(WebEvent.created_at < older_than))
    await session.execute(delete(WebFile).where(WebFile.created_at < older_than))
    await session.execute(delete(WebVisitor).where(WebVisitor.last_seen_at < older_than))
    return events.rowcount or 0
