"""The answering engine on the real knowledge base: small talk, people, cases, off-topic, vague, English."""

import copy
from dataclasses import replace

import pytest

from bot.app import build_answering
from bot.settings import Settings
from knowledge.intents import MessageIntent
from knowledge.question_model import Prediction
from services.answering import CLEAR_CASE, AnswerKind, smalltalk_probability
from services.presenting import render_plain
from services.reading import read_message

CONTACT = "klimakommunen@lea-hessen.de"


@pytest.fixture(scope="module")
def service():
    return build_answering(Settings())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Ei gude, wie?", MessageIntent.GREETING),
        ("moin", MessageIntent.GREETING),
        ("Good morning!", MessageIntent.GREETING),
        ("hallo", MessageIntent.GREETING),
        ("guten Mittag zusammen", MessageIntent.GREETING),
        ("Hallo aus Fulda", MessageIntent.GREETING),
        ("moin aus dem Vogelsberg 👋", MessageIntent.GREETING),
        ("hi from Frankfurt :)", MessageIntent.GREETING),
        ("Moin aus Nordhessen 👋", MessageIntent.GREETING),
        ("Grüße aus Kassel!", MessageIntent.GREETING),
        ("Die Förderung ist angekommen, vielen Dank an das ganze Team!", MessageIntent.THANKS),
        ("Hallo 👋", MessageIntent.GREETING),
        ("Hallo, was kannst du alles?", MessageIntent.CAPABILITIES),
        ("Hallo? Ist da jemand?", MessageIntent.IDENTITY),
        ("Hi, is anybody there?", MessageIntent.IDENTITY),
        ("bisde en roboter odder sitzt do einer un tippt?", MessageIntent.IDENTITY),
        ("hilfe bitte", MessageIntent.CAPABILITIES),
        ("Danke!", MessageIntent.THANKS),
        ("tschüss, schönes Wochenende", MessageIntent.GOODBYE),
        ("Bist du ein Bot?", MessageIntent.IDENTITY),
        ("Was kannst du?", MessageIntent.CAPABILITIES),
        ("👍", MessageIntent.ACKNOWLEDGEMENT),
        ("Hallo, ich bin die neue Klimaschutzmanagerin im Rathaus.", MessageIntent.GREETING),
        ("Guten Tag, ich hätte mal eine Frage", MessageIntent.GREETING),
        ("Alles klar, dann weiß ich Bescheid", MessageIntent.ACKNOWLEDGEMENT),
        ("Frohe Weihnachten und einen guten Rutsch!", MessageIntent.WISHES),
        ("Wir wünschen Ihnen und dem ganzen Team schöne Feiertage.", MessageIntent.WISHES),
        # a thanks in a letter's words, which the case model alone would take for a case
        ("Danke, dass Sie sich so schnell um unsere Anfrage gekümmert haben.", MessageIntent.THANKS),
    ],
)
def test_small_talk_gets_its_own_short_reply(service, text, intent):
    answer = service.answer(text)
    assert answer.kind is AnswerKind.HELP and answer.intent is intent


def test_a_question_after_a_greeting_from_a_place_is_answered(service):
    answer = service.answer("Guten Tag aus Marburg, wie hoch ist die Förderquote der Klimarichtlinie?")
    assert answer.kind is AnswerKind.ANSWER and answer.entry.id == "krl-foerdersatz"


@pytest.mark.parametrize(
    "text",
    [
        "Sehr geehrte Damen und Herren,\n\nden Eingang Ihres Schreibens bestätige ich hiermit dankend.\n\n"
        "Mit freundlichen Grüßen\nAnna Roth\nBauamt Musterhausen",
        "Entschuldigung, die Nachricht eben ist aus Versehen an Sie gegangen.",
        "Wir wünschen der ganzen Fachstelle ein frohes Fest und erholsame Tage zwischen den Jahren!",
        "Nur zur Info: wir sind heute wegen eines Betriebsausflugs nicht im Haus.",
    ],
)
def test_a_message_that_asks_and_wants_nothing_gets_a_friendly_reply(service, text):
    # no "no reliable answer, your question is noted": there is no question, and no gap to note
    assert service.answer(text).kind is AnswerKind.HELP


@pytest.mark.parametrize(
    "text",
    [
        "Förderung Radwege Landkreis",
        "die Bankverbindung unserer Gemeinde hat sich geändert, bitte das Geld aufs neue Konto",
        "Unser Antrag ist seit drei Monaten nicht bearbeitet.",
        "Ist da jemand, der mir beim Antrag für die Klimarichtlinie helfen kann?",
        "Förderung für Wärmepumpe im Rathaus",
    ],
)
def test_a_search_or_a_statement_that_wants_something_is_no_small_talk(service, text):
    assert service.answer(text).kind is not AnswerKind.HELP


def test_limits_of_an_older_file_without_a_small_talk_limit_still_answer_small_talk(service):
    older = copy.copy(service)
    older.limits = replace(service.limits, smalltalk=None)
    assert older.limits.smalltalk_limit == older.limits.intent
    answer = older.answer("Danke, dass Sie sich so schnell um unsere Anfrage gekümmert haben.")
    assert answer.kind is AnswerKind.HELP


def test_small_talk_counts_as_a_whole_when_the_model_splits_it():
    # "Vielen Dank … Schönes Wochenende!": thanks and goodbye share the probability
    predictions = [
        Prediction("intent:goodbye", 0.45, 0.6),
        Prediction("intent:thanks", 0.4, 0.6),
        Prediction("krl-foerdersatz", 0.15, 0.3),
    ]
    assert smalltalk_probability(predictions) == pytest.approx(0.85)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Ich möchte bitte mit einem Menschen sprechen.", "human"),
        ("Ist unser Antrag vom März schon bewilligt?", "case_specific"),
        (
            "Wir sanieren eine Turnhalle, die ein Verein gepachtet hat. Welches Förderprogramm greift in "
            "unserem Fall, und wer stellt den Antrag?",
            "case_specific",
        ),
        ("Which funding programme applies in our specific case?", "case_specific"),
        (
            "Können Sie bitte unseren Beratungstermin am 12.11. auf die Woche danach verschieben?",
            "case_specific",
        ),
        (
            "Hat die Fachstelle unseren Aktionsplan (am 02.10. per Mail geschickt) schon geprüft?",
            "case_specific",
        ),
        ("Wer hat die Fußball-Bundesliga gewonnen?", "offtopic"),
        ("Wie viel Hundesteuer zahlt man für den zweiten Hund?", "offtopic"),
        # on the alliance's topics, but no entry answers it: no answer, and noted as a gap (not "another topic")
        (
            "Servus, ich bin neu im Bauamt von Bad Hersfeld und soll mich ums Klima kümmern. Wo fange ich an?",
            "no_match",
        ),
        (
            "Des is jetzt schon es dritte Mol, dass mer uff e Mail vun eisch kei Antwort kriehe. "
            "So geht des net! Wer is do bei eisch eischentlich zuständig?",
            "case_specific",
        ),
    ],
)
def test_people_cases_and_off_topic_questions_get_no_knowledge_answer(service, text, reason):
    answer = service.answer(text)
    assert answer.kind is AnswerKind.ESCALATE and answer.reason == reason


def test_a_question_off_topic_on_its_own_gets_no_answer_from_its_story(service, monkeypatch):
    """Even where the story makes an entry look certain, an off-topic question is not answered."""
    monkeypatch.setattr(service, "_confidence", lambda *args: 0.99)
    answer = service.answer(
        "Ich bin Azubi bei der Stadt und war letztes Jahr bei den Klimascouts dabei. Wie viele "
        "Urlaubstage stehen mir nach dem Tarifvertrag zu, und kann ich Resturlaub mitnehmen?"
    )
    assert answer.kind is AnswerKind.ESCALATE and answer.reason == "offtopic"
    story = "Wir sind seit letztem Jahr Klima-Kommune. Bis wann müssen wir den Aktionsplan einreichen?"
    assert service.answer(story).kind is AnswerKind.ANSWER


def test_a_one_word_topic_gets_choices_not_an_answer(service):
    answer = service.answer("Förderung")
    assert answer.kind is AnswerKind.SUGGEST and answer.suggestions


def test_a_short_question_with_a_story_is_not_a_one_word_topic(service):
    answer = service.answer("Fördersatz? Wir sind seit 2019 Mitglied im Bündnis.")
    assert answer.kind is AnswerKind.ANSWER and answer.entry.id == "krl-foerdersatz"


def test_an_answerable_question_goes_to_a_person_only_when_it_is_clearly_a_case(service, monkeypatch):
    question = "Wie hoch ist der Fördersatz der Klimarichtlinie für Klima-Kommunen?"
    monkeypatch.setattr(service.case_model, "probability", lambda *args, **kwargs: CLEAR_CASE - 0.05)
    assert service.answer(question).kind is AnswerKind.ANSWER
    monkeypatch.setattr(service.case_model, "probability", lambda *args, **kwargs: CLEAR_CASE)
    answer = service.answer(question)
    assert answer.kind is AnswerKind.ESCALATE and answer.reason == "case_specific"


def test_a_confident_answer_is_given_even_below_the_off_topic_score(service, monkeypatch):
    """The lowest score of recognised questions only decides off-topic for messages the confidence
    model does not trust: a confident answer with few shared words (short, English) stays an answer."""
    question = "Wie hoch ist der Fördersatz der Klimarichtlinie für Klima-Kommunen?"
    best = service.best_entry(question)
    monkeypatch.setattr(service, "limits", replace(service.limits, min_score=10.0))
    answer = service.answer(question)
    assert answer.kind is AnswerKind.ANSWER and answer.entry == best
    assert service.answer("Wer hat die Fußball-Bundesliga gewonnen?").reason == "offtopic"


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("Wie werden wir Mitglied bei den Klima-Kommunen?", "charta-beitritt-ablauf"),
        ("Muss der Aktionsplan beschlossen werden?", "aktionsplan-beschluss"),
        ("Förderung für Radwege?", "bund-radverkehr-mobilitaet"),
        ("foerdersatz klimarichtlinie", "krl-foerdersatz"),
    ],
)
def test_questions_seen_when_tried_as_a_new_user_are_answered_right(service, text, entry_id):
    answer = service.answer(text)
    assert answer.kind is AnswerKind.ANSWER and answer.entry.id == entry_id


def test_a_quoted_term_weighs_more_for_the_entry_it_names(service):
    def probability_of(text, entry_id):
        _, predictions = service._predictions(read_message(text))
        return next((p.probability for p in predictions if p.label == entry_id), 0.0)

    plain = "Ist die Maßnahmendatenbank dasselbe wie der Aktionsplan?"
    quoted = "Ist die 'Maßnahmendatenbank' dasselbe wie der Aktionsplan?"
    entry = "berichtspflicht-massnahmendatenbank"
    assert probability_of(quoted, entry) > probability_of(plain, entry)


def test_a_second_question_in_the_message_leads_the_follow_ups(service):
    answer = service.answer(
        "Wir haben zwei Fragen: Was kostet die Mitgliedschaft im Bündnis, und welche Pflichten haben wir danach?"
    )
    assert answer.kind is AnswerKind.ANSWER
    asked = {answer.entry.id, answer.related[0].id}
    assert asked == {"buendnis-kosten", "charta-verpflichtungen"}
    assert len(answer.related) <= 3 and answer.entry not in answer.related


def test_the_tool_answer_does_not_open_with_a_bare_yes(service):
    answer = service.answer("welches tool nehmen wir für die thg bilanz und kostet das was")
    assert answer.kind is AnswerKind.ANSWER
    assert not answer.entry.answer.lstrip().startswith("Ja.")


def test_an_english_question_is_answered_in_german_with_a_note(service):
    answer = service.answer("When is the deadline for the action plan after signing the charter?")
    assert answer.kind is AnswerKind.ANSWER and answer.english
    text = render_plain(answer, contact=CONTACT)
    assert text.startswith("(You wrote in English") and "Monate" in text


def test_a_long_formal_e_mail_is_answered_by_its_question(service):
    mail = (
        "Sehr geehrte Damen und Herren,\n\nin der nächsten Sitzung des Haupt- und Finanzausschusses "
        "berichten wir über unsere Klimaschutzaktivitäten. Dazu eine Frage: Bis wann müssen wir nach "
        "der Unterzeichnung der Charta den Aktionsplan einreichen?\n\nMit freundlichen Grüßen\n"
        "Max Beispiel\nHauptamt"
    )
    answer = service.answer(mail)
    assert answer.kind is AnswerKind.ANSWER and answer.entry.id == "aktionsplan-frist"


def test_the_best_entry_is_the_models_first_entry_read_like_an_answer(service):
    assert service.best_entry("Bis wann müssen wir den Aktionsplan einreichen?").id == "aktionsplan-frist"
    mail = (
        "Sehr geehrte Damen und Herren,\n\nunser Kämmerer plant den Haushalt für 2027. "
        "Mich interessiert, wie hoch der Fördersatz der Klimarichtlinie für Mitglieder ist.\n\n"
        "Mit freundlichen Grüßen\nA. Muster"
    )
    assert service.best_entry(mail).id == service.answer(mail).entry.id == "krl-foerdersatz"


def test_a_bare_topic_is_offered_not_taken_for_a_case(service):
    answer = service.answer("sprinter zuschlag")
    assert answer.kind is AnswerKind.SUGGEST and "krl-foerdersatz" in {e.id for e in answer.suggestions}
