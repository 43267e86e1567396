"""Booking keys of the advisors file: defaults, the example file, and errors that name line and advisor."""

from pathlib import Path

import pytest

from services.advisors import AdvisorsFileError, load_advisors, parse_advisors
from services.booking import TOPICS, BookingConfigError, booking_schedules

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
advisors:
  - name: Anna Berater
    email: anna@example.org
    topics: [foerderung]
  - name: Bernd Beispiel
    email: bernd@example.org
"""


def test_the_example_file_yields_schedules_with_the_defaults():
    schedules = booking_schedules(load_advisors(ROOT / "advisors.example.yaml"))
    anna = schedules.get("Anna.Berater@example.org")
    assert anna is not None and anna.name == "Anna Berater"
    assert (anna.slot_minutes, anna.buffer_minutes, anna.formats) == (60, 15, ("phone", "video", "onsite"))
    assert [(r.start.isoformat("minutes"), r.end.isoformat("minutes")) for r in anna.hours[0]] == [
        ("09:00", "12:00"),
        ("13:00", "16:00"),
    ]
    assert anna.hours[1] == () and len(anna.hours[2]) == 1
    assert schedules.offered_topics() == list(TOPICS)
    assert [a.email for a in schedules.covering("thg-bilanz")] == [
        "anna.berater@example.org",
        "bernd.beispiel@example.org",
    ]


def test_the_five_topics_have_german_labels():
    assert TOPICS == {
        "klimaschutz": "Klimaschutz",
        "klimaanpassung": "Klimaanpassung",
        "foerderung": "Förderung",
        "thg-bilanz": "Treibhausgasbilanz/Aktionsplan",
        "sonstiges": "Sonstiges",
    }


def test_optional_keys_are_read():
    text = HEAD + (
        "    topics: [sonstiges]\n    slot_minutes: 45\n    buffer_minutes: 0\n    formats: [video, phone]\n"
        "    hours:\n      sun: '10:00-11:30'\n"
    )
    bernd = booking_schedules(parse_advisors(text)).get("bernd@example.org")
    assert (bernd.slot_minutes, bernd.buffer_minutes, bernd.formats) == (45, 0, ("phone", "video"))
    assert bernd.hours[6][0].start.hour == 10 and bernd.covers("sonstiges")


def test_an_advisor_without_hours_offers_no_topic():
    schedules = booking_schedules(parse_advisors(HEAD))
    assert schedules.covering("foerderung") == () and schedules.offered_topics() == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    hours:\n      mon: ['9-12']\n", "'hours.mon': '9-12' ist kein Zeitraum wie 09:00-12:00"),
        ("    hours:\n      mon: [900]\n", "'hours.mon': 900 ist kein Zeitraum wie 09:00-12:00"),
        ("    hours:\n      mo: ['09:00-12:00']\n", "'hours': unbekannter Wochentag 'mo'"),
        (
            "    hours:\n      tue: ['12:00-09:00']\n",
            "'hours.tue': in '12:00-09:00' liegt das Ende nicht nach",
        ),
        (
            "    hours:\n      tue: ['25:00-26:00']\n",
            "'hours.tue': '25:00-26:00' enthält keine gültige Uhrzeit",
        ),
        (
            "    hours:\n      wed: ['09:00-12:00', '11:00-13:00']\n",
            "'hours.wed': die Zeiträume überschneiden",
        ),
        (
            "    hours:\n      thu: ['09:00-09:30']\n",
            "'hours.thu': 09:00-09:30 ist kürzer als ein Termin (60",
        ),
        ("    hours: ['09:00-12:00']\n", "'hours' muss Wochentage zuordnen"),
        ("    hours:\n      fri: {a: b}\n", "'hours.fri' muss eine Liste"),
        ("    slot_minutes: viel\n", "'slot_minutes': 'viel' ist keine ganze Zahl von 15 bis 240"),
        ("    buffer_minutes: -5\n", "'buffer_minutes': -5 ist keine ganze Zahl von 0 bis 120"),
        ("    formats: [fax]\n", "'formats': unbekanntes Format 'fax'"),
        ("    formats: []\n", "'formats' muss eine nicht leere Liste"),
        ("    topics: [energie]\n", "'topics': unbekanntes Thema 'energie'"),
    ],
)
def test_a_wrong_booking_key_names_file_line_and_advisor(extra, message):
    directory = parse_advisors(HEAD + extra)
    with pytest.raises(BookingConfigError) as error:
        booking_schedules(directory, "advisors.yaml")
    assert str(error.value).startswith("advisors.yaml, Zeile 5 (Bernd Beispiel): ")
    assert message in str(error.value)


def test_the_error_reads_like_the_issue_example_and_is_an_advisors_file_error():
    directory = parse_advisors(HEAD + "    hours:\n      mon: ['9-12']\n")
    with pytest.raises(AdvisorsFileError) as error:
        booking_schedules(directory, "advisors.yaml")
    assert str(error.value) == (
        "advisors.yaml, Zeile 5 (Bernd Beispiel): 'hours.mon': '9-12' ist kein Zeitraum wie 09:00-12:00"
    )
