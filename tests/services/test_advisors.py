"""The advisors file: the documented shape is accepted, unknown keys ignored, errors name the line."""

from pathlib import Path

import pytest

from services.advisors import AdvisorsFileError, load_advisors, parse_advisors

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
