"""The advisors file: the documented shape is accepted, unknown keys ignored, errors name the line."""

from pathlib import Path

import pytest

from services.advisors import AdvisorsFileError, UnknownAdvisor, load_advisors, parse_advisors

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_file_and_the_booking_shape_are_accepted():
    directory = load_advisors(ROOT / "advisors.example.yaml")
    anna = directory.by_email("Anna.Berater@example.org")
    assert anna is not None and "foerderung" in anna.topics
    assert anna.extra["hours"]["mon"] == ["09:00-12:00", "13:00-16:00"]
    assert directory.is_advisor("bernd.beispiel@example.org")
    assert not directory.is_advisor("someone@example.org")


def test_a_team_address_receives_escalations_instead_of_everyone():
    directory = load_advisors(ROOT / "advisors.example.yaml", team_address="team@example.org")
    assert directory.escalation_recipients() == [("Fachstelle Klima-Kommunen", "team@example.org")]
    assert directory.is_advisor("team@example.org")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("advisors:\n  - name: A\n    email: kaputt\n", 3, "email"),
        ("advisors:\n  - name: A\n    email: max..muster@gemeinde.de\n", 3, "email"),
        ("team_address: a@localhost\nadvisors:\n  - name: A\n    email: a@b.de\n", 1, "team_address"),
        ("advisors:\n  - name: A\n    email: a@b.de\n  - name: B\n    email: a@b.de\n", 5, "doppelt"),
        ("advisors:\n  - email: a@b.de\n", 2, "name"),
        ("advisors: [\n", 2, "YAML"),
        ("advisors: []\n", 1, "Liste"),
    ],
)
def test_a_wrong_file_gets_a_clear_error_naming_the_line(text, line, fragment):
    with pytest.raises(AdvisorsFileError) as error:
        parse_advisors(text, Path("advisors.yaml"))
    assert f"Zeile {line}" in str(error.value) and fragment in str(error.value)


def test_unknown_keys_are_ignored():
    directory = parse_advisors(
        "advisors:\n  - name: A\n    email: a@b.de\n    telefon: 123\n    slot_minutes: 45\n"
    )
    assert directory.advisors[0].extra == {"telefon": 123, "slot_minutes": 45}


TWO_ANNAS = parse_advisors(
    "advisors:\n  - name: Anna Berater\n    email: anna@example.org\n"
    "  - name: Anna Schmidt\n    email: schmidt@example.org\n  - name: Bernd Beispiel\n    email: b@example.org\n"
)


@pytest.mark.parametrize(
    ("wanted", "email"),
    [
        ("anna berater", "anna@example.org"),
        (" ANNA  Berater ", "anna@example.org"),
        ("Schmidt@Example.org", "schmidt@example.org"),
        ("bernd", "b@example.org"),
    ],
)
def test_an_advisor_is_found_by_name_or_address(wanted, email):
    assert TWO_ANNAS.find(wanted).email == email


@pytest.mark.parametrize(("wanted", "problem"), [("anna", "mehrere"), ("Carla", "nicht in der Beraterliste")])
def test_an_ambiguous_or_unknown_advisor_names_all_advisors(wanted, problem):
    with pytest.raises(UnknownAdvisor) as error:
        TWO_ANNAS.find(wanted)
    message = str(error.value)
    assert (
        problem in message and "Anna Schmidt <schmidt@example.org>" in message and "Bernd Beispiel" in message
    )
