"""The rules that start a conversation or hand it to a person instead of answering: reporting measures, complaints."""

import pytest

from services.intents import is_complaint, wants_report


@pytest.mark.parametrize(
    "text", ["Ich will unsere Maßnahmen melden", "Bericht abgeben", "massnahmen eintragen bitte"]
)
def test_a_wish_to_report_starts_the_report(text):
    assert wants_report(text)


@pytest.mark.parametrize(
    "text",
    [
        "Wo melde ich unsere Maßnahmen",
        "massnahmen melden wie",
        "Muss man jedes Jahr einen Bericht abgeben",
        "Bericht?",
    ],
)
def test_a_question_about_reporting_is_answered_not_started(text):
    assert not wants_report(text)


@pytest.mark.parametrize(
    "text",
    [
        "Des is jetzt schon es dritte Mol, dass mer uff e Mail vun eisch kei Antwort kriehe.",
        "Wir haben bis heute keine Rückmeldung auf unsere Anfrage erhalten. So geht das nicht!",
        "Ich möchte mich über die Bearbeitung beschweren.",
        "This is already the third time I am writing to you.",
    ],
)
def test_complaints_are_recognised(text):
    assert is_complaint(text)


@pytest.mark.parametrize(
    "text",
    [
        "Zum zweiten Mal nehmen wir am Wettbewerb teil, was ist neu?",
        "Wie oft muss der Bericht eingereicht werden?",
        "Gibt es eine Antwort auf die Frage, ob Vereine gefördert werden?",
    ],
)
def test_questions_are_no_complaints(text):
    assert not is_complaint(text)
