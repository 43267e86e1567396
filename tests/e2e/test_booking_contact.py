"""The invitation address through the real bot: a new address needs the mailed code, a confirmed one not."""

from sqlmodel import select

from storage.database import create_engine, session_factory
from storage.tables import Booking, EmailConfirmation
from tests.e2e import test_booking_chat

USER = test_booking_chat.USER
booking_bot = test_booking_chat.booking_bot  # the same bot fixture: advisor Anna, weekdays 09–12
last, until, press = test_booking_chat.last, test_booking_chat.until, test_booking_chat.press
mailed_codes, code_for = test_booking_chat.mailed_codes, test_booking_chat.code_for


async def _rows(settings, table):
    engine = create_engine(settings.database_url)
    async with session_factory(engine)() as session:
        rows = (await session.exec(select(table).order_by(table.id))).all()
    await engine.dispose()
    return rows


async def _to_email_step(api):
    api.user_sends(USER, "/termin")
    await until(api, "Zu welchem Thema")
    await press(api, "Förderung")
    await until(api, "Für welche Kommune")
    api.user_sends(USER, "marburg")
    await until(api, "✅ Marburg")
    await press(api, "✅ Marburg")
    await until(api, "Wie heißen Sie")
    api.user_sends(USER, "Erika Muster")
    await until(api, "E-Mail-Adresse")


async def _finish(api):
    await until(api, "Telefonnummer")
    await press(api, "Ohne Telefonnummer")
    await until(api, "Wie möchten Sie")
    await press(api, "Videokonferenz")
    await until(api, "Freie Termine")
    await press(api, [label for label in last(api).button_labels() if "frei" in label][0])
    await until(api, "Freie Uhrzeiten")
    await press(api, [label for label in last(api).button_labels() if ":" in label][0])
    await until(api, "Worüber")
    await press(api, "Ohne Notiz")
    await until(api, "Bitte prüfen")
    await press(api, "✅ Verbindlich buchen")
    await until(api, "Gebucht!")


async def test_a_new_address_is_used_only_after_the_mailed_code_is_typed(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    await _to_email_step(api)
    api.user_sends(USER, "Erika@Marburg.de")
    await until(api, "stelligen Code")
    assert "erika@marburg.de" in last(api).text
    labels = " ".join(last(api).button_labels())
    assert "Code erneut senden" in labels and "Andere Adresse" in labels
    first = await code_for(settings, "erika@marburg.de")
    api.user_sends(USER, "000000" if first != "000000" else "111111")
    await until(api, "stimmt nicht")
    await press(api, "🔁 Code erneut senden")
    second = await code_for(settings, "erika@marburg.de", count=2)
    api.user_sends(USER, second)
    await until(api, "bestätigt")
    await _finish(api)
    (booking,) = await _rows(settings, Booking)
    assert booking.contact_email == "erika@marburg.de"

    # the next booking offers the confirmed address as a button, and it needs no code
    await _to_email_step(api)
    await until(api, "✅ erika@marburg.de")
    await press(api, "✅ erika@marburg.de")
    await _finish(api)
    assert len(mailed_codes(settings, "erika@marburg.de")) == 2


async def test_an_address_the_invitation_cannot_be_sent_to_is_refused(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    await _to_email_step(api)
    api.user_sends(USER, "max..muster@gemeinde.de")
    await api.wait_for(lambda: any("nicht nach einer E-Mail" in m.text for m in api.bot_messages(USER)[-2:]))
    await until(api, "An welche E-Mail-Adresse")
    assert not mailed_codes(settings, "max..muster@gemeinde.de")
    api.user_sends(USER, "max.muster@gemeinde.de")
    await until(api, "stelligen Code")


async def test_another_address_can_be_typed_instead_of_the_code(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    await _to_email_step(api)
    api.user_sends(USER, "tippfehler@marburg.de")
    await until(api, "stelligen Code")
    await press(api, "✏️ Andere Adresse")
    await until(api, "E-Mail-Adresse")
    api.user_sends(USER, "erika@marburg.de")
    await until(api, "stelligen Code")
    api.user_sends(USER, await code_for(settings, "erika@marburg.de"))
    await until(api, "Telefonnummer")
    confirmed = [row.email for row in await _rows(settings, EmailConfirmation) if row.confirmed_at]
    assert confirmed == ["erika@marburg.de"]


async def test_the_address_from_a_question_to_the_fachstelle_still_needs_a_code(booking_bot):
    api, settings = booking_bot.api, booking_bot.settings
    # the hand-over to the Fachstelle remembers the typed address for later conversations
    api.user_sends(USER, "/start")
    await until(api, "👤 Fachstelle kontaktieren")
    await press(api, "👤 Fachstelle kontaktieren")
    await until(api, "Anliegen")
    api.user_sends(USER, "Wir brauchen Hilfe bei der Förderung unseres Klimaschutzkonzepts.")
    await until(api, "Keine Angabe")
    await press(api, "Keine Angabe")
    await until(api, "Kopie")
    api.user_sends(USER, "chef@marburg.de")
    await until(api, "Absenden")
    await press(api, "✖️ Abbrechen")
    await until(api, "Abgebrochen")

    await _to_email_step(api)
    offered = [label for label in last(api).button_labels() if "chef@marburg.de" in label]
    assert offered and not offered[0].startswith("✅")  # not confirmed, so not marked as ready
    await press(api, offered[0])
    await until(api, "stelligen Code")
    assert "chef@marburg.de" in last(api).text
    assert await code_for(settings, "chef@marburg.de")
