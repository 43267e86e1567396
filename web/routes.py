"""The web chat's HTTP routes under `/chat` (protocol: `web/PROTOCOL.md`).

A visitor's message is stored as an event of its chat *and* as an update in the same transaction as a
Telegram update would be (`telegram_update`); from there the bot handles it like any other. The answer
comes back as events (`web/channel.py`), which the page reads as server-sent events.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from services import metrics
from services.email_address import normalize_address
from storage import web_chat
from storage.database import DATABASE_UNAVAILABLE
from storage.telegram_updates import RawUpdate, add_updates
from storage.web_chat import Visitor
from web import updates
from web.channel import FILE_ID_PREFIX, MESSAGE_IDS, bot_message_json, callback_query_id
from web.guards import RateLimit, request_origin, same_origin, security_headers
from web.live import LiveEvents
from web.rich_text import plain_parts
from web.uploads import UploadRefused, read_upload

log = logging.getLogger(__name__)

COOKIE = "klimabot_chat"
COOKIE_MAX_AGE = 180 * 24 * 3600
MAX_TEXT_CHARS = 4096
MAX_JSON_BYTES = 32 * 1024
HEARTBEAT_SECONDS = 15.0
REMEMBER_VISITOR_SECONDS = 300.0
MAX_REMEMBERED_VISITORS = 20_000
DISCONNECT_CHECK_SECONDS = 1.0
MAX_STREAMS_PER_VISITOR = 6
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {
    "chat.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

TOO_MANY = "Bitte einen Moment Geduld – das waren sehr viele Nachrichten in kurzer Zeit."
NO_SESSION = "Ihre Sitzung ist abgelaufen. Bitte laden Sie die Seite neu."
FOREIGN_ORIGIN = "Diese Anfrage kam nicht von der Chat-Seite und wurde abgelehnt."
UNAVAILABLE = "Der Chat ist gerade nicht erreichbar. Bitte versuchen Sie es in ein paar Minuten noch einmal."


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


@dataclass
class WebChat:
    """The routes of the web chat and what they need; `add_routes(app)` mounts them."""

    sessions: object
    live: LiveEvents
    on_update_stored: Callable[[], None]
    commands: list[tuple[str, str]]
    embed_origins: tuple[str, ...] = ()
    per_visitor: RateLimit = field(default_factory=lambda: RateLimit(per_minute=60, burst=20))
    per_address: RateLimit = field(default_factory=lambda: RateLimit(per_minute=300, burst=60))
    new_visitors: RateLimit = field(default_factory=lambda: RateLimit(per_minute=30, burst=20))
    _streams: dict[int, int] = field(default_factory=dict)
    _stream_tasks: set = field(default_factory=set)
    _known_visitors: dict[str, tuple[Visitor, float]] = field(default_factory=dict)

    def add_routes(self, app: web.Application) -> None:
        """Mount the page, its files and its API."""
        app.router.add_get("/chat", self.page)
        app.router.add_get("/chat/", self.page)
        app.router.add_get("/chat/embed.js", self.embed_script)
        app.router.add_get("/chat/static/{name}", self.static)
        app.router.add_get("/chat/api/me", self.me)
        app.router.add_get("/chat/api/history", self.history)
        app.router.add_get("/chat/api/events", self.events)
        app.router.add_get("/chat/api/files/{file_id}", self.file)
        app.router.add_post("/chat/api/send", self.send)
        app.router.add_post("/chat/api/press", self.press)
        app.router.add_post("/chat/api/upload", self.upload)
        app.router.add_post("/chat/api/email", self.email)
        app.middlewares.append(self._headers_and_faults)
        app.on_shutdown.append(self._end_streams)

    async def _end_streams(self, _app: web.Application) -> None:
        """Open event streams end when the server stops (the pages reconnect, to this or another instance)."""
        for task in list(self._stream_tasks):
            task.cancel()

    # --- shared --------------------------------------------------------------------------------------

    @web.middleware
    async def _headers_and_faults(self, request: web.Request, handler):
        if not request.path.startswith("/chat"):
            return await handler(request)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = _error(exc.status, "Diese Seite gibt es nicht." if exc.status == 404 else exc.reason)
        except DATABASE_UNAVAILABLE:
            response = _error(503, UNAVAILABLE)
        except Exception:
            log.exception("web chat: %s %s failed", request.method, request.path)
            response = _error(500, "Da ist etwas schiefgegangen. Bitte versuchen Sie es noch einmal.")
        if not response.prepared:
            for name, value in security_headers(self.embed_origins).items():
                response.headers.setdefault(name, value)
        return response

    def _address(self, request: web.Request) -> str:
        """The visitor's address: behind our own proxy (a private or loopback peer) the last hop it added."""
        remote = request.remote or ""
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded and _is_internal(remote):
            return forwarded.split(",")[-1].strip()[:64]
        return remote

    async def _visitor(self, request: web.Request) -> Visitor | None:
        """The visitor of the request's cookie; known cookies are remembered a few minutes (one query less
        per message). Only its id and chat id are used from here: they never change."""
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 100:
            return None
        now = time.monotonic()
        known = self._known_visitors.get(token)
        if known is not None and known[1] > now:
            return known[0]
        async with self.sessions() as session:
            visitor = await web_chat.get_visitor(session, token=token)
        if visitor is not None:
            if len(self._known_visitors) >= MAX_REMEMBERED_VISITORS:
                self._known_visitors.clear()
            self._known_visitors[token] = (visitor, now + REMEMBER_VISITOR_SECONDS)
        return visitor

    def _limited(self, request: web.Request, visitor: Visitor) -> web.Response | None:
        wait = max(self.per_visitor.allow(str(visitor.id)), self.per_address.allow(self._address(request)))
        if wait:
            metrics.WEB_CHAT_REFUSED.labels("rate").inc()
            return _error(429, TOO_MANY, **{"Retry-After": str(max(1, round(wait)))})
        return None

    async def _json(self, request: web.Request) -> dict | None:
        if request.content_type != "application/json":
            return None
        body = await request.content.read(MAX_JSON_BYTES + 1)
        if len(body) > MAX_JSON_BYTES:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    async def _guarded(self, request: web.Request) -> tuple[Visitor | None, web.Response | None]:
        """Origin, session and rate limit of a state-changing request."""
        if not same_origin(request, self.embed_origins):
            metrics.WEB_CHAT_REFUSED.labels("origin").inc()
            return None, _error(403, FOREIGN_ORIGIN)
        visitor = await self._visitor(request)
        if visitor is None:
            return None, _error(401, NO_SESSION)
        return visitor, self._limited(request, visitor)

    # --- the page ------------------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        """The chat page; a new visitor gets a cookie (and so a conversation of its own)."""
        response = web.Response(
            body=(STATIC_DIR / "chat.html").read_bytes(),
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )
        if await self._visitor(request) is None:
            if self.new_visitors.allow(self._address(request)):
                return _error(429, TOO_MANY, **{"Retry-After": "60"})
            token = secrets.token_urlsafe(32)
            async with self.sessions() as session:
                await web_chat.add_visitor(session, token=token)
                await session.commit()
            embedded = request.query.get("embed") == "1" and bool(self.embed_origins)
            response.set_cookie(
                COOKIE,
                token,
                max_age=COOKIE_MAX_AGE,
                path="/chat",
                httponly=True,
                secure=self._secure(request) or embedded,
                # framed on the alliance's site the cookie is a third-party one: it must say so
                samesite="None" if embedded else "Lax",
                partitioned=embedded or None,  # CHIPS: kept per embedding site where third-party cookies go
            )
        return response

    def _secure(self, request: web.Request) -> bool:
        """Secure cookies over HTTPS and on loopback (where browsers accept them over plain HTTP)."""
        return request_origin(request).startswith("https://") or request.host.split(":")[0] in (
            "127.0.0.1",
            "localhost",
        )

    async def static(self, request: web.Request) -> web.Response:
        """The page's script and style sheet (no CDN: the bot serves them itself)."""
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.Response(
            body=(STATIC_DIR / name).read_bytes(),
            headers={"Content-Type": STATIC_FILES[name], "Cache-Control": "no-cache"},
        )

    async def embed_script(self, _request: web.Request) -> web.Response:
        """The one `<script>` a website includes to offer the chat (loaded by other sites: cross-origin)."""
        return web.Response(
            body=(STATIC_DIR / "embed.js").read_bytes(),
            headers={
                "Content-Type": STATIC_FILES["chat.js"],
                "Cache-Control": "max-age=3600",
                "Cross-Origin-Resource-Policy": "cross-origin",
            },
        )

    # --- reading -------------------------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        """The reply address and the commands of the menu."""
        visitor = await self._visitor(request)
        if visitor is None:
            return _error(401, NO_SESSION)
        commands = [{"command": f"/{name}", "description": text} for name, text in self.commands]
        async with self.sessions() as session:  # fresh: another instance may have changed it
            email = await web_chat.get_reply_email(session, chat_id=visitor.chat_id)
        return web.json_response({"email": email, "commands": commands})

    async def history(self, request: web.Request) -> web.Response:
        """The conversation so far (after an event id), for the page's first view."""
        visitor = await self._visitor(request)
        if visitor is None:
            return _error(401, NO_SESSION)
        after = _event_id(request.query.get("after"))
        async with self.sessions() as session:
            events = await web_chat.list_events(session, chat_id=visitor.chat_id, after=after)
            await web_chat.touch_visitor(session, visitor_id=visitor.id)
            await session.commit()
        return web.json_response({"events": [event.as_json() for event in events]})

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: what is stored after `after`, then every new event of the chat, live."""
        visitor = await self._visitor(request)
        if visitor is None:
            return _error(401, NO_SESSION)
        if request.headers.get("Origin") and not same_origin(request, self.embed_origins):
            return _error(403, FOREIGN_ORIGIN)
        if self._streams.get(visitor.chat_id, 0) >= MAX_STREAMS_PER_VISITOR:
            return _error(429, TOO_MANY, **{"Retry-After": "5"})
        after = max(_event_id(request.query.get("after")), _event_id(request.headers.get("Last-Event-ID")))
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache, no-transform",
                "X-Accel-Buffering": "no",  # nginx: pass each event on at once
                **security_headers(self.embed_origins),
            }
        )
        queue = self.live.subscribe(visitor.chat_id)
        self._streams[visitor.chat_id] = self._streams.get(visitor.chat_id, 0) + 1
        task = asyncio.current_task()
        self._stream_tasks.add(task)
        sent: set[int] = set()
        try:
            await response.prepare(request)
            await response.write(b"retry: 2000\n\n")
            async with self.sessions() as session:
                backlog = await web_chat.list_events(
                    session, chat_id=visitor.chat_id, after=after, limit=2000
                )
            for event in backlog:
                await _write_event(response, event, sent)
            quiet = 0.0
            while request.transport is not None and not request.transport.is_closing():
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=DISCONNECT_CHECK_SECONDS)
                except TimeoutError:
                    quiet += DISCONNECT_CHECK_SECONDS
                    if quiet >= HEARTBEAT_SECONDS:
                        await response.write(b": ping\n\n")
                        quiet = 0.0
                    continue
                if event.id > after:
                    await _write_event(response, event, sent)
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the page closed, or the server stops (it cancels the open streams)
        finally:
            self._stream_tasks.discard(task)
            self.live.unsubscribe(visitor.chat_id, queue)
            self._streams[visitor.chat_id] -= 1
            if not self._streams[visitor.chat_id]:
                del self._streams[visitor.chat_id]
        return response

    async def file(self, request: web.Request) -> web.Response:
        """A document of the visitor's chat, as a download."""
        visitor = await self._visitor(request)
        if visitor is None:
            return _error(401, NO_SESSION)
        async with self.sessions() as session:
            stored = await web_chat.get_file(session, file_id=request.match_info["file_id"][:60])
        if stored is None or stored.chat_id != visitor.chat_id:
            return _error(404, "Diese Datei gibt es nicht (mehr).")
        quoted = urllib.parse.quote(stored.name)
        return web.Response(
            body=stored.data,
            headers={
                "Content-Type": stored.content_type,
                "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}",
                "Cache-Control": "private, no-store",
            },
        )

    # --- acting --------------------------------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        """A typed message: stored, then handled by the bot."""
        visitor, refused = await self._guarded(request)
        if refused is not None:
            return refused
        data = await self._json(request)
        if data is None or not isinstance(data.get("text"), str):
            return _error(400, "Die Nachricht kam nicht richtig an. Bitte noch einmal senden.")
        text = _clean(data["text"])
        if not text:
            return _error(400, "Bitte schreiben Sie eine Nachricht.")
        if len(text) > MAX_TEXT_CHARS:
            return _error(
                413, f"Die Nachricht ist zu lang (höchstens {MAX_TEXT_CHARS:,} Zeichen).".replace(",", ".")
            )
        message_id = MESSAGE_IDS.next()
        payload = {"from": "user", "parts": plain_parts(text)}
        await self._store(
            visitor,
            payload,
            message_id,
            lambda event_id: updates.text_update(event_id, visitor.chat_id, message_id, text),
        )
        return web.json_response({"ok": True}, status=202)

    async def press(self, request: web.Request) -> web.Response:
        """A pressed button; only a button the bot's message really shows can be pressed."""
        visitor, refused = await self._guarded(request)
        if refused is not None:
            return refused
        data = await self._json(request)
        message_id, button = (data or {}).get("message_id"), (data or {}).get("data")
        if not isinstance(message_id, int) or not isinstance(button, str):
            return _error(400, "Dieser Knopf funktioniert nicht. Bitte laden Sie die Seite neu.")
        async with self.sessions() as session:
            shown = await web_chat.get_message(session, chat_id=visitor.chat_id, message_id=message_id)
        offered = {b.get("data") for row in (shown or {}).get("buttons") or [] for b in row}
        if shown is None or shown.get("from") != "bot" or button not in offered:
            return _error(409, "Dieser Knopf ist nicht mehr aktuell. Bitte nutzen Sie die neueste Nachricht.")
        message = bot_message_json(visitor.chat_id, message_id, shown)
        await self._store(
            visitor,
            None,
            None,
            lambda event_id: updates.press_update(
                event_id,
                visitor.chat_id,
                callback_id=callback_query_id(visitor.chat_id, event_id),
                message=message,
                data=button,
            ),
        )
        return web.json_response({"ok": True}, status=202)

    async def upload(self, request: web.Request) -> web.Response:
        """A photo or PDF (for the report): stored as a file of the chat, then handled like a sent document."""
        visitor, refused = await self._guarded(request)
        if refused is not None:
            return refused
        try:
            upload = await read_upload(request)
        except UploadRefused as refusal:
            return _error(refusal.status, refusal.message)
        file_id = secrets.token_urlsafe(24)
        message_id = MESSAGE_IDS.next()
        document = {"name": upload.name, "url": f"/chat/api/files/{file_id}", "size": len(upload.data)}
        payload = {"from": "user", "parts": [], "document": document}
        await self._store(
            visitor,
            payload,
            message_id,
            lambda event_id: updates.document_update(
                event_id,
                visitor.chat_id,
                message_id,
                file_id=FILE_ID_PREFIX + file_id,
                name=upload.name,
                content_type=upload.content_type,
                size=len(upload.data),
            ),
            file={
                "file_id": file_id,
                "name": upload.name,
                "content_type": upload.content_type,
                "data": upload.data,
            },
        )
        return web.json_response({"ok": True}, status=202)

    async def email(self, request: web.Request) -> web.Response:
        """The address advisors' replies also go to ("" removes it)."""
        visitor, refused = await self._guarded(request)
        if refused is not None:
            return refused
        data = await self._json(request)
        given = (data or {}).get("email")
        if not isinstance(given, str) or len(given) > 320:
            return _error(400, "Bitte geben Sie eine E-Mail-Adresse an.")
        address = normalize_address(given) if given.strip() else None
        if given.strip() and address is None:
            return _error(400, "Diese E-Mail-Adresse kann ich nicht verwenden. Bitte prüfen Sie sie.")
        async with self.sessions() as session:
            await web_chat.set_reply_email(session, visitor_id=visitor.id, email=address)
            await session.commit()
        return web.json_response({"ok": True, "email": address})

    async def _store(self, visitor: Visitor, payload, message_id, make_update, file=None) -> None:
        """The visitor's event (shown in the page; a press is stored but not shown) and its update, at once."""
        async with self.sessions() as session:
            if file is not None:
                await web_chat.add_file(session, chat_id=visitor.chat_id, **file)
            event = await web_chat.add_event(
                session,
                chat_id=visitor.chat_id,
                kind="message" if payload is not None else web_chat.PRESS,
                payload=payload or {},
                message_id=message_id,
            )
            update = make_update(event.id)
            raw = RawUpdate(update["update_id"], visitor.chat_id, json.dumps(update, ensure_ascii=False))
            await add_updates(session, [raw])
            await session.commit()
        metrics.WEB_CHAT_MESSAGES.inc()
        self.live.poke()
        self.on_update_stored()


def _is_internal(address: str) -> bool:
    """A loopback or private peer: a proxy of this deployment, whose X-Forwarded-For can be believed."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return parsed.is_loopback or parsed.is_private


def _event_id(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


def _clean(text: str) -> str:
    """Without control characters (but with line breaks and tabs), without surrounding blanks."""
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()


async def _write_event(response: web.StreamResponse, event, sent: set[int]) -> None:
    if event.id in sent:
        return
    sent.add(event.id)
    data = json.dumps(event.as_json(), ensure_ascii=False)
    await response.write(f"id: {event.id}\ndata: {data}\n\n".encode())
