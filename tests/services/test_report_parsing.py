"""German answer parsing: real-world spellings of amounts, tonnes and months, choices, and fuzzing."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.report_fields import (
    MAX_MONEY,
    MAX_SAVING,
    MAX_YEAR,
    MEASURE_FIELD_BY_KEY,
    MEASURE_FIELDS,
    MIN_YEAR,
    REPORT_FIELD_BY_KEY,
    REPORT_FIELDS,
    SKIPPED,
    Attachment,
    YearMonth,
    format_decimal,
    format_money,
    format_month,
)
from services.report_parsing import (
    COST_NEGATIVE,
    ParseError,
    is_skip,
    parse_answer,
    parse_attachment,
    parse_choice,
    parse_email,
    parse_money,
    parse_month,
    parse_number,
    parse_text,
    parse_url,
)

FIELDS = {**MEASURE_FIELD_BY_KEY, **REPORT_FIELD_BY_KEY}
ERROR = "error"

MONEY_SPELLINGS = [
    ("12.500,50 €", Decimal("12500.50")),
    ("12500", Decimal("12500")),
    ("12.500", Decimal("12500")),
    ("12,5 Tsd.", Decimal("12500")),
    ("12,5 Tsd. €", Decimal("12500")),
    ("125 T€", Decimal("125000")),
    ("125 TEUR", Decimal("125000")),
    ("1,5 Mio", Decimal("1500000")),
    ("1,5 Mio. €", Decimal("1500000")),
    ("1,5 Millionen Euro", Decimal("1500000")),
    ("1.5 Mio", Decimal("1500000")),
    ("0,25 Mrd.", Decimal("250000000")),
    ("ca. 10.000 Euro", Decimal("10000")),
    ("rund 2 Mio. Euro", Decimal("2000000")),
    ("~ 800 €", Decimal("800")),
    ("EUR 3.000", Decimal("3000")),
    ("€ 3.000,00", Decimal("3000")),
    ("3000€", Decimal("3000")),
    ("3.000,- €", Decimal("3000")),
    ("3.000,--", Decimal("3000")),
    ("12 500 €", Decimal("12500")),
    ("12\u202f500 €", Decimal("12500")),
    ("1.234.567,89", Decimal("1234567.89")),
    ("12,500.50", Decimal("12500.50")),
    ("1,500,000", Decimal("1500000")),
    ("12.50", Decimal("12.50")),
    ("0,5", Decimal("0.50")),
    ("12.500 € brutto", Decimal("12500")),
    ("50k", Decimal("50000")),
    ("0", Decimal("0")),
    ("0 €", Decimal("0")),
    ("keine", Decimal("0")),
    ("keine Kosten", Decimal("0")),
    ("Kostenlos", Decimal("0")),
    ("-500", COST_NEGATIVE),
    ("−500 €", COST_NEGATIVE),
    ("– 1.000 €", COST_NEGATIVE),
    ("EUR -3.000", COST_NEGATIVE),
    ("minus 200", COST_NEGATIVE),
    ("12,500", ERROR),  # German 12,5 or English 12500? Refused with an example.
    ("12,505 €", ERROR),
    ("12,345678", ERROR),
    ("12.50.00", ERROR),
    ("1.2345", ERROR),
    ("zwölf Euro", ERROR),
    ("€", ERROR),
    ("", ERROR),
    ("1 Mio Tsd", ERROR),
    ("1234567890123456789", ERROR),
    ("10²", ERROR),
    ("٣٠٠", ERROR),
]

TONNE_SPELLINGS = [
    ("ca. 10 t", Decimal("10")),
    ("10 t", Decimal("10")),
    ("10t", Decimal("10")),
    ("10 Tonnen", Decimal("10")),
    ("0,5", Decimal("0.5")),
    ("0.5", Decimal("0.5")),
    ("1.234,5 t CO2e", Decimal("1234.5")),
    ("12,5 t CO₂e/a", Decimal("12.5")),
    ("10 t CO2-Äq. pro Jahr", Decimal("10")),
    ("3 t/a", Decimal("3")),
    ("ca. 3", Decimal("3")),
    ("etwa 2,75 Tonnen jährlich", Decimal("2.75")),
    ("500 kg", Decimal("0.5")),
    ("1,5 Tsd. t", Decimal("1500")),
    ("0,0004", Decimal("0")),
    ("keine", Decimal("0")),
    ("-3 t", "Die Einsparung kann nicht negativ sein."),
    ("viel", ERROR),
    ("10 t 5", ERROR),
    ("t", ERROR),
]

MONTH_SPELLINGS = [
    ("03/2025", (2025, 3)),
    ("3/2025", (2025, 3)),
    ("03.2025", (2025, 3)),
    ("3.2025", (2025, 3)),
    ("03-2025", (2025, 3)),
    ("03/25", (2025, 3)),
    ("2025-03", (2025, 3)),
    ("2025/3", (2025, 3)),
    ("März 2025", (2025, 3)),
    ("märz 2025", (2025, 3)),
    ("Mrz. 2025", (2025, 3)),
    ("Mär 2025", (2025, 3)),
    ("maerz 25", (2025, 3)),
    ("MÄRZ '25", (2025, 3)),
    ("Sept. 2024", (2024, 9)),
    ("Dez 2023", (2023, 12)),
    ("Jänner 2024", (2024, 1)),
    ("im Mai 2023", (2023, 5)),
    ("15.03.2025", (2025, 3)),
    ("1.3.25", (2025, 3)),
    ("2025-03-15", (2025, 3)),
    ("2025", (2025, None)),
    ("seit 2019", (2019, None)),
    ("03/95", (1995, 3)),
    ("13/2025", ERROR),
    ("0/2025", ERROR),
    ("März", ERROR),
    ("1989", ERROR),
    ("03/1989", ERROR),
    ("2101", ERROR),
    ("Q2 2025", ERROR),
    ("2. Quartal 2025", ERROR),
    ("Ende 2025", ERROR),
    ("Frühjahr 2024", ERROR),
    ("32.03.2025", ERROR),
    ("morgen", ERROR),
    ("", ERROR),
    ("25", ERROR),
]


@pytest.mark.parametrize(("text", "expected"), MONEY_SPELLINGS)
def test_money_spellings(text, expected):
    if isinstance(expected, Decimal):
        value = parse_money(text)
        assert value == expected
        assert value.as_tuple().exponent == -2
    else:
        with pytest.raises(ParseError) as caught:
            parse_money(text)
        if expected != ERROR:
            assert caught.value.message == expected


@pytest.mark.parametrize(("text", "expected"), TONNE_SPELLINGS)
def test_tonne_spellings(text, expected):
    if isinstance(expected, Decimal):
        assert parse_number(text) == expected
    else:
        with pytest.raises(ParseError) as caught:
            parse_number(text)
        if expected != ERROR:
            assert caught.value.message == expected


@pytest.mark.parametrize(("text", "expected"), MONTH_SPELLINGS)
def test_month_spellings(text, expected):
    if isinstance(expected, tuple):
        assert parse_month(text) == expected
    else:
        with pytest.raises(ParseError):
            parse_month(text)


def test_errors_say_what_is_expected_with_an_example():
    for parse, text in ((parse_money, "zwölf"), (parse_month, "irgendwann"), (parse_number, "viel")):
        with pytest.raises(ParseError) as caught:
            parse(text)
        assert "z. B." in caught.value.message


def test_ambiguous_comma_offers_both_readings():
    with pytest.raises(ParseError) as caught:
        parse_money("12,500 €")
    assert "12.500" in caught.value.message and "12,50" in caught.value.message


def test_month_without_year_asks_for_the_year():
    with pytest.raises(ParseError, match="Jahr"):
        parse_month("März")


def test_quarter_asks_for_a_month_or_the_year():
    with pytest.raises(ParseError, match="nur das Jahr"):
        parse_month("Q2 2025")


CHOICE_SPELLINGS = [
    ("area", "Klimaschutz", "klimaschutz"),
    ("area", "klimaanpassung", "klimaanpassung"),
    ("area", "Anpassung", "klimaanpassung"),
    ("area", "Klimaschtz", "klimaschutz"),
    ("area", "beide", "beides"),
    ("area", "3", "beides"),
    ("area", "  BEIDES!  ", "beides"),
    ("area", "klima", ERROR),
    ("area", "9", ERROR),
    ("action_field", "Energie in Gebäuden", "gebaeude"),
    ("action_field", "energie in gebaeuden", "gebaeude"),
    ("action_field", "Mobilitat", "mobilitaet"),
    ("action_field", "Radverkehr", "mobilitaet"),
    ("action_field", "PV", "erneuerbare"),
    ("action_field", "Erneuerbare", "erneuerbare"),
    ("action_field", "Hitze", "hitzeschutz"),
    ("action_field", "Starkregen", "starkregen"),
    ("action_field", "Hochwasser", "starkregen"),
    ("action_field", "Abwasser/Wasser", "wasser"),
    ("action_field", "Grün und Biodiversität", "gruen"),
    ("action_field", "Stadtplanung", "stadtplanung"),
    ("action_field", "sonstiges", "sonstiges"),
    ("action_field", "energie", ERROR),
    ("action_field", "Raumfahrt", ERROR),
    ("status", "in Umsetzung", "in_umsetzung"),
    ("status", "läuft", "in_umsetzung"),
    ("status", "fertig", "abgeschlossen"),
    ("status", "abgeschl.", "abgeschlossen"),
    ("status", "geplannt", "geplant"),
    ("funding", "keine", "keine"),
    ("funding", "nein", "keine"),
    ("funding", "HKR", "hkr"),
    ("funding", "Hessische Klimarichtlinie", "hkr"),
    ("funding", "Kommunalrichtlinie", "kommunalrichtlinie"),
    ("funding", "NKI", "kommunalrichtlinie"),
    ("funding", "andere: EU LEADER", "andere"),
    ("funding", "", ERROR),
]


@pytest.mark.parametrize(("key", "text", "expected"), CHOICE_SPELLINGS)
def test_choice_spellings(key, text, expected):
    field = FIELDS[key]
    if expected == ERROR:
        with pytest.raises(ParseError) as caught:
            parse_choice(text, field)
        assert field.choices[0][1] in caught.value.message
    else:
        assert parse_choice(text, field) == expected


def test_ambiguous_prefix_lists_the_candidates():
    with pytest.raises(ParseError) as caught:
        parse_choice("Klima", FIELDS["area"])
    assert "Klimaschutz" in caught.value.message and "Klimaanpassung" in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.musterstadt.de/klima", "https://www.musterstadt.de/klima"),
        ("www.musterstadt.de/klima", "https://www.musterstadt.de/klima"),
        ("musterstadt.de", "https://musterstadt.de"),
        ("<https://x.de/a?b=1>", "https://x.de/a?b=1"),
        ("HTTP://Example.DE/A", "http://Example.DE/A"),
        ("https://büdingen.de", "https://büdingen.de"),
        ("ftp://x.de", ERROR),
        ("javascript:alert(1)", ERROR),
        ("mailto:a@b.de", ERROR),
        ("musterstadt", ERROR),
        ("https://", ERROR),
        ("https://x.de/a b", ERROR),
        ("https://x.de:99999", ERROR),
        ("https://user:pw@x.de", ERROR),
    ],
)
def test_urls(text, expected):
    if expected == ERROR:
        with pytest.raises(ParseError):
            parse_url(text)
    else:
        assert parse_url(text) == expected


def test_text_is_trimmed_and_limited():
    assert (
        parse_text("  Neue   LED-Beleuchtung \n im Rathaus ", max_length=150)
        == "Neue LED-Beleuchtung im Rathaus"
    )
    assert parse_text("Zeile 1\r\n\r\n\r\n\r\nZeile 2 ", multiline=True) == "Zeile 1\n\nZeile 2"
    assert parse_text("a\x00b\u200bc") == "abc"
    assert parse_text("Sanierung „Altes Rathaus“ – Phase 2") == "Sanierung „Altes Rathaus“ – Phase 2"
    with pytest.raises(ParseError, match="leer"):
        parse_text(" \n\t ")
    with pytest.raises(ParseError, match="höchstens 150 Zeichen"):
        parse_text("x" * 151, max_length=150)


def test_email_is_lower_cased_by_the_one_address_rule():
    assert parse_email(" M.Muster@Musterstadt.DE ") == "m.muster@musterstadt.de"
    assert parse_answer(FIELDS["reporter_email"], "mailto:info@klima.hessen.de") == "info@klima.hessen.de"
    for text in ("m.muster", "a@b", "a b@c.de", "@c.de", "müller@musterstadt.de", "a@b@c.de"):
        with pytest.raises(ParseError):
            parse_answer(FIELDS["reporter_email"], text)


@pytest.mark.parametrize(
    "text", ["überspringen", "Keine Angabe", "k. A.", "k.A.", "-", "–", "unbekannt", "weiß nicht"]
)
def test_skip_words_skip_optional_fields(text):
    assert is_skip(text)
    assert parse_answer(FIELDS["co2_saving"], text) is SKIPPED
    assert parse_answer(FIELDS["link"], text) is SKIPPED


def test_skip_words_are_refused_for_required_fields():
    with pytest.raises(ParseError, match="übersprungen"):
        parse_answer(FIELDS["cost"], "keine Angabe")
    with pytest.raises(ParseError, match="übersprungen"):
        parse_answer(FIELDS["end"], "-", {"status": "abgeschlossen"})
    assert parse_answer(FIELDS["end"], "-", {"status": "in_umsetzung"}) is SKIPPED


def test_parse_answer_uses_the_field_bounds_and_messages():
    assert parse_answer(FIELDS["cost"], "1,5 Mio. €") == Decimal("1500000")
    with pytest.raises(ParseError, match="Fördersumme kann nicht negativ"):
        parse_answer(FIELDS["funding_amount"], "-5")
    with pytest.raises(ParseError, match="unplausibel hoch"):
        parse_answer(FIELDS["cost"], "2 Mrd.")
    with pytest.raises(ParseError, match="höchstens 150 Zeichen"):
        parse_answer(FIELDS["title"], "x" * 151)


def test_file_fields_take_no_typed_text_but_checked_uploads():
    field = FIELDS["attachment"]
    with pytest.raises(ParseError, match="Anhang"):
        parse_answer(field, "foto.jpg")
    upload = parse_attachment(field, ref="abc", filename="", content_type="image/jpeg; q=1", size=2_000_000)
    assert upload == Attachment(
        ref="abc", filename="attachment.jpg", content_type="image/jpeg", size=2_000_000
    )
    with pytest.raises(ParseError, match="PDF"):
        parse_attachment(field, ref="x", filename="a.docx", content_type="application/msword", size=10)
    with pytest.raises(ParseError, match="10 MB"):
        parse_attachment(
            field, ref="x", filename="a.pdf", content_type="application/pdf", size=11 * 1024 * 1024
        )


# --- properties -----------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def assert_valid(field, value):
    """Independent restatement of each field's constraints."""
    if value is SKIPPED:
        assert not field.required
        return
    kind = field.kind
    if kind == "text":
        assert isinstance(value, str) and value.strip() == value and value
        assert len(value) <= field.max_length
        assert not _CONTROL.search(value)
        if not field.multiline:
            assert "\n" not in value
    elif kind == "choice":
        assert value in {v for v, _ in field.choices}
    elif kind == "money":
        assert isinstance(value, Decimal) and value.is_finite()
        assert Decimal(0) <= value <= MAX_MONEY
        assert value == value.quantize(Decimal("0.01"))
    elif kind == "number":
        assert isinstance(value, Decimal) and value.is_finite()
        assert Decimal(0) <= value <= MAX_SAVING
    elif kind == "month":
        assert isinstance(value, YearMonth)
        assert MIN_YEAR <= value.year <= MAX_YEAR
        assert value.month is None or 1 <= value.month <= 12
    elif kind == "url":
        parts = urlsplit(value)
        assert parts.scheme in ("http", "https") and parts.netloc
        assert not any(ch.isspace() for ch in value)
        assert len(value) <= field.max_length
    elif kind == "email":
        assert value.count("@") == 1 and not any(ch.isspace() for ch in value)
        local, domain = value.split("@")
        assert local and "." in domain
    else:
        pytest.fail(f"{field.key}: a {kind} field accepted typed text: {value!r}")


NUMBERISH = st.text(alphabet="0123456789.,-−– €tTsdMiokKEURa/ ²³", max_size=16)
DATEISH = st.text(alphabet="0123456789./- MärzDezQjanSept'", max_size=14)
WORDISH = st.sampled_from(
    [
        "Klima",
        "beides",
        "HKR",
        "andere",
        "keine",
        "www.x.de",
        "https://a.b",
        "a@b.de",
        "k. A.",
        "Mai 2025",
        "1",
    ]
)
ANY_TEXT = st.one_of(st.text(), NUMBERISH, DATEISH, WORDISH, st.text(alphabet=st.characters(codec="ascii")))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(MEASURE_FIELDS + REPORT_FIELDS), text=ANY_TEXT)
@example(field=FIELDS["cost"], text="9" * 15 + " Mrd")
@example(field=FIELDS["co2_saving"], text="0," + "9" * 14 + " Tsd. t")
@example(field=FIELDS["title"], text="\u2028\ufeff\x85")
@example(field=FIELDS["link"], text="https://[::1")
def test_any_text_is_parsed_into_a_valid_value_or_refused(field, text):
    try:
        value = parse_answer(field, text)
    except ParseError as error:
        assert error.message.strip()
        return
    assert_valid(field, value)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), NUMBERISH))
def test_money_parser_alone_returns_non_negative_cents_or_refuses(text):
    try:
        value = parse_money(text)
    except ParseError:
        return
    assert value >= 0 and value == value.quantize(Decimal("0.01"))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), DATEISH))
def test_month_parser_alone_returns_real_months_or_refuses(text):
    try:
        year, month = parse_month(text)
    except ParseError:
        return
    assert MIN_YEAR <= year <= MAX_YEAR and (month is None or 1 <= month <= 12)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=MAX_MONEY, places=2, allow_nan=False))
def test_formatted_amounts_parse_back(value):
    assert parse_money(format_money(value)) == value


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=MAX_SAVING, places=3, allow_nan=False))
def test_formatted_tonnes_parse_back(value):
    assert parse_number(f"{format_decimal(value)} t CO₂e/Jahr") == value


@settings(max_examples=100, deadline=None)
@given(st.integers(MIN_YEAR, MAX_YEAR), st.one_of(st.none(), st.integers(1, 12)))
def test_formatted_months_parse_back(year, month):
    assert parse_month(format_month(YearMonth(year, month))) == (year, month)
