"""A real Dovecot inbox and SMTP server for tests that run the whole bot, and the advisor's e-mail reply."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from tests.imap.dovecot import DovecotServer, MailUser
from tests.smtp.smtp_server import TestSmtpServer

ADVISOR = "anna@example.org"
# the advisors file of the conversation tests: her, with consultation hours every working morning
ADVISORS_WITH_HOURS = f"""advisors:
  - name: Anna Berater
    email: {ADVISOR}
    topics: [klimaschutz, klimaanpassung, foerderung, thg-bilanz, sonstiges]
    formats: [phone, video]
    hours:
      mon: ["09:00-12:00"]
      tue: ["09:00-12:00"]
      wed: ["09:00-12:00"]
      thu: ["09:00-12:00"]
      fri: ["09:00-12:00"]
"""


@contextlib.contextmanager
def mail_servers(inbox_address: str) -> Iterator[tuple[DovecotServer, MailUser, TestSmtpServer]]:
    """Dovecot with the advisory inbox `inbox_address` and an SMTP server on loopback; the test is
    skipped where Dovecot is not installed."""
    if not shutil.which("dovecot"):
        pytest.skip("Dovecot is not installed (scripts/install-dovecot.sh)")
    dovecot = DovecotServer(users={})
    dovecot.start()
    inbox = dovecot.add_user(inbox_address, "secret")
    smtp = TestSmtpServer().start()
    try:
        yield dovecot, inbox, smtp
    finally:
        smtp.stop()
        dovecot.close()


def mail_settings(dovecot: DovecotServer, inbox: MailUser, smtp: TestSmtpServer) -> dict:
    """The bot's IMAP and SMTP settings for these servers (plain, on loopback)."""
    return {
        "imap_host": dovecot.host,
        "imap_port": dovecot.port,
        "imap_user": inbox.name,
        "imap_password": inbox.password,
        "imap_tls": "none",
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_tls": "none",
    }


def advisor_reply(to_message: EmailMessage, body: str, inbox_address: str) -> bytes:
    """The advisor answers the bot's mail from her mail client: threaded, signed, the original quoted."""
    reply = EmailMessage()
    reply["From"] = f"Anna Berater <{ADVISOR}>"
    reply["To"] = inbox_address
    reply["Subject"] = "AW: " + to_message["Subject"]
    reply["Message-ID"] = make_msgid(domain="example.org")
    reply["In-Reply-To"] = to_message["Message-ID"]
    reply["References"] = to_message["Message-ID"]
    reply.set_content(
        f"{body}\n\nViele Grüße\nAnna Berater\n\n-----Ursprüngliche Nachricht-----\nVon: Fachstelle\n"
        f"Gesendet: Mittwoch, 25. November 2026 10:00\nBetreff: {to_message['Subject']}\n\nNeue Anfrage ..."
    )
    return reply.as_bytes()
