"""Reading a message: the question sentences, their context, the language."""

import pytest

from services.reading import asks_anything, is_asking, read_message, without_polite_frame

MAIL = """Sehr geehrte Damen und Herren,

unsere Gemeinde bereitet die Haushaltsberatungen vor. Der Kämmerer hat nach den Zuschüssen gefragt.

Können Sie mir sagen, wie hoch der Fördersatz der Klimarichtlinie für Mitglieder ist?

Mit freundlichen Grüßen

Erika Muster
Bauamt
Tel. 06000 123-45

Am 01.12.2026 schrieb Fachstelle <klimakommunen@lea-hessen.de>:
> Vielen Dank für Ihre Anfrage zum Aktionsplan.
"""


def test_an_e_mail_is_cut_down_to_its_question_with_the_story_as_context():
    reading = read_message(MAIL)
    assert (
        reading.question
        == "Können Sie mir sagen, wie hoch der Fördersatz der Klimarichtlinie für Mitglieder ist?"
    )
    assert "Haushaltsberatungen" in reading.context
    for part in (reading.question, reading.context):
        assert "Muster" not in part and "Aktionsplan" not in part
    assert not reading.english


def test_a_short_question_is_read_with_the_sentences_around_it():
    reading = read_message("Mein Kollege sagt, es gibt 399 Mitglieder im Bündnis. Stimmt das noch?")
    assert "399 Mitglieder" in reading.question and reading.context == ""
    reading = read_message("Ich soll mich im Bauamt neu um den Klimaschutz kümmern. Wo fange ich an?")
    assert "Klimaschutz" in reading.question and reading.context == ""


@pytest.mark.parametrize("verdict", ["Wer hat recht?", "Was stimmt denn nun?", "Who is right?"])
def test_a_question_for_a_verdict_is_read_with_the_claims_before_it(verdict):
    reading = read_message(
        f"Der Kollege sagt, das Bündnis gibt es seit 2009, die Kämmerin sagt 2020. {verdict}"
    )
    assert "2009" in reading.question


def test_a_short_question_that_names_its_topic_keeps_the_story_as_context():
    reading = read_message(
        "Was ist eine THG-Bilanz? Der Bürgermeister hat mich gefragt und ich bin neu hier."
    )
    assert reading.question == "Was ist eine THG-Bilanz?"
    assert "Bürgermeister" in reading.context


def test_quoted_terms_are_found_and_dialect_apostrophes_are_not_quotes():
    reading = read_message(
        "Mein Chef sagt dauernd „Sprinter“. Was heißt eigentlich 'investiv' bei der Förderung?"
    )
    assert reading.quoted == ["investiv", "Sprinter"]
    assert read_message("Ei, gibt's do aach Beispiele vun annern Dörfer?").quoted == []


def test_the_polite_frame_of_a_question_asks_for_nothing_itself():
    assert without_polite_frame("Können Sie mir bitte mitteilen, welche Karten wir brauchen?") == (
        "welche Karten wir brauchen?"
    )
    assert without_polite_frame("Wie hoch ist der Fördersatz?") == "Wie hoch ist der Fördersatz?"
    assert without_polite_frame("Könnten Sie mir skizzieren, welche Schritte der Beitritt hat?") == (
        "welche Schritte der Beitritt hat?"
    )
    assert without_polite_frame("Können Sie mir bestätigen, dass die Zahl noch stimmt?") == (
        "dass die Zahl noch stimmt?"
    )
    # the verb at the end of the clause
    assert without_polite_frame("Können Sie uns bitte die aktuelle Zahl nennen?") == "die aktuelle Zahl?"
    assert (
        without_polite_frame("Könnten Sie uns den Stand unseres Antrags nennen?")
        == "den Stand unseres Antrags?"
    )


def test_a_letter_loses_its_subject_line_titled_salutation_and_courtesy_sentences():
    letter = (
        "Betreff: Frage Aktionsplan\n\nSehr geehrte Frau Dr. Schmidt,\n\nvielen Dank für das nette Telefonat "
        "letzte Woche. Wie besprochen melde ich mich schriftlich. Unsere Gemeinde hat im März die Charta "
        "unterschrieben. Nun stellt sich uns die Frage, bis wann der Aktionsplan fertig sein muss.\n\n"
        "Für Ihre Rückmeldung danke ich Ihnen im Voraus.\n\nMit freundlichen Grüßen\nThomas Berger"
    )
    reading = read_message(letter)
    assert reading.question == "Nun stellt sich uns die Frage, bis wann der Aktionsplan fertig sein muss."
    assert "Charta" in reading.context
    for gone in ("Betreff", "Schmidt", "Telefonat", "Rückmeldung"):
        assert gone not in reading.question and gone not in reading.context


def test_a_forwarded_message_is_read_and_a_quoted_one_is_not():
    forwarded = (
        "Guten Tag,\n\n-------- Weitergeleitete Nachricht --------\nVon: buergermeister@example.org\n"
        "Betreff: Klima-Kommunen\n\nKannst du mal klären, was uns die Mitgliedschaft kostet?\n\nJana"
    )
    assert "Mitgliedschaft kostet" in read_message(forwarded).question
    reply = "Danke!\n\nAm 03.12.2026 schrieb Klimabot:\n> Wie hoch ist der Fördersatz?"
    assert read_message(reply).question == "Danke!"


def test_english_is_recognised_and_german_dialect_is_not():
    assert read_message("How long do we have to hand in the action plan?").english
    assert not read_message("Wie lang hammer do Zeit fer den Aktionsplan?").english


def test_an_e_mail_joined_into_one_line_loses_its_salutation_and_signature():
    one_line = " ".join(line.strip() for line in MAIL.split("Am 01.12.2026")[0].splitlines() if line.strip())
    reading = read_message(one_line)
    assert reading.question.startswith("Können Sie mir sagen")
    assert "Sehr geehrte" not in reading.context and "Muster" not in reading.context
    assert "Haushaltsberatungen" in reading.context


def test_an_indirect_question_in_a_formal_sentence_is_the_question():
    reading = read_message(
        "Unsere Kolleginnen möchten an den Fachveranstaltungen teilnehmen. Für die Haushaltsplanung "
        "benötige ich die Information, ob hierfür Gebühren anfallen."
    )
    assert reading.question.startswith("Für die Haushaltsplanung benötige ich die Information, ob")
    assert "Fachveranstaltungen" in reading.antecedent  # "hierfür" refers to it


def test_questions_in_the_formal_register_are_found_without_a_question_mark():
    story = "Unsere Stadt hat im Frühjahr die Charta unterzeichnet. Ich bin neu im Fachdienst Umwelt."
    for asking in (
        "In diesem Zusammenhang stellt sich uns die Frage, bis wann der Aktionsplan vorliegen muss.",
        "Mich interessiert insbesondere, welcher Fördersatz für Mitglieder gilt.",
        "Für einen Hinweis, wo wir eine Vorlage finden, wären wir dankbar.",
        "Wir würden uns freuen, wenn Sie uns mitteilen könnten, ob die Schulungen kostenfrei sind.",
        "We would be grateful if you could tell us the deadline for the action plan.",
    ):
        reading = read_message(
            f"Sehr geehrte Damen und Herren,\n\n{story} {asking}\n\nMit freundlichen Grüßen\nA. Muster"
        )
        assert reading.question == asking
        assert "Charta" in reading.context


def test_a_sentence_that_only_asks_for_help_leaves_the_question_to_the_story():
    reading = read_message(
        "Mer hawwe unsern Klimaplan 2019 gemacht. Jetzt frächt misch de Gemeindevorstand, ob mer des "
        "nochemol neu mache misse. Waaß do aaner Bescheid?"
    )
    assert reading.question.startswith("Jetzt frächt misch de Gemeindevorstand, ob")
    assert "Waaß do aaner Bescheid?" in reading.context
    for helpless in ("Können Sie mir da weiterhelfen?", "Weiß da jemand Bescheid?", "Any ideas?"):
        assert not is_asking(helpless)


def test_a_question_reported_from_someone_else_is_a_question():
    for reported in (
        "Jetzt fragt mich der Gemeindevorstand, ob wir den Plan erneuern müssen.",
        "Mein Chef fragt, wann die nächste Runde beginnt.",
        "My mayor asked whether the workshops are free.",
    ):
        assert is_asking(reported)
    assert not is_asking("Wir prüfen derzeit, ob wir eine PV-Anlage bauen.")


def test_a_question_that_refers_back_is_read_with_the_sentence_it_refers_to():
    reading = read_message(
        "Sehr geehrte Damen und Herren,\n\nich betreue das Thema seit Juni. In den Unterlagen wird auf eine "
        "Datenbank des Bündnisses verwiesen.\n\nKönnten Sie mir erläutern, worum es sich dabei handelt und wofür wir sie nutzen "
        "sollen?\n\n"
        "Mit freundlichen Grüßen\nA. Muster"
    )
    assert reading.question.startswith("Könnten Sie mir erläutern, worum es sich dabei handelt")
    assert reading.antecedent == "In den Unterlagen wird auf eine Datenbank des Bündnisses verwiesen."
    assert reading.topic.startswith("In den Unterlagen") and reading.topic.endswith("sollen?")
    assert reading.context == "ich betreue das Thema seit Juni."
    assert "Datenbank" in reading.story
    plain = read_message("Wir sind neu im Bündnis. Welche Pflichten haben Mitglieder?")
    assert plain.antecedent == "" and plain.topic == plain.question


def test_a_lead_in_that_points_back_does_not_pull_in_the_story():
    reading = read_message(
        "In der nächsten Sitzung berichten wir über unsere Klimaschutzaktivitäten. Dazu eine Frage: Bis "
        "wann müssen wir nach der Unterzeichnung der Charta den Aktionsplan einreichen?"
    )
    assert reading.antecedent == ""
    assert "Sitzung" in reading.context


def test_a_dot_after_an_ordinal_an_abbreviation_or_a_date_inside_a_sentence_ends_no_sentence():
    reading = read_message(
        "Ich bin im 3. Lehrjahr und soll z. B. Kosten von ca. 5.000 Euro klären, die am 12.03. angefallen "
        "sind. Eingang war der 04.05. Welche Landesstelle erstattet Fahrtkosten für Auszubildende?"
    )
    assert reading.question == "Welche Landesstelle erstattet Fahrtkosten für Auszubildende?"
    assert reading.context == (
        "Ich bin im 3. Lehrjahr und soll z. B. Kosten von ca. 5.000 Euro klären, die am 12.03. angefallen "
        "sind. Eingang war der 04.05."
    )


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Ihnen allen frohe Ostern!", False),
        ("Das war an meine Kollegin gerichtet, sorry.", False),
        ("brauch muster für die Sitzungsvorlage", True),
        ("hab fragen zur krl gibts da ne hotline", True),
        ("die Datenbank ist wieder abgestürzt, alles weg", True),
        ("Die Bankverbindung der Gemeinde hat sich geändert.", True),
        ("Förderquote KRL 2025?", True),
        ("mir sin noch net im bündnis, dürfe mer do beim wettbewerb middmache", True),
    ],
)
def test_whether_a_message_asks_or_wants_anything(text, asks):
    assert asks_anything(text) is asks
