"""The web chat in a real browser, used as a person would: ask, vote, book, report, hand over, reload, keyboard."""

from __future__ import annotations

import asyncio
import email
import re
from email import policy
from urllib.parse import urljoin

import pytest
from sqlmodel import select

from services.report_fields import MEASURE_FIELDS, REPORT_FIELDS
from services.reports import reporting_years
from storage.database import create_engine, session_factory
from storage.tables import Feedback
from tests.browser.conftest import (
    EXPECT_MS,
    INBOX,
    assert_no_page_errors,
    bot_messages,
    chat_log,
    expect,
    last_bot,
    message_field,
    open_chat,
    pinned,
    press,
    running_web_chat,
    send,
    until,
    user_messages,
    web_settings,
)
from tests.e2e.chat import eventually
from tests.e2e.test_booking_chat import code_for
from tests.e2e.test_report_access_chat import mailed_code
from tests.e2e.test_report_chat import PRESSED, TYPED
from tests.mail_servers import ADVISOR, advisor_reply

pytestmark = pytest.mark.slow

# answered straight from the knowledge base, with sources (the wider "Was wird über die Klimarichtlinie
# gefördert?" first asks back which of two entries is meant)
QUESTION = "Was fördert die Klimarichtlinie bei der Klimaanpassung?"
PV_QUESTION = "wie viel förderung kriegen wir als klima-kommune für ne pv-anlage?"


async def _votes(database_url: str) -> list[int]:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        votes = (await session.exec(select(Feedback))).all()
    await engine.dispose()
    return [vote.vote for vote in votes]


async def _stored_votes(database_url: str, expected: list[int], seconds: float = 10) -> None:
    """Wait until the votes are committed (the handler commits after it answered the press)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (votes := await _votes(database_url)) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"votes stored: {votes}, expected {expected}"
        await asyncio.sleep(0.1)


async def test_a_question_gets_a_sourced_answer_and_the_thumbs_up_is_stored(web_chat, visitors, page):
    await open_chat(page, web_chat)
    greeting = bot_messages(page).first
    for label in (
        "❓ Frage stellen",
        "📅 Initialberatung buchen",
        "📝 Maßnahmen melden",
        "👤 Fachstelle kontaktieren",
    ):
        await expect(greeting.get_by_role("button", name=label, exact=True)).to_be_visible()

    await send(page, QUESTION)
    await until(page, "Quelle:")
    answer = await pinned(page, last_bot(page))
    await expect(answer).to_contain_text("Klimaanpassung")
    source = answer.locator('a[href^="https://"]').first
    await expect(source).to_be_visible()
    assert re.match(r"https://[\w.-]+\.[a-z]{2,}/", await source.get_attribute("href"))
    thumbs_up = answer.get_by_role("button", name="👍 Hilfreich")
    await expect(thumbs_up).to_be_visible()
    await expect(answer.get_by_role("button", name="👎 Nicht hilfreich")).to_be_visible()

    await thumbs_up.click()
    await expect(page.get_by_text("Danke für Ihre Rückmeldung").first).to_be_visible()
    # the vote buttons go (the message is edited in place), the answer and its sources stay
    await expect(answer.get_by_role("button", name="👍 Hilfreich")).to_have_count(0)
    await expect(answer.get_by_role("button", name="👎 Nicht hilfreich")).to_have_count(0)
    await expect(answer).to_contain_text("Quelle:")
    await _stored_votes(web_chat.settings.database_url, [1])
    assert_no_page_errors(visitors, page)


def _invitations_to(sink, address: str) -> list[str]:
    """The calendar parts (METHOD) of the mails to `address` in the mail sink."""
    methods = []
    for path in sorted(sink.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address not in str(message["To"]):
            continue
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                methods.append(re.search(r"METHOD:(\w+)", part.get_payload(decode=True).decode()).group(1))
    return methods


async def test_booking_an_initialberatung_through_the_buttons(web_chat, visitors, page):
    settings = web_chat.settings
    await open_chat(page, web_chat)
    await press(page, "📅 Initialberatung buchen")
    await until(page, "Zu welchem Thema")
    await press(page, re.compile(r"^Förderung"))
    await until(page, "Für welche Kommune")
    await send(page, "marburg")
    await until(page, "✅ Marburg")
    await press(page, "✅ Marburg")
    await until(page, "Wie heißen Sie")
    await send(page, "Erika Muster")
    await until(page, "E-Mail-Adresse")
    await send(page, "erika@marburg.de")
    await until(page, "stelligen Code")  # the address is confirmed by the code mailed to it
    await send(page, await code_for(settings, "erika@marburg.de"))
    await until(page, "Telefonnummer")
    await press(page, "Ohne Telefonnummer")
    await until(page, "Wie möchten Sie beraten werden")
    await press(page, re.compile(r"Videokonferenz"))
    await until(page, "Freie Termine")
    await press(page, re.compile(r"frei"))
    await until(page, "Freie Uhrzeiten")
    await press(page, re.compile(r"^\d{2}:\d{2}$"))
    await until(page, "Worüber möchten Sie sprechen")
    await press(page, re.compile(r"Ohne Notiz"))
    await until(page, "Bitte prüfen Sie Ihre Buchung")
    await expect(last_bot(page)).to_contain_text("Videokonferenz")
    await press(page, "✅ Verbindlich buchen")
    await expect(chat_log(page)).to_contain_text("Gebucht!")
    confirmation = bot_messages(page).filter(has_text="Gebucht!").last
    await expect(confirmation).to_contain_text(re.compile(r"IB-\S+"))
    await expect(confirmation).to_contain_text("erika@marburg.de")

    # the invitation comes into the chat as a document to download ("📎 <name> herunterladen"; the 📎 is
    # decoration, hidden from screen readers)
    link = page.get_by_role("link", name=re.compile(r"\.ics herunterladen$")).last
    await expect(link).to_be_visible()
    await expect(link).to_contain_text("📎")
    href = urljoin(page.url, await link.get_attribute("href") or "")
    assert href.startswith(urljoin(page.url, "/chat/api/files/")), href
    async with page.expect_download(timeout=EXPECT_MS) as started:
        await link.click()
    download = await started.value
    assert download.suggested_filename.endswith(".ics"), download.suggested_filename
    saved = await download.path()
    assert saved is not None and b"BEGIN:VCALENDAR" in saved.read_bytes()
    # and by mail: the mailed code, then the invitations to the visitor and to the advisor
    await eventually(lambda: _invitations_to(settings.mail_sink_dir, "erika@marburg.de") == ["REQUEST"])
    await eventually(lambda: _invitations_to(settings.mail_sink_dir, ADVISOR) == ["REQUEST"])
    assert_no_page_errors(visitors, page)


QUESTIONS = {field.question: field.key for field in (*MEASURE_FIELDS, *REPORT_FIELDS)}
ANY_QUESTION = re.compile("|".join(re.escape(question) for question in QUESTIONS))


async def _asked(page) -> tuple[str, str]:
    """The report question the bot's newest message asks, as (key, question)."""
    await expect(last_bot(page)).to_contain_text(ANY_QUESTION)
    text = await last_bot(page).text_content()
    return next((key, question) for question, key in QUESTIONS.items() if question in text)


async def test_a_report_starts_with_slash_bericht_and_takes_the_first_answers(web_chat, visitors, page):
    sink = web_chat.settings.mail_sink_dir
    await open_chat(page, web_chat)
    await send(page, "/bericht")
    await until(page, "Für welche Kommune")
    await send(page, "Wöllstadt")
    await until(page, "✅ Wöllstadt")
    await press(page, "✅ Wöllstadt")
    await until(page, "E-Mail-Adresse")
    await send(page, TYPED["reporter_email"])
    await until(page, "Code an e***@woellstadt.de")
    await send(page, await mailed_code(sink, TYPED["reporter_email"]))
    await until(page, "Berichtsjahr")
    await press(page, str(min(reporting_years())))

    answered = []
    for _ in range(10):  # the person's questions, then the first measure's title and area
        key, question = await _asked(page)
        if key == "action_field":
            break
        if key in TYPED:
            await send(page, TYPED[key])
        else:
            await press(page, PRESSED[key])
        answered.append(key)
        await expect(last_bot(page)).not_to_contain_text(question)
    else:
        raise AssertionError(f"the report did not reach the Handlungsfeld; answered {answered}")
    assert {"reporter_name", "title", "area"} <= set(answered), answered
    await expect(last_bot(page).get_by_role("button", name=PRESSED["action_field"])).to_be_visible()
    await expect(chat_log(page)).to_contain_text(TYPED["title"])
    assert_no_page_errors(visitors, page)


async def test_hand_over_to_the_fachstelle_and_the_advisors_mail_reply_appears_live(
    mail_web_chat, visitors, page
):
    chat, dovecot, inbox, smtp = (
        mail_web_chat.chat,
        mail_web_chat.dovecot,
        mail_web_chat.inbox,
        mail_web_chat.smtp,
    )
    await open_chat(page, chat)
    await press(page, "👤 Fachstelle kontaktieren")
    await until(page, "Anliegen")
    await send(page, "Welche Baumarten eignen sich für unseren Friedhof?")
    await until(page, "Für welche Kommune")
    await send(page, "Marbrug")
    await until(page, "✅ Marburg")
    await press(page, "✅ Marburg")
    await until(page, "Kopie")
    await press(page, "Ohne E-Mail")
    await until(page, "Bitte prüfen Sie")
    await expect(last_bot(page)).to_contain_text("Friedhof")
    await press(page, "📨 Absenden")
    await until(page, "KK-")

    (received,) = await smtp.wait_for_messages(1, timeout=10)
    escalation = email.message_from_bytes(received.raw, policy=policy.default)
    assert escalation["Subject"].startswith("[KK-") and list(received.rcpt_tos) == [ADVISOR]
    assert "Friedhof" in escalation.get_body(("plain",)).get_content()

    await page.evaluate("window.__sameDocument = true")  # gone if the page reloaded
    dovecot.append(inbox, advisor_reply(escalation, "Heimische Arten wie Feldahorn und Hainbuche.", INBOX))
    reply = bot_messages(page).filter(has_text="Feldahorn")
    await expect(reply).to_have_count(1, timeout=20_000)
    await expect(reply).to_contain_text("Antwort der Fachstelle")
    await expect(reply).to_contain_text("Feldahorn")
    await expect(reply).not_to_contain_text("Ursprüngliche Nachricht")
    assert await page.evaluate("window.__sameDocument === true"), "the page reloaded to show the reply"

    # the visitor answers in the page; it goes to the advisor in the same mail thread
    await send(page, "Danke! Gilt das auch für Urnenfelder?")
    (_, follow_up) = await smtp.wait_for_messages(2, timeout=10)
    threaded = email.message_from_bytes(follow_up.raw, policy=policy.default)
    assert escalation["Message-ID"] in threaded["References"]
    assert "Urnenfelder" in threaded.get_body(("plain",)).get_content()
    assert_no_page_errors(visitors, page)


async def test_a_reload_shows_the_earlier_conversation_and_a_new_visitor_starts_afresh(
    database_url, tmp_path, advisors_file, visitors, page
):
    settings = web_settings(database_url, tmp_path, advisors_file)
    async with running_web_chat(settings) as chat:
        await open_chat(page, chat)
        await send(page, QUESTION)
        await until(page, "Quelle:")
        answer_text = (await last_bot(page).text_content())[:60]
        shown = await page.locator("#log .message").count()

        await page.reload()
        await expect(user_messages(page).filter(has_text=QUESTION)).to_have_count(1)
        await expect(bot_messages(page).first).to_contain_text("Datenschutz")
        await expect(chat_log(page)).to_contain_text(answer_text)
        await expect(page.locator("#log .message")).to_have_count(shown)  # each once, none twice
        ids = await page.locator("#log .message[data-message-id]").evaluate_all(
            "nodes => nodes.map(node => node.dataset.messageId)"
        )
        assert len(ids) == len(set(ids)), f"a message is shown twice: {ids}"
        # and the conversation goes on after the reload
        await send(page, "Danke!")
        await until(page, "Gern geschehen")

        stranger = await visitors.open()
        await open_chat(stranger, chat)
        await expect(user_messages(stranger).filter(has_text=QUESTION)).to_have_count(0)
        await expect(chat_log(stranger)).not_to_contain_text(QUESTION)
        await expect(chat_log(stranger)).not_to_contain_text(answer_text)
        assert_no_page_errors(visitors, page)
        assert_no_page_errors(visitors, stranger)


async def test_keyboard_only_tab_to_the_field_type_and_press_enter(web_chat, visitors, page):
    await open_chat(page, web_chat)
    field = message_field(page)
    for _ in range(60):  # past the greeting's buttons and links, in the page's own order
        await page.keyboard.press("Tab")
        if await field.evaluate("node => node === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the message field")
    await expect(field).to_be_focused()
    await page.keyboard.type(PV_QUESTION)
    await page.keyboard.press("Enter")
    await expect(user_messages(page).last).to_contain_text(PV_QUESTION)
    await until(page, "Quelle:")
    await expect(last_bot(page)).to_contain_text("Photovoltaik")
    await expect(field).to_have_value("")
    assert_no_page_errors(visitors, page)
