"""The hand-over's steps through the real bot: each button works only in the step that showed it; Zurück."""

from tests.e2e import test_booking_chat
from tests.e2e.test_handover_email import _to_email_step

USER = test_booking_chat.USER
booking_bot = test_booking_chat.booking_bot
last, until, press = test_booking_chat.last, test_booking_chat.until, test_booking_chat.press


async def test_a_button_of_an_earlier_step_only_gets_a_short_hint(booking_bot):
    api = booking_bot.api
    await _to_email_step(api)
    municipality_step = api.bot_messages(USER)[-2]
    assert "Keine Angabe" in municipality_step.button_labels()
    shown = len(api.bot_messages(USER))
    api.user_presses_button(USER, "Keine Angabe", message_id=municipality_step.message_id)
    answer = await api.wait_for(lambda: next((a for a in api.callback_answers if a.text), None))
    assert "passt nicht (mehr)" in answer.text
    assert len(api.bot_messages(USER)) == shown  # the e-mail step stays the current one
    api.user_sends(USER, "chef@marburg.de")
    await until(api, "Bitte prüfen Sie")


async def test_back_walks_the_steps_in_reverse_and_keeps_the_question(booking_bot):
    api = booking_bot.api
    await _to_email_step(api)
    await press(api, "Ohne E-Mail")
    await until(api, "Bitte prüfen Sie")
    await press(api, "⬅️ Zurück")
    await until(api, "Möchten Sie eine Kopie")
    await press(api, "⬅️ Zurück")
    await until(api, "Für welche Kommune")
    api.user_sends(USER, "Marburg")
    await until(api, "✅ Marburg")
    await press(api, "✅ Marburg")
    await until(api, "Möchten Sie eine Kopie")
    await press(api, "Ohne E-Mail")
    await until(api, "Bitte prüfen Sie")
    summary = last(api).text
    assert "Klimaschutzkonzepts" in summary and "Marburg" in summary and "keine E-Mail" in summary
    await press(api, "📨 Absenden")
    await until(api, "KK-")
    api.user_presses_button(USER, "📨 Absenden", message_id=api.bot_messages(USER)[-2].message_id)
    await until(api, "schon abgeschlossen")
