"""Messages made only of small-talk words are small talk, in any order and combination."""

import pytest

from services.intents import Intent, classify


@pytest.mark.parametrize(
    "text",
    ["ok thx tschau", "Gude wie?", "super, vielen Dank und tschüss!", "alles klar danke bis bald", "Hi Bot"],
)
def test_small_talk_words_alone_are_small_talk(text):
    assert classify(text) is Intent.SMALLTALK


@pytest.mark.parametrize("text", ["danke, bis wann?", "hallo, wie lange dauert das", "ok und die Frist?"])
def test_a_question_word_or_topic_word_makes_it_a_question(text):
    assert classify(text) is Intent.QUESTION


def test_general_questions_that_name_a_mayor_or_data_stay_questions():
    assert classify("Unser Herr Bürgermeister fragt, ob wir dem Bündnis beitreten sollen") is Intent.QUESTION
    assert classify("Welche Daten braucht die THG-Bilanz?") is Intent.QUESTION


@pytest.mark.parametrize(
    "text", ["Ja", "nee", "Hm", "haha", "Sorry, falsch geklickt", "Zurück", "Ich habe noch eine Frage"]
)
def test_short_reactions_and_announcements_are_small_talk(text):
    assert classify(text) is Intent.SMALLTALK


@pytest.mark.parametrize(
    "text",
    [
        "Muss unser Aktionsplan noch durch die Stadtverordneten?",
        "Gibt es jemanden, der mit uns durchgeht, ob unsere Projektidee passt?",
        "Was passiert, wenn unser Projekt auch aus einem anderen Programm Geld bekommen könnte?",
    ],
)
def test_general_questions_with_a_possessive_are_no_case_by_rule(text):
    assert classify(text) is Intent.QUESTION


def test_a_settled_application_is_a_case_by_rule():
    assert classify("Mein Chef will wissen, ob unser Förderantrag schon durch ist.") is Intent.CASE_SPECIFIC
