"""CSV and XLSX exports of submitted measure reports: one row per measure, plus a summary per municipality.

CSV dialect: UTF-8 with a byte order mark, `;` as separator, CRLF line ends, minimal quoting, decimal
commas without thousands separators ("12500,50") and dates as "TT.MM.JJJJ HH:MM". That is what German
Excel reads on a double click: it guesses the encoding only from the BOM and splits on the list
separator of the German locale, which is the semicolon because the comma is the decimal sign.

Text typed by people that starts with = + - @ would be run as a formula by spreadsheet programs (CSV
injection); in the CSV it gets a leading apostrophe, in the XLSX it is stored as a string cell.
Months are Excel dates shown as MM/YYYY; a year-only value stays the text "2025", because turning it into
a date would invent a month. Callers pass one version per report (usually the latest); the summary
sheet adds up whatever it is given per municipality and reporting year.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from services.report_fields import (
    AREA_CHOICES,
    MEASURE_FIELD_BY_KEY,
    MEASURE_FIELDS,
    Attachment,
    Field,
    format_month,
    is_answered,
)

LOCAL_TIME = ZoneInfo("Europe/Berlin")
MEASURES_SHEET = "Maßnahmen"
SUMMARY_SHEET = "Kommunen"
CSV_DELIMITER = ";"
PROGRESS_EVERY = 250

MONEY_FORMAT = '#,##0.00 "€"'
TONNES_FORMAT = "#,##0.0##"
MONTH_FORMAT = "MM/YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"

# XML 1.0 cannot carry these; openpyxl would write a file Excel refuses to open.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_CELL_LIMIT = 32767

Progress = Callable[[int, int], None]
_FUNDING_AMOUNT = MEASURE_FIELD_BY_KEY["funding_amount"]


@dataclass(frozen=True)
class ReportRow:
    """One report with its measures; each measure is an answers dict of parsed values (see `report_fields`)."""

    ags: str
    municipality: str
    year: int
    version: int
    state: str
    submitted_at: datetime | None
    person: str
    email: str = ""
    role: str = ""
    measures: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


@dataclass(frozen=True)
class MeasureTotals:
    """Counts and sums over a set of measures."""

    measures: int = 0
    by_area: Mapping[str, int] = field(default_factory=dict)
    cost: Decimal = Decimal(0)
    funding: Decimal = Decimal(0)
    co2_saving: Decimal = Decimal(0)
    with_saving: int = 0


@dataclass(frozen=True)
class _Column:
    """One export column: header, width, how values are typed and where they come from."""

    header: str
    width: float
    kind: str
    get: Callable[[ReportRow, int, Mapping[str, Any]], Any]


def total_measures(measures: Iterable[Mapping[str, Any]]) -> MeasureTotals:
    """Number of measures by area, total cost, funding and estimated saving (skipped values count as 0)."""
    count = 0
    by_area = {value: 0 for value, _ in AREA_CHOICES}
    cost = funding = saving = Decimal(0)
    with_saving = 0
    for answers in measures:
        count += 1
        area = answers.get("area")
        if area in by_area:
            by_area[area] += 1
        if is_answered(answers.get("cost")):
            cost += Decimal(answers["cost"])
        if is_answered(answers.get("funding_amount")) and _FUNDING_AMOUNT.applies(answers):
            funding += Decimal(answers["funding_amount"])
        if is_answered(answers.get("co2_saving")):
            saving += Decimal(answers["co2_saving"])
            with_saving += 1
    return MeasureTotals(count, by_area, cost, funding, saving, with_saving)


def local_datetime(value: datetime | None) -> datetime | None:
    """A naive local (Europe/Berlin) datetime; Excel has no time zones."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(LOCAL_TIME).replace(tzinfo=None)


def _field_getter(spec: Field) -> Callable[[ReportRow, int, Mapping[str, Any]], Any]:
    """Reads one measure field as an export value (choices as labels, files as file names)."""

    def get(_report: ReportRow, _index: int, answers: Mapping[str, Any]) -> Any:
        value = answers.get(spec.key)
        if not is_answered(value) or not spec.applies(answers):
            return None
        if spec.kind == "choice":
            return spec.choice_label(value)
        if spec.kind == "file":
            return value.filename if isinstance(value, Attachment) else str(value)
        return value

    return get


def _field_column(spec: Field) -> _Column:
    """The export column of a measure field."""
    widths = {"text": 40.0, "choice": 22.0, "money": 16.0, "number": 18.0, "month": 10.0, "url": 36.0}
    width = 80.0 if spec.multiline else widths.get(spec.kind, 24.0)
    header = f"{spec.label} ({spec.unit})" if spec.unit else spec.label
    kind = spec.kind if spec.kind in ("money", "number", "month") else "text"
    return _Column(header, width, kind, _field_getter(spec))


COLUMNS: tuple[_Column, ...] = (
    _Column("AGS", 11, "text", lambda r, i, a: r.ags),
    _Column("Kommune", 28, "text", lambda r, i, a: r.municipality),
    _Column("Berichtsjahr", 12, "int", lambda r, i, a: r.year),
    _Column("Version", 9, "int", lambda r, i, a: r.version),
    _Column("Status des Berichts", 16, "text", lambda r, i, a: r.state),
    _Column("Eingereicht am", 17, "datetime", lambda r, i, a: r.submitted_at),
    _Column("Meldende Person", 24, "text", lambda r, i, a: r.person),
    _Column("E-Mail", 28, "text", lambda r, i, a: r.email),
    _Column("Funktion", 22, "text", lambda r, i, a: r.role),
    _Column("Nr.", 6, "int", lambda r, i, a: i),
    *(_field_column(spec) for spec in MEASURE_FIELDS),
)

SUMMARY_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("AGS", 11, "text"),
    ("Kommune", 28, "text"),
    ("Berichtsjahr", 12, "int"),
    ("Version", 9, "int"),
    ("Maßnahmen", 11, "int"),
    *((label, 15, "int") for _, label in AREA_CHOICES),
    ("Gesamtkosten (€)", 18, "money"),
    ("Fördersumme (€)", 18, "money"),
    ("Geschätzte THG-Einsparung (t CO₂e/Jahr)", 22, "number"),
    ("Maßnahmen mit Einsparschätzung", 16, "int"),
)


def _measure_rows(reports: Iterable[ReportRow]) -> Iterator[tuple[ReportRow, int, Mapping[str, Any]]]:
    """(report, 1-based measure number, answers) for every measure of every report."""
    for report in reports:
        for index, answers in enumerate(report.measures, start=1):
            yield report, index, answers


def _csv_decimal(value: Decimal) -> str:
    """Decimal comma, no thousands separator, no exponent."""
    return f"{Decimal(value):f}".replace(".", ",")


def _safe_text(value: str) -> str:
    """Text an XML-based spreadsheet can hold."""
    return _XML_ILLEGAL.sub("", value)[:_EXCEL_CELL_LIMIT]


def _csv_value(column: _Column, value: Any) -> str:
    """A value as CSV text in the German Excel dialect."""
    if value is None:
        return ""
    if column.kind == "money":
        return _csv_decimal(Decimal(value).quantize(Decimal("0.01")))
    if column.kind == "number":
        return _csv_decimal(value)
    if column.kind == "month":
        return format_month(value)
    if column.kind == "datetime":
        return local_datetime(value).strftime("%d.%m.%Y %H:%M")
    if column.kind == "int":
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(reports: Iterable[ReportRow], target: str | os.PathLike[str] | IO[str] | IO[bytes]) -> int:
    """Write one CSV row per measure (German Excel dialect, see the module docstring); return the row count."""
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8-sig", newline="") as stream:
            return _write_csv_rows(reports, stream)
    if isinstance(target, io.TextIOBase):
        target.write("\ufeff")
        return _write_csv_rows(reports, target)
    wrapper = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    try:
        return _write_csv_rows(reports, wrapper)
    finally:
        wrapper.flush()
        wrapper.detach()


def _write_csv_rows(reports: Iterable[ReportRow], stream: IO[str]) -> int:
    """The CSV body: header and one row per measure."""
    writer = csv.writer(stream, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    count = 0
    for report, index, answers in _measure_rows(reports):
        writer.writerow([_csv_value(column, column.get(report, index, answers)) for column in COLUMNS])
        count += 1
    return count


def _xlsx_cell(sheet: Any, kind: str, value: Any) -> Any:
    """A typed cell value (or a styled write-only cell) for the measures sheet."""
    if value is None:
        return None
    if kind == "money":
        cell = WriteOnlyCell(sheet, value=Decimal(value))
        cell.number_format = MONEY_FORMAT
        return cell
    if kind == "number":
        cell = WriteOnlyCell(sheet, value=Decimal(value))
        cell.number_format = TONNES_FORMAT
        return cell
    if kind == "month":
        year, month = value
        if month is None:
            return str(year)
        cell = WriteOnlyCell(sheet, value=date(year, month, 1))
        cell.number_format = MONTH_FORMAT
        return cell
    if kind == "datetime":
        cell = WriteOnlyCell(sheet, value=local_datetime(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if kind == "int":
        return value
    text = _safe_text(str(value))
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _header(sheet: Any, titles: Iterable[str]) -> list[Any]:
    """A bold, wrapped header row."""
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def _prepare_sheet(sheet: Any, widths: Sequence[float], rows: int) -> None:
    """Column widths, frozen header and autofilter; set before rows are written (write-only mode)."""
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{rows + 1}"


def _summaries(reports: Sequence[ReportRow]) -> list[list[Any]]:
    """One summary row per municipality and reporting year, sorted by AGS and year."""
    groups: dict[tuple[str, int], list[ReportRow]] = {}
    for report in reports:
        groups.setdefault((report.ags, report.year), []).append(report)
    rows = []
    for (ags, year), members in sorted(groups.items()):
        totals = total_measures(answers for report in members for answers in report.measures)
        rows.append(
            [
                ags,
                members[-1].municipality,
                year,
                max(report.version for report in members),
                totals.measures,
                *(totals.by_area[value] for value, _ in AREA_CHOICES),
                totals.cost,
                totals.funding,
                totals.co2_saving,
                totals.with_saving,
            ]
        )
    return rows


def write_xlsx(
    reports: Iterable[ReportRow],
    target: str | os.PathLike[str] | IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write the sheets "Maßnahmen" (one typed row per measure) and "Kommunen"; return the measure count.

    `progress(done, total)` is called every `PROGRESS_EVERY` measures and once at the end.
    """
    reports = list(reports)
    total = sum(len(report.measures) for report in reports)
    book = Workbook(write_only=True)

    sheet = book.create_sheet(MEASURES_SHEET)
    _prepare_sheet(sheet, [column.width for column in COLUMNS], total)
    sheet.append(_header(sheet, (column.header for column in COLUMNS)))
    done = 0
    for report, index, answers in _measure_rows(reports):
        sheet.append(
            [_xlsx_cell(sheet, column.kind, column.get(report, index, answers)) for column in COLUMNS]
        )
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0 and done < total:
            progress(done, total)

    summary = book.create_sheet(SUMMARY_SHEET)
    rows = _summaries(reports)
    _prepare_sheet(summary, [width for _, width, _ in SUMMARY_COLUMNS], len(rows))
    summary.append(_header(summary, (title for title, _, _ in SUMMARY_COLUMNS)))
    for row in rows:
        summary.append(
            [
                _xlsx_cell(summary, kind, value)
                for (_, _, kind), value in zip(SUMMARY_COLUMNS, row, strict=True)
            ]
        )

    if isinstance(target, str | os.PathLike):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    if progress is not None:
        progress(done, total)
    return done
