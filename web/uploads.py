"""A visitor's upload: read with a size limit and accepted only as what it really is (photo or PDF)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import BodyPartReader, web

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# the first bytes of each accepted kind: the browser's content type is only a claim
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class UploadRefused(Exception):
    """The upload cannot be taken; `message` tells the visitor why (German), `status` the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Upload:
    """An accepted file."""

    name: str
    content_type: str
    data: bytes


def _kind(data: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def _file_name(given: str | None, extension: str) -> str:
    name = "".join(ch for ch in (given or "") if ch.isprintable() and ch not in '/\\:*?"<>|').strip(" .")
    name = name[-120:] or "Datei"
    return name if name.lower().endswith(extension) or "." in name[-6:] else name + extension


async def read_upload(request: web.Request) -> Upload:
    """The form field `file` of a multipart request, at most `MAX_UPLOAD_BYTES`, a photo or a PDF."""
    if request.content_length is not None and request.content_length > MAX_UPLOAD_BYTES + 64 * 1024:
        raise UploadRefused("Die Datei ist zu groß (höchstens 10 MB).", 413)
    try:
        reader = await request.multipart()
        part = await reader.next()
        while part is not None and (not isinstance(part, BodyPartReader) or part.name != "file"):
            part = await reader.next()
    except (ValueError, AssertionError, KeyError):
        raise UploadRefused("Die Datei kam nicht richtig an. Bitte noch einmal versuchen.") from None
    if part is None:
        raise UploadRefused("Bitte eine Datei auswählen.")
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadRefused("Die Datei ist zu groß (höchstens 10 MB).", 413)
    if not data:
        raise UploadRefused("Die Datei ist leer.")
    kind = _kind(bytes(data[:16]))
    if kind is None:
        raise UploadRefused("Bitte ein Foto (JPG, PNG, WebP) oder ein PDF senden.")
    content_type, extension = kind
    return Upload(_file_name(part.filename, extension), content_type, bytes(data))
