"""Who may work on a report, through the real bot: a stranger sees nothing, a colleague binds by a mailed code."""

import asyncio
import datetime as dt
import email
import re
from decimal import Decimal
from email import policy
from pathlib import Path

from sqlmodel import select

from bot.settings import Settings
from services import reports
from services.report_fields import SKIPPED, YearMonth
from storage.database import create_engine, session_factory
from storage.migrate import migrate
from storage.tables import MeasureReport
from tests.e2e.chat import last_message, wait_until_shown
from tests.e2e.conftest import running_bot

WOELLSTADT = ("06440025", "Wöllstadt")
ERIKA, BOB = 8811, 8812
SECRET_MEASURE = "Geheimes Nahwärmenetz"
REPORTER = {
    "reporter_name": "Erika Muster",
    "reporter_email": "erika@woellstadt.de",
    "reporter_role": "Klimaschutzmanagerin",
}
MEASURE = {
    "title": SECRET_MEASURE,
    "area": "klimaschutz",
    "action_field": "gebaeude",
    "status": "geplant",
    "start": YearMonth(2025, None),
    "end": SKIPPED,
    "cost": Decimal("100.00"),
    "funding": "keine",
    "co2_saving": SKIPPED,
    "description": "Kurz.",
    "link": SKIPPED,
    "attachment": SKIPPED,
}


def _settings(tmp_path: Path, **changes) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        inbox_address="fachstelle@example.org",
        mail_sink_dir=tmp_path / "sink",
        **changes,
    )


async def _erika_submitted(settings: Settings) -> int:
    """Erika reports for Wöllstadt and has submitted version 1 of 2025 (before the bot starts)."""
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            await reports.grant_access(
                session,
                chat_id=ERIKA,
                ags=WOELLSTADT[0],
                email=REPORTER["reporter_email"],
                via="first-reporter",
            )
            year = reports.reporting_years()[0]
            draft = await reports.open_draft(
                session,
                chat_id=ERIKA,
                ags=WOELLSTADT[0],
                municipality_name=WOELLSTADT[1],
                year=year,
                years=reports.reporting_years(),
            )
            draft.reporter.update(REPORTER)
            draft.measures = [dict(MEASURE, start=YearMonth(year, None))]
            await reports.save_draft(session, draft)
            await reports.submit_report(
                session,
                draft=draft,
                fachstelle_address=settings.inbox_address,
                sender_domain="example.org",
                now=dt.datetime.now(dt.UTC),
                chat_id=ERIKA,
            )
            return draft.report_id
    finally:
        await engine.dispose()


async def _report_rows(settings: Settings) -> list[MeasureReport]:
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.exec(select(MeasureReport))).all())
    finally:
        await engine.dispose()


def _codes(sink: Path, address: str) -> list[str]:
    mails = (
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(sink.glob("*.eml"))
    )
    return [
        re.search(r"\b(\d{6})\b", mail["Subject"]).group(1)
        for mail in mails
        if address in mail["To"] and "Bestätigungscode" in mail["Subject"]
    ]


async def mailed_code(sink: Path, address: str, seconds: float = 10) -> str:
    """The newest confirmation code the bot mailed to `address` (the outbox writes it to the sink folder)."""
    for _ in range(int(seconds * 10)):
        codes = await asyncio.to_thread(_codes, sink, address)
        if codes:
            return codes[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no code was mailed to {address}")


def press_crafted(api, user: int, callback_data: str) -> None:
    """Press a button no bot message offers (a tampered client or a message from long ago)."""
    message = next(m for m in reversed(api.state.chats[user].messages.values()) if m.from_bot)
    markup = message.reply_markup or {"inline_keyboard": []}
    markup["inline_keyboard"].append([{"text": "✂", "callback_data": callback_data}])
    message.reply_markup = markup
    api.user_presses(user, message.message_id, callback_data)


async def _choose_woellstadt(api, user: int) -> None:
    api.user_sends(user, "/bericht")
    await wait_until_shown(api, user, "Für welche Kommune")
    api.user_sends(user, "Wöllstadt")
    await wait_until_shown(api, user, "✅ Wöllstadt")
    api.user_presses_button(user, "✅ Wöllstadt")


async def test_a_stranger_sees_nothing_of_the_report_until_a_code_to_the_reporter_binds_the_chat(tmp_path):
    settings = _settings(tmp_path)
    report_id = await _erika_submitted(settings)
    async with running_bot(settings, bot_id=7_000_000_011) as running:
        api = running.api
        await _choose_woellstadt(api, BOB)
        await wait_until_shown(api, BOB, "📧 e***@woellstadt.de")
        offer = last_message(api, BOB)
        assert "👤 Fachstelle kontaktieren" in offer.button_labels()
        assert "Berichtsjahr" not in offer.text

        count = len(api.bot_messages(BOB))
        press_crafted(api, BOB, f"r:year:{reports.reporting_years()[0]}")  # straight to the report: refused
        await api.wait_for(lambda: len(api.bot_messages(BOB)) > count, timeout=8)
        await asyncio.sleep(0.5)
        shown = "\n".join(m.text for m in api.bot_messages(BOB))
        for secret in ("Erika", "erika@", "Klimaschutzmanagerin", SECRET_MEASURE, "Version 1"):
            assert secret not in shown
        assert "noch nicht freigeschaltet" in last_message(api, BOB).text

        await _choose_woellstadt(api, BOB)
        await wait_until_shown(api, BOB, "📧 e***@woellstadt.de")
        api.user_presses_button(BOB, "📧 e***@woellstadt.de")
        await wait_until_shown(api, BOB, "Code an e***@woellstadt.de")
        code = await mailed_code(settings.mail_sink_dir, "erika@woellstadt.de")
        api.user_sends(BOB, "000000" if code != "000000" else "111111")
        await wait_until_shown(api, BOB, "stimmt nicht")
        api.user_sends(BOB, code)
        await wait_until_shown(api, BOB, "Berichtsjahr")
        api.user_presses_button(BOB, str(reports.reporting_years()[0]))
        await wait_until_shown(api, BOB, "Version 1")

    (row,) = await _report_rows(settings)
    assert row.id == report_id and row.owner_chat_id == ERIKA  # opening it took nothing away from Erika


async def test_a_crafted_year_gets_a_german_message_and_never_a_report(tmp_path):
    settings = _settings(tmp_path)
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    async with session_factory(engine)() as session:
        await reports.grant_access(session, chat_id=BOB, ags=WOELLSTADT[0], email=None, via="fachstelle")
    await engine.dispose()
    async with running_bot(settings, bot_id=7_000_000_012) as running:
        api = running.api
        await _choose_woellstadt(api, BOB)
        await wait_until_shown(api, BOB, "Berichtsjahr")
        for crafted in ("r:year:2100", "r:year:1990", "r:year:abc", "r:year:²", "r:year:"):
            count = len(api.bot_messages(BOB))
            press_crafted(api, BOB, crafted)
            await api.wait_for(lambda c=count: len(api.bot_messages(BOB)) >= c + 2, timeout=8)
            assert any("Berichtsjahr" in m.text for m in api.bot_messages(BOB)[count:])
            assert any("kann ich keinen Bericht öffnen" in m.text for m in api.bot_messages(BOB)[count:])
        assert await _report_rows(settings) == []
        api.user_presses_button(BOB, str(reports.reporting_years()[-1]))
        await wait_until_shown(api, BOB, "Wie heißen Sie?")


async def test_a_code_to_the_address_on_file_binds_a_chat(tmp_path):
    contacts = tmp_path / "kontakte.csv"
    contacts.write_text("ags,email\n06440025,rathaus@woellstadt.de\n", encoding="utf-8")
    settings = _settings(tmp_path, municipality_contacts_file=contacts)
    async with running_bot(settings, bot_id=7_000_000_013) as running:
        api = running.api
        await _choose_woellstadt(api, BOB)
        await wait_until_shown(api, BOB, "📧 r***@woellstadt.de")
        api.user_presses_button(BOB, "📧 r***@woellstadt.de")
        await wait_until_shown(api, BOB, "Code an r***@woellstadt.de")
        api.user_sends(BOB, await mailed_code(settings.mail_sink_dir, "rathaus@woellstadt.de"))
        await wait_until_shown(api, BOB, "Berichtsjahr")
