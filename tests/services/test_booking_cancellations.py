"""The advisor's cancellation mail says in words who cancelled: the municipality in the chat, or the Fachstelle."""

import pytest

from services.booking import cancel_booking
from services.booking.domain import CANCELLED_IN_CHAT
from tests.services import test_booking_bookings as bookings

CONFIG, NOW = bookings.CONFIG, bookings.NOW
confirmed_contact = bookings.confirmed_contact  # autouse: the chat confirmed its address


@pytest.mark.parametrize(
    ("by", "words"),
    [
        (CANCELLED_IN_CHAT, "wurde von Frau Test (Marburg) im Telegram-Chat abgesagt"),
        ("fachstelle", "wurde von der Fachstelle abgesagt"),
        ("Anna Berater", "wurde von der Fachstelle (Anna Berater) abgesagt"),
    ],
)
async def test_the_advisor_learns_who_cancelled(sessions, by, words):
    booking = await bookings._book(sessions, bookings._slot(10))
    async with sessions() as session:
        await cancel_booking(session, CONFIG, booking_id=booking.id, by=by, now=NOW)
    mails = dict(await bookings._outbox(sessions))
    assert words in mails["booking_cancel_advisor"].text
