"""Report fields as data: the order the chat asks in, conditions, cross-field validation and summaries."""

import json
from decimal import Decimal

import pytest

from services.report_fields import (
    ACTION_FIELD_CHOICES,
    KINDS,
    MEASURE_FIELD_BY_KEY,
    MEASURE_FIELDS,
    REPORT_FIELDS,
    SKIPPED,
    Attachment,
    FieldError,
    YearMonth,
    answers_from_json,
    answers_to_json,
    next_field,
    prune_answers,
    summary_lines,
    validate_measure,
    validate_reporter,
)
from services.report_parsing import parse_answer

REPORTING_YEAR = 2025

# One answer per field, as a person would type it in the chat.
TYPED = {
    "title": "LED-Straßenbeleuchtung",
    "area": "Klimaschutz",
    "action_field": "Energie in Gebäuden",
    "status": "abgeschlossen",
    "start": "03/2024",
    "end": "November 2025",
    "cost": "120.000 €",
    "funding": "andere",
    "funding_other": "EU LEADER",
    "funding_amount": "80 Tsd.",
    "co2_saving": "ca. 35 t",
    "description": "1.200 Leuchten auf LED umgestellt.",
    "link": "www.musterstadt.de/led",
}


def complete_measure(**changes):
    """A valid, finished and funded measure."""
    answers = {
        "title": "LED-Straßenbeleuchtung",
        "area": "klimaschutz",
        "action_field": "gebaeude",
        "status": "abgeschlossen",
        "start": YearMonth(2024, 3),
        "end": YearMonth(2025, 11),
        "cost": Decimal("120000.00"),
        "funding": "hkr",
        "funding_amount": Decimal("80000.00"),
        "co2_saving": Decimal("35"),
        "description": "1.200 Leuchten auf LED umgestellt.",
        "link": "https://www.musterstadt.de/led",
        "attachment": SKIPPED,
    }
    answers.update(changes)
    return answers


def keys(errors):
    return sorted(error.key for error in errors)


def walk(typed, skip=()):
    """Ask field after field like the chat does; return the keys asked and the answers."""
    answers, asked = {}, []
    while (field := next_field(answers)) is not None:
        asked.append(field.key)
        assert len(asked) <= len(MEASURE_FIELDS), "next_field loops"
        text = "überspringen" if field.key in skip or field.key not in typed else typed[field.key]
        answers[field.key] = parse_answer(field, text, answers)
    return asked, answers


def test_the_field_list_is_consistent_data():
    all_keys = [field.key for field in MEASURE_FIELDS + REPORT_FIELDS]
    assert len(all_keys) == len(set(all_keys))
    for field in MEASURE_FIELDS + REPORT_FIELDS:
        assert field.kind in KINDS
        assert field.label and field.question
        assert bool(field.choices) == (field.kind == "choice")
        if field.kind in ("text", "url", "email"):
            assert field.max_length
        if field.choices:
            values = [value for value, _ in field.choices]
            assert len(values) == len(set(values))
            assert {value for _, value in field.aliases} <= set(values)


def test_fields_of_action_are_the_documented_stable_ids():
    assert [value for value, _ in ACTION_FIELD_CHOICES] == [
        "gebaeude", "erneuerbare", "mobilitaet", "beschaffung", "wasser", "stadtplanung",
        "hitzeschutz", "starkregen", "gruen", "information", "sonstiges",
    ]  # fmt: skip


def test_conditions_only_look_at_earlier_fields():
    class Recording(dict):
        def __init__(self):
            super().__init__()
            self.read = set()

        def get(self, key, default=None):
            self.read.add(key)
            return super().get(key, default)

        def __getitem__(self, key):
            self.read.add(key)
            return super().__getitem__(key)

    earlier = set()
    for field in MEASURE_FIELDS:
        for predicate in (field.when, field.required_when):
            if predicate is not None:
                answers = Recording()
                predicate(answers)
                assert answers.read <= earlier, f"{field.key} looks ahead at {answers.read - earlier}"
        earlier.add(field.key)


@pytest.mark.parametrize(
    ("funding", "expected_extra"),
    [
        ("keine", []),
        ("HKR", ["funding_amount"]),
        ("Kommunalrichtlinie", ["funding_amount"]),
        ("andere", ["funding_other", "funding_amount"]),
    ],
)
def test_next_field_walks_all_fields_and_respects_conditions(funding, expected_extra):
    asked, answers = walk({**TYPED, "funding": funding})
    expected = ["title", "area", "action_field", "status", "start", "end", "cost", "funding"]
    expected += expected_extra + ["co2_saving", "description", "link", "attachment"]
    assert asked == expected
    assert answers["attachment"] is SKIPPED
    assert validate_measure(answers, reporting_year=REPORTING_YEAR) == []


def test_skipped_optional_fields_count_as_answered():
    asked, answers = walk({**TYPED, "status": "in Umsetzung"}, skip={"end", "co2_saving", "link"})
    assert answers["end"] is SKIPPED and answers["co2_saving"] is SKIPPED and answers["link"] is SKIPPED
    assert next_field(answers) is None
    assert validate_measure(answers, reporting_year=REPORTING_YEAR) == []


def test_a_skipped_end_is_asked_again_once_the_measure_is_finished():
    answers = complete_measure(status="in_umsetzung", end=SKIPPED)
    assert next_field(answers) is None
    answers["status"] = "abgeschlossen"
    assert next_field(answers).key == "end"
    assert keys(validate_measure(answers)) == ["end"]


def test_changed_funding_prunes_the_answers_that_no_longer_apply():
    answers = complete_measure(funding="andere", funding_other="LEADER")
    answers["funding"] = "keine"
    pruned = prune_answers(answers)
    assert "funding_other" not in pruned and "funding_amount" not in pruned
    assert pruned["cost"] == answers["cost"]
    # A stale funding amount above the cost is no error once funding is "keine".
    assert validate_measure({**answers, "funding_amount": Decimal("1e6")}) == []


def test_a_complete_measure_is_valid():
    assert validate_measure(complete_measure(), reporting_year=REPORTING_YEAR) == []


def test_missing_required_fields_are_reported_unless_partial():
    answers = {"title": "Dachbegrünung"}
    errors = validate_measure(answers)
    assert keys(errors) == ["action_field", "area", "cost", "description", "funding", "start", "status"]
    assert all(isinstance(error, FieldError) and "fehlt" in error.message for error in errors)
    assert validate_measure(answers, partial=True) == []


@pytest.mark.parametrize(
    ("changes", "error_key", "fragment"),
    [
        ({"start": YearMonth(2025, 5), "end": YearMonth(2025, 4)}, "end", "vor dem Beginn"),
        ({"start": YearMonth(2025, None), "end": YearMonth(2024, 12)}, "end", "vor dem Beginn"),
        ({"funding_amount": Decimal("120000.01")}, "funding_amount", "Gesamtkosten"),
        ({"start": YearMonth(2027, 1), "status": "geplant", "end": SKIPPED}, "start", "2026"),
        ({"end": SKIPPED}, "end", "fehlt"),
        ({"end": YearMonth(2027, 1)}, "end", "Stimmt der Stand"),
        ({"status": "geplant", "start": YearMonth(2026, 1), "end": YearMonth(2036, 1)}, "end", "2035"),
        ({"cost": Decimal("-1")}, "cost", "negativ"),
        ({"area": "irgendwas"}, "area", "Klimaschutz"),
        ({"start": YearMonth(1989, 1)}, "start", "1990"),
        ({"start": YearMonth(2024, 13)}, "start", "Monat"),
        ({"link": "ftp://x.de"}, "link", "http"),
        ({"title": "x" * 151}, "title", "150"),
        ({"attachment": Attachment("r", "a.exe", "application/x-msdownload", 10)}, "attachment", "PDF"),
    ],
)
def test_cross_field_and_value_rules(changes, error_key, fragment):
    errors = validate_measure(complete_measure(**changes), reporting_year=REPORTING_YEAR)
    assert [error.key for error in errors] == [error_key]
    assert fragment in errors[0].message


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (YearMonth(2025, 3), YearMonth(2025, None)),
        (YearMonth(2025, None), YearMonth(2025, 1)),
        (YearMonth(2025, 3), YearMonth(2025, 3)),
        (YearMonth(1990, None), YearMonth(2026, 12)),
    ],
)
def test_year_only_values_span_their_whole_year(start, end):
    assert validate_measure(complete_measure(start=start, end=end), reporting_year=REPORTING_YEAR) == []


def test_without_reporting_year_the_window_rules_are_left_out():
    answers = complete_measure(status="geplant", start=YearMonth(2040, 1), end=YearMonth(2050, 1))
    assert validate_measure(answers) == []
    assert keys(validate_measure(answers, reporting_year=REPORTING_YEAR)) == ["end", "start"]


def test_partial_validation_checks_each_answer_as_it_comes():
    answers = {"status": "abgeschlossen", "start": YearMonth(2025, 6), "end": YearMonth(2025, 2)}
    assert keys(validate_measure(answers, partial=True)) == ["end"]


def test_reporter_fields():
    assert (
        validate_reporter(
            {"reporter_name": "Maria Muster", "reporter_email": "m@musterstadt.de", "reporter_role": "KSM"}
        )
        == []
    )
    assert keys(validate_reporter({"reporter_email": "kaputt"})) == [
        "reporter_email",
        "reporter_name",
        "reporter_role",
    ]


def test_summary_lines_show_german_values_and_leave_out_what_does_not_apply():
    answers = complete_measure(
        start=YearMonth(2024, None),
        cost=Decimal("12500.50"),
        co2_saving=Decimal("1234.5"),
        funding="keine",
        attachment=Attachment("r", "plan.pdf", "application/pdf", 100),
    )
    lines = dict(summary_lines(answers))
    assert lines["Bereich"] == "Klimaschutz"
    assert lines["Handlungsfeld"] == "Energie in Gebäuden"
    assert lines["Beginn"] == "2024"
    assert lines["Ende"] == "11/2025"
    assert lines["Gesamtkosten"] == "12.500,50 €"
    assert lines["Förderung"] == "keine"
    assert "Fördersumme" not in lines
    assert lines["Geschätzte THG-Einsparung"] == "1.234,5 t CO₂e/Jahr"
    assert lines["Foto/PDF"] == "plan.pdf"
    assert dict(summary_lines(complete_measure(cost=Decimal("120000.00"), link=SKIPPED)))["Link"] == "–"
    assert [label for label, _ in summary_lines({"title": "A"})] == ["Titel"]


def test_answers_survive_a_json_round_trip():
    answers = complete_measure(
        start=YearMonth(2024, None),
        attachment=Attachment("file-1", "foto.jpg", "image/jpeg", 1234),
        co2_saving=SKIPPED,
    )
    data = json.loads(json.dumps(answers_to_json(answers)))
    assert data["co2_saving"] is None
    assert answers_from_json({**data, "removed_field": 1}) == answers


def test_the_end_is_required_only_for_finished_measures():
    assert MEASURE_FIELD_BY_KEY["end"].is_required({"status": "abgeschlossen"})
    assert not MEASURE_FIELD_BY_KEY["end"].is_required({"status": "geplant"})
