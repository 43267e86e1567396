"""Booking guards through the real bot: open-booking limits, crafted callback data, foreign bookings."""

import datetime as dt
import logging
import secrets

import pytest
from sqlmodel import select

from bot.app import build_booking_config, build_ticket_config
from local_bot_api.serialize import message_json
from local_bot_api.state import PendingCallback
from services.booking import BookingRequest, book_slot, next_free_slots
from storage.database import create_engine, session_factory
from storage.tables import Booking, EmailConfirmation
from tests.e2e import test_booking_chat

OTHER = 7302

USER = test_booking_chat.USER
booking_bot = test_booking_chat.booking_bot  # the same bot fixture: advisor Anna, weekdays 09–12
last, until, press = test_booking_chat.last, test_booking_chat.until, test_booking_chat.press


def press_crafted(api, data: str) -> str:
    """What a modified Telegram client can send: callback data that no button of ours carries."""
    state = api.state
    chat = state.chats[USER]
    message = next(m for m in reversed(chat.messages.values()) if m.from_bot)
    query_id = str(secrets.randbits(63))
    state.add_callback(PendingCallback(query_id, USER, message.message_id, data))
    state.updates.push(
        "callback_query",
        {
            "id": query_id,
            "from": chat.user,
            "message": message_json(chat, message, state.bot_user),
            "chat_instance": chat.chat_instance,
            "data": data,
        },
    )
    state.changes.notify()
    return query_id


async def answer_to(api, query_id: str):
    """The bot's answerCallbackQuery for this query (TimeoutError if it never answers)."""
    return await api.wait_for(
        lambda: next((a for a in api.callback_answers if a.query_id == query_id), None), timeout=4
    )


async def _session(settings):
    engine = create_engine(settings.database_url)
    return engine, session_factory(engine)


async def seed_bookings(
    settings, count: int, *, chat_id: int, municipality: str = "Marburg"
) -> list[Booking]:
    """Book the next free slots directly through the service (the advisor's address needs no code)."""
    config = build_booking_config(settings, build_ticket_config(settings))
    engine, sessions = await _session(settings)
    booked = []
    async with sessions() as session:
        for _ in range(count):
            # one at a time: a booking's buffer also takes the neighbouring slots
            (slot,) = await next_free_slots(session, config, topic="foerderung", limit=1)
            request = BookingRequest(
                topic="foerderung",
                format="video",
                municipality_name=municipality,
                contact_name="Vorab",
                contact_email="anna@example.org",
                chat_id=chat_id,
            )
            booked.append(await book_slot(session, config, slot=slot, request=request))
    await engine.dispose()
    return booked


async def bookings(settings) -> list[Booking]:
    engine, sessions = await _session(settings)
    async with sessions() as session:
        rows = (await session.exec(select(Booking).order_by(Booking.id))).all()
    await engine.dispose()
    return rows


async def confirm_address(settings, address: str) -> None:
    """As if the user had typed the mailed code for `address` earlier."""
    engine, sessions = await _session(settings)
    now = dt.datetime.now(dt.UTC)
    async with sessions() as session:
        session.add(
            EmailConfirmation(
                chat_id=USER,
                email=address,
                purpose="booking",
                code_hash="-",
                expires_at=now,
                confirmed_at=now,
            )
        )
        await session.commit()
    await engine.dispose()


async def test_a_chat_at_its_limit_is_told_so_when_it_starts_a_booking(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    await seed_bookings(settings, 2, chat_id=USER)
    api.user_sends(USER, "/termin")
    await until(api, "/termine")
    assert "2 offene" in last(api).text and "Zu welchem Thema" not in last(api).text


async def test_a_municipality_at_its_limit_is_named_when_chosen(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    for n in range(3):
        await seed_bookings(settings, 1, chat_id=OTHER + n)
    api.user_sends(USER, "/termin")
    await until(api, "Zu welchem Thema")
    await press(api, "Förderung")
    await until(api, "Für welche Kommune")
    api.user_sends(USER, "marburg")
    await until(api, "✅ Marburg")
    await press(api, "✅ Marburg")
    await until(api, "/termine")
    assert "Für Marburg sind bereits 3" in last(api).text


async def test_the_limit_is_checked_again_when_the_booking_is_confirmed(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    await confirm_address(settings, "erika@marburg.de")
    await seed_bookings(settings, 1, chat_id=USER, municipality="Gießen")
    api.user_sends(USER, "/termin")
    await until(api, "Zu welchem Thema")
    await press(api, "Förderung")
    await until(api, "Für welche Kommune")
    api.user_sends(USER, "marburg")
    await until(api, "✅ Marburg")
    await press(api, "✅ Marburg")
    await until(api, "Wie heißen Sie")
    api.user_sends(USER, "Erika Muster")
    await until(api, "✅ erika@marburg.de")
    await press(api, "✅ erika@marburg.de")
    await until(api, "Ohne Telefonnummer")
    await press(api, "Ohne Telefonnummer")
    await until(api, "Wie möchten Sie")
    await press(api, "Videokonferenz")
    await until(api, "Freie Termine")
    await press(api, [label for label in last(api).button_labels() if "frei" in label][-1])
    await until(api, "Freie Uhrzeiten")
    await press(api, [label for label in last(api).button_labels() if ":" in label][-1])
    await until(api, "Worüber")
    await press(api, "Ohne Notiz")
    await until(api, "Bitte prüfen")
    await seed_bookings(settings, 1, chat_id=USER, municipality="Gießen")  # meanwhile, from elsewhere
    await press(api, "✅ Verbindlich buchen")
    await until(api, "/termine")
    assert "2 offene" in last(api).text
    assert [b.municipality_name for b in await bookings(settings)] == ["Gießen", "Gießen"]


@pytest.fixture
def errors(caplog):
    """Error log records of the bot (an exception in a handler is logged by aiogram)."""
    caplog.set_level(logging.ERROR)
    return lambda: [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_crafted_callback_data_gets_a_short_answer_and_changes_nothing(booking_bot, errors):
    api, settings = booking_bot.api, booking_bot.settings
    (foreign,) = await seed_bookings(settings, 1, chat_id=OTHER)
    (own,) = await seed_bookings(settings, 1, chat_id=USER, municipality="Gießen")
    api.user_sends(USER, "/termin")
    await until(api, "Zu welchem Thema")
    crafted = [
        "b:week:x",
        "b:page:x",
        "b:day:x",
        "b:day:2030-01-01",
        "b:week:9999-12-31",
        "b:slot:999",
        "b:topic:nope",
        "b:email:3",
        "b:muni:00000000",
        "b:book",
        "b:frobnicate:1",
        "b:week:2026:11",
        "b:",
        "mb:cancel:x",
        "mb:move:",
        "mb:cancel:99999999999999999999",
        "mb:cancel:-3",
        f"mb:explode:{own.id}",
        f"mb:cancel:{foreign.id}",
        f"mb:move:{foreign.id}",
    ]
    for data in crafted:
        answer = await answer_to(api, press_crafted(api, data))
        assert answer.text, f"{data!r} got no answer text"
    assert errors() == []
    assert [(b.id, b.state) for b in await bookings(settings)] == [(foreign.id, "active"), (own.id, "active")]
    await press(api, "Förderung")  # the conversation goes on as before
    await until(api, "Für welche Kommune")


async def test_crafted_paging_and_slot_data_in_the_day_view(booking_bot, errors):
    api, settings = booking_bot.api, booking_bot.settings
    await seed_bookings(settings, 1, chat_id=USER)
    api.user_sends(USER, "/termine")
    await until(api, "🔁 Verschieben")
    await press(api, "🔁 Verschieben")
    await until(api, "Freie Termine")
    await press(api, [label for label in last(api).button_labels() if "frei" in label][0])
    await until(api, "Freie Uhrzeiten")
    crafted = ("b:page:99", "b:page:-1", "b:page:²", "b:slot:x", "b:slot:-1", "b:slot:²", "b:slot:١")
    for data in (*crafted, "b:week:1900-01-01", "b:day:0001-01-01", "b:day:2026-02-30"):
        answer = await answer_to(api, press_crafted(api, data))
        assert answer.text, f"{data!r} got no answer text"
    assert errors() == []
    await press(api, [label for label in last(api).button_labels() if ":" in label][0])
    await until(api, "Bitte prüfen")
