"""Parse raw RFC 5322 bytes into an IncomingEmail that never fails on real-world mail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from mail.addresses import MAX_MESSAGE_ID, message_ids, normalize_message_id
from mail.authentication import MAX_HEADER_CHARS, MAX_HEADERS
from mail.auto_reply import auto_reply_reason, auto_submitted_token, automation_markers
from mail.bounces import RAW_SEARCH_LIMIT, BounceInfo, find_bounce, report_type
from mail.charsets import decode_text, repair_surrogates
from mail.message_parser import parse_headers, parse_message
from mail.mime_body import (
    DEFAULT_MAX_ATTACHMENT_BYTES,
    MAX_PARTS,
    MAX_TEXT_CHARS,
    Attachment,
    MimeBody,
    extract_body,
)
from services.email_address import MAX_ADDRESS

__all__ = ["MAX_REFERENCES", "MAX_TEXT_CHARS", "Attachment", "IncomingEmail", "ParseError", "parse_email"]

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
# Threading needs the newest few References (RFC 5322 §3.6.4 appends the parent's ID last); hostile mail
# sends 100,000. Only the tail that can hold the newest ones is read at all.
MAX_REFERENCES = 50
_REFERENCES_TAIL = MAX_REFERENCES * (MAX_MESSAGE_ID + 1)
# policy.default's header parser is slow on huge values (seconds for a megabyte); a longer value is read
# only up to here, the simple way.
_MAX_HEADER_VALUE = 16_384
MAX_DISPLAY_NAME = 200
_MANY_DELIMITERS = 2 * MAX_PARTS
_MAX_DELIMITER_LINES = 10 * MAX_PARTS


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
    # raw Authentication-Results values (RFC 8601), topmost first; see mail/authentication.py
    authentication_results: tuple[str, ...] = ()
    # why the From address cannot be used (it is then ""), e.g. longer than any deliverable address
    from_problem: str | None = None

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
    trimmed = data.lstrip(b"\r\n")
    end = _HEADER_END.search(trimmed)
    split = end.start() if end else len(trimmed)
    header_section = _normalise_obsolete_field_names(trimmed[:split])
    whole = trimmed if header_section == trimmed[:split] else header_section + trimmed[split:]
    # The header fields are parsed on their own too: cheap, whatever the body holds.
    head = header_section + b"\r\n\r\n"
    compat = parse_headers(head, policy.compat32)
    if not {name.lower() for name in compat.keys()} & _KNOWN_FIELDS:
        raise ParseError("no e-mail header fields found")
    headers = _Headers(parse_headers(head, policy.default), compat)
    tree = _LazyTrees(whole, max_attachment_bytes)

    from_name, from_address = _first_address(headers, "from")
    from_problem = None
    if len(from_address) > MAX_ADDRESS:
        from_problem = f"From address longer than {MAX_ADDRESS} characters (RFC 5321 §4.5.3.1.3)"
        from_address = ""
    subject = headers.text("subject") or ""
    body = _body(tree, max_attachment_bytes)
    return_path = _return_path(headers.text("return-path"))
    raw_body = trimmed[end.end() : end.end() + RAW_SEARCH_LIMIT] if end else b""
    bounce = _bounce(
        tree,
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
        references=_references(compat),
        subject=subject,
        from_address=from_address,
        from_name=from_name[:MAX_DISPLAY_NAME],
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
            report_type=_safe_report_type(tree),
        ),
        size=len(data),
        authentication_results=_authentication_results(compat),
        from_problem=from_problem,
    )


class _LazyTrees:
    """The parsed message, policy.default first (it decodes more headers), compat32 as the fallback.

    policy.default parses the headers of every part while it parses, seconds for thousands of parts; a mail
    with that many delimiter lines (RFC 2046 §5.1.1: "--" at the start of a line) is read with compat32
    first, which is fast, and real mail keeps the tree it always had.
    """

    def __init__(self, data: bytes, max_attachment_bytes: int) -> None:
        data = _without_hostile_parts(data)
        self._data = data
        self._max_attachment_bytes = max_attachment_bytes
        many_parts = data.count(b"\n--") > _MANY_DELIMITERS
        self._order = (policy.compat32, policy.default) if many_parts else (policy.default, policy.compat32)
        self._trees: dict[int, Message] = {}

    def __iter__(self) -> Iterator[Message]:
        for index, message_policy in enumerate(self._order):
            if index not in self._trees:
                self._trees[index] = parse_message(
                    self._data, message_policy, max_attachment_bytes=self._max_attachment_bytes
                )
            yield self._trees[index]


def _without_hostile_parts(data: bytes) -> bytes:
    """`data` up to its 1,000th line that starts with "--" (a possible MIME delimiter)."""
    # The parser builds an object for every part: a 10 MB mail of a million empty parts would take a
    # gigabyte and minutes. Only the first MAX_PARTS parts are read anyway.
    position = -1
    for _ in range(_MAX_DELIMITER_LINES):
        position = data.find(b"\n--", position + 1)
        if position < 0:
            return data
    return data[: position + 1]


def _references(compat: Message) -> tuple[str, ...]:
    try:
        value = compat.get("references")
    except Exception:
        return ()
    if value is None:
        return ()
    tail = str(value)[-_REFERENCES_TAIL:]
    # a cut inside the first ID of the tail leaves it without its "<", so it is not taken for an ID
    return tuple(message_ids(tail)[-MAX_REFERENCES:])


def _authentication_results(compat: Message) -> tuple[str, ...]:
    try:
        values = compat.get_all("authentication-results") or []
    except Exception:
        return ()
    return tuple(_single_line(str(value)[:MAX_HEADER_CHARS]) for value in values[:MAX_HEADERS])


def _normalise_obsolete_field_names(header: bytes) -> bytes:
    return _OBSOLETE_FIELD_NAME.sub(rb"\1:", header)


class _Headers:
    """Header access through policy.default, falling back to compat32 where the modern parser raises."""

    def __init__(self, modern: Message, compat: Message) -> None:
        self.modern = modern
        self.compat = compat

    def text(self, name: str) -> str | None:
        """The decoded, unfolded, single-line value of the first `name` field, or None."""
        if self._huge(name):
            return _single_line(_decode_compat(str(self.compat.get(name))[:_MAX_HEADER_VALUE]))
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

    def _huge(self, name: str) -> bool:
        try:
            value = self.compat.get(name)
            return value is not None and len(str(value)) > _MAX_HEADER_VALUE
        except Exception:
            return False

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, addr-spec) pairs of an address field; groups are flattened."""
        if self._huge(name):
            return self._compat_addresses(name)
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
        return self._compat_addresses(name)

    def _compat_addresses(self, name: str) -> list[tuple[str, str]]:
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
    return tuple(
        dict.fromkeys(address for address in found if "@" in address and len(address) <= MAX_ADDRESS)
    )


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


def _body(trees: _LazyTrees, limit: int) -> MimeBody:
    for message in trees:
        try:
            return extract_body(message, max_attachment_bytes=limit)
        except Exception:
            continue
    return MimeBody(text="", html=None, attachments=())


def _bounce(trees: _LazyTrees, **facts: Any) -> BounceInfo | None:
    for message in trees:
        try:
            return find_bounce(message, **facts)
        except Exception:  # the policy.default tree is the fallback for a compat32 tree that raises
            continue
    return None


def _safe_report_type(trees: _LazyTrees) -> str | None:
    try:
        return report_type(next(iter(trees)))
    except Exception:
        return None
