"""Fixtures: a fresh loopback SMTP server per test, settings that point at it, and e-mails in memory."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import pytest

from mail.smtp_sender import SmtpSettings
from tests.smtp.smtp_server import TestSmtpServer

Mailbox = tuple[str, str]  # (display name, address)
SENDER: Mailbox = ("Klimabot – Beratungsstelle", "beratung@klima-kommunen.example")
SUBJECT = "Förderung für Wärmepumpen: Rückfrage zur Kommunalrichtlinie – Größe ≤ 50 kW"
BODY = "Liebe Frau Öztürk,\n\nanbei die Übersicht für Bad Soden-Salmünster.\n\nGrüße aus Wiesbaden – 5 €\n"


@pytest.fixture
def smtp_server():
    """A running TestSmtpServer on 127.0.0.1, stopped after the test."""
    server = TestSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(smtp_server: TestSmtpServer) -> SmtpSettings:
    """Plain-text settings for `smtp_server` with a short timeout, so a hang fails fast."""
    return SmtpSettings(
        host=smtp_server.host, port=smtp_server.port, tls="none", timeout=3.0, helo_name="klimabot.test"
    )


@pytest.fixture
def make_message() -> Callable[..., EmailMessage]:
    """Builds a plain-text message with non-ASCII subject, names and body."""

    def build(
        *,
        to: list[Mailbox],
        cc: list[Mailbox] | None = None,
        bcc: list[Mailbox] | None = None,
        subject: str = SUBJECT,
        body: str = BODY,
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr(SENDER)
        message["To"] = ", ".join(formataddr(pair) for pair in to)
        if cc:
            message["Cc"] = ", ".join(formataddr(pair) for pair in cc)
        if bcc:
            message["Bcc"] = ", ".join(formataddr(pair) for pair in bcc)
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="klima-kommunen.example")
        message.set_content(body)
        return message

    return build
