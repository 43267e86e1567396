"""Mail benchmarks: incoming mails processed per second from Dovecot, and advisor reply → Telegram round trip.

Run: .venv/bin/python bench/bench_mail.py [--quick]
Needs Dovecot (bash scripts/install-dovecot.sh). Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import statistics
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_answering  # noqa: E402
from bot.mail_channel import build_imap_reader  # noqa: E402
from bot.settings import Settings  # noqa: E402
from mail.handling import InboxContext  # noqa: E402
from services.advisors import Advisor, AdvisorDirectory  # noqa: E402
from services.municipalities import load_municipalities  # noqa: E402
from services.tickets import TicketConfig  # noqa: E402
from storage.database import create_engine, session_factory  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from tests.e2e.conftest import running_bot  # noqa: E402
from tests.imap.dovecot import DovecotServer  # noqa: E402
from tests.mail_pipeline.conftest import make_mail  # noqa: E402
from tests.mail_servers import mail_settings  # noqa: E402
from tests.smtp.smtp_server import TestSmtpServer  # noqa: E402

ADVISOR = "anna@example.org"
QUESTIONS = [
    "Wie hoch ist der Fördersatz der Klimarichtlinie für Klima-Kommunen?",
    "Welche Baumarten eignen sich für unseren Friedhof?",
    "Bis wann müssen wir den Aktionsplan einreichen?",
    "Gibt es eine kostenlose Software für die THG-Bilanz?",
]


async def incoming_throughput(count: int, folder: Path) -> tuple[float, float]:
    """Append `count` mails to Dovecot, then time how fast the reader handles them; returns (seconds, mails/s)."""
    dovecot = DovecotServer(users={})
    dovecot.start()
    try:
        inbox = dovecot.add_user("fachstelle@example.org", "secret")
        for n in range(count):
            question = QUESTIONS[n % len(QUESTIONS)]
            dovecot.append(
                inbox, make_mail(sender=f"person{n}@example.net", subject=f"Frage {n}", body=question)
            )
        url = f"sqlite:///{folder / 'throughput.db'}"
        await migrate(url)
        engine = create_engine(url)
        settings = Settings(
            database_url=url,
            imap_host=dovecot.host,
            imap_port=dovecot.port,
            imap_user=inbox.name,
            imap_password=inbox.password,
            imap_tls="none",
            smtp_host="127.0.0.1",
            inbox_address=inbox.name,
        )
        config = TicketConfig(
            inbox_address=inbox.name, advisors=AdvisorDirectory((Advisor("Anna", ADVISOR),))
        )
        context = InboxContext(
            session_factory(engine), config, build_answering(settings), load_municipalities()
        )
        reader = build_imap_reader(settings, context)
        started = time.perf_counter()
        for _ in range(5):
            await reader.process_pending()
            if dovecot.count(inbox, "INBOX") == 0:
                break
        elapsed = time.perf_counter() - started
        await engine.dispose()
        assert dovecot.count(inbox, "INBOX") == 0
        return elapsed, count / elapsed
    finally:
        dovecot.close()


def _reply(to_message, body: str) -> bytes:
    reply = EmailMessage()
    reply["From"] = f"Anna Berater <{ADVISOR}>"
    reply["To"] = "fachstelle@example.org"
    reply["Subject"] = "AW: " + to_message["Subject"]
    reply["Message-ID"] = make_msgid(domain="example.org")
    reply["In-Reply-To"] = to_message["Message-ID"]
    reply.set_content(body)
    return reply.as_bytes()


async def round_trips(rounds: int, folder: Path) -> list[float]:
    """Seconds from an advisor's reply landing in the mailbox to the Telegram message, per ticket."""
    dovecot = DovecotServer(users={})
    dovecot.start()
    smtp = TestSmtpServer().start()
    advisors = folder / "advisors.yaml"
    advisors.write_text(f"advisors:\n  - name: Anna\n    email: {ADVISOR}\n", encoding="utf-8")
    try:
        inbox = dovecot.add_user("fachstelle@example.org", "secret")
        settings = Settings(
            database_url=f"sqlite:///{folder / 'roundtrip.db'}",
            **mail_settings(dovecot, inbox, smtp),
            inbox_address=inbox.name,
            advisors_file=advisors,
            mail_sink_dir=folder / "sink",
        )
        times = []
        async with running_bot(settings) as running:
            api = running.api
            for n in range(rounds):
                user = 500 + n
                api.user_sends(user, "ich möchte mit jemandem sprechen")
                await api.wait_for_messages(user, 1)
                api.user_sends(user, f"Welche Bäume pflanzen wir am Friedhof Nummer {n}?")
                await api.wait_for(lambda u=user: "Für welche Kommune" in api.bot_messages(u)[-1].text)
                api.user_presses_button(user, "Keine Angabe")
                await api.wait_for(lambda u=user: "Kopie" in api.bot_messages(u)[-1].text)
                api.user_presses_button(user, "Ohne E-Mail")
                await api.wait_for(lambda u=user: "prüfen" in api.bot_messages(u)[-1].text)
                api.user_presses_button(user, "📨 Absenden")
                received = await smtp.wait_for_messages(n + 1, timeout=15)
                escalation = email.message_from_bytes(received[-1].raw, policy=policy.default)
                landed = time.perf_counter()
                dovecot.append(inbox, _reply(escalation, f"Antwort Nummer {n}: Feldahorn."))
                await api.wait_for(
                    lambda u=user: any("Antwort der Fachstelle" in m.text for m in api.bot_messages(u)),
                    timeout=10,
                )
                times.append(time.perf_counter() - landed)
        return times
    finally:
        smtp.stop()
        dovecot.close()


async def main() -> None:
    """Run both benchmarks and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer mails and rounds")
    args = parser.parse_args()
    count, rounds = (100, 3) if args.quick else (500, 10)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds, rate = await incoming_throughput(count, folder)
        trips = await round_trips(rounds, folder)
    print("| benchmark | result |")
    print("| --- | --- |")
    print(
        f"| incoming mails from Dovecot (parse, thread, answer or ticket, move) | {count} mails in {seconds:.1f} s = {rate:.0f} mails/s |"
    )
    print(
        f"| advisor reply in mailbox → Telegram message (IDLE) | median {statistics.median(trips):.2f} s, "
        f"max {max(trips):.2f} s over {len(trips)} replies |"
    )


if __name__ == "__main__":
    asyncio.run(main())
