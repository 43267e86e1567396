"""One Bot API call end to end: token, method lookup, faults, parameter checks, flood control, handler."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from aiohttp import web

from .context import CallContext
from .errors import ApiError, not_found, too_many_requests, unauthorized
from .faults import FaultInjector, FaultRule
from .flood import FloodLimiter, counts_for_flood
from .http_params import read_params
from .methods import handler_for
from .models import RequestRecord
from .spec import ApiSpec
from .state import BotState

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
MAX_REQUEST_LOG = 100_000
_log = logging.getLogger(__name__)


def _loggable_chat_id(value: Any) -> int | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value if isinstance(value, (int, str)) else str(value)


class RequestPipeline:
    """Turns HTTP requests into Telegram-shaped answers and logs every call."""

    def __init__(
        self,
        *,
        spec: ApiSpec,
        state: BotState,
        faults: FaultInjector,
        flood: FloodLimiter | None,
        bot_name: str,
        bot_username: str,
        request_log: list[RequestRecord],
        bot_id: int,
    ) -> None:
        self.bot_id = bot_id
        self.spec = spec
        self.state = state
        self.faults = faults
        self.flood = flood
        self.bot_name = bot_name
        self.bot_username = bot_username
        self.requests = request_log

    def _record(self, started: float, method: str, chat_id: int | str | None, status: int) -> None:
        self.requests.append(RequestRecord(started, method, chat_id, status))
        if len(self.requests) > MAX_REQUEST_LOG:
            # Trim in bulk so appends stay cheap on average.
            del self.requests[: MAX_REQUEST_LOG // 10]

    async def handle_method(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for /bot<token>/<method>."""
        started = time.monotonic()
        method_name = request.match_info.get("method", "")
        chat_id: int | str | None = None
        status = 200
        try:
            if not self._is_own_token(request.match_info.get("token", "")):
                raise unauthorized()
            method = self.spec.resolve(method_name)
            if method is None:
                raise not_found()
            method_name = method.name
            raw, files = await read_params(request)
            chat_id = _loggable_chat_id(raw.get("chat_id"))
            fault = self.faults.take(method.name)
            if fault is not None and fault.kind == "drop":
                status = 0
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=204)
            if fault is not None:
                await self._apply_fault(fault)
            result = await self._call(method, raw, files, request.match_info["token"])
            body: dict = {"ok": True, "result": result}
        except ApiError as exc:
            status = exc.status
            body = exc.payload()
        except Exception:
            # A bug in the emulator must still look like Telegram to the bot, and show up in the log.
            _log.exception("local Bot API failed on %s", method_name)
            status = 500
            body = ApiError(500, "Internal Server Error").payload()
        finally:
            self._record(started, method_name, chat_id, status)
        return web.json_response(body, status=status)

    async def _apply_fault(self, fault: FaultRule) -> None:
        if fault.kind == "429":
            raise too_many_requests(fault.retry_after)
        if fault.kind == "500":
            raise ApiError(500, "Internal Server Error")
        await asyncio.sleep(fault.delay)  # "slow": then handle the call normally

    def _is_own_token(self, token: str) -> bool:
        """Like Telegram: a well-formed token of another bot is as unknown as a malformed one."""
        return bool(TOKEN_RE.match(token)) and token.split(":", 1)[0] == str(self.bot_id)

    async def _call(self, method: Any, raw: dict, files: dict, token: str) -> Any:
        params = self.spec.check_params(method, raw, files)
        if self.flood is not None and counts_for_flood(method.name):
            chat = params.get("chat_id")
            retry_after = self.flood.acquire(None if chat is None else str(chat))
            if retry_after is not None:
                raise too_many_requests(retry_after)
        handler = handler_for(method.name)
        return await handler(CallContext(method=method, params=params, state=self.state, spec=self.spec))

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for /file/bot<token>/<file_path> (downloads after getFile)."""
        if not self._is_own_token(request.match_info.get("token", "")):
            return web.json_response(unauthorized().payload(), status=401)
        record = self.state.files.by_path(request.match_info.get("path", ""))
        if record is None:
            return web.json_response(not_found().payload(), status=404)
        content_type = record.mime_type or (
            "image/jpeg" if record.kind == "photo" else "application/octet-stream"
        )
        # Set the header verbatim: uploaded types may carry parameters aiohttp would refuse here.
        return web.Response(body=record.data, headers={"Content-Type": content_type})

    async def handle_unknown(self, request: web.Request) -> web.StreamResponse:
        """aiohttp fallback for every other path: Telegram's 404 JSON."""
        return web.json_response(not_found().payload(), status=404)
