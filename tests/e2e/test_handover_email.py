"""The e-mail step of the hand-over to the Fachstelle: the composer's address rule, buttons without addresses."""

from tests.e2e import test_booking_chat

USER = test_booking_chat.USER
booking_bot = test_booking_chat.booking_bot  # any running bot will do; this one has an advisor
last, until, press = test_booking_chat.last, test_booking_chat.until, test_booking_chat.press
# valid by RFC 5321 lengths, yet longer than Telegram's 64 bytes of callback data
LONG_ADDRESS = "klimaschutzmanagement.und.energieberatung@stadtverwaltung-musterstadt.de"


async def _to_email_step(api):
    api.user_sends(USER, "/start")
    await until(api, "👤 Fachstelle kontaktieren")
    await press(api, "👤 Fachstelle kontaktieren")
    await until(api, "Anliegen")
    api.user_sends(USER, "Wir brauchen Hilfe bei der Förderung unseres Klimaschutzkonzepts.")
    await until(api, "Keine Angabe")
    await press(api, "Keine Angabe")
    await until(api, "Kopie")


async def test_an_address_the_composer_cannot_send_to_is_refused(booking_bot):
    api = booking_bot.api
    await _to_email_step(api)
    api.user_sends(USER, "max..muster@gemeinde.de")
    await until(api, "nicht nach einer E-Mail-Adresse")
    api.user_sends(USER, " Max.Muster@Gemeinde.de ")
    await until(api, "Bitte prüfen Sie")
    assert "max.muster@gemeinde.de" in last(api).text


async def test_the_remembered_address_button_carries_an_index_not_the_address(booking_bot):
    api = booking_bot.api
    await _to_email_step(api)
    api.user_sends(USER, LONG_ADDRESS)
    await until(api, "Bitte prüfen Sie")
    await press(api, "✖️ Abbrechen")
    await until(api, "Abgebrochen")

    await _to_email_step(api)
    await until(api, f"✅ {LONG_ADDRESS[:20]}")
    data = [value for row in last(api).buttons for label, value in row if label.startswith("✅")]
    assert data and all("@" not in value and len(value.encode()) <= 64 for value in data)
    await press(api, "✅")
    await until(api, "Bitte prüfen Sie")
    assert LONG_ADDRESS in last(api).text
