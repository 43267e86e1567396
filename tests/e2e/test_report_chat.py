"""The yearly measure report through the real bot: answers, wrong input, file, stop and resume, submit, amend."""

import email
from email import policy

from bot.settings import Settings
from services.report_fields import MEASURE_FIELDS, REPORT_FIELDS
from services.reports import reporting_years
from tests.e2e.chat import eventually, last_message, wait_until_any_shows, wait_until_shown
from tests.e2e.conftest import running_bot
from tests.e2e.test_report_access_chat import mailed_code

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


def at_summary(api):
    """The measure summary shows (a long one spans several messages; its buttons are on the last)."""
    message = last(api)
    return "Ihre Maßnahme" in message.text or "✏️ Bearbeiten" in message.button_labels()


def asked_key(api):
    text = last(api).text
    return next((key for question, key in QUESTIONS.items() if question in text), None)


async def answer_until_summary(api, *, stop_after=None, typed=TYPED):
    """Answer every question as a user would; returns when the measure summary shows (or after `stop_after`)."""
    for _ in range(40):
        message = last(api)
        if at_summary(api):
            return
        key = asked_key(api)
        assert key, message.text
        count = len(api.bot_messages(USER))
        if key in typed:
            api.user_sends(USER, typed[key])
        elif key == "attachment":
            api.user_sends_document(USER, "foto.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        else:
            api.user_presses_button(USER, PRESSED[key])
        await api.wait_for(lambda c=count: len(api.bot_messages(USER)) > c, timeout=8)
        await api.wait_for(lambda k=key: asked_key(api) != k or at_summary(api), timeout=8)
        if stop_after == key:
            return
    raise AssertionError("the conversation did not reach the summary")


async def start_as_first_reporter(api, sink):
    """Choose Wöllstadt, where nobody reports yet, and confirm the own address by the mailed code."""
    api.user_sends(USER, "ich will unsere Maßnahmen melden")
    await until(api, "Für welche Kommune")
    api.user_sends(USER, "Wöllstadt")
    await until(api, "✅ Wöllstadt")
    api.user_presses_button(USER, "✅ Wöllstadt")
    await until(api, "E-Mail-Adresse")
    api.user_sends(USER, TYPED["reporter_email"])
    await until(api, "Code an e***@woellstadt.de")
    api.user_sends(USER, await mailed_code(sink, TYPED["reporter_email"]))
    await until(api, "Berichtsjahr")


async def test_a_report_from_first_answer_to_submission_and_amendment(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        inbox_address="fachstelle@example.org",
        mail_sink_dir=tmp_path / "sink",
    )
    async with running_bot(settings, bot_id=7_000_000_001) as running:
        api = running.api
        # nobody reports for Wöllstadt yet: the chat binds itself by confirming its own address first
        await start_as_first_reporter(api, settings.mail_sink_dir)
        api.user_presses_button(USER, str(min(reporting_years())))
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
        thanks = await wait_until_any_shows(api, USER, "Version 1")
        # right after the thanks, the report as mailed, to keep from the chat as well
        sent = await wait_until_any_shows(api, USER, "Ihr Bericht als PDF")
        assert api.bot_messages(USER).index(sent) == api.bot_messages(USER).index(thanks) + 1
        name, pdf = sent.document
        assert name.endswith(".pdf") and pdf.startswith(b"%PDF")

        api.user_sends(USER, "/bericht")
        await until(api, "✅ Wöllstadt")
        api.user_presses_button(USER, "✅ Wöllstadt")
        await until(api, "Berichtsjahr")
        api.user_presses_button(USER, str(min(reporting_years())))
        await until(api, "Version 1")
        await until(api, "➕ Maßnahme hinzufügen")
        api.user_presses_button(USER, "➕ Maßnahme hinzufügen")
        await api.wait_for(lambda: asked_key(api) == "title", timeout=8)
        await answer_until_summary(api)
        api.user_presses_button(USER, "🔎 Bericht prüfen")
        await until(api, "📨 Absenden")
        assert "Maßnahme 2" in last(api).text
        api.user_presses_button(USER, "📨 Absenden")
        await wait_until_any_shows(api, USER, "Version 2 (Änderung")

        def sent_mails():
            return [
                email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(settings.mail_sink_dir.glob("*.eml"))
            ]

        def confirmations(mails):
            return [
                m for m in mails if "erika@woellstadt.de" in m["To"] and "Maßnahmenbericht" in m["Subject"]
            ]

        # the outbox sends after the commit: wait for it instead of stopping the bot under it
        await eventually(lambda: len(confirmations(sent_mails())) >= 2)
    mails = sent_mails()
    to_person = confirmations(mails)
    assert len(to_person) == 2
    assert any(part.get_filename() and part.get_filename().endswith(".pdf") for part in to_person[0].walk())
    assert any("fachstelle@example.org" in m["To"] for m in mails)


async def test_a_long_description_full_of_specials_never_locks_the_report(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}", mail_sink_dir=tmp_path / "sink")
    description = '&<>"😀' * 200  # the longest description; escaped it is far longer than one message
    async with running_bot(settings, bot_id=7_000_000_002) as running:
        api = running.api
        await start_as_first_reporter(api, settings.mail_sink_dir)
        api.user_presses_button(USER, str(reporting_years()[0]))
        await api.wait_for(lambda: asked_key(api) == "reporter_name", timeout=8)
        await answer_until_summary(api, typed={**TYPED, "description": description})
        summary = "".join(m.text for m in api.bot_messages(USER)[-3:])
        assert description in summary.replace("\n", "")
        count = len(api.bot_messages(USER))
        api.user_sends(USER, "/bericht")
        await api.wait_for(lambda: len(api.bot_messages(USER)) >= count + 2, timeout=8)
        assert any("Willkommen zurück" in m.text for m in api.bot_messages(USER)[count:])
        await until(api, "🔎 Bericht prüfen")
        api.user_presses_button(USER, "🔎 Bericht prüfen")
        await until(api, "📨 Absenden")
        assert description in "".join(m.text for m in api.bot_messages(USER)[count:]).replace("\n", "")
