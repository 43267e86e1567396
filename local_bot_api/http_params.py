"""Read Bot API parameters from a request: query string, JSON, urlencoded or multipart bodies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.hdrs import CONTENT_TYPE

from .errors import ApiError, bad_request
from .uploads import Upload

MAX_REQUEST_BYTES = 52 * 1024 * 1024  # 50 MB of upload plus room for the other fields
_CHUNK = 256 * 1024


def _too_large() -> ApiError:
    return ApiError(413, "Request Entity Too Large")


async def _read_part(part: Any, budget: int) -> bytes:
    chunks = []
    size = 0
    while chunk := await part.read_chunk(_CHUNK):
        size += len(chunk)
        if size > budget:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_multipart(request: web.Request, params: dict[str, Any], files: dict[str, Upload]) -> None:
    reader = await request.multipart()
    budget = MAX_REQUEST_BYTES
    while (part := await reader.next()) is not None:
        data = await _read_part(part, budget)
        budget -= len(data)
        if part.filename is not None:
            files[part.name or ""] = Upload(part.filename, data, part.headers.get(CONTENT_TYPE))
        else:
            params[part.name or ""] = data.decode(part.get_charset("utf-8"), errors="replace")


async def _read_json(request: web.Request, params: dict[str, Any]) -> None:
    raw = await request.read()
    if not raw.strip():
        return
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("JSON object expected")
    params.update(body)


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Return (parameters, uploaded files by part name); body values override the query string."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.can_read_body:
        return params, files
    content_type = request.content_type
    try:
        if content_type == "multipart/form-data":
            await _read_multipart(request, params, files)
        elif content_type == "application/json":
            await _read_json(request, params)
        else:
            params.update(await request.post())
    except web.HTTPRequestEntityTooLarge:
        raise _too_large() from None
    return params, files
