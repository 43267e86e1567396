"""The yearly measure report through the real bot: answers, wrong input, file, stop and resume, submit, amend."""

import email
from email import policy

from bot.settings import Settings
from services.report_fields import MEASURE_FIELDS, REPORT_FIELDS
from tests.e2e.chat import last_message, wait_until_shown
from tests.e2e.conftest import running_bot

USER = 8801
QUESTIONS = {field.question: field.key for field in (*MEASURE_FIELDS, *REPORT_FIELDS)}
TYPED = {
    "reporter_name": "Erika Muster",
    "reporter_email": "erika@woellstadt.de",
    "reporter_role": "Klimaschutzmanagerin",
    "title": "LED-Straßenbeleuchtung",
    "start": "März 2025",
    "end": "11/2025",
    "cost": "12.500,50 €",
    "funding_amount": "5.000",
    "co2_saving": "ca. 10 t",
    "description": "Umrüstung von 120 Leuchten auf LED.",
}
PRESSED = {
    "area": "Klimaschutz",
    "action_field": "Energie in Gebäuden",
    "status": "abgeschlossen",
    "funding": "Hessische Klimarichtlinie",
    "link": "Überspringen",
}


def last(api):
    return last_message(api, USER)


async def until(api, text):
    return await wait_until_shown(api, USER, text)


def asked_key(api):
    text = last(api).text
    return next((key for question, key in QUESTIONS.items() if question in text), None)


async def answer_until_summary(api, *, stop_after=None):
    """Answer every question as a user would; returns when the measure summary shows (or after `stop_after`)."""
    for _ in range(40):
        message = last(api)
        if "Ihre Maßnahme" in message.text:
            return
        key = asked_key(api)
        assert key, message.text
        count = len(api.bot_messages(USER))
        if key in TYPED:
            api.user_sends(USER, TYPED[key])
        elif key == "attachment":
            api.user_sends_document(USER, "foto.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        else:
            api.user_presses_button(USER, PRESSED[key])
        await api.wait_for(lambda c=count: len(api.bot_messages(USER)) > c, timeout=8)
        await api.wait_for(lambda k=key: asked_key(api) != k or "Ihre Maßnahme" in last(api).text, timeout=8)
        if stop_after == key:
            return
    raise AssertionError("the conversation did not reach the summary")


async def test_a_report_from_first_answer_to_submission_and_amendment(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        inbox_address="fachstelle@example.org",
        mail_sink_dir=tmp_path / "sink",
    )
    async with running_bot(settings, bot_id=7_000_000_001) as running:
        api = running.api
        api.user_sends(USER, "ich will unsere Maßnahmen melden")
        await until(api, "Für welche Kommune")
        api.user_sends(USER, "Wöllstadt")
        await until(api, "✅ Wöllstadt")
        api.user_presses_button(USER, "✅ Wöllstadt")
        await until(api, "Berichtsjahr")
        api.user_presses_button(USER, "2025")
        await api.wait_for(lambda: asked_key(api) == "reporter_name", timeout=8)
        await answer_until_summary(api, stop_after="cost")
        api.user_sends(USER, "viel Geld")  # wrong input: a clear message and the same question again
        await api.wait_for(lambda: any("⚠️" in m.text for m in api.bot_messages(USER)), timeout=8)
        await api.wait_for(lambda: asked_key(api) == "funding", timeout=8)

    # the bot restarts; the draft and the conversation continue where they stopped
    async with running_bot(settings, bot_id=7_000_000_001) as running:
        api = running.api
        api.user_sends(USER, "/bericht")
        await api.wait_for(
            lambda: any("Willkommen zurück" in m.text for m in api.bot_messages(USER)), timeout=8
        )
        await api.wait_for(lambda: asked_key(api) == "funding", timeout=8)
        await answer_until_summary(api)
        assert "12.500,50" in last(api).text
        assert {"✏️ Bearbeiten", "➕ Weitere Maßnahme", "🔎 Bericht prüfen"} <= set(last(api).button_labels())
        api.user_presses_button(USER, "🔎 Bericht prüfen")
        await until(api, "📨 Absenden")
        api.user_presses_button(USER, "📨 Absenden")
        await until(api, "Version 1")

        api.user_sends(USER, "/bericht")
        await until(api, "✅ Wöllstadt")
        api.user_presses_button(USER, "✅ Wöllstadt")
        await until(api, "Berichtsjahr")
        api.user_presses_button(USER, "2025")
        await until(api, "Version 1")
        await until(api, "➕ Maßnahme hinzufügen")
        api.user_presses_button(USER, "➕ Maßnahme hinzufügen")
        await api.wait_for(lambda: asked_key(api) == "title", timeout=8)
        await answer_until_summary(api)
        api.user_presses_button(USER, "🔎 Bericht prüfen")
        await until(api, "📨 Absenden")
        assert "Maßnahme 2" in last(api).text
        api.user_presses_button(USER, "📨 Absenden")
        await until(api, "Version 2 (Änderung")

    mails = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(settings.mail_sink_dir.glob("*.eml"))
    ]
    to_person = [m for m in mails if "erika@woellstadt.de" in m["To"]]
    assert len(to_person) == 2
    assert any(part.get_filename() and part.get_filename().endswith(".pdf") for part in to_person[0].walk())
    assert any("fachstelle@example.org" in m["To"] for m in mails)
