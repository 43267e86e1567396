"""A readable summary of one submitted report: plain text for the confirmation e-mail, a PDF to attach.

The PDF embeds DejaVu Sans when the system has it (Debian/Ubuntu package fonts-dejavu-core), so umlauts,
„Anführungszeichen“, € and CO₂ render; characters the font lacks (emoji) become "?". Without DejaVu it
falls back to the PDF core font Helvetica, which only knows Latin-1: typographic characters are replaced
by their plain forms (€ → EUR, „“ → "). Without fpdf2 installed, the attachment is a one-report XLSX.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

try:
    from fpdf import FPDF
    from fpdf.enums import MethodReturnValue, XPos, YPos
except ImportError:  # fpdf2 is optional: the attachment is then an XLSX
    FPDF = None

from services.report_export import ReportRow, local_datetime, total_measures, write_xlsx
from services.report_fields import (
    AREA_CHOICES,
    MEASURE_FIELDS,
    format_decimal,
    format_money,
    summary_lines,
)

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_WIDTH = 76

FONT_DIRECTORIES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)

# Plain forms for the Latin-1 core font; anything else outside Latin-1 becomes "?".
_LATIN1_REPLACEMENTS = str.maketrans(
    {
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "−": "-",
        "…": "...",
        "€": "EUR",
        "₂": "2",
        "•": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
_FIELDS_BELOW_TITLE = tuple(field for field in MEASURE_FIELDS if field.key != "title")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


class DocumentFile(NamedTuple):
    """A generated file: name, MIME type and content."""

    filename: str
    content_type: str
    content: bytes


def _submitted(report: ReportRow) -> str:
    """German date and time of submission, or a note that the report is not submitted."""
    moment = local_datetime(report.submitted_at)
    return moment.strftime("%d.%m.%Y, %H:%M Uhr") if moment else "noch nicht eingereicht"


def _header_lines(report: ReportRow) -> list[tuple[str, str]]:
    """(label, value) pairs about the report as a whole."""
    totals = total_measures(report.measures)
    areas = ", ".join(f"{label} {totals.by_area[value]}" for value, label in AREA_CHOICES)
    person = report.person
    if report.role:
        person += f", {report.role}"
    if report.email:
        person += f" ({report.email})"
    lines = [
        ("Kommune", f"{report.municipality} (AGS {report.ags})"),
        ("Berichtsjahr", str(report.year)),
        ("Version", str(report.version)),
        ("Eingereicht am", _submitted(report)),
        ("Gemeldet von", person),
        ("Maßnahmen", f"{totals.measures} ({areas})"),
        ("Gesamtkosten", format_money(totals.cost)),
    ]
    if totals.with_saving:
        lines.append(("Geschätzte THG-Einsparung", f"{format_decimal(totals.co2_saving)} t CO₂e/Jahr"))
    return lines


def _measure_title(number: int, answers: Mapping[str, Any]) -> str:
    """Heading of a measure, e.g. "3. Sanierung der Grundschule"."""
    return f"{number}. {answers.get('title') or 'Maßnahme ohne Titel'}"


def _measure_lines(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of one measure without its title, which serves as heading."""
    return summary_lines(answers, _FIELDS_BELOW_TITLE)


def render_report_text(report: ReportRow) -> str:
    """The report as plain text for an e-mail body, wrapped at 76 characters."""
    out = [f"Maßnahmenbericht {report.year} – {report.municipality}", ""]
    width = max(len(label) for label, _ in _header_lines(report)) + 2
    for label, value in _header_lines(report):
        out.append(f"{label + ':':<{width}}{value}")
    for number, answers in enumerate(report.measures, start=1):
        title = _measure_title(number, answers)
        out += ["", title, "-" * min(len(title), TEXT_WIDTH)]
        for label, value in _measure_lines(answers):
            out.extend(_wrap_pair(label, value))
    return "\n".join(out) + "\n"


def _wrap_pair(label: str, value: str) -> list[str]:
    """A "label: value" line; long or multi-line values are wrapped and indented below the label."""
    if "\n" not in value and len(label) + len(value) + 2 <= TEXT_WIDTH:
        return [f"{label}: {value}"]
    lines = [f"{label}:"]
    for paragraph in value.split("\n"):
        wrapped = textwrap.wrap(paragraph, TEXT_WIDTH - 2, break_long_words=False, break_on_hyphens=False)
        lines.extend(f"  {line}" for line in wrapped or [""])
    return lines


def report_filename(report: ReportRow, extension: str) -> str:
    """ASCII file name such as Massnahmenbericht_06412000_2025_v2.pdf."""
    stem = _UNSAFE_FILENAME.sub("_", f"Massnahmenbericht_{report.ags}_{report.year}_v{report.version}")
    return f"{stem}.{extension}"


@lru_cache(maxsize=1)
def find_unicode_font() -> tuple[Path, Path] | None:
    """Paths of DejaVu Sans regular and bold, if installed."""
    for directory in FONT_DIRECTORIES:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def render_report_pdf(report: ReportRow, *, unicode_font: bool = True) -> bytes:
    """An A4 PDF of the report, in DejaVu Sans if installed (and `unicode_font`), else in Helvetica."""
    if FPDF is None:
        raise RuntimeError("fpdf2 is not installed")
    fonts = find_unicode_font() if unicode_font else None
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(18, 18, 18)
    if fonts:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
        family = "DejaVu"
        shown = pdf.fonts["dejavu"].cmap.keys() & pdf.fonts["dejavuB"].cmap.keys()

        def safe(text: str) -> str:
            return "".join(ch if ch == "\n" or ord(ch) in shown else "?" for ch in text)
    else:
        family = "Helvetica"

        def safe(text: str) -> str:
            return text.translate(_LATIN1_REPLACEMENTS).encode("latin-1", "replace").decode("latin-1")

    title = safe(f"Maßnahmenbericht {report.year} – {report.municipality}")
    pdf.set_title(title)
    pdf.set_creator("klimabot")
    pdf.set_lang("de")
    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _pdf_pairs(pdf, family, [(safe(label), safe(value)) for label, value in _header_lines(report)])
    for number, answers in enumerate(report.measures, start=1):
        pdf.ln(4)
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 6, safe(_measure_title(number, answers)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        _pdf_pairs(pdf, family, [(safe(label), safe(value)) for label, value in _measure_lines(answers)])
    return bytes(pdf.output())


_LABEL_WIDTH = 55
_LINE_HEIGHT = 5
_FONT_SIZE = 9.5


def _pdf_pairs(pdf: FPDF, family: str, pairs: Sequence[tuple[str, str]]) -> None:
    """Label in bold on the left, the value wrapped in the column beside it."""
    for label, value in pairs:
        pdf.set_font(family, "B", _FONT_SIZE)
        label_height = pdf.multi_cell(
            _LABEL_WIDTH, _LINE_HEIGHT, label, dry_run=True, output=MethodReturnValue.HEIGHT
        )
        if pdf.will_page_break(label_height):
            pdf.add_page()
        top, page = pdf.get_y(), pdf.page
        pdf.multi_cell(_LABEL_WIDTH, _LINE_HEIGHT, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font(family, "", _FONT_SIZE)
        pdf.multi_cell(0, _LINE_HEIGHT, value or "–", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if pdf.page == page:
            pdf.set_y(max(pdf.get_y(), top + label_height))
        pdf.ln(0.8)


def render_report_xlsx(report: ReportRow) -> bytes:
    """The report as a small workbook (the measures and the summary sheet of the export)."""
    buffer = io.BytesIO()
    write_xlsx([report], buffer)
    return buffer.getvalue()


def build_report_attachment(report: ReportRow) -> DocumentFile:
    """The document to attach for the reporting person: a PDF, or an XLSX when fpdf2 is missing."""
    if FPDF is None:
        return DocumentFile(report_filename(report, "xlsx"), XLSX_TYPE, render_report_xlsx(report))
    return DocumentFile(report_filename(report, "pdf"), PDF_TYPE, render_report_pdf(report))
