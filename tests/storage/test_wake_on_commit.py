"""Outbox workers wake when a queued row is committed — never for a rolled-back one."""

from __future__ import annotations

from services.outgoing import OutgoingMail, queue_mail
from storage.database import create_engine, session_factory
from storage.tables import TelegramOutbox


def _mail() -> OutgoingMail:
    return OutgoingMail(
        message_id="<x@klimabot.example>", to=(("", "kim@gemeinde.de"),), subject="s", text="t"
    )


async def test_a_committed_outbox_row_announces_its_table_and_a_rolled_back_one_does_not(database_url):
    heard: list[set[str]] = []
    engine = create_engine(database_url)
    sessions = session_factory(engine, after_commit=heard.append)
    try:
        async with sessions() as session:
            queue_mail(session, _mail(), purpose="test")
            await session.flush()
            await session.rollback()
        assert heard == []
        async with sessions() as session:
            queue_mail(session, _mail(), purpose="test")
            session.add(TelegramOutbox(chat_id=1, text="Hallo"))
            await session.commit()
        assert heard == [{"outbox_mail", "telegram_outbox"}]
        async with sessions() as session:
            await session.commit()  # nothing new: nobody is woken
        assert len(heard) == 1
    finally:
        await engine.dispose()
