"""/meine_daten sends everything stored about the user as JSON; /daten_loeschen asks, then erases it."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.database import create_engine, session_factory
from storage.tables import AskedQuestion, FsmRecord
from tests.e2e.chat import wait_until_shown

USER = 7373
QUESTION = "Wie hoch ist der Fördersatz der Klimarichtlinie für unsere Gemeinde Beispielstadt?"


async def _questions(database_url: str) -> list[AskedQuestion]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.exec(select(AskedQuestion))).all())
    finally:
        await engine.dispose()


async def test_my_data_is_sent_as_json_and_erased_after_confirmation(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, QUESTION)
    await wait_until_shown(api, USER, "Hilfreich")

    api.user_sends(USER, "/meine_daten")
    message = await api.wait_for(
        lambda: next((m for m in api.bot_messages(USER) if m.document), None), timeout=10
    )
    name, data = message.document
    exported = json.loads(data)
    assert name.endswith(".json") and exported["person"]["telegram_id"] == USER
    assert [q["question"] for q in exported["questions"]] == [QUESTION]

    api.user_sends(USER, "/daten_loeschen")
    await wait_until_shown(api, USER, "Abbrechen")
    api.user_presses_button(USER, "↩️ Abbrechen")
    await wait_until_shown(api, USER, "bleibt alles")
    assert [q.question for q in await _questions(bot_chat.settings.database_url)] == [QUESTION]

    api.user_sends(USER, "/daten_loeschen")
    await wait_until_shown(api, USER, "Ja, löschen")
    api.user_presses_button(USER, "🗑 Ja, löschen")
    await wait_until_shown(api, USER, "Ihre Daten sind gelöscht")
    questions = await _questions(bot_chat.settings.database_url)
    assert questions and all(q.question == "[gelöscht]" and q.user_ref == "erased" for q in questions)
    engine = create_engine(bot_chat.settings.database_url)
    async with session_factory(engine)() as session:
        keys = [r.key for r in (await session.exec(select(FsmRecord))).all()]
    await engine.dispose()
    assert not any(f":{USER}:" in key for key in keys)


async def test_asking_in_words_leads_to_the_same_export_and_confirmation(bot_chat):
    api = bot_chat.api
    api.user_sends(USER + 1, "Welche Daten haben Sie eigentlich über mich gespeichert?")
    message = await api.wait_for(
        lambda: next((m for m in api.bot_messages(USER + 1) if m.document), None), timeout=10
    )
    assert json.loads(message.document[1])["person"]["telegram_id"] == USER + 1
    api.user_sends(USER + 1, "Bitte löschen Sie alle meine Daten.")
    await wait_until_shown(api, USER + 1, "Soll ich Ihre Daten löschen?")
