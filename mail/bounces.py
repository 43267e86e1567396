"""Recognise delivery failures: RFC 3464 delivery-status reports and classic MAILER-DAEMON bounces."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message

from mail.addresses import local_part, normalize_message_id
from mail.charsets import decode_text, repair_surrogates

# Senders that only ever send bounces (RFC 5321 §4.5.5 null return path; RFC 2142 role mailboxes).
MAILER_DAEMON_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "mailer_daemon", "mailerdaemon", "mail-daemon", "postmaster", "post_master", "mmdf"}
)
_DAEMON_NAME = re.compile(
    r"mail delivery (?:system|subsystem|service)|mailer.daemon|postmaster", re.IGNORECASE
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status notification|failure|failed|has failed|problem|notification)"
    r"|failure notice|returned mail|mail delivery (?:failed|failure)|could not be delivered|non-?deliverable"
    r"|delivery report|unzustellbar|nicht zustellbar|zustellung (?:fehlgeschlagen|gescheitert)|non remis"
    r"|non distribuable|mail system error|unable to deliver|not delivered"
    r"|returned to sender|returning (?:message )?to sender|bounce|mail failure|mail failed|failed delivery"
    r"|failure delivery|delivery (?:delayed|failure)|message (?:\S+ )?delayed|could not send",
    re.IGNORECASE,
)
_BOUNCE_BODY = re.compile(
    r"qmail-send program|wasn't able to deliver|could not be delivered|was not delivered|delivery has failed"
    r"|permanent error|address(?:es)? failed|following recipient|undeliverable|user unknown|unknown user"
    r"|mailbox (?:unavailable|full|not found)|konnte nicht zugestellt|nicht zugestellt werden|returned to sender"
    r"|message was rejected|did not reach|delivery to the following|message could not be sent|no such user"
    r"|invalid (?:user|recipient)|requested action not taken|recipient address rejected",
    re.IGNORECASE,
)
_MESSAGE_ID_LINE = re.compile(r"^[ \t>]*Message-Id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_RECIPIENT_LINE = re.compile(
    r"^[ \t]*(?:<([^<>\s]+@[^<>\s]+)>:"
    r"|(?:final-recipient|original-recipient|rcpt to):\s*(?:rfc822;)?\s*<?([^<>\s;]+@[^<>\s;]+?)>?\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
# RFC 3463 enhanced status code: class.subject.detail; the look-arounds keep IP addresses out.
_STATUS_CODE = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_REPORT_PARTS = frozenset({"message/delivery-status", "message/global-delivery-status"})
_HEADER_PARTS = frozenset({"text/rfc822-headers", "text/global-headers"})
_ORIGINAL_PARTS = frozenset({"message/rfc822", "message/global"})
_NOT_BOUNCE_REPORTS = frozenset({"feedback-report", "disposition-notification"})
_MAX_DEPTH = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
RAW_SEARCH_LIMIT = 2 * 1024 * 1024
_MAX_PARTS = 100


@dataclass(frozen=True)
class FailedRecipient:
    """One recipient of a delivery-status report (RFC 3464 §2.3)."""

    address: str
    action: str | None = None
    status: str | None = None
    diagnostic: str | None = None


@dataclass(frozen=True)
class BounceInfo:
    """What a bounce tells about the message that could not be delivered."""

    original_message_id: str | None
    recipients: tuple[FailedRecipient, ...]
    is_dsn: bool

    @property
    def permanent(self) -> bool:
        """True unless every recipient is only delayed or delivered (4.x.x / 2.x.x, RFC 3463 §3.1)."""
        if not self.recipients:
            return True
        return any(_is_permanent(recipient) for recipient in self.recipients)

    @property
    def status_codes(self) -> tuple[str, ...]:
        """The distinct enhanced status codes, in report order."""
        return tuple(dict.fromkeys(r.status for r in self.recipients if r.status))


def find_bounce(
    message: Message,
    *,
    sender: str,
    sender_name: str,
    subject: str,
    return_path: str | None,
    body_text: str,
    header: Callable[[str], str | None],
    raw_body: bytes = b"",
) -> BounceInfo | None:
    """BounceInfo when `message` reports a delivery failure, else None."""
    kind = report_type(message)
    if kind in _NOT_BOUNCE_REPORTS:
        return None
    # a real report has a handful of parts; hostile mail has thousands
    parts = list(itertools.islice(_leaf_parts(message), _MAX_PARTS))
    status_parts = [part for part in parts if _content_type(part) in _REPORT_PARTS]
    if kind == "delivery-status" or status_parts:
        recipients = tuple(r for part in status_parts for r in _dsn_recipients(part))
        original = _original_message_id(parts, body_text, raw_body)
        return BounceInfo(original, recipients, is_dsn=True)
    if not _looks_like_classic_bounce(sender, sender_name, subject, return_path, body_text, header):
        return None
    return BounceInfo(
        _original_message_id(parts, body_text, raw_body), _classic_recipients(body_text, header), is_dsn=False
    )


def _looks_like_classic_bounce(
    sender: str,
    sender_name: str,
    subject: str,
    return_path: str | None,
    body_text: str,
    header: Callable[[str], str | None],
) -> bool:
    if header("x-failed-recipients"):  # Exim adds it to every bounce it generates
        return True
    daemon = local_part(sender) in MAILER_DAEMON_LOCAL_PARTS or bool(_DAEMON_NAME.search(sender_name))
    if not daemon and return_path != "":
        return False
    return bool(_BOUNCE_SUBJECT.search(subject) or _BOUNCE_BODY.search(body_text[:20000]))


def _dsn_recipients(part: Message) -> Iterator[FailedRecipient]:
    for fields in _status_blocks(part):
        address = _recipient_address(fields.get("final-recipient") or fields.get("original-recipient"))
        if not address:
            continue
        status = fields.get("status")
        match = _STATUS_CODE.search(status or "")
        yield FailedRecipient(
            address=address,
            action=(fields.get("action") or "").strip().lower() or None,
            status=match.group(1) if match else (status.strip() if status else None),
            diagnostic=_printable(fields.get("diagnostic-code") or "") or None,
        )


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The header blocks of a message/delivery-status body (per-message, then one per recipient)."""
    try:
        payload = part.get_payload()
    except Exception:
        payload = None
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            fields: dict[str, str] = {}
            try:
                for name, value in block.items():
                    fields.setdefault(name.lower(), repair_surrogates(str(value)))
            except Exception:
                continue
            blocks.append(fields)
        if any("final-recipient" in b or "original-recipient" in b for b in blocks):
            return blocks
    # Malformed reports (no blank line between blocks, wrong framing) are parsed as plain text.
    return _text_blocks(_part_text(part))


def _text_blocks(text: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        if line[0] in " \t" and last:
            current[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep or " " in name.strip():
            continue
        last = name.strip().lower()
        if last in current or (last in ("final-recipient", "original-recipient") and _has_recipient(current)):
            blocks.append(current)
            current = {}
        current[last] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def _printable(value: str) -> str:
    """A report field as one clean line; Japanese MTAs write raw ISO-2022-JP (escape sequences) into it."""
    if "\x1b" in value:
        try:
            value = value.encode("latin-1").decode("iso2022_jp_ext")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return " ".join(_CONTROL.sub(" ", value).split())


def _has_recipient(fields: dict[str, str]) -> bool:
    return "final-recipient" in fields or "original-recipient" in fields


def _recipient_address(value: str | None) -> str:
    if not value:
        return ""
    address = value.split(";", 1)[1] if ";" in value else value
    return address.strip().strip("<>").strip().lower()


def _original_message_id(parts: list[Message], body_text: str, raw_body: bytes) -> str | None:
    """Message-ID of the returned message: its headers part, an attached copy, the text, the raw body."""
    for part in parts:
        if _content_type(part) in _HEADER_PARTS:
            match = _MESSAGE_ID_LINE.search(_part_text(part))
            if match:
                return normalize_message_id(match.group(1))
    for part in parts:
        if _content_type(part) in _ORIGINAL_PARTS:
            found = _attached_message_id(part)
            if found:
                return found
    texts = [body_text]
    texts += [_part_text(p) for p in parts if _content_type(p) not in _HEADER_PARTS | _ORIGINAL_PARTS]
    # Last resort for reports whose MIME framing is broken: the raw body, quoted-printable soft breaks
    # (RFC 2045 §6.7 rule 5) and HTML escaping undone.
    raw = raw_body[:RAW_SEARCH_LIMIT].decode("latin-1")
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    texts.append(re.sub(r"=\n", "", raw).replace("&lt;", "<").replace("&gt;", ">"))
    for text in texts:
        match = _MESSAGE_ID_LINE.search(text)
        if match:
            return normalize_message_id(match.group(1))
    return None


def _attached_message_id(part: Message) -> str | None:
    try:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        value = inner.get("message-id") if isinstance(inner, Message) else None
        if value is not None:
            return normalize_message_id(repair_surrogates(str(value)))
    except Exception:
        pass
    # A broken header in the returned copy ends its header section early; look through its text then.
    match = _MESSAGE_ID_LINE.search(_part_text(part))
    return normalize_message_id(match.group(1)) if match else None


def _classic_recipients(body_text: str, header: Callable[[str], str | None]) -> tuple[FailedRecipient, ...]:
    addresses: list[str] = []
    failed_header = header("x-failed-recipients")
    if failed_header:
        addresses += [a.strip().strip("<>").lower() for a in failed_header.split(",") if "@" in a]
    for match in _RECIPIENT_LINE.finditer(body_text[:20000]):
        addresses.append((match.group(1) or match.group(2)).lower())
    code = _STATUS_CODE.search(body_text[:20000])
    status = code.group(1) if code else None
    return tuple(FailedRecipient(address, "failed", status) for address in dict.fromkeys(addresses))


def report_type(message: Message) -> str | None:
    """The report-type of a multipart/report message (RFC 6522 §3), lower-case, else None."""
    try:
        if message.get_content_type() != "multipart/report":
            return None
        value = message.get_param("report-type")
    except Exception:
        return None
    return str(value).strip().lower() if isinstance(value, str) else None


def _leaf_parts(message: Message, depth: int = 0) -> Iterator[Message]:
    """Every part below `message`, without descending into attached messages (they are someone else's)."""
    if depth > _MAX_DEPTH:
        return
    try:
        payload = message.get_payload()
    except Exception:
        return
    if not message.is_multipart() or not isinstance(payload, list):
        return
    for part in payload:
        if not isinstance(part, Message):
            continue
        yield part
        if _content_type(part).startswith("multipart/"):
            yield from _leaf_parts(part, depth + 1)


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _part_text(part: Message) -> str:
    text = _raw_part_text(part)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _raw_part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        return decode_text(payload, charset)
    try:
        raw = part.get_payload()
    except Exception:
        return ""
    if isinstance(raw, list):
        try:
            return repair_surrogates("\n".join(item.as_string() for item in raw if isinstance(item, Message)))
        except Exception:
            return ""
    return repair_surrogates(str(raw or ""))


def _is_permanent(recipient: FailedRecipient) -> bool:
    if recipient.status and recipient.status[0] in "24":
        return False
    return recipient.action not in ("delayed", "delivered", "relayed", "expanded")
