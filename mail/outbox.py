"""Sends the durable mail outbox: compose each claimed mail, hand it to the transport, record the result."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mail.compose import OutgoingAttachment, compose_email
from mail.smtp_sender import PermanentFailure, SendResult, TemporaryFailure
from services import mail_outbox, metrics
from services.outgoing import OutgoingMail

log = logging.getLogger(__name__)

Transport = Callable[..., Awaitable[SendResult]]


@dataclass(frozen=True)
class Sender:
    """The advisory mailbox everything is sent from (From and Reply-To)."""

    address: str
    name: str = "Fachstelle Klima-Kommunen"

    @property
    def domain(self) -> str:
        """Domain for Message-IDs."""
        return self.address.rsplit("@", 1)[-1]


@dataclass
class DeliveryReport:
    """What one pass over the outbox did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def build_message(mail: OutgoingMail, sender: Sender):
    """The MIME message for an outbox entry; the same Message-ID on every attempt."""
    return compose_email(
        from_address=sender.address,
        from_name=sender.name,
        to=list(mail.to),
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        domain=sender.domain,
        reply_to=sender.address,
        in_reply_to=mail.in_reply_to,
        references=mail.references,
        auto_submitted=mail.auto_submitted,
        attachments=[
            OutgoingAttachment(a.filename, a.content_type, a.data, a.params) for a in mail.attachments
        ],
        message_id=mail.message_id,
    )


async def _attempt(mail: OutgoingMail, transport: Transport, sender: Sender) -> tuple[str, str | None]:
    try:
        message = build_message(mail, sender)
    except (ValueError, KeyError) as exc:
        return "failed", f"cannot compose: {exc}"
    try:
        result = await transport(message)
    except TemporaryFailure as exc:
        return "retry", str(exc)
    except PermanentFailure as exc:
        return "failed", str(exc)
    except Exception as exc:  # an unexpected transport error must not lose the mail
        log.exception("unexpected error while sending %s", mail.message_id)
        return "retry", f"{type(exc).__name__}: {exc}"
    if result.refused:
        # aiosmtplib returns normally when only some recipients were refused (RFC 5321 §3.3)
        refused = ", ".join(f"{address} ({code} {text})" for address, (code, text) in result.refused.items())
        return "partial", f"refused: {refused}"
    return "sent", None


async def _complete_and_attempt(
    session, mail: OutgoingMail, transport: Transport, sender: Sender
) -> tuple[str, str | None]:
    try:
        mail = await mail_outbox.ready_to_send(session, mail)
    except mail_outbox.NotSendable as exc:
        return "failed", f"cannot complete: {exc}"
    except Exception as exc:  # the document could not be rendered now: the mail waits, nothing is lost
        log.exception("cannot complete %s for sending", mail.message_id)
        return "retry", f"cannot complete: {type(exc).__name__}: {exc}"
    return await _attempt(mail, transport, sender)


async def deliver_due_mail(
    sessions, transport: Transport, sender: Sender, *, limit: int = 50
) -> DeliveryReport:
    """Send every due outbox mail once; temporary failures are rescheduled, permanent ones marked failed."""
    report = DeliveryReport()
    async with sessions() as session:
        await mail_outbox.recover_stale_claims(session)
        for claimed in await mail_outbox.claim_due_mails(session, limit=limit):
            outcome, error = await _complete_and_attempt(session, claimed.mail, transport, sender)
            state = await mail_outbox.record_delivery(
                session, mail_id=claimed.id, outcome=outcome, error=error
            )
            if state in ("sent", "partial"):
                report.sent += 1
                metrics.MAILS_SENT.inc()
            elif state == "pending":
                report.retried += 1
                metrics.MAIL_FAILURES.labels("retry").inc()
                log.warning("mail %s: temporary failure, will retry: %s", claimed.mail.message_id, error)
            else:
                report.failed += 1
                metrics.MAIL_FAILURES.labels("permanent").inc()
                log.error("mail %s failed: %s", claimed.mail.message_id, error)
            if outcome == "partial":
                log.error("mail %s: %s", claimed.mail.message_id, error)
    return report


async def run_outbox_worker(
    sessions,
    transport: Transport,
    sender: Sender,
    *,
    wake: asyncio.Event | None = None,
    interval: float = 15.0,
) -> None:
    """Deliver due mails forever: on every wake-up and at least every `interval` seconds."""
    wake = wake or asyncio.Event()
    while True:
        try:
            await deliver_due_mail(sessions, transport, sender)
        except Exception:  # the database may be down for a moment; nothing is lost, try again
            log.exception("outbox pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval)
        wake.clear()
