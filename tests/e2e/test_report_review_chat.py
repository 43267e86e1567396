"""The review through the real bot: a saved measure is changed (with the same rules) and deleted."""

from bot.settings import Settings
from services.reports import reporting_years
from tests.e2e.conftest import running_bot
from tests.e2e.test_report_chat import (
    USER,
    answer_until_summary,
    asked_key,
    last,
    start_as_first_reporter,
    until,
)


async def test_a_saved_measure_is_changed_and_deleted_from_the_review(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}", mail_sink_dir=tmp_path / "sink")
    async with running_bot(settings, bot_id=7_000_000_009) as running:
        api = running.api
        await start_as_first_reporter(api, settings.mail_sink_dir)
        api.user_presses_button(USER, str(min(reporting_years())))
        await api.wait_for(lambda: asked_key(api) == "reporter_name", timeout=8)
        await answer_until_summary(api)
        api.user_presses_button(USER, "🔎 Bericht prüfen")
        await until(api, "📨 Absenden")
        assert "🗑 1. LED-Straßenbeleuchtung" in last(api).button_labels()

        api.user_presses_button(USER, "✏️ 1. LED-Straßenbeleuchtung")
        await until(api, "Welche Angabe möchten Sie ändern")
        api.user_presses_button(USER, "Gesamtkosten")
        await api.wait_for(lambda: asked_key(api) == "cost", timeout=8)
        count = len(api.bot_messages(USER))
        api.user_sends(USER, "100")  # below the funding amount of 5.000 €: refused here, asked again
        await api.wait_for(lambda: len(api.bot_messages(USER)) >= count + 2, timeout=8)
        assert any("Fördersumme darf nicht höher" in m.text for m in api.bot_messages(USER)[count:])
        assert asked_key(api) == "cost"
        api.user_sends(USER, "20.000")
        await until(api, "📨 Absenden")
        assert "20.000" in "".join(m.text for m in api.bot_messages(USER)[-3:])

        api.user_presses_button(USER, "🗑 1. LED-Straßenbeleuchtung")
        await until(api, "🗑 Ja, löschen")
        api.user_presses_button(USER, "🗑 Ja, löschen")
        await until(api, "➕ Maßnahme hinzufügen")
        assert "📨 Absenden" not in last(api).button_labels()
        assert any("gelöscht" in m.text for m in api.bot_messages(USER)[-4:])
