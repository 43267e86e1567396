"""An inbox context on the parametrised database, and e-mails built in memory."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from bot.app import build_answering
from bot.settings import Settings
from mail.handling import InboxContext
from services.advisors import Advisor, AdvisorDirectory
from services.municipalities import load_municipalities
from services.tickets import TicketConfig

INBOX = "fachstelle@example.org"
ADVISOR = "anna@example.org"


@pytest.fixture(scope="session")
def answering():
    return build_answering(Settings())


@pytest.fixture
def inbox(sessions, answering):
    config = TicketConfig(inbox_address=INBOX, advisors=AdvisorDirectory((Advisor("Anna Berater", ADVISOR),)))
    return InboxContext(sessions, config, answering, load_municipalities(), auto_reply_daily_limit=3)


def make_mail(
    *,
    sender="kaemmerei@marburg.de",
    name="Kämmerei Marburg",
    subject="Frage",
    body="Hallo",
    in_reply_to=None,
    references=(),
    headers=None,
    attachments=(),
) -> bytes:
    """A mail as a client would send it."""
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = INBOX
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    message["Date"] = format_datetime(__import__("datetime").datetime.now(__import__("datetime").UTC))
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body)
    for filename, data in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message.as_bytes()
