"""Invitations go only to confirmed addresses: the booking service checks it, on SQLite and PostgreSQL."""

import datetime as dt
import re

import pytest
from sqlmodel import select

from services.advisors import parse_advisors
from services.booking import (
    BookingConfig,
    BookingRequest,
    ContactNotConfirmed,
    Slot,
    book_slot,
    booking_schedules,
    check_contact_code,
    confirmed_contacts,
    contact_is_usable,
    send_contact_code,
)
from services.booking.contacts import full_name
from services.email_codes import CodeCheck
from services.outgoing import OutgoingMail
from services.working_time import BERLIN
from storage.tables import Booking, OutboxMail

ADVISORS = """\
advisors:
  - name: Anna Berater
    email: anna@example.org
    topics: [foerderung]
    formats: [video]
    hours:
      tue: ["09:00-12:00"]
  - name: Bernd Beispiel
    email: bernd@example.org
    topics: [klimaschutz]
"""
CONFIG = BookingConfig("fachstelle@example.org", booking_schedules(parse_advisors(ADVISORS)))
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 11, 10, 10, 0, tzinfo=BERLIN).astimezone(dt.UTC)
SLOT = Slot(START, START + dt.timedelta(hours=1), "anna@example.org", "Anna Berater")
CHAT = 4711


def _request(**fields) -> BookingRequest:
    values = dict(
        topic="foerderung",
        format="video",
        municipality_name="Marburg",
        contact_name="Frau Test",
        contact_email="Test@Marburg.de",
        chat_id=CHAT,
    )
    return BookingRequest(**{**values, **fields})


async def _rows(sessions, table):
    async with sessions() as session:
        return (await session.exec(select(table).order_by(table.id))).all()


async def _confirm(sessions, email: str, chat_id: int = CHAT) -> None:
    """What the chat does: ask for a code, read it from the mail, type it in."""
    async with sessions() as session:
        await send_contact_code(session, CONFIG, chat_id=chat_id, email=email, minutes=30)
        mail = OutgoingMail.from_json((await _rows(sessions, OutboxMail))[-1].payload)
        code = re.search(r"\b(\d{6})\b", mail.text).group(1)
        result = await check_contact_code(session, chat_id=chat_id, code=code)
    assert result.check is CodeCheck.CONFIRMED


async def test_a_chat_booking_to_an_unconfirmed_address_is_refused_and_mails_nothing(sessions):
    async with sessions() as session:
        with pytest.raises(ContactNotConfirmed) as refused:
            await book_slot(session, CONFIG, slot=SLOT, request=_request(), now=NOW)
    assert "test@marburg.de" in str(refused.value)
    assert await _rows(sessions, Booking) == [] and await _rows(sessions, OutboxMail) == []


async def test_an_address_confirmed_by_this_chat_gets_the_invitation(sessions):
    await _confirm(sessions, "test@marburg.de")
    async with sessions() as session:
        booking = await book_slot(session, CONFIG, slot=SLOT, request=_request(), now=NOW)
    assert booking.contact_email == "test@marburg.de"
    purposes = [row.purpose for row in await _rows(sessions, OutboxMail)]
    assert purposes == ["confirmation_code", "booking_confirmation", "booking_advisor"]


async def test_an_address_confirmed_by_another_chat_does_not_count(sessions):
    await _confirm(sessions, "test@marburg.de", chat_id=CHAT + 1)
    async with sessions() as session:
        with pytest.raises(ContactNotConfirmed):
            await book_slot(session, CONFIG, slot=SLOT, request=_request(), now=NOW)


async def test_advisor_addresses_need_no_code(sessions):
    async with sessions() as session:
        assert await contact_is_usable(session, CONFIG, chat_id=CHAT, email="Bernd@Example.org")
        assert not await contact_is_usable(session, CONFIG, chat_id=CHAT, email="test@marburg.de")
        booking = await book_slot(
            session, CONFIG, slot=SLOT, request=_request(contact_email="ANNA@example.org"), now=NOW
        )
    assert booking.contact_email == "anna@example.org"


async def test_requests_without_a_chat_need_an_explicit_staff_confirmation(sessions):
    async with sessions() as session:
        with pytest.raises(ContactNotConfirmed):
            await book_slot(session, CONFIG, slot=SLOT, request=_request(chat_id=None), now=NOW)
        booking = await book_slot(
            session, CONFIG, slot=SLOT, request=_request(chat_id=None, confirmed_by_staff=True), now=NOW
        )
    assert booking.telegram_chat_id is None


async def test_confirmed_contacts_lists_this_chats_addresses_newest_first(sessions):
    await _confirm(sessions, "alt@marburg.de")
    await _confirm(sessions, "neu@marburg.de")
    await _confirm(sessions, "fremd@marburg.de", chat_id=CHAT + 1)
    async with sessions() as session:
        assert await confirmed_contacts(session, chat_id=CHAT) == ["neu@marburg.de", "alt@marburg.de"]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Erika  Muster ", "Erika Muster"),
        ("Dr. Hans-Peter von Müller", "Dr. Hans-Peter von Müller"),
        ("Erika", None),
        ("Erika 123", None),
        ("", None),
        ("Erika " + "M" * 100, None),
    ],
)
def test_a_contact_name_needs_a_first_and_a_last_name(typed, name):
    assert full_name(typed) == name
