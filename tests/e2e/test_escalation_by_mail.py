"""End to end: Telegram user escalates → mail at SMTP → advisor replies into Dovecot → user reads it → answers."""

import email
import time
from email import policy

import pytest

from bot.settings import Settings
from tests.e2e.chat import wait_until_any_shows
from tests.e2e.conftest import running_bot
from tests.mail_servers import ADVISOR, advisor_reply, mail_servers, mail_settings

USER = 9001


INBOX = "fachstelle@example.org"


@pytest.fixture
def mail_setup(tmp_path):
    with mail_servers(INBOX) as (dovecot, inbox, smtp):
        advisors = tmp_path / "advisors.yaml"
        advisors.write_text(f"advisors:\n  - name: Anna Berater\n    email: {ADVISOR}\n", encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'bot.db'}",
            **mail_settings(dovecot, inbox, smtp),
            inbox_address=inbox.name,
            advisors_file=advisors,
            mail_sink_dir=tmp_path / "sink",
        )
        yield settings, dovecot, inbox, smtp


async def test_escalation_reply_and_follow_up_round_trip(mail_setup):
    settings, dovecot, inbox, smtp = mail_setup
    async with running_bot(settings) as running:
        api = running.api
        api.user_sends(USER, "Welche Baumarten eignen sich für unseren Friedhof?")
        await api.wait_for_messages(USER, 1)
        api.user_sends(USER, "ich möchte mit jemandem sprechen")
        await api.wait_for(lambda: "Ja, diese Frage" in " ".join(api.bot_messages(USER)[-1].button_labels()))
        api.user_presses_button(USER, "✅ Ja, diese Frage")
        await api.wait_for(lambda: "Für welche Kommune" in api.bot_messages(USER)[-1].text)
        api.user_sends(USER, "Marbrug")
        await api.wait_for(lambda: "✅ Marburg" in api.bot_messages(USER)[-1].button_labels())
        api.user_presses_button(USER, "✅ Marburg")
        await api.wait_for(lambda: "Kopie" in api.bot_messages(USER)[-1].text)
        api.user_sends(USER, "keine-adresse")
        await api.wait_for(lambda: "nicht nach einer E-Mail-Adresse" in api.bot_messages(USER)[-1].text)
        api.user_presses_button(USER, "Ohne E-Mail")
        await api.wait_for(lambda: "Bitte prüfen Sie" in api.bot_messages(USER)[-1].text)
        assert "Marburg" in api.bot_messages(USER)[-1].text
        api.user_presses_button(USER, "📨 Absenden")
        await api.wait_for(lambda: "KK-" in api.bot_messages(USER)[-1].text)

        (received,) = await smtp.wait_for_messages(1, timeout=10)
        escalation = email.message_from_bytes(received.raw, policy=policy.default)
        assert escalation["Subject"].startswith("[KK-") and list(received.rcpt_tos) == [ADVISOR]
        assert escalation["Reply-To"] == inbox.name
        body = escalation.get_body(("plain",)).get_content()
        assert "Friedhof" in body and "Marburg" in body

        landed = time.monotonic()
        dovecot.append(
            inbox, advisor_reply(escalation, "Heimische Arten wie Feldahorn und Hainbuche.", INBOX)
        )
        relayed = await wait_until_any_shows(api, USER, "Antwort der Fachstelle", seconds=5)
        round_trip = time.monotonic() - landed
        assert "Feldahorn" in relayed.text and "Ursprüngliche Nachricht" not in relayed.text
        print(f"advisor reply reached Telegram after {round_trip:.2f} s")

        api.user_sends(USER, "Danke! Gilt das auch für Urnenfelder?")
        (_, follow_up) = await smtp.wait_for_messages(2, timeout=10)
        threaded = email.message_from_bytes(follow_up.raw, policy=policy.default)
        reply_id = email.message_from_bytes(advisor_reply(escalation, "x", INBOX), policy=policy.default)
        assert escalation["Message-ID"] in threaded["References"]
        assert threaded["In-Reply-To"] and threaded["Subject"] == escalation["Subject"]
        assert "Urnenfelder" in threaded.get_body(("plain",)).get_content()
        assert reply_id is not None
        await api.wait_for(lambda: dovecot.count(inbox, "Processed") == 1, timeout=5)
