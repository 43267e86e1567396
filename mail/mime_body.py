"""Pick the readable body and the attachments out of a parsed MIME tree."""

from __future__ import annotations

import copy
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.generator import BytesGenerator
from email.header import decode_header
from email.message import Message

from mail.charsets import decode_text, repair_surrogates
from mail.html_text import html_to_text

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Parts of a multipart/report that are report machinery, not something the sender attached.
_REPORT_MACHINERY = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/disposition-notification",
        "message/feedback-report",
        "text/rfc822-headers",
        "text/global-headers",
    }
)
_MAX_DEPTH = 30
# Hostile mail carries thousands of parts or megabytes of text; a person writes a few parts and pages.
MAX_PARTS = 100  # leaf parts looked at
MAX_TEXT_CHARS = 100_000  # characters of readable text kept
# Encoded characters of one text part that are decoded: base64 needs 4 for 3 bytes, quoted-printable up to 3.
MAX_ENCODED_TEXT = 4 * MAX_TEXT_CHARS
# Set by mail/message_parser.py on a part whose payload it cut: the decoded size it had (at least).
DECODED_SIZE_ATTRIBUTE = "klimabot_decoded_size"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Attachment:
    """A file that came with the message; `data` is None when it exceeded the size limit."""

    filename: str | None
    content_type: str
    data: bytes | None
    size: int
    too_large: bool


@dataclass(frozen=True)
class MimeBody:
    """The readable text, the raw HTML (if any) and the attachments of one message."""

    text: str
    html: str | None
    attachments: tuple[Attachment, ...]


@dataclass
class _Collected:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def extract_body(message: Message, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES) -> MimeBody:
    """Best plain text (text/plain, else converted HTML), first HTML part and attachments of `message`."""
    collected = _Collected()
    for part in itertools.islice(_leaves(message, 0), MAX_PARTS):
        _collect(part, collected, max_attachment_bytes)
    plain = "\n\n".join(text for text in collected.plain if text.strip())
    html = collected.html[0] if collected.html else None
    if not plain.strip() and collected.html:
        # HTML-only mail, or an empty text/plain alternative next to the real HTML body.
        plain = "\n\n".join(html_to_text(part) for part in collected.html)
    return MimeBody(
        text=plain[:MAX_TEXT_CHARS].strip("\n"), html=html, attachments=tuple(collected.attachments)
    )


def part_text(part: Message) -> str:
    """Decoded text of a leaf part (transfer encoding and charset undone), newlines normalised."""
    try:
        payload = _decoded_start(part, MAX_ENCODED_TEXT)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        text = decode_text(payload, _charset(part))
    else:
        try:
            raw = part.get_payload()
        except Exception:
            raw = ""
        text = repair_surrogates(raw[:MAX_ENCODED_TEXT] if isinstance(raw, str) else "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return text.replace("\x00", "")


def _collect(part: Message, collected: _Collected, limit: int) -> None:
    content_type = _content_type(part)
    disposition = _disposition(part)
    filename = attachment_filename(part)
    if content_type in _REPORT_MACHINERY:
        return
    is_multipart_text = content_type.startswith("multipart/")  # broken boundary: the body is all there is
    if content_type in ("text/plain", "text/html") or is_multipart_text:
        if disposition != "attachment" and not filename:
            target = collected.html if content_type == "text/html" else collected.plain
            if sum(map(len, target)) < MAX_TEXT_CHARS:  # enough text read: later parts add nothing
                target.append(part_text(part))
            return
    if content_type.startswith("image/") and disposition != "attachment" and not filename:
        return  # inline images without a name are layout (logos, spacers), not files
    size = _decoded_size_at_least(part, content_type)
    if size > limit:
        # known to be too large from its encoded length: never decoded, so it costs no memory
        collected.attachments.append(Attachment(filename, content_type, None, size, too_large=True))
        return
    data = _attachment_bytes(part, content_type)
    too_large = len(data) > limit
    collected.attachments.append(
        Attachment(
            filename=filename,
            content_type=content_type,
            data=None if too_large else data,
            size=len(data),
            too_large=too_large,
        )
    )


def _decoded_size_at_least(part: Message, content_type: str) -> int:
    """A lower bound of the decoded size, from the encoded payload alone (0 when it cannot tell)."""
    known = getattr(part, DECODED_SIZE_ATTRIBUTE, None)
    if isinstance(known, int):
        return known
    if content_type.startswith("message/"):
        return 0
    try:
        payload = part.get_payload()
        encoding = str(part.get("content-transfer-encoding") or "").strip().lower()
    except Exception:
        return 0
    return decoded_size_at_least(payload, encoding) if isinstance(payload, str) else 0


def decoded_size_at_least(payload: str, encoding: str) -> int:
    """How many bytes an encoded payload decodes to, at least, without decoding it."""
    if encoding == "base64":
        # RFC 2045 §6.8: 4 characters carry 3 bytes; line breaks and padding carry none
        padding = min(payload[-8:].count("="), 2)
        characters = len(payload) - sum(payload.count(space) for space in "\r\n \t")
        return max(characters * 3 // 4 - padding, 0)
    if encoding == "quoted-printable":
        return len(payload) // 3  # RFC 2045 §6.7: at most 3 characters ("=XX") per byte
    return len(payload)  # 7bit, 8bit, binary: a character per byte


def _decoded_start(part: Message, max_encoded: int) -> bytes | None:
    """The decoded payload of its first `max_encoded` encoded characters (all of it when shorter)."""
    raw = part.get_payload()
    if not isinstance(raw, str) or len(raw) <= max_encoded:
        payload = part.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else None
    head = copy.copy(part)  # shallow: the original part keeps its payload
    head.set_payload(raw[:max_encoded])
    payload = head.get_payload(decode=True)
    return _without_partial_utf8(payload) if isinstance(payload, bytes) else None


def _without_partial_utf8(data: bytes) -> bytes:
    # A cut inside a UTF-8 sequence would make the whole text fail as UTF-8 and fall back to Windows-1252.
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= length else data[:-back]
    return data


def attachment_filename(part: Message) -> str | None:
    """The part's file name (RFC 2231 / RFC 2047 decoded), single-line, or None."""
    name: str | None
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        try:
            raw = part.get_param("name", header="content-type")
            name = raw if isinstance(raw, str) else None
        except Exception:
            name = None
    if not name:
        return None
    name = repair_surrogates(str(name))
    if "=?" in name:  # encoded-words inside a parameter violate RFC 2047 §5 but Outlook sends them
        name = _decode_words(name)
    cleaned = " ".join(_CONTROL.sub(" ", name).split())
    return cleaned or None


def _decode_words(value: str) -> str:
    try:
        chunks = decode_header(value)
    except Exception:
        return value
    return "".join(
        decode_text(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in chunks
    )


def _attachment_bytes(part: Message, content_type: str) -> bytes:
    if content_type.startswith("message/"):
        return _message_bytes(part)
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    return _message_bytes(part)


def _message_bytes(part: Message) -> bytes:
    """Serialised content of a message/rfc822 part (the attached message itself)."""
    try:
        payload = part.get_payload()
    except Exception:
        return b""
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(payload, str):
        return payload.encode("utf-8", errors="surrogateescape")
    if not isinstance(inner, Message):
        return b""
    buffer = io.BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=policy.compat32).flatten(inner)
        return buffer.getvalue()
    except Exception:
        try:
            return inner.as_string(policy=policy.compat32).encode("utf-8", errors="surrogateescape")
        except Exception:
            return b""


def _leaves(message: Message, depth: int) -> Iterator[Message]:
    """Leaf parts in order; attached messages (message/*) are leaves, so their bodies stay theirs."""
    if depth > _MAX_DEPTH:
        return
    content_type = _content_type(message)
    try:
        payload = message.get_payload()
    except Exception:
        payload = None
    if content_type.startswith("multipart/") and isinstance(payload, list):
        for part in payload:
            if isinstance(part, Message):
                yield from _leaves(part, depth + 1)
        return
    yield message


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"  # RFC 2045 §5.2: an unusable Content-Type means text/plain


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None
