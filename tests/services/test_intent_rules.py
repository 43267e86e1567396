"""The rules that start a conversation instead of answering: reporting measures."""

import pytest

from services.intents import wants_report


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
