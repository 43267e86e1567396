"""Build outgoing messages (EmailMessage with policy.SMTP) that are safe against header injection."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from mail.addresses import message_ids, normalize_message_id
from services.email_address import is_valid_address

# RFC 3834 §5: the keywords of Auto-Submitted.
AUTO_SUBMITTED_VALUES = frozenset({"no", "auto-generated", "auto-replied", "auto-notified"})
MAX_REFERENCES = 20
SUBJECT_SUMMARY_CHARS = 70

# CR and LF end a header line (RFC 5322 §2.2), so they are what injection needs; every other C0/C1 control
# character and the Unicode line/paragraph separators are dropped too, since no display name needs them.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]+")
_BODY_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|antw|sv|vs|r|rif|odp)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)+", re.IGNORECASE
)
_MSGID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 2045 §5.1 token, for content-type names
_FILENAME_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class OutgoingAttachment:
    """A file to attach; `params` adds content-type parameters (e.g. {"method": "REQUEST"} for .ics)."""

    filename: str
    content_type: str
    data: bytes | str
    params: Mapping[str, str] = field(default_factory=dict)


def make_message_id(domain: str) -> str:
    """A new globally unique Message-ID "<...@domain>" (RFC 5322 §3.6.4)."""
    return make_msgid(domain=_checked_domain(domain))


def reply_subject(subject: str) -> str:
    """The subject with exactly one leading "Re: " (existing Re:/AW:/SV: prefixes are folded into it)."""
    cleaned = _single_line(subject)
    return "Re: " + _REPLY_PREFIX.sub("", cleaned).strip()


def tag_subject(reference: str, summary: str, *, max_chars: int = SUBJECT_SUMMARY_CHARS) -> str:
    """The subject "[reference] summary", the summary on one line and cut at a word boundary (~max_chars)."""
    tag = _single_line(reference).replace("[", "").replace("]", "")
    if not tag:
        raise ValueError("a subject tag needs a reference")
    return f"[{tag}] {shorten(summary, max_chars)}".rstrip()


def shorten(text: str, max_chars: int) -> str:
    """`text` on one line, cut at the last word boundary within `max_chars` with "…" appended."""
    line = _single_line(text)
    if len(line) <= max_chars:
        return line
    cut = line[: max_chars - 1]
    boundary = cut.rfind(" ")
    if boundary >= max_chars // 2:  # a very long first word is cut hard rather than left almost empty
        cut = cut[:boundary]
    return cut.rstrip(" ,;:.-–") + "…"


def build_references(
    previous: Iterable[str], in_reply_to: str | None, *, max_ids: int = MAX_REFERENCES
) -> list[str]:
    """References for a reply: the parent's References plus its Message-ID (RFC 5322 §3.6.4), shortened.

    Long chains keep the thread root and the most recent IDs (the trimming RFC 5537 §3.4.4 describes),
    which is what threading clients need.
    """
    chain = [mid for value in previous for mid in message_ids(value) if _MSGID.match(mid)]
    parent = normalize_message_id(in_reply_to)
    if parent and _MSGID.match(parent):
        chain.append(parent)
    unique = list(dict.fromkeys(chain))
    if len(unique) <= max_ids:
        return unique
    return [unique[0], *unique[-(max_ids - 1) :]] if max_ids > 1 else unique[-1:]


def compose_email(
    *,
    from_address: str,
    from_name: str,
    to: Sequence[tuple[str, str]],
    subject: str,
    text: str,
    domain: str,
    html: str | None = None,
    reply_to: str | tuple[str, str] | None = None,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
    auto_submitted: str | None = None,
    attachments: Iterable[OutgoingAttachment] = (),
    message_id: str | None = None,
    cc: Sequence[tuple[str, str]] = (),
    date: dt.datetime | None = None,
) -> EmailMessage:
    """A complete message: From/To/Subject/Date/Message-ID, threading headers, text (+HTML) and files."""
    if not to:
        raise ValueError("a message needs at least one recipient")
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = _address(from_name, from_address)
    message["To"] = [_address(name, address) for name, address in to]
    if cc:
        message["Cc"] = [_address(name, address) for name, address in cc]
    if reply_to is not None:
        name, address = ("", reply_to) if isinstance(reply_to, str) else reply_to
        message["Reply-To"] = _address(name, address)
    message["Subject"] = _single_line(subject)
    message["Date"] = format_datetime(_aware(date or dt.datetime.now(dt.UTC)))
    message["Message-ID"] = _checked_message_id(message_id) if message_id else make_message_id(domain)
    _thread(message, in_reply_to, references)
    if auto_submitted is not None:
        _mark_automatic(message, auto_submitted)
    _set_body(message, text, html)
    for attachment in attachments:
        _attach(message, attachment)
    return message


def _thread(message: EmailMessage, in_reply_to: str | None, references: Iterable[str]) -> None:
    parent = normalize_message_id(in_reply_to)
    if parent and _MSGID.match(parent):
        message["In-Reply-To"] = parent
    chain = build_references(references, parent)
    if chain:
        message["References"] = " ".join(chain)


def _mark_automatic(message: EmailMessage, value: str) -> None:
    keyword = value.strip().lower()
    if keyword not in AUTO_SUBMITTED_VALUES:
        raise ValueError(f"Auto-Submitted must be one of {sorted(AUTO_SUBMITTED_VALUES)}")
    message["Auto-Submitted"] = keyword
    if keyword != "no":
        # Exchange/Outlook honour this and send no out-of-office notice back to our automatic mail.
        message["X-Auto-Response-Suppress"] = "All"


def _set_body(message: EmailMessage, text: str, html: str | None) -> None:
    plain = _body_text(text)
    # Quoted-printable keeps non-ASCII text 7-bit clean for relays without 8BITMIME (RFC 6152).
    message.set_content(plain, subtype="plain", charset="utf-8", cte=_cte(plain))
    if html is not None:
        markup = _body_text(html)
        message.add_alternative(markup, subtype="html", charset="utf-8", cte=_cte(markup))


def _attach(message: EmailMessage, attachment: OutgoingAttachment) -> None:
    maintype, _, subtype = attachment.content_type.strip().lower().partition("/")
    if not (_TOKEN.match(maintype) and _TOKEN.match(subtype)):
        raise ValueError(f"invalid content type {attachment.content_type!r}")
    params = {}
    for key, value in attachment.params.items():
        if not _TOKEN.match(key):
            raise ValueError(f"invalid content-type parameter name {key!r}")
        params[key] = _single_line(value)
    filename = _safe_filename(attachment.filename)
    if isinstance(attachment.data, str):
        if maintype != "text":
            raise ValueError("text data needs a text/* content type")
        message.add_attachment(
            _body_text(attachment.data), subtype=subtype, charset="utf-8", filename=filename, params=params
        )
    else:
        message.add_attachment(attachment.data, maintype, subtype, filename=filename, params=params)


def _address(name: str, address: str) -> Address:
    cleaned = _ascii_domain((address or "").strip())
    if not is_valid_address(cleaned):
        raise ValueError(f"invalid e-mail address {address!r}")
    username, _, domain = cleaned.rpartition("@")
    return Address(display_name=_single_line(name or ""), username=username, domain=domain)


def _ascii_domain(address: str) -> str:
    """Umlaut domains (IDNA, RFC 5890) in their ASCII form; non-ASCII local parts would need SMTPUTF8."""
    username, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{username}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def _checked_message_id(value: str) -> str:
    normalized = normalize_message_id(value)
    if not normalized or not _MSGID.match(normalized) or normalized != value.strip():
        raise ValueError(f"invalid Message-ID {value!r}")
    return normalized


def _checked_domain(domain: str) -> str:
    if not isinstance(domain, str) or not _HOSTNAME.match(domain):
        raise ValueError(f"invalid domain {domain!r}")
    return domain


def _single_line(value: str) -> str:
    return " ".join(_UNSAFE.sub(" ", value or "").split())


def _body_text(value: str) -> str:
    normalized = value.replace("\r\n", "\n").replace("\r", "\n")
    return _BODY_UNSAFE.sub("", normalized)


def _cte(text: str) -> str:
    return (
        "7bit"
        if text.isascii() and all(len(line) <= 990 for line in text.split("\n"))
        else "quoted-printable"
    )


def _safe_filename(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = " ".join(_FILENAME_UNSAFE.sub("_", base).split()).strip(". ")
    return cleaned or "attachment"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
