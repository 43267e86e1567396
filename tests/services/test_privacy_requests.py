"""Recognising a request about one's own personal data."""

import pytest

from services.privacy_requests import PrivacyWish, advisor_note, privacy_wish


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("Bitte löschen Sie alle meine personenbezogenen Daten.", PrivacyWish.ERASURE),
        ("Please delete all personal data you hold about me", PrivacyWish.ERASURE),
        ("Bitte entfernen Sie meine E-Mail-Adresse aus dem Verteiler", PrivacyWish.ERASURE),
        ("Welche Daten haben Sie über mich gespeichert?", PrivacyWish.ACCESS),
        ("I request access to my personal data under Art. 15 GDPR", PrivacyWish.ACCESS),
        ("Auskunft über meine gespeicherten Daten nach DSGVO", PrivacyWish.ACCESS),
    ],
)
def test_requests_about_ones_own_data_are_recognised(text, wish):
    assert privacy_wish(text) is wish


@pytest.mark.parametrize(
    "text",
    [
        "Wie lösche ich eine Maßnahme aus der Datenbank?",
        "Welche Daten brauchen wir für die THG-Bilanz?",
        "Können wir alle Daten aus der alten Bilanz löschen?",
    ],
)
def test_questions_about_other_data_are_not_privacy_requests(text):
    assert privacy_wish(text) is None


def test_the_note_names_the_command_and_the_unproven_identity():
    note = advisor_note(PrivacyWish.ACCESS, "a@example.org")
    assert "klimabot privacy export --email a@example.org" in note and "nicht nachgewiesen" in note
