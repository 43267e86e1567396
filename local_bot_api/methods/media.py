"""File-sending methods: sendDocument and sendPhoto (uploads, file_ids, URLs)."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlparse

from ..context import CallContext
from ..errors import ApiError, bad_request
from ..files import FileRecord
from ..formatting import caption_text
from ..images import image_size
from ..keyboards import check_reply_markup
from ..serialize import message_json
from ..uploads import Upload
from .messages import resolve_reply

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _store_upload(ctx: CallContext, upload: Upload, kind: str) -> FileRecord:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    if kind != "photo":
        return ctx.state.files.add(kind, upload.data, filename=upload.filename, mime_type=upload.content_type)
    size = image_size(upload.data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")  # Telegram cannot decode non-images as photos
    width, height = size
    if len(upload.data) > MAX_PHOTO_BYTES or width + height > 10_000 or max(size) > 20 * max(1, min(size)):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return ctx.state.files.add("photo", upload.data, filename=upload.filename, size=size)


def resolve_file(ctx: CallContext, value: Upload | str, kind: str) -> FileRecord:
    """Turn an upload, a file_id or an HTTP URL into a stored file of `kind`."""
    if isinstance(value, Upload):
        return _store_upload(ctx, value, kind)
    if value.lower().startswith(("http://", "https://")):
        # Telegram would download the URL; offline we only keep its name (bytes stay empty).
        name = PurePosixPath(urlparse(value).path).name or "file"
        return ctx.state.files.add(kind, b"", filename=name, from_url=True)
    record = ctx.state.files.get(value)
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if record.kind != kind:
        raise bad_request(f"can't use file of type {record.kind.title()} as {kind.title()}")
    return record


async def _send_file(ctx: CallContext, kind: str) -> dict:
    p = ctx.params
    chat = ctx.state.require_writable_chat(p["chat_id"])
    record = resolve_file(ctx, p[kind], kind)
    parsed = caption_text(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
    markup = check_reply_markup(p.get("reply_markup"), ctx.spec)
    reply_to = resolve_reply(chat, p.get("reply_parameters"))
    message = chat.add(
        from_bot=True,
        raw=p.get("caption"),
        parse_mode=p.get("parse_mode"),
        parsed=parsed,
        file=record,
        reply_markup=markup,
        reply_to=reply_to,
    )
    ctx.state.changes.notify()
    return message_json(chat, message, ctx.state.bot_user)


async def send_document(ctx: CallContext) -> dict:
    """Handle sendDocument."""
    return await _send_file(ctx, "document")


async def send_photo(ctx: CallContext) -> dict:
    """Handle sendPhoto; the bytes must be a real image, as Telegram re-encodes photos."""
    return await _send_file(ctx, "photo")
