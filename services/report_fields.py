"""The fields of the yearly measure report as data: definitions, order, conditions and validation.

Every channel walks the same list: the chat asks `next_field(answers)` until it returns None, the mail
channel and the exports read the same labels, and `validate_measure` checks a finished measure. Adding
a field means adding one `Field` below (and, if it is conditional, a small predicate); no handler changes.

An answers dict maps a field key to its parsed value (see `report_parsing.parse_answer`):

- `text`, `url`, `email`, `choice` → `str` (for a choice, the stable value id, never the label)
- `money`, `number` → `Decimal` (money in euro with two decimal places, numbers in tonnes CO₂e per year)
- `month` → `YearMonth(year, month)`; `month` is None when only the year was given ("2025"): municipalities
  often know no more for older measures, and inventing January would make "end before start" checks lie
- `file` → `Attachment` (the chat or mail layer stores the bytes; only the reference is kept here)
- `SKIPPED` for an optional field the person chose to skip; a key that is absent was not asked yet.

`answers_to_json` / `answers_from_json` turn such a dict into JSON-safe values and back (FSM storage, the
database). Besides the seven measure kinds there is `email` for the reporting person's address.

Decisions on dates (see `validate_measure`): the start lies between 1990 and reporting year + 1; the end is
required when the status is "abgeschlossen" (and then lies no later than reporting year + 1) and optional
otherwise (a planned end, at most `PLANNED_END_HORIZON` years after the reporting year); the end never lies
before the start. A year-only value counts as "some month of that year", so 2025 vs. 03/2025 is no conflict.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

from services.email_address import MAX_ADDRESS, is_valid_address

Kind = Literal["text", "choice", "money", "number", "month", "url", "email", "file"]
KINDS: tuple[Kind, ...] = ("text", "choice", "money", "number", "month", "url", "email", "file")


class Skip(enum.Enum):
    """Marker type of an optional field that was deliberately left out."""

    SKIPPED = "skipped"

    def __repr__(self) -> str:
        """Readable in test failures and logs."""
        return "SKIPPED"


SKIPPED = Skip.SKIPPED


class YearMonth(NamedTuple):
    """A month of a year, or a whole year when `month` is None."""

    year: int
    month: int | None = None


@dataclass(frozen=True)
class Attachment:
    """A photo or PDF the channel layer stored; `ref` is its storage reference (e.g. a Telegram file_id)."""

    ref: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class FieldError:
    """A German message about one field of a measure or report."""

    key: str
    message: str


Answers = Mapping[str, Any]
Predicate = Callable[[Answers], bool]

# Plausibility bounds. Municipal climate work in Germany starts with the 1990 baseline year of the
# climate targets; no single municipal measure costs more than a billion euro or saves a million tonnes.
MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_MONEY = Decimal("1000000000")
MAX_SAVING = Decimal("1000000")
# Reports are filed early in the following year, so a start or a completed end may already lie one year
# after the reporting year; a planned end may lie up to ten years ahead (district heating, sewer works).
YEARS_AHEAD = 1
PLANNED_END_HORIZON = 10

# Telegram bots may download files up to 20 MB; 10 MB keeps mail attachments deliverable as well.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES: Mapping[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/pdf": ".pdf",
}
MAX_URL_LENGTH = 500
MAX_EMAIL_LENGTH = MAX_ADDRESS  # one rule for addresses: services.email_address
_HOST_LABEL = re.compile(r"^[a-z0-9äöüß](?:[a-z0-9äöüß-]{0,61}[a-z0-9äöüß])?$")


@dataclass(frozen=True)
class Field:
    """One question of the report: how it is asked, parsed, shown and checked."""

    key: str
    label: str
    question: str
    kind: Kind
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    example: str = ""
    max_length: int | None = None
    min: Decimal | int | None = None
    max: Decimal | int | None = None
    min_error: str = ""
    unit: str = ""
    multiline: bool = False
    when: Predicate | None = None
    required_when: Predicate | None = None

    def applies(self, answers: Answers) -> bool:
        """Whether the field is asked at all, given the other answers."""
        return self.when is None or self.when(answers)

    def is_required(self, answers: Answers) -> bool:
        """Whether the field must be answered (not skipped), given the other answers."""
        if self.required:
            return True
        return self.required_when is not None and self.required_when(answers)

    def choice_label(self, value: str) -> str:
        """German label of a choice value; the value itself when unknown."""
        return dict(self.choices).get(value, value)


# Predicates look only at fields listed before the field they belong to, so the chat can ask in order.
def _is_finished(answers: Answers) -> bool:
    """The measure is reported as finished."""
    return answers.get("status") == "abgeschlossen"


def _is_funded(answers: Answers) -> bool:
    """A funding programme was named."""
    return answers.get("funding") not in (None, SKIPPED, "keine")


def _is_other_funding(answers: Answers) -> bool:
    """The funding programme is none of the listed ones."""
    return answers.get("funding") == "andere"


AREA_CHOICES = (
    ("klimaschutz", "Klimaschutz"),
    ("klimaanpassung", "Klimaanpassung"),
    ("beides", "beides"),
)

# The fields of action of the alliance's reporting template. The value ids are stable: exports and
# stored reports use them, so a label may change but an id may not.
ACTION_FIELD_CHOICES = (
    ("gebaeude", "Energie in Gebäuden"),
    ("erneuerbare", "Erneuerbare Energien"),
    ("mobilitaet", "Mobilität"),
    ("beschaffung", "Beschaffung"),
    ("wasser", "Abwasser/Wasser"),
    ("stadtplanung", "Stadtplanung/Flächen"),
    ("hitzeschutz", "Hitzeschutz"),
    ("starkregen", "Starkregen und Hochwasser"),
    ("gruen", "Grün und Biodiversität"),
    ("information", "Information und Beteiligung"),
    ("sonstiges", "Sonstiges"),
)

STATUS_CHOICES = (
    ("geplant", "geplant"),
    ("in_umsetzung", "in Umsetzung"),
    ("abgeschlossen", "abgeschlossen"),
)

FUNDING_CHOICES = (
    ("keine", "keine"),
    ("hkr", "Hessische Klimarichtlinie"),
    ("kommunalrichtlinie", "Kommunalrichtlinie"),
    ("andere", "andere"),
)

MEASURE_FIELDS: tuple[Field, ...] = (
    Field(
        key="title",
        label="Titel",
        question="Wie heißt die Maßnahme? (kurzer Titel)",
        kind="text",
        max_length=150,
        example="Sanierung der Grundschule Am Lindenplatz",
    ),
    Field(
        key="area",
        label="Bereich",
        question="Gehört die Maßnahme zum Klimaschutz, zur Klimaanpassung oder zu beidem?",
        kind="choice",
        choices=AREA_CHOICES,
        aliases=(
            ("schutz", "klimaschutz"),
            ("mitigation", "klimaschutz"),
            ("anpassung", "klimaanpassung"),
            ("adaption", "klimaanpassung"),
            ("adaptation", "klimaanpassung"),
            ("beide", "beides"),
            ("beides zusammen", "beides"),
            ("sowohl als auch", "beides"),
        ),
    ),
    Field(
        key="action_field",
        label="Handlungsfeld",
        question="Zu welchem Handlungsfeld gehört die Maßnahme?",
        kind="choice",
        choices=ACTION_FIELD_CHOICES,
        aliases=(
            ("sanierung", "gebaeude"),
            ("daemmung", "gebaeude"),
            ("heizung", "gebaeude"),
            ("beleuchtung", "gebaeude"),
            ("photovoltaik", "erneuerbare"),
            ("pv", "erneuerbare"),
            ("solar", "erneuerbare"),
            ("windkraft", "erneuerbare"),
            ("verkehr", "mobilitaet"),
            ("radverkehr", "mobilitaet"),
            ("oepnv", "mobilitaet"),
            ("einkauf", "beschaffung"),
            ("abwasser", "wasser"),
            ("planung", "stadtplanung"),
            ("bauleitplanung", "stadtplanung"),
            ("flaechen", "stadtplanung"),
            ("hitze", "hitzeschutz"),
            ("hochwasser", "starkregen"),
            ("biodiversitaet", "gruen"),
            ("baeume", "gruen"),
            ("beteiligung", "information"),
            ("oeffentlichkeitsarbeit", "information"),
            ("bildung", "information"),
            ("anderes", "sonstiges"),
        ),
    ),
    Field(
        key="status",
        label="Stand",
        question="Wie ist der Stand der Maßnahme?",
        kind="choice",
        choices=STATUS_CHOICES,
        aliases=(
            ("in planung", "geplant"),
            ("planung", "geplant"),
            ("umsetzung", "in_umsetzung"),
            ("laufend", "in_umsetzung"),
            ("laeuft", "in_umsetzung"),
            ("in arbeit", "in_umsetzung"),
            ("begonnen", "in_umsetzung"),
            ("fertig", "abgeschlossen"),
            ("erledigt", "abgeschlossen"),
            ("umgesetzt", "abgeschlossen"),
            ("beendet", "abgeschlossen"),
        ),
    ),
    Field(
        key="start",
        label="Beginn",
        question="Wann hat die Maßnahme begonnen (oder wann soll sie beginnen)? Monat und Jahr, z. B. 03/2025.",
        kind="month",
        min=MIN_YEAR,
        max=MAX_YEAR,
        example="03/2025",
        hint="Wenn Sie den Monat nicht wissen, genügt das Jahr.",
    ),
    Field(
        key="end",
        label="Ende",
        question="Wann wurde die Maßnahme abgeschlossen (oder wann soll sie enden)? Monat und Jahr, z. B. 11/2025.",
        kind="month",
        required=False,
        required_when=_is_finished,
        min=MIN_YEAR,
        max=MAX_YEAR,
        example="11/2025",
        hint="Bei abgeschlossenen Maßnahmen erforderlich, sonst optional.",
    ),
    Field(
        key="cost",
        label="Gesamtkosten",
        question="Wie hoch sind die Gesamtkosten in Euro? (0, wenn keine Kosten entstanden sind)",
        kind="money",
        min=Decimal(0),
        max=MAX_MONEY,
        min_error="Die Kosten können nicht negativ sein.",
        unit="€",
        example="12.500 €",
        hint="Eine Schätzung genügt; bei laufenden Maßnahmen die geplanten Kosten.",
    ),
    Field(
        key="funding",
        label="Förderung",
        question="Wurde die Maßnahme gefördert?",
        kind="choice",
        choices=FUNDING_CHOICES,
        aliases=(
            ("nein", "keine"),
            ("ohne", "keine"),
            ("keine foerderung", "keine"),
            ("nicht gefoerdert", "keine"),
            ("hkr", "hkr"),
            ("klimarichtlinie", "hkr"),
            ("hessische klimarichtlinie", "hkr"),
            ("land hessen", "hkr"),
            ("krl", "kommunalrichtlinie"),
            ("nki", "kommunalrichtlinie"),
            ("nationale klimaschutzinitiative", "kommunalrichtlinie"),
            ("sonstige", "andere"),
            ("anderes", "andere"),
            ("andere foerderung", "andere"),
        ),
    ),
    Field(
        key="funding_other",
        label="Andere Förderung",
        question="Welches Förderprogramm war es?",
        kind="text",
        max_length=200,
        when=_is_other_funding,
        example="EU-Förderprogramm LEADER",
    ),
    Field(
        key="funding_amount",
        label="Fördersumme",
        question="Wie hoch ist die Fördersumme in Euro?",
        kind="money",
        required=False,
        min=Decimal(0),
        max=MAX_MONEY,
        min_error="Die Fördersumme kann nicht negativ sein.",
        unit="€",
        when=_is_funded,
        example="8.000 €",
        hint="Höchstens so hoch wie die Gesamtkosten; noch nicht bewilligt? Dann überspringen.",
    ),
    Field(
        key="co2_saving",
        label="Geschätzte THG-Einsparung",
        question="Wie viele Tonnen CO₂-Äquivalente spart die Maßnahme schätzungsweise pro Jahr?",
        kind="number",
        required=False,
        min=Decimal(0),
        max=MAX_SAVING,
        min_error="Die Einsparung kann nicht negativ sein.",
        unit="t CO₂e/Jahr",
        example="12,5 t",
        hint=(
            "Eingesparte kWh × Emissionsfaktor (Strom ≈ 0,4 kg, Erdgas ≈ 0,2 kg, Heizöl ≈ 0,3 kg CO₂e/kWh) "
            "÷ 1.000 = Tonnen pro Jahr."
        ),
    ),
    Field(
        key="description",
        label="Kurzbeschreibung",
        question="Beschreiben Sie die Maßnahme kurz (höchstens 1.000 Zeichen).",
        kind="text",
        max_length=1000,
        multiline=True,
        example="Dach und Fassade gedämmt, Gasheizung durch Wärmepumpe ersetzt.",
    ),
    Field(
        key="link",
        label="Link",
        question="Gibt es eine Webseite zur Maßnahme? (optional)",
        kind="url",
        required=False,
        max_length=MAX_URL_LENGTH,
        example="https://www.musterstadt.de/klimaschutz",
    ),
    Field(
        key="attachment",
        label="Foto/PDF",
        question="Möchten Sie ein Foto oder eine PDF-Datei zur Maßnahme mitschicken? (optional, höchstens 10 MB)",
        kind="file",
        required=False,
    ),
)

REPORT_FIELDS: tuple[Field, ...] = (
    Field(
        key="reporter_name",
        label="Meldende Person",
        question="Wie heißen Sie? (Vor- und Nachname)",
        kind="text",
        max_length=100,
        example="Maria Muster",
    ),
    Field(
        key="reporter_email",
        label="E-Mail",
        question="Unter welcher E-Mail-Adresse erreichen wir Sie?",
        kind="email",
        max_length=MAX_EMAIL_LENGTH,
        example="m.muster@musterstadt.de",
    ),
    Field(
        key="reporter_role",
        label="Funktion",
        question="Welche Funktion haben Sie in der Verwaltung?",
        kind="text",
        max_length=100,
        example="Klimaschutzmanagerin",
    ),
)

MEASURE_FIELD_BY_KEY: Mapping[str, Field] = {f.key: f for f in MEASURE_FIELDS}
REPORT_FIELD_BY_KEY: Mapping[str, Field] = {f.key: f for f in REPORT_FIELDS}


def is_answered(value: Any) -> bool:
    """Whether a stored answer holds a value (not absent, not None, not skipped)."""
    return value is not None and value is not SKIPPED


def next_field(answers: Answers, fields: Sequence[Field] = MEASURE_FIELDS) -> Field | None:
    """The next field to ask: applicable and unanswered, or skipped although it has become required."""
    for field in fields:
        if not field.applies(answers):
            continue
        value = answers.get(field.key)
        if value is None or (value is SKIPPED and field.is_required(answers)):
            return field
    return None


def prune_answers(answers: Answers, fields: Sequence[Field] = MEASURE_FIELDS) -> dict[str, Any]:
    """The answers of the fields that still apply (a changed funding drops the funding amount)."""
    return {f.key: answers[f.key] for f in fields if f.key in answers and f.applies(answers)}


def check_value(field: Field, value: Any) -> str | None:
    """German error for a value that breaks the field's own constraints, None when it is fine."""
    if value is SKIPPED:
        return None if not field.required else f"„{field.label}“ ist eine Pflichtangabe."
    checker = _CHECKERS[field.kind]
    return checker(field, value)


def _check_text(field: Field, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"„{field.label}“ darf nicht leer sein."
    if field.max_length is not None and len(value) > field.max_length:
        return f"„{field.label}“ darf höchstens {field.max_length} Zeichen lang sein."
    return None


def _check_choice(field: Field, value: Any) -> str | None:
    if value not in dict(field.choices):
        allowed = ", ".join(label for _, label in field.choices)
        return f"„{field.label}“ muss eine dieser Angaben sein: {allowed}."
    return None


def _check_decimal(field: Field, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return f"„{field.label}“ muss eine Zahl sein."
    try:
        value = Decimal(value)
    except (InvalidOperation, ValueError):
        return f"„{field.label}“ muss eine Zahl sein."
    if not value.is_finite():
        return f"„{field.label}“ muss eine Zahl sein."
    if field.min is not None and value < field.min:
        return field.min_error or f"„{field.label}“ muss mindestens {field.min} sein."
    if field.max is not None and value > field.max:
        return f"„{field.label}“ ist unplausibel hoch (mehr als {format_decimal(Decimal(field.max))})."
    if field.kind == "money" and value != value.quantize(Decimal("0.01")):
        return f"„{field.label}“ darf höchstens zwei Nachkommastellen haben."
    return None


def _check_month(field: Field, value: Any) -> str | None:
    if not isinstance(value, tuple) or len(value) != 2:
        return f"„{field.label}“ muss ein Monat mit Jahr sein, z. B. 03/2025."
    year, month = value
    if isinstance(year, bool) or not isinstance(year, int):
        return f"„{field.label}“ muss ein Monat mit Jahr sein, z. B. 03/2025."
    low = int(field.min) if field.min is not None else MIN_YEAR
    high = int(field.max) if field.max is not None else MAX_YEAR
    if not low <= year <= high:
        return f"Das Jahr bei „{field.label}“ muss zwischen {low} und {high} liegen."
    if month is not None and (isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12):
        return f"Der Monat bei „{field.label}“ muss zwischen 1 und 12 liegen."
    return None


def _check_url(field: Field, value: Any) -> str | None:
    if not isinstance(value, str) or not is_web_url(value):
        return f"„{field.label}“ muss eine Webadresse sein, die mit http:// oder https:// beginnt."
    if field.max_length is not None and len(value) > field.max_length:
        return f"„{field.label}“ darf höchstens {field.max_length} Zeichen lang sein."
    return None


def _check_email(field: Field, value: Any) -> str | None:
    if not isinstance(value, str) or not is_valid_address(value):
        return f"„{field.label}“ muss eine E-Mail-Adresse sein, z. B. name@musterstadt.de."
    return None


def _check_file(field: Field, value: Any) -> str | None:
    if not isinstance(value, Attachment):
        return f"„{field.label}“ muss eine hochgeladene Datei sein."
    if value.content_type not in ALLOWED_ATTACHMENT_TYPES:
        return "Bitte nur Fotos (JPEG, PNG) oder PDF-Dateien senden."
    if not 0 < value.size <= MAX_ATTACHMENT_BYTES:
        return f"Die Datei darf höchstens {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB groß sein."
    return None


_CHECKERS: Mapping[str, Callable[[Field, Any], str | None]] = {
    "text": _check_text,
    "choice": _check_choice,
    "money": _check_decimal,
    "number": _check_decimal,
    "month": _check_month,
    "url": _check_url,
    "email": _check_email,
    "file": _check_file,
}


def is_web_url(value: str) -> bool:
    """Whether `value` is an absolute http(s) URL with a plausible host name and no whitespace."""
    if not value or any(ch.isspace() for ch in value) or len(value) > MAX_URL_LENGTH:
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return False
    labels = host.split(".")
    if len(labels) < 2 or not labels[-1].isalpha() or len(labels[-1]) < 2:
        return False
    return all(_HOST_LABEL.match(label) for label in labels)


def _month_before(later: YearMonth, earlier: YearMonth) -> bool:
    """Whether `later` certainly lies before `earlier`; a year-only value spans its whole year."""
    if later.year != earlier.year:
        return later.year < earlier.year
    return later.month is not None and earlier.month is not None and later.month < earlier.month


def validate_fields(answers: Answers, fields: Sequence[Field], *, partial: bool = False) -> list[FieldError]:
    """Per-field checks: required answers present (unless `partial`) and values within their bounds."""
    errors: list[FieldError] = []
    for field in fields:
        if not field.applies(answers):
            continue
        value = answers.get(field.key)
        if value is None or value is SKIPPED:
            if not partial and field.is_required(answers):
                errors.append(FieldError(field.key, f"„{field.label}“ fehlt noch."))
            continue
        message = check_value(field, value)
        if message:
            errors.append(FieldError(field.key, message))
    return errors


def validate_measure(
    answers: Answers, *, reporting_year: int | None = None, partial: bool = False
) -> list[FieldError]:
    """All errors of one measure: field checks plus the cross-field rules on dates and money.

    Without `reporting_year` the rules that depend on it (start at most one year ahead, end window) are
    left out; with `partial` missing answers are no error, so the chat can check each answer as it comes.
    """
    errors = validate_fields(answers, MEASURE_FIELDS, partial=partial)
    broken = {e.key for e in errors}
    start, end = answers.get("start"), answers.get("end")
    start_ok = is_answered(start) and "start" not in broken
    end_ok = is_answered(end) and "end" not in broken
    if start_ok and reporting_year is not None and start[0] > reporting_year + YEARS_AHEAD:
        errors.append(
            FieldError("start", f"Der Beginn darf höchstens im Jahr {reporting_year + YEARS_AHEAD} liegen.")
        )
    if start_ok and end_ok and _month_before(YearMonth(*end), YearMonth(*start)):
        errors.append(FieldError("end", "Das Ende darf nicht vor dem Beginn liegen."))
    if end_ok and reporting_year is not None:
        if _is_finished(answers) and end[0] > reporting_year + YEARS_AHEAD:
            errors.append(
                FieldError(
                    "end",
                    "Eine abgeschlossene Maßnahme kann nicht nach "
                    f"{reporting_year + YEARS_AHEAD} geendet haben. Stimmt der Stand?",
                )
            )
        elif end[0] > reporting_year + PLANNED_END_HORIZON:
            errors.append(
                FieldError(
                    "end",
                    f"Das geplante Ende darf höchstens im Jahr {reporting_year + PLANNED_END_HORIZON} liegen.",
                )
            )
    cost, amount = answers.get("cost"), answers.get("funding_amount")
    if (
        _is_funded(answers)
        and is_answered(cost)
        and is_answered(amount)
        and not broken & {"cost", "funding_amount"}
        and amount > cost
    ):
        errors.append(
            FieldError("funding_amount", "Die Fördersumme darf nicht höher sein als die Gesamtkosten.")
        )
    return errors


def answer_error(
    field: Field, answers: Answers, value: Any, *, reporting_year: int | None = None
) -> str | None:
    """German reason why `value` cannot be the answer to `field` given the other `answers`, None when it can."""
    if value is SKIPPED and field.is_required(answers):
        return f"„{field.label}“ wird benötigt und kann nicht übersprungen werden."
    message = check_value(field, value)
    if message or field.key not in MEASURE_FIELD_BY_KEY:
        return message
    # The cross-field rules are those of validate_measure, checked where an answer completes them: a rule
    # on this field, or one that held before this answer and breaks with it (an edited start moves the end).
    before = {
        (e.key, e.message) for e in validate_measure(answers, reporting_year=reporting_year, partial=True)
    }
    after = validate_measure({**answers, field.key: value}, reporting_year=reporting_year, partial=True)
    broken = [e.message for e in after if e.key == field.key or (e.key, e.message) not in before]
    return broken[0] if broken else None


def validate_reporter(answers: Answers, *, partial: bool = False) -> list[FieldError]:
    """Errors of the report-level fields (reporting person's name, e-mail and role)."""
    return validate_fields(answers, REPORT_FIELDS, partial=partial)


def format_decimal(value: Decimal, places: int | None = None) -> str:
    """German spelling of a number: 12.500,5; with `places` exactly that many decimals."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
        text = f"{value:,.{places}f}"
    else:
        text = f"{value:,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_money(value: Decimal) -> str:
    """German euro amount: 12.500 € for whole euros, 12.500,50 € otherwise."""
    places = 0 if value == value.to_integral_value() else 2
    return f"{format_decimal(value, places)} €"


def format_month(value: YearMonth | tuple[int, int | None]) -> str:
    """MM/YYYY, or YYYY for a year-only value."""
    year, month = value
    return str(year) if month is None else f"{month:02d}/{year}"


def format_value(field: Field, value: Any) -> str:
    """A stored answer as German display text; an en dash for skipped or missing answers."""
    if not is_answered(value):
        return "–"
    if field.kind == "choice":
        return field.choice_label(value)
    if field.kind == "money":
        return format_money(Decimal(value))
    if field.kind == "number":
        return f"{format_decimal(Decimal(value))} {field.unit}".rstrip()
    if field.kind == "month":
        return format_month(value)
    if field.kind == "file":
        return value.filename if isinstance(value, Attachment) else str(value)
    return str(value)


def summary_lines(answers: Answers, fields: Sequence[Field] = MEASURE_FIELDS) -> list[tuple[str, str]]:
    """(label, display value) for every applicable field that was answered or skipped."""
    return [
        (field.label, format_value(field, answers[field.key]))
        for field in fields
        if field.applies(answers) and answers.get(field.key) is not None
    ]


def answers_to_json(answers: Answers, fields: Sequence[Field] = MEASURE_FIELDS) -> dict[str, Any]:
    """Answers as JSON-safe values (for FSM storage and the database); SKIPPED becomes None."""
    result: dict[str, Any] = {}
    for field in fields:
        if field.key not in answers:
            continue
        value = answers[field.key]
        if value is SKIPPED or value is None:
            result[field.key] = None
        elif field.kind in ("money", "number"):
            result[field.key] = str(value)
        elif field.kind == "month":
            result[field.key] = [value[0], value[1]]
        elif field.kind == "file":
            result[field.key] = {
                "ref": value.ref,
                "filename": value.filename,
                "content_type": value.content_type,
                "size": value.size,
            }
        else:
            result[field.key] = value
    return result


def answers_from_json(data: Mapping[str, Any], fields: Sequence[Field] = MEASURE_FIELDS) -> dict[str, Any]:
    """The inverse of `answers_to_json`; keys of fields that no longer exist are dropped."""
    result: dict[str, Any] = {}
    for field in fields:
        if field.key not in data:
            continue
        value = data[field.key]
        if value is None:
            result[field.key] = SKIPPED
        elif field.kind in ("money", "number"):
            result[field.key] = Decimal(str(value))
        elif field.kind == "month":
            result[field.key] = YearMonth(int(value[0]), None if value[1] is None else int(value[1]))
        elif field.kind == "file":
            result[field.key] = Attachment(**value)
        else:
            result[field.key] = value
    return result
