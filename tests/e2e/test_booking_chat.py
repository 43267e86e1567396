"""Booking an Initialberatung through the real bot: the whole conversation, wrong input, back, /termine."""

import asyncio
import email
import json
import re
from email import policy

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from bot.settings import Settings
from storage.database import create_engine, session_factory
from storage.tables import Booking, FsmRecord
from tests.e2e.chat import eventually, last_message, wait_until_shown
from tests.e2e.conftest import running_bot
from tests.mail_servers import ADVISORS_WITH_HOURS

USER = 7301


@pytest.fixture
async def booking_bot(tmp_path):
    advisors = tmp_path / "advisors.yaml"
    advisors.write_text(ADVISORS_WITH_HOURS, encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        advisors_file=advisors,
        inbox_address="fachstelle@example.org",
        mail_sink_dir=tmp_path / "sink",
    )
    async with running_bot(settings) as running:
        yield running


def last(api):
    return last_message(api, USER)


async def until(api, text):
    return await wait_until_shown(api, USER, text)


async def press(api, label_start):
    labels = last(api).button_labels()
    label = next(label for label in labels if label.startswith(label_start))
    api.user_presses_button(USER, label)


def mailed_codes(settings, address: str) -> list[str]:
    """The confirmation codes the bot mailed to `address`, oldest first."""
    codes = []
    for path in sorted(settings.mail_sink_dir.glob("*.eml")):  # names start with a UTC timestamp
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found = re.search(r"Bestätigungscode: (\d{6})", str(message["Subject"]))
        if found and address in str(message["To"]):
            codes.append(found.group(1))
    return codes


async def code_for(settings, address: str, count: int = 1) -> str:
    """Wait until the `count`-th code to `address` is in the mail sink (the outbox worker writes it)."""
    for _ in range(160):
        codes = mailed_codes(settings, address)
        if len(codes) >= count:
            return codes[count - 1]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no code number {count} mailed to {address}")


async def _bookings(settings):
    engine = create_engine(settings.database_url)
    async with session_factory(engine)() as session:
        rows = (await session.exec(select(Booking).order_by(Booking.id))).all()
    await engine.dispose()
    return rows


async def _conversation(settings) -> dict:
    """The stored conversation data of the user's chat."""
    engine = create_engine(settings.database_url)
    async with session_factory(engine)() as session:
        rows = (await session.exec(select(FsmRecord).where(col(FsmRecord.key).contains(f":{USER}:")))).all()
    await engine.dispose()
    (row,) = rows
    return json.loads(row.data)


async def test_booking_from_start_to_confirmation_with_wrong_input_and_back(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    api.user_sends(USER, "/start")
    await until(api, "📅 Initialberatung buchen")
    api.user_sends(USER, "ich hätte gern einen Beratungstermin")
    await until(api, "Zu welchem Thema")
    await press(api, "Förderung")
    await until(api, "Für welche Kommune")
    api.user_sends(USER, "Atlantis")
    await until(api, "nicht gefunden")
    api.user_sends(USER, "marburg")
    await until(api, "✅ Marburg")
    await press(api, "✅ Marburg")
    await until(api, "Wie heißen Sie")
    api.user_sends(USER, "Erika")
    await api.wait_for(lambda: any("Vor- und Nachnamen" in m.text for m in api.bot_messages(USER)[-2:]))
    await until(api, "Wie heißen Sie")
    api.user_sends(USER, "Erika Muster")
    await until(api, "E-Mail-Adresse")
    api.user_sends(USER, "erika-at-marburg")
    await until(api, "nicht nach einer E-Mail-Adresse")
    api.user_sends(USER, "erika@marburg.de")
    await until(api, "stelligen Code")  # a new address gets invitations only once its mailed code is typed
    api.user_sends(USER, await code_for(settings, "erika@marburg.de"))
    await until(api, "Telefonnummer")
    await press(api, "⬅️ Zurück")  # back keeps what was entered
    await until(api, "✅ erika@marburg.de")
    await press(api, "✅ erika@marburg.de")
    await until(api, "Ohne Telefonnummer")
    await press(api, "Ohne Telefonnummer")
    await until(api, "Wie möchten Sie beraten werden")
    assert "Vor Ort" not in " ".join(last(api).button_labels())  # only the formats the advisor offers
    await press(api, "Videokonferenz")
    await until(api, "Freie Termine")
    day_labels = [label for label in last(api).button_labels() if "frei" in label]
    assert day_labels and not any(label.startswith(("Sa.", "So.")) for label in day_labels)
    await press(api, day_labels[0])
    await until(api, "Freie Uhrzeiten")
    times = [label for label in last(api).button_labels() if ":" in label]
    assert times[0] == "09:00"
    await press(api, times[0])
    await until(api, "Worüber möchten Sie sprechen")
    api.user_sends(USER, "Trinkbrunnen am Marktplatz fördern")
    await until(api, "Bitte prüfen Sie Ihre Buchung")
    summary = last(api).text
    assert "09:00" in summary and "Uhr" in summary and "Marburg" in summary and "Videokonferenz" in summary
    # the conversation keeps ids and choices; names are looked up where they are shown
    flow = (await _conversation(settings))["booking"]
    assert flow["ags"] == "06534014" and "Marburg" not in json.dumps(flow, ensure_ascii=False)
    await press(api, "✅ Verbindlich buchen")
    await until(api, "Gebucht!")
    assert "IB-" in last(api).text
    name, ics = last(api).document  # the confirmation carries the calendar entry to save
    assert name.startswith("Initialberatung-IB-") and name.endswith(".ics") and b"BEGIN:VEVENT" in ics

    (booking,) = await _bookings(settings)
    assert booking.state == "active" and booking.contact_email == "erika@marburg.de"
    assert len(mailed_codes(settings, "erika@marburg.de")) == 1
    # the code, then the invitations to both sides (the outbox sends after the commit, a moment later)
    await eventually(lambda: len(list(settings.mail_sink_dir.glob("*.eml"))) >= 3)
    sink = sorted(settings.mail_sink_dir.glob("*.eml"))
    assert len(sink) == 3
    invitations = []
    for path in sink:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                invitations.append(Calendar.from_ical(part.get_payload(decode=True)))
    assert [str(cal["METHOD"]) for cal in invitations] == ["REQUEST", "REQUEST"]


async def test_my_bookings_can_be_moved_and_cancelled(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    api.user_sends(USER, "/termin")
    await until(api, "Zu welchem Thema")
    await press(api, "Klimaschutz")
    await until(api, "Für welche Kommune")
    api.user_sends(USER, "Wöllstadt")
    await until(api, "✅ Wöllstadt")
    await press(api, "✅ Wöllstadt")
    await until(api, "Wie heißen Sie")
    api.user_sends(USER, "Max Muster")
    await until(api, "E-Mail-Adresse")
    api.user_sends(USER, "max@woellstadt.de")
    await until(api, "stelligen Code")
    api.user_sends(USER, await code_for(settings, "max@woellstadt.de"))
    await until(api, "Telefonnummer")
    api.user_sends(USER, "06034 1234")
    await until(api, "Wie möchten Sie")
    await press(api, "Telefon")
    await until(api, "Freie Termine")
    await press(api, [label for label in last(api).button_labels() if "frei" in label][0])
    await until(api, "Freie Uhrzeiten")
    await press(api, "10:")
    await until(api, "Worüber")
    await press(api, "Ohne Notiz")
    await until(api, "Bitte prüfen")
    await press(api, "✅ Verbindlich buchen")
    await until(api, "Gebucht!")

    api.user_sends(USER, "/termine")
    await until(api, "🔁 Verschieben")
    await press(api, "🔁 Verschieben")
    await until(api, "Freie Termine")
    await press(api, [label for label in last(api).button_labels() if "frei" in label][-1])
    await until(api, "Freie Uhrzeiten")
    await press(api, "11:")
    await until(api, "Bitte prüfen")
    await press(api, "✅ Verschieben bestätigen")
    await until(api, "Verschoben")
    old, new = await _bookings(settings)
    assert old.state == "cancelled" and new.state == "active" and new.start_utc != old.start_utc

    api.user_sends(USER, "/termine")
    await until(api, "❌ Absagen")
    await press(api, "❌ Absagen")
    await until(api, "wirklich absagen")  # one tap does not cancel yet
    await press(api, "↩️ Nein, behalten")
    await until(api, "bleibt bestehen")
    assert (await _bookings(settings))[-1].state == "active"
    api.user_sends(USER, "/termine")
    await until(api, "❌ Absagen")
    await press(api, "❌ Absagen")
    await until(api, "wirklich absagen")
    await press(api, "✅ Ja, absagen")
    await until(api, "ist abgesagt")
    assert all(b.state == "cancelled" for b in await _bookings(settings))
    assert "wurde von Max Muster (Wöllstadt) im Telegram-Chat abgesagt" in await _advisor_cancellation(
        settings
    )


async def _advisor_cancellation(settings) -> str:
    """The text of the last cancellation mail to the advisor, once the outbox worker wrote it."""
    for _ in range(160):
        for path in sorted(settings.mail_sink_dir.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if "anna@example.org" in str(message["To"]) and str(message["Subject"]).startswith("Abgesagt"):
                return message.get_body(("plain",)).get_content()
        await asyncio.sleep(0.05)
    raise TimeoutError("no cancellation mail to the advisor")
