"""Builds the e-mail channel from the settings: SMTP or a local sink for sending, IMAP for reading."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.settings import Settings
from mail.handling import InboxContext, Outcome, handle_email
from mail.imap_reader import HandleResult, ImapReader, ImapSettings
from mail.imap_reader import Outcome as ImapOutcome
from mail.sink import MailSink
from mail.smtp_sender import SendResult, SmtpSettings, send_email
from services import metrics
from services.mail_checkpoint import DatabaseCheckpoint

log = logging.getLogger(__name__)


def build_transport(settings: Settings) -> Callable[..., Awaitable[SendResult]]:
    """SMTP when configured, otherwise the local sink folder (so the local chat's mails can be read)."""
    if settings.smtp_host:
        smtp = SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            tls=settings.smtp_tls,
        )

        async def send(message):
            return await send_email(smtp, message)

        return send
    sink = MailSink(settings.mail_sink_dir)
    return sink.send_email


def build_imap_reader(settings: Settings, context: InboxContext) -> ImapReader:
    """The IMAP reader of the advisory inbox, checkpointed in the database, calling handle_email()."""
    imap = ImapSettings(
        host=settings.imap_host,
        port=settings.imap_port,
        user=settings.imap_user or settings.inbox_address,
        password=settings.imap_password.get_secret_value() if settings.imap_password else "",
        tls=settings.imap_tls,
        poll_interval=settings.imap_poll_seconds,
    )

    async def handler(uid: int, raw: bytes) -> HandleResult:
        result = await handle_email(raw, context)
        log.info("mail uid %s: %s (%s)", uid, result.outcome, result.reason)
        outcome = ImapOutcome.PROCESSED if result.outcome is Outcome.PROCESSED else ImapOutcome.QUARANTINE
        metrics.MAILS_RECEIVED.labels("handled" if outcome is ImapOutcome.PROCESSED else "quarantined").inc()
        return HandleResult(outcome, result.reason)

    checkpoint = DatabaseCheckpoint(context.sessions, f"{imap.user}@{imap.host}/{imap.mailbox}")
    return ImapReader(imap, checkpoint=checkpoint, handler=handler)
