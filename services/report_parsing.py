"""Generous parsing of typed German answers into report values, with German errors that say what is expected.

Decisions:
- Money: "12.500,50 €", "12500", "12,5 Tsd.", "125 T€", "1,5 Mio. €", "ca. 10.000 Euro", "EUR 3.000",
  "3.000,- €" and the English "12,500.50" are read; "0", "keine", "keine Kosten", "kostenlos" are 0 €.
  A comma followed by exactly three digits ("12,500") is ambiguous (German 12,5 or English 12500) and is
  refused with an example; so are more than two decimal places. Negative amounts are refused.
- Numbers (tonnes CO₂e per year): "10 t", "ca. 10 Tonnen", "0,5", "1.234,5 t CO2e", "500 kg" (→ 0,5 t),
  "keine" → 0. A comma is always the decimal separator here; a single dot before three digits groups
  thousands (German "1.234"), before one, two or four and more digits it is a decimal point ("0.5").
- Months: "03/2025", "3/2025", "03.2025", "2025-03", "März 2025", "Mrz. 2025", "maerz 25", "15.03.2025"
  (the day is dropped) and a bare "2025" (→ YearMonth(2025, None), a year-only value). Two-digit years
  mean 20xx up to 50 and 19xx above. Quarters and seasons ("Q2 2025", "Ende 2025") are refused with a hint
  to give a month or just the year, because their month depends on whether a start or an end is meant.
- Skip words ("überspringen", "keine Angabe", "k. A.", "unbekannt", "-") give SKIPPED for optional
  fields and a "required" error otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rapidfuzz import fuzz, process

from knowledge.text import fold
from services.email_address import normalize_address
from services.report_fields import (
    ALLOWED_ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_URL_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    SKIPPED,
    Attachment,
    Field,
    YearMonth,
    check_value,
    is_web_url,
)


class ParseError(ValueError):
    """A typed answer that cannot be read; the message is German and says what is expected."""

    def __init__(self, message: str) -> None:
        """Keep the message for the person who typed the answer."""
        super().__init__(message)
        self.message = message


COST_NEGATIVE = "Die Kosten können nicht negativ sein."
SAVING_NEGATIVE = "Die Einsparung kann nicht negativ sein."

# Rapidfuzz ratio at which a typo still picks a choice ("Klimaschtz" 95, "Mobilitat" 94); "Klima" alone
# (ratio 59 against "klimaschutz") stays below and is handled as an ambiguous prefix instead.
CHOICE_FUZZY_THRESHOLD = 80.0
_CHOICE_FUZZY_MARGIN = 5.0
_MIN_PREFIX = 3

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_DASHES = str.maketrans(
    {"\u2212": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-"}
)
# Control and invisible characters, and what XML 1.0 cannot carry (exports are XML inside XLSX).
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff\ud800-\udfff\ufffe\uffff]"
)

# Folded answers that mean "no answer"; a bare dash is how German forms say "not applicable".
_SKIP_WORDS = frozenset(
    {
        "-", "--", "---", "/", "n/a", "k.a", "k. a", "ka", "keine angabe", "keine angaben", "ohne angabe",
        "unbekannt", "nicht bekannt", "weiss nicht", "weiss ich nicht", "ueberspringen", "uebersprungen",
        "bitte ueberspringen", "skip", "weiter", "entfaellt", "nicht angeben",
    }
)  # fmt: skip

_APPROX_PREFIX = re.compile(
    r"^(?:ca\.?|circa|zirka|etwa|rund|ungefaehr|ungef\.|geschaetzt|schaetzungsweise|knapp|~|≈|about|approx\.?)\s*"
)
_MINUS_PREFIX = re.compile(r"^(?:-|minus\s)\s*(?=[0-9.,])")

_CURRENCY_PREFIX = re.compile(r"^(?:€|eur\.?|euro)\s*")
# Suffix tokens, read from the right; a leftmost match wins, so "t€" is found before "€".
_MONEY_SUFFIX = re.compile(
    r"(?:,-{1,2}|\.-{1,2}|t€|teur|tsd\.?|tausend|k|mio\.?|millionen|million|mrd\.?|milliarden|milliarde"
    r"|€|eur\.?|euros?|brutto|netto|gesamt|insgesamt)$"
)
_MONEY_MULTIPLIERS: Mapping[str, Decimal] = {
    "t€": Decimal(1000),
    "teur": Decimal(1000),
    "tsd": Decimal(1000),
    "tsd.": Decimal(1000),
    "tausend": Decimal(1000),
    "k": Decimal(1000),
    "mio": Decimal(10) ** 6,
    "mio.": Decimal(10) ** 6,
    "million": Decimal(10) ** 6,
    "millionen": Decimal(10) ** 6,
    "mrd": Decimal(10) ** 9,
    "mrd.": Decimal(10) ** 9,
    "milliarde": Decimal(10) ** 9,
    "milliarden": Decimal(10) ** 9,
}
_NUMBER_SUFFIX = re.compile(
    r"(?:co2-?(?:aeq|eq|e|aequivalente?)?\.?|thg|"
    r"t/a|t/jahr|/a|/jahr|pro jahr|im jahr|je jahr|jaehrlich|p\.\s?a\.|pa|"
    r"tonnen|tonne|to\.?|t|kg|kilogramm|tsd\.?|tausend)$"
)
_NUMBER_MULTIPLIERS: Mapping[str, Decimal] = {
    "kg": Decimal("0.001"),
    "kilogramm": Decimal("0.001"),
    "tsd": Decimal(1000),
    "tsd.": Decimal(1000),
    "tausend": Decimal(1000),
}
_MONEY_ZERO = frozenset({"0", "keine", "keine kosten", "kostenlos", "kostenfrei", "null", "nichts", "gratis"})
_NUMBER_ZERO = frozenset({"0", "keine", "keine einsparung", "null", "nichts"})

_PLAIN = re.compile(r"^[0-9]+$")
_COMMA_DECIMAL = re.compile(r"^([0-9]+),([0-9]+)$")
_DOT_GROUPS = re.compile(r"^[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?$")
_SPACE_GROUPS = re.compile(r"^[1-9][0-9]{0,2}(?:[ '’][0-9]{3})+(?:,[0-9]+)?$")
_ENGLISH_GROUPS = re.compile(r"^[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
# Longer numbers are typing accidents; the limit also keeps Decimal arithmetic within its 28 digits.
_MAX_DIGITS = 15
_DOT_DECIMAL = re.compile(r"^([0-9]+)\.([0-9]+)$")

_MONTHS: Mapping[str, int] = {
    "januar": 1, "jan": 1, "jaenner": 1, "january": 1,
    "februar": 2, "feb": 2, "febr": 2, "february": 2,
    "maerz": 3, "marz": 3, "mrz": 3, "maer": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_EXAMPLE = "Bitte Monat und Jahr angeben, z. B. 03/2025 oder März 2025 – oder nur das Jahr, z. B. 2025."
_NUMERIC_MONTH = re.compile(r"^([0-9]{1,2})\s*[/.\-]\s*([0-9]{4}|[0-9]{2})$")
_ISO_MONTH = re.compile(r"^([0-9]{4})\s*[-/]\s*([0-9]{1,2})$")
_FULL_DATE = re.compile(r"^([0-9]{1,2})\.\s*([0-9]{1,2})\.\s*([0-9]{4}|[0-9]{2})$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_NAMED_MONTH = re.compile(r"^([a-z]+)\.?\s*'?([0-9]{4}|[0-9]{2})$")
_YEAR_ONLY = re.compile(r"^([0-9]{4})$")
_VAGUE_MONTH = re.compile(
    r"(?:^q[1-4]|quartal|anfang|mitte|ende|fruehjahr|fruehling|sommer|herbst|winter|halbjahr)"
)


def _clean(text: str) -> str:
    """NFC, no control characters, single spaces, trimmed."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def _lower(text: str) -> str:
    """Clean, lower-case text with umlauts spelled out and plain hyphens for dashes and minus signs.

    Unlike `knowledge.text.fold` it leaves other characters alone: NFKD would turn "10²" into "102".
    """
    text = _clean(text).translate(_DASHES).casefold()
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


def is_skip(text: str) -> bool:
    """Whether the text means "no answer" (überspringen, keine Angabe, k. A., -)."""
    key = _lower(text)
    return key in _SKIP_WORDS or key.rstrip(".!") in _SKIP_WORDS


def _strip_approx(text: str) -> str:
    """Drop leading "ca.", "etwa", "rund", "~" and similar."""
    while True:
        stripped = _APPROX_PREFIX.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def _parse_decimal(text: str, *, example: str, ambiguous_comma: bool) -> Decimal:
    """A German (or unambiguous English) decimal number without sign or unit."""
    text = text.strip()
    if sum(ch.isdigit() for ch in text) > _MAX_DIGITS:
        raise ParseError(f"Die Zahl ist unplausibel lang. Bitte z. B. {example} eingeben.")
    if _SPACE_GROUPS.match(text):
        text = re.sub(r"[ '’]", ".", text)
    if _PLAIN.match(text):
        return Decimal(text)
    if match := _COMMA_DECIMAL.match(text):
        whole, fraction = match.groups()
        if ambiguous_comma and len(fraction) == 3 and not whole.startswith("0"):
            raise ParseError(
                f"„{text}“ ist nicht eindeutig. Meinen Sie {whole}.{fraction} (mit Tausenderpunkt) "
                f"oder {whole},{fraction[:2]} (höchstens zwei Nachkommastellen)?"
            )
        return Decimal(f"{whole}.{fraction}")
    if _DOT_GROUPS.match(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if _ENGLISH_GROUPS.match(text) and ("." in text or text.count(",") > 1):
        return Decimal(text.replace(",", ""))
    if (match := _DOT_DECIMAL.match(text)) and (len(match.group(2)) != 3 or match.group(1) == "0"):
        return Decimal(text)
    raise ParseError(f"Das habe ich nicht als Zahl erkannt. Bitte z. B. {example} eingeben.")


def _strip_suffixes(
    text: str, pattern: re.Pattern[str], multipliers: Mapping[str, Decimal]
) -> tuple[str, Decimal]:
    """Remove unit, currency and multiplier tokens from the right; return the rest and the multiplier."""
    factor = Decimal(1)
    seen_multiplier = False
    while True:
        text = text.rstrip()
        match = pattern.search(text)
        if not match or match.start() == 0:
            return text, factor
        token = match.group(0)
        if token in multipliers:
            if seen_multiplier:
                raise ParseError("Bitte nur eine Größenangabe verwenden, z. B. „12,5 Tsd.“ oder „1,5 Mio.“.")
            seen_multiplier = True
            factor = multipliers[token]
        text = text[: match.start()]


def _to_places(value: Decimal, places: int) -> Decimal:
    """`value` with exactly `places` decimals (round half up)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _plain_decimal(value: Decimal) -> Decimal:
    """`value` without trailing zeros and without an exponent (1000, not 1E+3)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def parse_money(text: str, *, negative_error: str = COST_NEGATIVE) -> Decimal:
    """Euro amount with two decimal places from German spellings ("12.500,50 €", "1,5 Mio", "keine")."""
    example = "12.500 € oder 12.500,50 €"
    value = _lower(text)
    if not value:
        raise ParseError(f"Bitte einen Betrag in Euro angeben, z. B. {example}.")
    value = _strip_approx(value)
    if value.rstrip(".!") in _MONEY_ZERO:
        return Decimal("0.00")
    if _MINUS_PREFIX.match(value) or _MINUS_PREFIX.match(_CURRENCY_PREFIX.sub("", value)):
        raise ParseError(negative_error)
    value = _strip_approx(_CURRENCY_PREFIX.sub("", value))
    number, factor = _strip_suffixes(value, _MONEY_SUFFIX, _MONEY_MULTIPLIERS)
    if _MINUS_PREFIX.match(number):
        raise ParseError(negative_error)
    amount = _parse_decimal(number, example=example, ambiguous_comma=factor == 1) * factor
    if amount != _to_places(amount, 2):
        raise ParseError(f"Bitte höchstens zwei Nachkommastellen (Cent) angeben, z. B. {example}.")
    return _to_places(amount, 2)


def parse_number(text: str, *, negative_error: str = SAVING_NEGATIVE) -> Decimal:
    """Tonnes (CO₂e per year) from German spellings ("ca. 10 t", "1.234,5 t CO2e", "500 kg"); 3 decimals at most."""
    example = "12,5 oder 1.200 t"
    value = _lower(text).replace("₂", "2").replace("co²", "co2")
    if not value:
        raise ParseError(f"Bitte eine Zahl angeben, z. B. {example}.")
    value = _strip_approx(value)
    if value.rstrip(".!") in _NUMBER_ZERO:
        return Decimal(0)
    if _MINUS_PREFIX.match(value):
        raise ParseError(negative_error)
    number, factor = _strip_suffixes(value, _NUMBER_SUFFIX, _NUMBER_MULTIPLIERS)
    if _MINUS_PREFIX.match(number):
        raise ParseError(negative_error)
    amount = _parse_decimal(number, example=example, ambiguous_comma=False) * factor
    return _plain_decimal(_to_places(amount, 3))


def _year(text: str) -> int:
    """Four-digit year as given; two digits mean 20xx up to 50 and 19xx above."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= 50 else 1900
    return year


def _year_month(year: int, month: int | None) -> YearMonth:
    """A checked YearMonth."""
    if month is not None and not 1 <= month <= 12:
        raise ParseError(f"Einen Monat {month} gibt es nicht. {_MONTH_EXAMPLE}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ParseError(f"Das Jahr muss zwischen {MIN_YEAR} und {MAX_YEAR} liegen. {_MONTH_EXAMPLE}")
    return YearMonth(year, month)


def parse_month(text: str) -> YearMonth:
    """Month and year ("03/2025", "März 2025", "2025-03") or a bare year ("2025" → YearMonth(2025, None))."""
    value = _lower(text).rstrip(".")
    value = re.sub(r"^(?:im|ab|seit|bis|von|in)\s+", "", value)
    if not value:
        raise ParseError(_MONTH_EXAMPLE)
    if match := _YEAR_ONLY.match(value):
        return _year_month(int(match.group(1)), None)
    if match := _NUMERIC_MONTH.match(value):
        return _year_month(_year(match.group(2)), int(match.group(1)))
    if match := _ISO_MONTH.match(value):
        return _year_month(int(match.group(1)), int(match.group(2)))
    if match := _FULL_DATE.match(value):
        day, month, year = match.groups()
        if not 1 <= int(day) <= 31:
            raise ParseError(f"„{_clean(text)}“ ist kein gültiges Datum. {_MONTH_EXAMPLE}")
        return _year_month(_year(year), int(month))
    if match := _ISO_DATE.match(value):
        year, month, day = match.groups()
        if not 1 <= int(day) <= 31:
            raise ParseError(f"„{_clean(text)}“ ist kein gültiges Datum. {_MONTH_EXAMPLE}")
        return _year_month(int(year), int(month))
    if (match := _NAMED_MONTH.match(value)) and match.group(1) in _MONTHS:
        return _year_month(_year(match.group(2)), _MONTHS[match.group(1)])
    if value.rstrip(".") in _MONTHS:
        raise ParseError("Bitte auch das Jahr angeben, z. B. März 2025 oder 03/2025.")
    if _VAGUE_MONTH.search(value):
        raise ParseError(
            "Bitte einen Monat angeben (z. B. 04/2025) oder, wenn Sie ihn nicht wissen, nur das Jahr (z. B. 2025)."
        )
    raise ParseError(f"Das habe ich nicht als Datum erkannt. {_MONTH_EXAMPLE}")


def _choice_forms(field: Field) -> list[tuple[str, str]]:
    """(folded spelling, value) for every value id, label and alias of a choice field."""
    forms = []
    for value, label in field.choices:
        forms.append((fold(value).replace("_", " "), value))
        forms.append((fold(label), value))
    forms.extend((fold(alias), value) for alias, value in field.aliases)
    return forms


def _options(field: Field) -> str:
    """The labels of a choice field, for error messages."""
    return ", ".join(f"„{label}“" for _, label in field.choices)


def _match_choice(key: str, field: Field) -> str | None:
    """The choice value `key` (folded) names exactly, by a unique prefix or with a small typo."""
    forms = _choice_forms(field)
    exact = {value for form, value in forms if form == key}
    if len(exact) == 1:
        return exact.pop()
    if len(key) >= _MIN_PREFIX:
        prefixed = {
            value
            for form, value in forms
            if form.startswith(key) or any(word.startswith(key) for word in re.findall(r"[a-z0-9]+", form))
        }
        if len(prefixed) == 1:
            return prefixed.pop()
        if len(prefixed) > 1:
            labels = ", ".join(f"„{field.choice_label(v)}“" for v, _ in field.choices if v in prefixed)
            raise ParseError(f"Das passt zu mehreren Angaben: {labels}. Bitte genauer angeben.")
        scored = process.extract(key, [form for form, _ in forms], scorer=fuzz.ratio, limit=None)
        best: dict[str, float] = {}
        for _, score, index in scored:
            value = forms[index][1]
            best[value] = max(best.get(value, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if ranked and ranked[0][1] >= CHOICE_FUZZY_THRESHOLD:
            if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= _CHOICE_FUZZY_MARGIN:
                return ranked[0][0]
    return None


def parse_choice(text: str, field: Field) -> str:
    """The value id of the choice the text names: its number, label, a unique prefix, an alias or a typo."""
    key = re.sub(r"[\s.!?:;,\"'„“”()]+$", "", fold(_clean(text))).strip(" \"'„“”(")
    if not key:
        raise ParseError(f"Bitte wählen Sie eine der Angaben: {_options(field)}.")
    if re.fullmatch(r"[0-9]{1,2}", key) and 1 <= int(key) <= len(field.choices):
        return field.choices[int(key) - 1][0]
    value = _match_choice(key, field)
    if value is None and ":" in key:
        # "andere: EU-Förderung LEADER" names the choice before the colon.
        value = _match_choice(key.split(":", 1)[0].strip(), field)
    if value is None:
        raise ParseError(
            f"Das habe ich nicht zuordnen können. Bitte wählen Sie eine der Angaben: {_options(field)}."
        )
    return value


def parse_text(
    text: str, *, max_length: int | None = None, multiline: bool = False, label: str = "Text"
) -> str:
    """Trimmed text without control characters; line breaks kept only when `multiline`; never empty."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        lines = [_clean(line) for line in text.split("\n")]
        value = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        value = _clean(text)
    if not value:
        raise ParseError(f"„{label}“ darf nicht leer sein.")
    if max_length is not None and len(value) > max_length:
        raise ParseError(
            f"„{label}“ darf höchstens {max_length} Zeichen lang sein (Ihr Text hat {len(value)}). Bitte kürzen."
        )
    return value


def parse_url(text: str) -> str:
    """An http(s) URL; "www.musterstadt.de/klima" gets https:// in front."""
    value = _clean(text).strip("<>\"'„“”")
    example = "https://www.musterstadt.de/klimaschutz"
    if not value or " " in value:
        raise ParseError(f"Bitte eine Webadresse angeben, z. B. {example}.")
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme in ("http", "https"):
        value = scheme + value[len(scheme) :]
    elif "://" in value or scheme in ("mailto", "javascript", "data", "file", "ftp"):
        raise ParseError(f"Bitte nur Webadressen mit http:// oder https:// angeben, z. B. {example}.")
    else:
        value = "https://" + value
    if len(value) > MAX_URL_LENGTH:
        raise ParseError(f"Die Webadresse darf höchstens {MAX_URL_LENGTH} Zeichen lang sein.")
    if not is_web_url(value):
        raise ParseError(f"Das sieht nicht wie eine Webadresse aus. Bitte z. B. {example} angeben.")
    return value


def parse_email(text: str) -> str:
    """An e-mail address we can send to, lower-cased (the one rule of `services.email_address`)."""
    value = _clean(text).strip("<>\"'„“”()")
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    address = normalize_address(value)
    if address is None:
        raise ParseError(
            "Das sieht nicht wie eine E-Mail-Adresse aus. Bitte z. B. m.muster@musterstadt.de angeben."
        )
    return address


def parse_attachment(field: Field, *, ref: str, filename: str, content_type: str, size: int) -> Attachment:
    """A stored upload checked against the allowed types and the size limit."""
    content_type = content_type.split(";", 1)[0].strip().lower()
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise ParseError("Bitte nur ein Foto (JPEG oder PNG) oder eine PDF-Datei senden.")
    if size > MAX_ATTACHMENT_BYTES:
        raise ParseError(
            f"Die Datei ist zu groß; erlaubt sind höchstens {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."
        )
    if size <= 0:
        raise ParseError("Die Datei ist leer. Bitte senden Sie sie noch einmal.")
    name = _clean(filename) or f"{field.key}{ALLOWED_ATTACHMENT_TYPES[content_type]}"
    return Attachment(ref=ref, filename=name[:200], content_type=content_type, size=size)


def parse_answer(field: Field, text: str, answers: Mapping[str, Any] | None = None) -> Any:
    """The typed answer to `field` as its stored value, or SKIPPED for a skipped optional field."""
    if is_skip(text):
        if field.is_required(answers or {}):
            raise ParseError(f"„{field.label}“ wird benötigt und kann nicht übersprungen werden.")
        return SKIPPED
    value = _PARSERS[field.kind](field, text)
    message = check_value(field, value)
    if message:
        raise ParseError(message)
    return value


def _answer_file(field: Field, text: str) -> Any:
    raise ParseError(
        "Bitte senden Sie das Foto oder die PDF-Datei als Anhang (höchstens "
        f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB) – oder schreiben Sie „überspringen“."
    )


_PARSERS = {
    "text": lambda f, t: parse_text(t, max_length=f.max_length, multiline=f.multiline, label=f.label),
    "choice": lambda f, t: parse_choice(t, f),
    "money": lambda f, t: parse_money(t, negative_error=f.min_error or COST_NEGATIVE),
    "number": lambda f, t: parse_number(t, negative_error=f.min_error or SAVING_NEGATIVE),
    "month": lambda f, t: parse_month(t),
    "url": lambda f, t: parse_url(t),
    "email": lambda f, t: parse_email(t),
    "file": _answer_file,
}
