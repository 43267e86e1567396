"""Booking reminders through the scheduler job: 24 h and 1 h before, once each, also after a restart."""

import datetime as dt

from sqlmodel import select

from bot.app import build_runtime
from bot.scheduler import CONTEXT, run_booking_reminders
from bot.settings import Settings
from services.booking.availability import next_free_slots
from services.booking.bookings import BookingRequest, book_slot
from storage.tables import EmailConfirmation, TelegramOutbox


async def test_reminders_fire_once_each_with_a_controllable_clock(database_url, tmp_path):
    settings = Settings(database_url=database_url, mail_sink_dir=tmp_path / "sink")
    runtime = await build_runtime(settings, apply_migrations=False)
    CONTEXT.runtime = runtime
    async with runtime.sessions() as session:
        # the chat confirmed its address with a mailed code; invitations go only to such addresses
        session.add(
            EmailConfirmation(
                chat_id=4242,
                email="erika@marburg.de",
                purpose="booking",
                code_hash="-",
                expires_at=dt.datetime.now(dt.UTC),
                confirmed_at=dt.datetime.now(dt.UTC),
            )
        )
        await session.commit()
        (slot,) = await next_free_slots(session, runtime.booking, topic="foerderung", limit=1)
        booking = await book_slot(
            session,
            runtime.booking,
            slot=slot,
            request=BookingRequest(
                topic="foerderung",
                format="video",
                municipality_name="Marburg",
                contact_name="Erika Muster",
                contact_email="erika@marburg.de",
                chat_id=4242,
            ),
        )
    start = booking.start_utc
    assert await run_booking_reminders(now=start - dt.timedelta(hours=30)) == 0
    assert await run_booking_reminders(now=start - dt.timedelta(hours=23)) == 1
    assert await run_booking_reminders(now=start - dt.timedelta(hours=22)) == 0
    runtime_after_restart = await build_runtime(settings, apply_migrations=False)
    CONTEXT.runtime = runtime_after_restart
    assert await run_booking_reminders(now=start - dt.timedelta(minutes=50)) == 1
    assert await run_booking_reminders(now=start - dt.timedelta(minutes=40)) == 0
    async with runtime.sessions() as session:
        texts = [
            row.text for row in (await session.exec(select(TelegramOutbox).order_by(TelegramOutbox.id))).all()
        ]
    await runtime.close()
    await runtime_after_restart.close()
    CONTEXT.runtime = None
    assert len(texts) == 2 and "morgen" in texts[0] and "in einer Stunde" in texts[1]
