"""A municipal contact asks in Telegram and gets sourced answers, suggestions or the advisor offer."""

from sqlmodel import select

from storage.database import create_engine, session_factory
from storage.tables import AskedQuestion, Feedback

USER = 501


async def test_start_shows_welcome_privacy_notice_and_a_working_menu(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "/start")
    (message,) = await api.wait_for_messages(USER, 1)
    assert "klimabot" in message.text
    assert "Datenschutz" in message.text
    assert message.button_labels() == [
        "❓ Frage stellen",
        "📅 Initialberatung buchen",
        "📝 Maßnahmen melden",
        "📚 Themen durchstöbern",
        "👤 Fachstelle kontaktieren",
        "ℹ️ Hilfe",
    ]
    assert {c["command"] for c in api.my_commands()} >= {"start", "hilfe", "help"}


async def test_a_colloquial_question_gets_a_sourced_answer_with_feedback_and_related_buttons(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "wie viel förderung kriegen wir als klima-kommune für ne pv-anlage?")
    (answer,) = await api.wait_for_messages(USER, 1)
    assert "Quelle:" in answer.text and "Stand:" in answer.text
    labels = answer.button_labels()
    assert "👍 Hilfreich" in labels and "👎 Nicht hilfreich" in labels
    related = [label for label in labels if label.startswith("➡️")]
    assert 1 <= len(related) <= 3

    api.user_presses_button(USER, "👎 Nicht hilfreich")
    await api.wait_for(lambda: api.callback_answers)
    await api.wait_for(lambda: "👎 Nicht hilfreich" not in api.bot_messages(USER)[0].button_labels())
    engine = create_engine(bot_chat.settings.database_url)
    async with session_factory(engine)() as session:
        votes = (await session.exec(select(Feedback))).all()
        asked = (await session.exec(select(AskedQuestion))).all()
    await engine.dispose()
    assert [v.vote for v in votes] == [-1]
    assert asked[0].answered and asked[0].entry_id == votes[0].entry_id

    api.user_presses_button(USER, related[0])
    messages = await api.wait_for_messages(USER, 2)
    assert related[0].removeprefix("➡️ ").rstrip("…") in messages[1].text


async def test_an_unclear_question_offers_close_matches_as_buttons(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "förderung")
    (reply,) = await api.wait_for_messages(USER, 1)
    assert "Meinten Sie" in reply.text
    options = [label for label in reply.button_labels() if "Fachstelle" not in label]
    assert 1 <= len(options) <= 3
    api.user_presses_button(USER, options[0])
    messages = await api.wait_for_messages(USER, 2)
    assert "Quelle:" in messages[1].text


async def test_off_topic_and_case_questions_get_the_advisor_offer_and_are_stored_as_unanswered(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "Ist unser Antrag vom März schon bewilligt?")
    (reply,) = await api.wait_for_messages(USER, 1)
    assert "klimakommunen@lea-hessen.de" in reply.text
    assert "Quelle:" not in reply.text
    api.user_sends(USER, "Wer hat die Fußball-Bundesliga gewonnen?")
    messages = await api.wait_for_messages(USER, 2)
    assert "leider nichts sagen" in messages[1].text
    assert "📚 Themen durchstöbern" in messages[1].button_labels()
    engine = create_engine(bot_chat.settings.database_url)
    async with session_factory(engine)() as session:
        asked = (await session.exec(select(AskedQuestion).order_by(AskedQuestion.id))).all()
    await engine.dispose()
    assert [(a.answered, a.reason) for a in asked] == [(False, "case_specific"), (False, "offtopic")]


async def test_wish_for_a_human_gets_the_advisor_offer_not_an_answer(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "ich möchte mit jemandem sprechen")
    (reply,) = await api.wait_for_messages(USER, 1)
    assert "Fachstelle" in reply.text and "Quelle:" not in reply.text


async def test_small_talk_gets_a_short_friendly_reply_with_the_menu(bot_chat):
    api = bot_chat.api
    for count, text in enumerate(("Ei gude, wie?", "Danke!", "👍", "Good morning!"), start=1):
        api.user_sends(USER, text)
        messages = await api.wait_for_messages(USER, count)
    assert messages[0].text.startswith("Guten Tag!")
    assert messages[1].text.startswith("Gern geschehen")
    for message in messages:
        assert "keine verlässliche Antwort" not in message.text
        assert "Schreiben Sie Ihre Frage einfach in eigenen Worten, zum Beispiel" not in message.text
        assert "❓ Frage stellen" in message.button_labels()


async def test_an_english_question_is_answered_in_german_with_a_note(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "How long do we have to submit the action plan after signing the charter?")
    (reply,) = await api.wait_for_messages(USER, 1)
    assert reply.text.startswith("(You wrote in English – here is the answer in German.)")
    assert "sechs Monate" in reply.text and "Quelle:" in reply.text


async def test_greetings_and_help_show_the_menu(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "Hallo!")
    api.user_sends(USER, "/hilfe")
    messages = await api.wait_for_messages(USER, 2)
    for message in messages:
        assert "❓ Frage stellen" in message.button_labels()


async def test_topics_can_be_browsed_from_the_menu(bot_chat):
    api = bot_chat.api
    api.user_sends(USER, "/start")
    await api.wait_for_messages(USER, 1)
    api.user_presses_button(USER, "📚 Themen durchstöbern")
    topics = await api.wait_for_messages(USER, 2)
    api.user_presses_button(USER, "Aktionsplan")
    entries = await api.wait_for_messages(USER, 3)
    assert len(entries[2].button_labels()) > 3
    api.user_presses_button(USER, 0)
    answer = (await api.wait_for_messages(USER, 4))[3]
    assert "Quelle:" in answer.text
    assert topics[1].text


async def test_hostile_and_odd_input_never_breaks_the_chat(bot_chat):
    api = bot_chat.api
    odd = ["<b>unclosed & </i>", "x" * 4096, "🙂" * 50, "/unbekannt", "'; DROP TABLE asked_question; --"]
    for text in odd:
        api.user_sends(USER, text)
    messages = await api.wait_for_messages(USER, len(odd), timeout=15)
    assert len(messages) == len(odd)
    assert all(len(m.text) <= 4096 for m in messages)
