"""Exports (CSV for German Excel, XLSX with a summary sheet) and the per-report document, read back."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services import report_document
from services.report_document import (
    PDF_TYPE,
    XLSX_TYPE,
    build_report_attachment,
    render_report_pdf,
    render_report_text,
)
from services.report_export import (
    COLUMNS,
    MEASURES_SHEET,
    SUMMARY_COLUMNS,
    SUMMARY_SHEET,
    ReportRow,
    total_measures,
    write_csv,
    write_xlsx,
)
from services.report_fields import SKIPPED, Attachment, YearMonth

HEADERS = [column.header for column in COLUMNS]
SUMMARY_HEADERS = [title for title, _, _ in SUMMARY_COLUMNS]


def measure(**changes):
    answers = {
        "title": "LED-Straßenbeleuchtung",
        "area": "klimaschutz",
        "action_field": "gebaeude",
        "status": "abgeschlossen",
        "start": YearMonth(2024, 3),
        "end": YearMonth(2025, None),
        "cost": Decimal("12500.50"),
        "funding": "hkr",
        "funding_amount": Decimal("8000.00"),
        "co2_saving": Decimal("35.5"),
        "description": "Leuchten getauscht.\nZweite Zeile; mit „Anführungszeichen“ – und €.",
        "link": "https://www.musterstadt.de/led",
        "attachment": Attachment("file-1", "foto.jpg", "image/jpeg", 1000),
    }
    answers.update(changes)
    return answers


FRANKFURT = ReportRow(
    ags="06412000",
    municipality="Frankfurt am Main",
    year=2025,
    version=2,
    state="eingereicht",
    submitted_at=datetime(2026, 3, 1, 13, 5, tzinfo=UTC),
    person="Maria Muster",
    email="m.muster@frankfurt.de",
    role="Klimaschutzmanagerin",
    measures=(
        measure(),
        measure(
            title='=HYPERLINK("http://evil")',
            area="klimaanpassung",
            action_field="hitzeschutz",
            status="in_umsetzung",
            start=YearMonth(2025, None),
            end=SKIPPED,
            cost=Decimal("1500000"),
            funding="keine",
            funding_amount=Decimal("999"),  # stale answer from before funding was changed
            co2_saving=SKIPPED,
            link=SKIPPED,
            attachment=SKIPPED,
        ),
    ),
)
WILLINGEN = ReportRow(
    ags="06635022",
    municipality="Willingen (Upland)",
    year=2025,
    version=1,
    state="eingereicht",
    submitted_at=None,
    person="Jo Beispiel",
    measures=(measure(area="beides", cost=Decimal("0.00"), co2_saving=Decimal("0.125")),),
)
REPORTS = [FRANKFURT, WILLINGEN]


def read_csv(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_is_german_excel_dialect_with_one_row_per_measure(tmp_path):
    path = tmp_path / "export.csv"
    assert write_csv(REPORTS, path) == 3
    rows = read_csv(path.read_bytes())
    assert rows[0] == HEADERS
    assert len(rows) == 4
    first = dict(zip(HEADERS, rows[1], strict=True))
    assert first["AGS"] == "06412000"
    assert first["Berichtsjahr"] == "2025"
    assert first["Eingereicht am"] == "01.03.2026 14:05"
    assert first["Nr."] == "1"
    assert first["Bereich"] == "Klimaschutz"
    assert first["Handlungsfeld"] == "Energie in Gebäuden"
    assert first["Beginn"] == "03/2024"
    assert first["Ende"] == "2025"
    assert first["Gesamtkosten (€)"] == "12500,50"
    assert first["Fördersumme (€)"] == "8000,00"
    assert first["Geschätzte THG-Einsparung (t CO₂e/Jahr)"] == "35,5"
    assert first["Kurzbeschreibung"] == measure()["description"]
    assert first["Foto/PDF"] == "foto.jpg"
    second = dict(zip(HEADERS, rows[2], strict=True))
    assert second["Titel"] == '\'=HYPERLINK("http://evil")'
    assert second["Ende"] == "" and second["Link"] == ""
    assert second["Fördersumme (€)"] == ""
    assert second["Gesamtkosten (€)"] == "1500000,00"
    assert rows[3][0] == "06635022" and rows[3][HEADERS.index("Eingereicht am")] == ""


def test_csv_writes_to_binary_and_text_streams():
    binary = io.BytesIO()
    write_csv([WILLINGEN], binary)
    text = io.StringIO(newline="")
    write_csv([WILLINGEN], text)
    assert binary.getvalue() == text.getvalue().encode("utf-8")
    assert b"\r\n" in binary.getvalue()
    assert len(read_csv(binary.getvalue())) == 2


def test_xlsx_measures_sheet_has_typed_cells(tmp_path):
    path = tmp_path / "sub" / "export.xlsx"
    assert write_xlsx(REPORTS, path) == 3
    book = load_workbook(path)
    assert book.sheetnames == [MEASURES_SHEET, SUMMARY_SHEET]
    sheet = book[MEASURES_SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(HEADERS)).column_letter}4"
    assert sheet.column_dimensions["B"].width == 28
    assert sheet.max_row == 4

    def row(number):
        return {header: sheet.cell(number, index).value for index, header in enumerate(HEADERS, start=1)}

    def cell(number, header):
        return sheet.cell(number, HEADERS.index(header) + 1)

    first, second = row(2), row(3)
    assert first["AGS"] == "06412000"
    assert first["Berichtsjahr"] == 2025 and first["Version"] == 2 and first["Nr."] == 1
    assert first["Eingereicht am"] == datetime(2026, 3, 1, 14, 5)
    assert first["Beginn"] == datetime(2024, 3, 1)
    assert cell(2, "Beginn").number_format == "MM/YYYY"
    assert first["Ende"] == "2025"
    assert first["Gesamtkosten (€)"] == pytest.approx(12500.5)
    assert cell(2, "Gesamtkosten (€)").number_format == '#,##0.00 "€"'
    assert first["Geschätzte THG-Einsparung (t CO₂e/Jahr)"] == pytest.approx(35.5)
    assert first["Handlungsfeld"] == "Energie in Gebäuden"
    assert first["Kurzbeschreibung"] == measure()["description"]
    assert second["Titel"] == '=HYPERLINK("http://evil")'
    assert cell(3, "Titel").data_type == "s"
    assert second["Ende"] is None and second["Fördersumme (€)"] is None
    assert second["Gesamtkosten (€)"] == 1500000


def test_xlsx_summary_sheet_adds_up_per_municipality():
    buffer = io.BytesIO()
    write_xlsx(REPORTS, buffer)
    sheet = load_workbook(buffer)[SUMMARY_SHEET]
    assert [cell.value for cell in sheet[1]] == SUMMARY_HEADERS
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.endswith("3")
    rows = [
        dict(zip(SUMMARY_HEADERS, (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    frankfurt, willingen = rows
    assert frankfurt["AGS"] == "06412000" and frankfurt["Kommune"] == "Frankfurt am Main"
    assert frankfurt["Maßnahmen"] == 2
    assert (frankfurt["Klimaschutz"], frankfurt["Klimaanpassung"], frankfurt["beides"]) == (1, 1, 0)
    assert frankfurt["Gesamtkosten (€)"] == pytest.approx(1512500.5)
    assert frankfurt["Fördersumme (€)"] == pytest.approx(8000)
    assert frankfurt["Geschätzte THG-Einsparung (t CO₂e/Jahr)"] == pytest.approx(35.5)
    assert frankfurt["Maßnahmen mit Einsparschätzung"] == 1
    assert (willingen["beides"], willingen["Gesamtkosten (€)"]) == (1, 0)
    assert willingen["Geschätzte THG-Einsparung (t CO₂e/Jahr)"] == pytest.approx(0.125)


def test_totals_ignore_skipped_values_and_stale_funding():
    totals = total_measures(FRANKFURT.measures)
    assert totals.measures == 2
    assert totals.cost == Decimal("1512500.50")
    assert totals.funding == Decimal("8000.00")
    assert totals.co2_saving == Decimal("35.5") and totals.with_saving == 1


def test_control_characters_do_not_break_the_workbook():
    report = ReportRow(
        "06412000", "A\x01B", 2025, 1, "x", None, "P\x0b", measures=(measure(title="T\x00\ufffe"),)
    )
    buffer = io.BytesIO()
    write_xlsx([report], buffer)
    sheet = load_workbook(buffer)[MEASURES_SHEET]
    assert sheet.cell(2, HEADERS.index("Titel") + 1).value == "T"
    assert sheet.cell(2, 2).value == "AB"


def many_reports(measures: int, per_report: int = 10):
    start = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    areas = ("klimaschutz", "klimaanpassung", "beides")
    return [
        ReportRow(
            ags=f"06{number:06d}",
            municipality=f"Kommune {number}",
            year=2025,
            version=1,
            state="eingereicht",
            submitted_at=start + timedelta(hours=number),
            person="Maria Muster",
            email="m@musterstadt.de",
            role="Klimaschutzmanagerin",
            measures=tuple(
                measure(area=areas[index % 3], cost=Decimal(1000 + index), description="Text " * 40)
                for index in range(per_report)
            ),
        )
        for number in range(measures // per_report)
    ]


def test_five_thousand_measures_export_with_progress(tmp_path):
    """(How fast: bench/bench_export.py.)"""
    reports = many_reports(5000)
    calls = []
    count = write_xlsx(
        reports, tmp_path / "big.xlsx", progress=lambda done, total: calls.append((done, total))
    )
    write_csv(reports, tmp_path / "big.csv")
    assert count == 5000
    assert (tmp_path / "big.csv").read_text(encoding="utf-8").count("\n") >= 5000
    assert calls[-1] == (5000, 5000)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert all(total == 5000 for _, total in calls) and len(calls) > 5
    book = load_workbook(tmp_path / "big.xlsx", read_only=True)
    assert sum(1 for _ in book[MEASURES_SHEET].iter_rows(values_only=True)) == 5001
    assert sum(1 for _ in book[SUMMARY_SHEET].iter_rows(values_only=True)) == 501
    book.close()


# --- the per-report document ---------------------------------------------------------------------------


def test_text_summary_lists_the_report_and_every_measure():
    text = render_report_text(FRANKFURT)
    assert text.startswith("Maßnahmenbericht 2025 – Frankfurt am Main\n")
    assert "Frankfurt am Main (AGS 06412000)" in text
    assert "Eingereicht am:" in text and "01.03.2026, 14:05 Uhr" in text
    assert "Maria Muster, Klimaschutzmanagerin (m.muster@frankfurt.de)" in text
    assert "Maßnahmen:" in text and "2 (Klimaschutz 1, Klimaanpassung 1, beides 0)" in text
    assert "1. LED-Straßenbeleuchtung" in text and "2. =HYPERLINK" in text
    assert "Gesamtkosten: 12.500,50 €" in text and "Gesamtkosten: 1.500.000 €" in text
    assert "Fördersumme: 999" not in text
    assert "Link: https://www.musterstadt.de/led" in text
    assert "  Zweite Zeile; mit „Anführungszeichen“ – und €." in text


@pytest.mark.parametrize("unicode_font", [True, False], ids=["unicode-font", "core-font"])
def test_pdf_is_produced_with_any_characters(unicode_font):
    report = ReportRow(
        "06412000",
        "Bad Soden-Salmünster",
        2025,
        3,
        "eingereicht",
        datetime(2026, 1, 2),
        "Jörg Weiß",
        measures=(measure(title="„Grün“ – 100 % CO₂-frei 🌳 ✓"), *many_reports(30, 30)[0].measures),
    )
    content = render_report_pdf(report, unicode_font=unicode_font)
    assert content.startswith(b"%PDF") and len(content) > 1000
    assert content.rstrip().endswith(b"%%EOF")


def test_attachment_is_a_pdf_named_after_the_report():
    document = build_report_attachment(FRANKFURT)
    assert document.filename == "Massnahmenbericht_06412000_2025_v2.pdf"
    assert document.content_type == PDF_TYPE
    assert document.content.startswith(b"%PDF")


def test_attachment_falls_back_to_xlsx_without_fpdf(monkeypatch):
    monkeypatch.setattr(report_document, "FPDF", None)
    filename, content_type, content = build_report_attachment(FRANKFURT)
    assert (filename, content_type) == ("Massnahmenbericht_06412000_2025_v2.xlsx", XLSX_TYPE)
    assert content.startswith(b"PK")
    sheet = load_workbook(io.BytesIO(content))[MEASURES_SHEET]
    assert sheet.max_row == 3
    assert sheet.cell(2, HEADERS.index("Beginn") + 1).value.date() == date(2024, 3, 1)
