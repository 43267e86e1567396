"""Report use cases on SQLite and PostgreSQL: drafts across restarts, carry-over, versions, mails, status, export."""

import asyncio
import dataclasses
import datetime as dt
from collections import OrderedDict
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from services import document_worker, mail_outbox, reports
from services.outgoing import OutgoingMail, ReportDocument
from services.report_document import PDF_TYPE
from services.report_export import MEASURES_SHEET, SUMMARY_SHEET, write_xlsx
from services.report_fields import MAX_ATTACHMENT_BYTES, SKIPPED, YearMonth, next_field
from services.reports import NEEDS_UPDATE, AttachmentRejected, ReportInvalid
from storage.database import create_engine, session_factory
from storage.tables import MeasureReport, OutboxMail, ReportVersion

MARBURG = ("06534014", "Marburg")
KASSEL = ("06611000", "Stadt Kassel")
FRANKFURT = ("06412000", "Frankfurt am Main")
CHAT = 4711
NOW = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)
FACHSTELLE = "fachstelle@klima-kommunen.example"
DOMAIN = "klima-kommunen.example"
REPORTER = {
    "reporter_name": "Maria Muster",
    "reporter_email": "m.muster@marburg.example",
    "reporter_role": "Klimaschutzmanagerin",
}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 100


def measure(**changes):
    """A complete, valid measure of reporting year 2025."""
    answers = {
        "title": "LED-Straßenbeleuchtung",
        "area": "klimaschutz",
        "action_field": "gebaeude",
        "status": "abgeschlossen",
        "start": YearMonth(2024, 3),
        "end": YearMonth(2025, 6),
        "cost": Decimal("12500.50"),
        "funding": "hkr",
        "funding_amount": Decimal("8000.00"),
        "co2_saving": Decimal("35.5"),
        "description": "Leuchten getauscht.",
        "link": SKIPPED,
        "attachment": SKIPPED,
    }
    answers.update(changes)
    return answers


RADWEG = measure(
    title="Radweg Lahntal",
    area="klimaschutz",
    action_field="mobilitaet",
    status="in_umsetzung",
    start=YearMonth(2025, 4),
    end=YearMonth(2027, None),
    cost=Decimal("250000.00"),
    funding="kommunalrichtlinie",
    funding_amount=Decimal("100000.00"),
)
BAEUME = measure(
    title="Stadtbäume",
    area="klimaanpassung",
    action_field="gruen",
    status="geplant",
    start=YearMonth(2025, None),
    end=SKIPPED,
    cost=Decimal("30000.00"),
    funding="keine",
    co2_saving=SKIPPED,
)


async def _draft(sessions, who=MARBURG, year=2025, chat_id=CHAT):
    async with sessions() as session:
        return await reports.get_or_start_draft(
            session, ags=who[0], municipality_name=who[1], year=year, chat_id=chat_id
        )


async def _save(sessions, draft):
    async with sessions() as session:
        await reports.save_draft(session, draft)


async def _submit(sessions, draft, now=NOW):
    async with sessions() as session:
        return await reports.submit_report(
            session, draft=draft, fachstelle_address=FACHSTELLE, sender_domain=DOMAIN, now=now
        )


async def _submitted(sessions, measures, who=MARBURG, year=2025, now=NOW):
    """Start a draft, fill it completely and submit it."""
    draft = await _draft(sessions, who, year)
    draft.reporter.update(REPORTER)
    draft.measures = [dict(m) for m in measures]
    await _save(sessions, draft)
    return draft, await _submit(sessions, draft, now)


async def _queued(sessions) -> list[tuple[str, OutgoingMail]]:
    async with sessions() as session:
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    return [(row.purpose, OutgoingMail.from_json(row.payload)) for row in rows]


async def _outbox(sessions) -> list[tuple[str, OutgoingMail]]:
    """The queued mails as they go out (the report's PDF rendered and attached)."""
    queued = await _queued(sessions)
    async with sessions() as session:
        return [(purpose, await mail_outbox.ready_to_send(session, mail)) for purpose, mail in queued]


async def test_a_draft_continues_exactly_where_it_stopped_after_a_restart(database_url):
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    draft = await _draft(sessions)
    assert (draft.state, draft.version_count, draft.measures, draft.current) == ("draft", 0, [], None)
    assert draft.next_step == "reporter:reporter_name"
    draft.reporter.update(reporter_name="Maria Muster", reporter_email="m.muster@marburg.example")
    await _save(sessions, draft)
    draft.current = {"title": "Radweg Lahntal", "area": "klimaschutz"}
    await _save(sessions, draft)
    await engine.dispose()  # the bot restarts, maybe on another instance

    engine = create_engine(database_url)
    sessions = session_factory(engine)
    try:
        resumed = await _draft(sessions, chat_id=None)
        assert resumed.report_id == draft.report_id
        assert resumed.reporter == {
            "reporter_name": "Maria Muster",
            "reporter_email": "m.muster@marburg.example",
        }
        assert resumed.current == {"title": "Radweg Lahntal", "area": "klimaschutz"}
        assert resumed.next_step == "reporter:reporter_role"
        assert next_field(resumed.current).key == "action_field"
        assert resumed.owner_chat_id == CHAT and resumed.updated_at is not None
        async with sessions() as session:
            row = await session.get(MeasureReport, draft.report_id)
        assert row.next_step == "reporter:reporter_role"
    finally:
        await engine.dispose()


async def test_every_answer_kind_survives_the_database(sessions):
    draft = await _draft(sessions)
    full = measure(link="https://www.marburg.de/led", start=YearMonth(2024, None))
    draft.current = dict(full)
    await _save(sessions, draft)
    assert (await _draft(sessions)).current == full


async def test_instances_opening_the_same_report_at_once_share_one_draft(sessions):
    drafts = await asyncio.gather(*(_draft(sessions, chat_id=CHAT + n) for n in range(5)))
    assert len({d.report_id for d in drafts}) == 1
    async with sessions() as session:
        assert len((await session.exec(select(MeasureReport))).all()) == 1


async def test_unfinished_measures_of_last_year_are_carried_over_for_an_update(sessions):
    await _submitted(sessions, [measure(), RADWEG, BAEUME], year=2024)
    draft = await _draft(sessions, year=2025)
    assert draft.carried_over == ["Radweg Lahntal", "Stadtbäume"]
    radweg, baeume = draft.measures
    assert {k: v for k, v in radweg.items() if k != NEEDS_UPDATE} == RADWEG  # every answer kept
    assert radweg[NEEDS_UPDATE] == ["status", "end", "cost", "funding_amount"]
    assert baeume[NEEDS_UPDATE] == ["status", "end", "cost"]  # no funding, so no funding amount
    draft.reporter.update(REPORTER)
    assert draft.next_step == "update:0:status"

    with pytest.raises(ReportInvalid) as invalid:
        await _submit(sessions, draft)
    assert invalid.value.messages[0] == (
        "Maßnahme 1 („Radweg Lahntal“): Bitte aktualisieren Sie noch die Angaben aus dem Vorjahr "
        "(Stand, Ende, Gesamtkosten, Fördersumme)."
    )

    radweg.update(status="abgeschlossen", end=YearMonth(2025, 10))
    radweg[NEEDS_UPDATE] = ["cost", "funding_amount"]
    await _save(sessions, draft)
    draft = await _draft(sessions, year=2025, chat_id=None)  # the flags survive a reload
    assert draft.measures[0][NEEDS_UPDATE] == ["cost", "funding_amount"]
    assert draft.next_step == "update:0:cost"
    for item in draft.measures:
        item.pop(NEEDS_UPDATE)
    draft.measures[0]["cost"] = Decimal("260000.00")
    result = await _submit(sessions, draft)
    assert (result.version, result.amended) == (1, False)
    async with sessions() as session:
        (stored,) = await reports.list_versions(session, ags=MARBURG[0], year=2025)
    assert stored.measures[0]["cost"] == Decimal("260000.00") and NEEDS_UPDATE not in stored.measures[0]


async def test_a_municipality_without_last_years_report_starts_empty(sessions):
    await _submitted(sessions, [RADWEG], who=KASSEL, year=2024)
    draft = await _draft(sessions, MARBURG, year=2025)
    assert draft.measures == [] and draft.carried_over == []


async def test_submitting_stores_version_one_and_queues_both_mails(sessions):
    draft, result = await _submitted(sessions, [measure(), RADWEG])
    assert result == reports.SubmitResult(version=1, amended=False)
    assert (draft.state, draft.version_count, draft.current) == ("submitted", 1, None)
    async with sessions() as session:
        latest = await reports.latest_submitted(session, ags=MARBURG[0], year=2025)
        row = await session.get(MeasureReport, draft.report_id)
    assert (latest.version, latest.submitted_at, latest.reporter_name) == (1, NOW, "Maria Muster")
    assert (latest.channel, latest.chat_id) == ("telegram", CHAT)
    assert latest.measures == (measure(), RADWEG)
    assert (row.state, row.version_count, row.submitted_at) == ("submitted", 1, NOW)

    (purpose_person, person), (purpose_fachstelle, notice) = await _outbox(sessions)
    assert (purpose_person, purpose_fachstelle) == ("report_confirmation", "report_notice")
    assert person.to == (("Maria Muster", "m.muster@marburg.example"),)
    assert person.subject == "Ihr Maßnahmenbericht 2025 – Marburg (Version 1)"
    assert person.message_id.endswith(f"@{DOMAIN}>") and person.auto_submitted == "auto-generated"
    assert "Maßnahmenbericht 2025 – Marburg" in person.text and "Radweg Lahntal" in person.text
    assert "10.02.2026, 10:30 Uhr" in person.text  # Berlin time
    (document,) = person.attachments
    assert document.filename == "Massnahmenbericht_06534014_2025_v1.pdf"
    assert document.content_type == PDF_TYPE and document.data.startswith(b"%PDF")
    assert notice.to == (("Fachstelle Klima-Kommunen", FACHSTELLE),)
    assert notice.subject == "Maßnahmenbericht 2025: Marburg (AGS 06534014), Version 1"
    assert "Neuer Maßnahmenbericht eingegangen." in notice.text and "(Erstmeldung)" in notice.text
    assert "Maßnahmen:      2" in notice.text and "LED-Straßenbeleuchtung" in notice.text


async def test_a_submission_waits_for_no_pdf_the_mails_name_the_version_to_render_when_sent(sessions):
    draft, result = await _submitted(sessions, [measure()])
    queued = await _queued(sessions)
    assert [(mail.report_document, mail.attachments) for _, mail in queued] == [
        (ReportDocument(draft.report_id, 1), ())
    ] * 2
    document = await reports.submitted_document(result)  # what the chat offers after its thanks
    assert document.filename == "Massnahmenbericht_06534014_2025_v1.pdf" and document.content.startswith(
        b"%PDF"
    )
    unchanged = await _submit(sessions, draft)
    assert unchanged.unchanged and await reports.submitted_document(unchanged) is None


async def test_the_chat_and_both_mails_get_one_rendering_of_the_same_document(sessions, monkeypatch):
    renderings = []
    render = document_worker._render

    async def counted(report):
        renderings.append(report.version)
        return await render(report)

    monkeypatch.setattr(document_worker, "_recent", OrderedDict())
    monkeypatch.setattr(document_worker, "_render", counted)
    _, result = await _submitted(sessions, [measure(), RADWEG])
    chat, *mails = await asyncio.gather(
        reports.submitted_document(result), *(_mail_documents(sessions, n) for n in range(2))
    )
    assert renderings == [1]
    assert mails == [chat.content, chat.content]


async def _mail_documents(sessions, number: int) -> bytes:
    _, mail = (await _queued(sessions))[number]
    async with sessions() as session:
        return (await mail_outbox.ready_to_send(session, mail)).attachments[0].data


async def test_a_mail_whose_report_version_is_gone_cannot_be_completed(sessions):
    draft, _ = await _submitted(sessions, [measure()])
    (_, person), _ = await _queued(sessions)
    async with sessions() as session:
        gone = dataclasses.replace(person, report_document=ReportDocument(draft.report_id, 7))
        with pytest.raises(mail_outbox.NotSendable):
            await mail_outbox.ready_to_send(session, gone)


async def test_a_second_submission_is_version_two_and_leaves_version_one_alone(sessions):
    draft, _ = await _submitted(sessions, [measure(), RADWEG])
    reopened = await _draft(sessions)  # the working copy of the submitted report
    assert (reopened.state, reopened.version_count) == ("submitted", 1)
    assert reopened.measures == [measure(), RADWEG] and reopened.reporter == REPORTER
    reopened.measures[1]["status"] = "abgeschlossen"
    reopened.measures[1]["end"] = YearMonth(2025, 12)
    reopened.measures.append(dict(BAEUME))
    await _save(sessions, reopened)

    later = NOW + dt.timedelta(days=3)
    result = await _submit(sessions, reopened, now=later)
    assert result == reports.SubmitResult(version=2, amended=True)
    async with sessions() as session:
        first, second = await reports.list_versions(session, ags=MARBURG[0], year=2025)
        row = await session.get(MeasureReport, draft.report_id)
    assert (first.version, first.submitted_at, first.measures) == (1, NOW, (measure(), RADWEG))
    assert (second.version, second.submitted_at, len(second.measures)) == (2, later, 3)
    assert (row.state, row.version_count) == ("amended", 2)

    mails = await _outbox(sessions)
    assert [purpose for purpose, _ in mails] == ["report_confirmation", "report_notice"] * 2
    person, notice = mails[2][1], mails[3][1]
    assert "Sie ersetzt Version 1." in person.text
    assert person.attachments[0].filename == "Massnahmenbericht_06534014_2025_v2.pdf"
    assert notice.subject.endswith("Version 2 – Änderung")
    assert "Geänderter Maßnahmenbericht eingegangen." in notice.text
    assert "Version:        2 (ersetzt Version 1)" in notice.text
    assert "- Neu: Stadtbäume" in notice.text
    assert "- Geändert: Radweg Lahntal (Stand, Ende)" in notice.text


async def test_repeating_the_latest_version_stores_and_mails_nothing(sessions):
    draft, _ = await _submitted(sessions, [measure()])
    again = await _submit(sessions, draft)
    assert again == reports.SubmitResult(version=1, amended=False, unchanged=True)
    assert len(await _outbox(sessions)) == 2
    async with sessions() as session:
        assert len((await session.exec(select(ReportVersion))).all()) == 1


async def test_a_double_tap_on_submit_stores_one_version(sessions):
    draft = await _draft(sessions)
    draft.reporter.update(REPORTER)
    draft.measures = [measure()]
    await _save(sessions, draft)
    twin = await _draft(sessions)
    results = await asyncio.gather(_submit(sessions, draft), _submit(sessions, twin))
    assert sorted((r.version, r.unchanged) for r in results) == [(1, False), (1, True)]
    assert len(await _outbox(sessions)) == 2


async def test_concurrent_submissions_get_consecutive_versions(sessions):
    draft, _ = await _submitted(sessions, [measure()])
    first, second = await _draft(sessions), await _draft(sessions)
    first.measures.append(dict(RADWEG))
    second.measures.append(dict(BAEUME))
    results = await asyncio.gather(_submit(sessions, first), _submit(sessions, second))
    assert sorted(r.version for r in results) == [2, 3]
    async with sessions() as session:
        versions = await reports.list_versions(session, ags=MARBURG[0], year=2025)
    assert [v.version for v in versions] == [1, 2, 3]
    assert {v.measures[-1]["title"] for v in versions[1:]} == {"Radweg Lahntal", "Stadtbäume"}


async def test_an_incomplete_report_is_refused_with_german_reasons(sessions):
    draft = await _draft(sessions)
    draft.reporter.update(reporter_name="Maria Muster")
    with pytest.raises(ReportInvalid) as invalid:
        await _submit(sessions, draft)
    assert invalid.value.messages == [
        "Meldende Person: „E-Mail“ fehlt noch.",
        "Meldende Person: „Funktion“ fehlt noch.",
        "Der Bericht enthält noch keine Maßnahme – bitte melden Sie mindestens eine.",
    ]
    draft.reporter.update(REPORTER)
    draft.measures = [measure(end=YearMonth(2023, 1)), measure(title="Solar", cost=SKIPPED)]
    draft.current = {"title": "Halb fertig"}
    with pytest.raises(ReportInvalid) as invalid:
        await _submit(sessions, draft)
    assert invalid.value.messages == [
        "Maßnahme 1 („LED-Straßenbeleuchtung“): Das Ende darf nicht vor dem Beginn liegen.",
        "Maßnahme 2 („Solar“): „Gesamtkosten“ fehlt noch.",
        "Maßnahme 3 („Halb fertig“) ist begonnen, aber noch nicht gespeichert – "
        "bitte vervollständigen und speichern Sie sie.",
    ]
    assert await _outbox(sessions) == []
    async with sessions() as session:
        assert (await session.exec(select(ReportVersion))).all() == []
        assert (await session.get(MeasureReport, draft.report_id)).state == "draft"


async def test_status_lists_submitted_draft_and_missing_municipalities(sessions):
    await _submitted(sessions, [measure()], who=MARBURG)
    await _submitted(sessions, [measure()], who=MARBURG, year=2024)
    await _draft(sessions, KASSEL)
    async with sessions() as session:
        await reports.remember_contact(session, chat_id=99, ags=FRANKFURT[0], name=FRANKFURT[1])
        given = await reports.report_status(session, year=2025, members=[KASSEL, FRANKFURT, MARBURG])
        known = await reports.report_status(session, year=2025)
        last_year = await reports.report_status(session, year=2024, members=[MARBURG, KASSEL])
    kassel, frankfurt, marburg = given
    assert (kassel.ags, kassel.name, kassel.state, kassel.version) == (*KASSEL, "draft", 0)
    assert kassel.updated is not None
    assert (frankfurt.state, frankfurt.version, frankfurt.updated) == ("none", 0, None)
    assert (marburg.state, marburg.version, marburg.updated) == ("submitted", 1, NOW)
    assert [(row.ags, row.name, row.state) for row in known] == [
        (*FRANKFURT, "none"),
        (*MARBURG, "submitted"),
        (*KASSEL, "draft"),
    ]
    assert [row.state for row in last_year] == ["submitted", "none"]


async def test_export_rows_hold_the_latest_versions_and_feed_the_xlsx(sessions, tmp_path):
    await _submitted(sessions, [measure(), RADWEG], who=MARBURG)
    reopened = await _draft(sessions, MARBURG)
    reopened.measures.append(dict(BAEUME))
    await _submit(sessions, reopened)
    await _submitted(sessions, [BAEUME], who=KASSEL)
    await _submitted(sessions, [RADWEG], who=FRANKFURT, year=2024)
    await _draft(sessions, FRANKFURT)  # a draft is not exported
    async with sessions() as session:
        rows = await reports.export_rows(session, year=2025)
    assert [(r.ags, r.version, r.state, len(r.measures)) for r in rows] == [
        ("06534014", 2, "geändert", 3),
        ("06611000", 1, "eingereicht", 1),
    ]
    assert rows[0].person == "Maria Muster" and rows[0].submitted_at == NOW

    path = tmp_path / "berichte.xlsx"
    assert write_xlsx(rows, path) == 4
    book = load_workbook(path, read_only=True)
    measures = list(book[MEASURES_SHEET].iter_rows(values_only=True))
    assert [(r[0], r[3], r[10]) for r in measures[1:]] == [
        ("06534014", 2, "LED-Straßenbeleuchtung"),
        ("06534014", 2, "Radweg Lahntal"),
        ("06534014", 2, "Stadtbäume"),
        ("06611000", 1, "Stadtbäume"),
    ]
    summary = list(book[SUMMARY_SHEET].iter_rows(values_only=True))
    assert [(r[0], r[1], r[3], r[4]) for r in summary[1:]] == [
        ("06534014", "Marburg", 2, 3),
        ("06611000", "Stadt Kassel", 1, 1),
    ]
    book.close()


async def test_attachments_are_stored_and_ride_along_to_the_fachstelle(sessions):
    draft = await _draft(sessions)
    async with sessions() as session:
        photo = await reports.store_attachment(
            session,
            report_id=draft.report_id,
            measure_index=0,
            filename="../../Fotos/LED Leuchte.JPG",
            content_type="image/jpeg",
            data=JPEG,
        )
    assert photo.ref.startswith("report-attachment:")
    assert (photo.filename, photo.content_type, photo.size) == ("LED Leuchte.jpg", "image/jpeg", len(JPEG))
    draft.reporter.update(REPORTER)
    draft.measures = [measure(attachment=photo)]
    await _save(sessions, draft)
    await _submit(sessions, draft)
    (_, person), (_, notice) = await _outbox(sessions)
    assert [a.filename for a in person.attachments] == ["Massnahmenbericht_06534014_2025_v1.pdf"]
    assert [(a.filename, a.data) for a in notice.attachments[1:]] == [("LED Leuchte.jpg", JPEG)]
    assert "1 Foto(s)/PDF(s)" in notice.text


@pytest.mark.parametrize(
    ("content_type", "data", "message"),
    [
        ("image/gif", b"GIF89a", "Bitte nur Fotos (JPEG, PNG) oder PDF-Dateien senden."),
        ("application/pdf", b"", "Die Datei ist leer."),
        (
            "application/pdf",
            PDF + b"0" * MAX_ATTACHMENT_BYTES,
            "Die Datei ist 10,1 MB groß; erlaubt sind höchstens 10 MB.",
        ),
        (
            "application/pdf",
            b"<html>",
            "Die Datei ist keine gültige PDF-Datei. Bitte senden Sie sie noch einmal.",
        ),
    ],
    ids=["type", "empty", "size", "signature"],
)
async def test_attachments_outside_the_limits_are_refused(sessions, content_type, data, message):
    draft = await _draft(sessions)
    async with sessions() as session:
        with pytest.raises(AttachmentRejected) as rejected:
            await reports.store_attachment(
                session,
                report_id=draft.report_id,
                measure_index=0,
                filename="x",
                content_type=content_type,
                data=data,
            )
    assert rejected.value.message == message


async def test_an_attachment_of_exactly_the_limit_is_accepted(sessions):
    draft = await _draft(sessions)
    data = PDF + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF))
    async with sessions() as session:
        stored = await reports.store_attachment(
            session,
            report_id=draft.report_id,
            measure_index=2,
            filename="",
            content_type="application/pdf; name=x.pdf",
            data=data,
        )
        ((loaded, content),) = await reports.load_attachments(
            session, report_id=draft.report_id, refs=[stored.ref]
        )
    assert (stored.filename, stored.size) == ("anhang.pdf", MAX_ATTACHMENT_BYTES)
    assert loaded == stored and content == data
