"""Hand one e-mail to an SMTP server per call and classify every failure as temporary or permanent."""

from __future__ import annotations

import asyncio
import email.utils
import errno
import os
import re
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

TlsMode = Literal["none", "starttls", "ssl"]
_TLS_MODES = ("none", "starttls", "ssl")
# QUIT is a courtesy (RFC 5321 §4.1.1.10) once the transaction is settled; a hung server must not hold
# a delivered message hostage for the full command timeout.
_QUIT_TIMEOUT = 5.0
_MAX_REASON = 200
# Bare addr-spec only: no spaces, control characters, angle brackets or second "@" (quoted local parts
# are refused on purpose, as in mail/addresses.py).
_MAILBOX = re.compile(r"^[^\s@<>\x00-\x1f\x7f]+@[^\s@<>\x00-\x1f\x7f]+$")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect to the outgoing SMTP server."""

    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: TlsMode = "starttls"
    timeout: float = 30.0
    helo_name: str | None = None

    def __post_init__(self) -> None:
        """Reject settings that could only fail later, at the first send."""
        if self.tls not in _TLS_MODES:
            raise ValueError(f"tls must be one of {_TLS_MODES}, not {self.tls!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port out of range: {self.port}")
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout}")


@dataclass(frozen=True)
class SendResult:
    """What the server accepted: the recipients it took, those it refused, and its reply to DATA."""

    accepted: tuple[str, ...]
    refused: dict[str, tuple[int, str]]
    response: str


class SendFailure(Exception):
    """The message was not handed over; `code` is the SMTP reply code when the server gave one."""

    def __init__(
        self, code: int | None, reason: str, *, refused: dict[str, tuple[int, str]] | None = None
    ) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason
        # Filled only when every recipient was refused, so the caller can drop the 5xx ones and retry
        # the 4xx ones.
        self.refused: dict[str, tuple[int, str]] = dict(refused or {})

    def __str__(self) -> str:
        return f"{self.code} {self.reason}" if self.code is not None else self.reason


class TemporaryFailure(SendFailure):
    """Sending the same message later may succeed (network trouble or a 4xx reply)."""


class PermanentFailure(SendFailure):
    """Sending the same message again will fail the same way (a 5xx reply or an unusable message)."""


def classify_code(code: int) -> Literal["temporary", "permanent"]:
    """Whether an SMTP reply code means "try again later" or "give up"."""
    # RFC 5321 §4.2.1: only 5yz is a permanent negative completion. 4yz is transient by definition, and
    # anything else where an error was expected (a malformed reply) is treated as transient so that a
    # protocol hiccup never loses mail.
    return "permanent" if 500 <= code <= 599 else "temporary"


def envelope_of(
    message: EmailMessage, *, sender: str | None = None, recipients: list[str] | None = None
) -> tuple[str, list[str]]:
    """The envelope (MAIL FROM, RCPT TO list) for `message`; explicit arguments win over headers."""
    if sender is None:
        # RFC 5322 §3.6.2: Sender names the agent that actually transmits the message, so it is the
        # better bounce address when present.
        found = _addresses(message, ("Sender",)) or _addresses(message, ("From",))
        if not found:
            raise PermanentFailure(None, "no sender: the message has neither Sender nor From")
        sender = found[0]
    elif sender:
        sender = _single_address(sender)
    # An explicit sender="" stays empty: the null reverse-path "MAIL FROM:<>" that auto-replies and
    # bounces must use (RFC 5321 §4.5.5).
    if recipients is None:
        recipients = _addresses(message, ("To", "Cc", "Bcc"))
    else:
        recipients = _unique(_single_address(item) for item in recipients)
    if not recipients:
        raise PermanentFailure(None, "no recipients: the message has no To, Cc or Bcc address")
    for address in (sender, *recipients):
        if address and not _MAILBOX.match(address):
            # RFC 5321 §4.1.2: a Mailbox is Local-part "@" Domain; anything else would be refused by the
            # server at best and split into extra commands at worst.
            raise PermanentFailure(None, _short(f"unusable address: {address!r}"))
    return sender, recipients


async def send_email(
    settings: SmtpSettings,
    message: EmailMessage,
    *,
    sender: str | None = None,
    recipients: list[str] | None = None,
) -> SendResult:
    """Send `message` over a fresh SMTP connection; raise TemporaryFailure or PermanentFailure."""
    envelope_from, envelope_to = envelope_of(message, sender=sender, recipients=recipients)
    client = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        username=settings.user,
        password=settings.password,
        local_hostname=settings.helo_name,
        timeout=settings.timeout,
        use_tls=settings.tls == "ssl",
        # "none" means no STARTTLS at all: aiosmtplib's default would upgrade opportunistically and then
        # fail on a server whose certificate we were never told to trust.
        start_tls=settings.tls == "starttls",
    )
    try:
        await client.connect()
        # send_message strips Bcc and Resent-Bcc before transmission (RFC 5322 §3.6.3: Bcc addresses
        # must not reach the other recipients).
        errors, response = await client.send_message(message, sender=envelope_from, recipients=envelope_to)
    except asyncio.CancelledError:
        # Shutdown must not wait for a polite QUIT.
        client.close()
        raise
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise _all_refused(exc) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise _from_reply(exc) from exc
    except (
        aiosmtplib.SMTPConnectError,
        aiosmtplib.SMTPServerDisconnected,
        aiosmtplib.SMTPTimeoutError,
        TimeoutError,
        OSError,
    ) as exc:
        # Refused/reset connections, DNS errors, timeouts and TLS handshake errors (ssl.SSLError is an
        # OSError) say nothing about the message. A drop after the final "." is retried too: a duplicate
        # (RFC 5321 §4.5.3.2.6, §6.1) is the lesser harm than a lost mail.
        raise TemporaryFailure(
            None, _short(f"SMTP session with {settings.host}:{settings.port} failed: {_describe(exc)}")
        ) from exc
    except aiosmtplib.SMTPException as exc:
        # Without a reply code this is a capability we need and the server lacks (STARTTLS, AUTH,
        # SMTPUTF8 for a non-ASCII address): nothing changes by sending the same message again.
        raise PermanentFailure(None, _short(f"server lacks what this send needs: {exc}")) from exc
    except ValueError as exc:
        # aiosmtplib refuses addresses that cannot be put on a command line safely (CR, LF, ...).
        raise PermanentFailure(None, _short(f"unusable address: {exc}")) from exc
    finally:
        await _quit_quietly(client)
    refused = {address: (reply.code, reply.message) for address, reply in errors.items()}
    accepted = tuple(address for address in envelope_to if address not in refused)
    return SendResult(accepted=accepted, refused=refused, response=response)


def _from_reply(exc: aiosmtplib.SMTPResponseException) -> SendFailure:
    """A failure for a negative reply, classified by its code (RFC 5321 §4.2.1)."""
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # 535 (RFC 4954 §6) means the configured credentials are wrong; 454 is a transient auth problem.
        stage = "authentication rejected"
    elif isinstance(exc, aiosmtplib.SMTPSenderRefused):
        stage = f"sender {exc.sender} refused"
    elif isinstance(exc, aiosmtplib.SMTPDataError):
        stage = "message refused after DATA"
    elif isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        # RFC 5321 §3.1: 421/554 in the greeting means the server will not talk to us at all.
        stage = "greeting refused"
    elif isinstance(exc, aiosmtplib.SMTPHeloError):
        stage = "EHLO/HELO refused"
    else:
        stage = "command refused"
    failure = PermanentFailure if classify_code(exc.code) == "permanent" else TemporaryFailure
    return failure(exc.code, _short(f"{stage}: {exc.message}"))


def _all_refused(exc: aiosmtplib.SMTPRecipientsRefused) -> SendFailure:
    """A failure for "every RCPT refused": permanent only when every refusal was a 5xx."""
    refused = {error.recipient: (error.code, error.message) for error in exc.recipients}
    codes = [error.code for error in exc.recipients]
    summary = _short("all recipients refused: " + "; ".join(f"{a} {c} {m}" for a, (c, m) in refused.items()))
    transient = [code for code in codes if classify_code(code) == "temporary"]
    if transient:
        # One 4xx is enough to make a retry worthwhile (RFC 5321 §4.2.1 "4yz ... try again").
        return TemporaryFailure(transient[0], summary, refused=refused)
    return PermanentFailure(codes[0] if codes else None, summary, refused=refused)


async def _quit_quietly(client: aiosmtplib.SMTP) -> None:
    """End the session with QUIT when it is still open; a failing QUIT changes nothing."""
    if not client.is_connected:
        return
    try:
        await client.quit(timeout=_QUIT_TIMEOUT)
    except (aiosmtplib.SMTPException, OSError):
        pass
    finally:
        client.close()


def _addresses(message: EmailMessage, headers: tuple[str, ...]) -> list[str]:
    """The bare addresses in the given headers, in order, without duplicates."""
    found: list[str] = []
    for name in headers:
        for value in message.get_all(name, []):
            parsed = getattr(value, "addresses", None)
            if parsed is not None and all(isinstance(item, Address) for item in parsed):
                # policy.default already parsed the header, including RFC 2047 display names and groups.
                found.extend(address.addr_spec for address in parsed)
            else:
                found.extend(address for _, address in email.utils.getaddresses([str(value)]))
    return _unique(address for address in found if address and address != "<>")


def _single_address(text: str) -> str:
    """The one bare address in "a@b" or "Name <a@b>"; PermanentFailure for anything else."""
    # parseaddr() would quietly keep the first of "a@b, c@d" or the part before a line break; an
    # explicit address has to be exactly one mailbox or the envelope silently changes.
    found = [address for _, address in email.utils.getaddresses([text]) if address]
    if len(found) != 1 or "\r" in text or "\n" in text:
        raise PermanentFailure(None, _short(f"not a single address: {text!r}"))
    return found[0]


def _unique(addresses: Iterable[str]) -> list[str]:
    """`addresses` without repeats, first occurrence wins: a repeated RCPT can mean a second copy."""
    return list(dict.fromkeys(addresses))


def _describe(exc: BaseException) -> str:
    """The most telling words for a network failure: "Connection refused" beats a wrapped repr."""
    root = exc
    while root.__cause__ is not None:
        root = root.__cause__
    if isinstance(root, ssl.SSLError):
        return f"TLS handshake failed: {root}"
    if isinstance(root, socket.gaierror):
        return f"host name lookup failed: {root.strerror}"
    # asyncio words a refused connect as "Connect call failed"; the errno says what happened.
    if isinstance(root, OSError) and root.errno in errno.errorcode:
        return os.strerror(root.errno)
    return str(exc)


def _short(text: str) -> str:
    """`text` on one line and cut to a length that fits a log line or a database column."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_REASON else flat[: _MAX_REASON - 1] + "…"
