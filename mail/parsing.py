"""Parse raw RFC 5322 bytes into an IncomingEmail that never fails on real-world mail."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.policy import Policy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from mail.addresses import message_ids, normalize_message_id
from mail.auto_reply import auto_reply_reason, auto_submitted_token, automation_markers
from mail.bounces import BounceInfo, find_bounce, report_type
from mail.charsets import decode_text, repair_surrogates
from mail.mime_body import DEFAULT_MAX_ATTACHMENT_BYTES, Attachment, MimeBody, extract_body

__all__ = ["Attachment", "IncomingEmail", "ParseError", "parse_email"]

# Header fields of RFC 5322 §3.6, RFC 2045 and the trace fields (RFC 5321 §4.4): at least one of them
# must be present for the input to count as an e-mail at all.
_KNOWN_FIELDS = frozenset(
    {
        "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to",
        "references", "received", "return-path", "mime-version", "content-type", "delivered-to",
        "x-original-to", "resent-from", "resent-date", "resent-message-id",
    }
)  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# RFC 5322 §4.5 (obs-optional): "Subject   : x" is legal obsolete syntax the email package rejects.
_OBSOLETE_FIELD_NAME = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n|\r\r")


class ParseError(ValueError):
    """The input is not an e-mail at all (no header section)."""


@dataclass(frozen=True)
class IncomingEmail:
    """Everything the bot needs from one received message; addresses are lower-cased addr-specs."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_address: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    date: dt.datetime | None
    auto_submitted: str | None
    precedence: str | None
    list_id: str | None
    return_path: str | None
    auto_reply_markers: tuple[str, ...]
    text: str
    html: str | None
    attachments: tuple[Attachment, ...]
    bounce: BounceInfo | None
    auto_reply_reason: str | None
    size: int

    @property
    def is_bounce(self) -> bool:
        """True for delivery-status reports and classic MAILER-DAEMON bounces."""
        return self.bounce is not None

    @property
    def is_auto_reply(self) -> bool:
        """True when a machine sent the message (vacation notice, autoresponder, bulk/list, report)."""
        return self.auto_reply_reason is not None


def parse_email(raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES) -> IncomingEmail:
    """Parse raw message bytes; raises ParseError only when the input has no e-mail header at all."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"parse_email needs bytes, not {type(raw).__name__}")
    data = bytes(raw)
    # Leading blank lines would make the parser see an empty header section.
    trimmed = _normalise_obsolete_field_names(data.lstrip(b"\r\n"))
    compat = _parse(trimmed, policy.compat32)
    if not {name.lower() for name in compat.keys()} & _KNOWN_FIELDS:
        raise ParseError("no e-mail header fields found")
    modern = _parse(trimmed, policy.default)
    headers = _Headers(modern, compat)

    from_name, from_address = _first_address(headers, "from")
    subject = headers.text("subject") or ""
    body = _body(modern, compat, max_attachment_bytes)
    return_path = _return_path(headers.text("return-path"))
    end = _HEADER_END.search(trimmed)
    raw_body = trimmed[end.end() :] if end else b""
    bounce = _bounce(
        (modern, compat),
        sender=from_address,
        sender_name=from_name,
        subject=subject,
        return_path=return_path,
        body_text=body.text,
        header=headers.text,
        raw_body=raw_body,
    )
    auto_submitted = auto_submitted_token(headers.text("auto-submitted"))
    precedence = (headers.text("precedence") or "").strip().lower() or None
    markers = automation_markers(headers.text)
    return IncomingEmail(
        message_id=normalize_message_id(headers.text("message-id")),
        in_reply_to=normalize_message_id(headers.text("in-reply-to")),
        references=tuple(message_ids(headers.text("references"))),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to=_addresses(headers, "to"),
        cc=_addresses(headers, "cc"),
        reply_to=_addresses(headers, "reply-to"),
        date=_date(headers.text("date")),
        auto_submitted=auto_submitted,
        precedence=precedence,
        list_id=headers.text("list-id") or None,
        return_path=return_path,
        auto_reply_markers=markers,
        text=body.text,
        html=body.html,
        attachments=body.attachments,
        bounce=bounce,
        auto_reply_reason=auto_reply_reason(
            auto_submitted=auto_submitted,
            precedence=precedence,
            markers=markers,
            subject=subject,
            report_type=_safe_report_type(modern),
        ),
        size=len(data),
    )


def _parse(data: bytes, message_policy: Policy) -> Message:
    try:
        return BytesParser(policy=message_policy).parsebytes(data)
    except RecursionError:
        # The stdlib parser recurses once per MIME level; hostile nesting gets the headers and raw body.
        return BytesParser(policy=message_policy).parsebytes(data, headersonly=True)


def _normalise_obsolete_field_names(data: bytes) -> bytes:
    end = _HEADER_END.search(data)
    split = end.start() if end else len(data)
    header, rest = data[:split], data[split:]
    return _OBSOLETE_FIELD_NAME.sub(rb"\1:", header) + rest


class _Headers:
    """Header access through policy.default, falling back to compat32 where the modern parser raises."""

    def __init__(self, modern: Message, compat: Message) -> None:
        self.modern = modern
        self.compat = compat

    def text(self, name: str) -> str | None:
        """The decoded, unfolded, single-line value of the first `name` field, or None."""
        try:
            value = self.modern.get(name)
            modern = None if value is None else _single_line(repair_surrogates(str(value)))
        except Exception:
            modern = None
        if modern is not None and "\ufffd" not in modern:
            return modern
        # policy.default turns raw 8-bit Latin-1 header bytes into U+FFFD; compat32 keeps the bytes.
        compat = self._compat_text(name)
        if compat is not None and (modern is None or compat.count("\ufffd") < modern.count("\ufffd")):
            return compat
        return modern

    def _compat_text(self, name: str) -> str | None:
        try:
            value = self.compat.get(name)
        except Exception:
            return None
        return None if value is None else _single_line(_decode_compat(value))

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, addr-spec) pairs of an address field; groups are flattened."""
        try:
            header = self.modern.get(name)
            if header is None:
                return []
            pairs = [
                (repair_surrogates(a.display_name), repair_surrogates(a.addr_spec)) for a in header.addresses
            ]
            if not any("\ufffd" in display + address for display, address in pairs):
                return pairs
        except Exception:
            pass
        value = self.text(name)
        if not value:
            return []
        try:
            return getaddresses([value])
        except Exception:
            return []


def _decode_compat(value: object) -> str:
    try:
        chunks = decode_header(value)  # type: ignore[arg-type]
    except Exception:
        return repair_surrogates(str(value))
    return "".join(
        decode_text(chunk, charset) if isinstance(chunk, bytes) else repair_surrogates(chunk)
        for chunk, charset in chunks
    )


def _single_line(value: str) -> str:
    # RFC 5322 §2.2.3 unfolding; other control characters never belong in a displayed header either.
    return " ".join(_CONTROL.sub(" ", value).split())


def _first_address(headers: _Headers, name: str) -> tuple[str, str]:
    pairs = headers.addresses(name)
    for display, address in pairs:
        cleaned = address.strip().strip("<>").strip().lower()  # "MAILER-DAEMON <>" has an empty address
        if cleaned:
            return _single_line(display), cleaned
    return (_single_line(pairs[0][0]), "") if pairs else ("", "")


def _addresses(headers: _Headers, name: str) -> tuple[str, ...]:
    found = (address.strip().lower() for _, address in headers.addresses(name))
    return tuple(dict.fromkeys(address for address in found if "@" in address))


def _return_path(value: str | None) -> str | None:
    """The lower-cased Return-Path address; the null reverse-path "<>" (RFC 5321 §4.5.5) gives ""."""
    if value is None:
        return None
    match = re.search(r"<([^<>]*)>", value)
    address = match.group(1) if match else value
    return address.strip().lower()


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    # RFC 5322 §3.3: "-0000" means the zone is unknown; UTC is the only honest reading.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _body(modern: Message, compat: Message, limit: int) -> MimeBody:
    for message in (modern, compat):
        try:
            return extract_body(message, max_attachment_bytes=limit)
        except Exception:
            continue
    return MimeBody(text="", html=None, attachments=())


def _bounce(messages: tuple[Message, Message], **facts: Any) -> BounceInfo | None:
    for message in messages:
        try:
            return find_bounce(message, **facts)
        except Exception:  # the compat32 tree is the fallback for a modern tree that raises
            continue
    return None


def _safe_report_type(message: Message) -> str | None:
    try:
        return report_type(message)
    except Exception:
        return None
