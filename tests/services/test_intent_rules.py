"""The rules that start a conversation or hand it to a person instead of answering: reporting measures, complaints."""

import pytest

from services.case_rules import is_complaint, tells_own_case
from services.intents import Intent, classify, wants_report


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
        "sorry aber das webinar gestern war echt ne katastrophe, will das offiziell bemängeln",
        "Die Werte wurden ohne Rücksprache überschrieben.",
        "Wir haben den Bundesmix angesetzt. Das ist fachlich nicht haltbar, was Sie da schreiben.",
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


@pytest.mark.parametrize(
    "text",
    [
        "Kenne Se mer fest zusache, dass mer die 75 Prozent fer des Dach kriehe?",
        "Können Sie bestätigen, dass unser Projekt gefördert wird?",
        "Can you confirm in writing that our project gets the higher rate?",
        "Können Sie da mal nachgucken, ob alles angekommen ist?",
        "Können Sie klären, wann mit der Zahlung zu rechnen ist?",
        "Zählt unsere Energiemengenbilanz von 2019 noch als ausreichend?",
        "Is our balance from 2019 still valid for the bonus?",
        "Das Erstgespräch zur Fortschreibung bitte stornieren, wir warten erst den Beschluss ab.",
        "Wer betreut seit dem Weggang von Frau Albers die Kommunen im Bezirk Kassel?",
        "Was wisst ihr dann jetzt iwwer mich, unn kann mer des widder wegmache losse?",
        "Where is my application?",
        "wo is dann die frau brenner abgebliwwe, die war doch immer bei uns uff de foren?",
        "ich hab nächsten dienstag einen beratungstermin, aber der chef ist krank, kann man den auf die woche drauf legen?",
        "das gespraech am freitag muessen wir leider verschieben, passt auch montag?",
        "beratung morgen 9 uhr wird nix, ginge donnerstag?",
        "foerderantrag az KR-2024-117 wie ist der stand",
    ],
)
def test_requests_to_promise_or_look_something_up_are_cases(text):
    assert classify(text) is Intent.CASE_SPECIFIC


@pytest.mark.parametrize(
    "text",
    [
        "Können Sie mir bestätigen, dass der Fördersatz 70 Prozent beträgt?",
        "Bitte bestätigen Sie uns, welches Zieljahr derzeit gilt.",
        "Can you check whether the deadline is still 15 September?",
        "Können Sie mir erklären, was eine THG-Bilanz ist?",
        "Gilt die Bilanz von 2019 noch?",
        "Können Sie bestätigen, dass wir als Klima-Kommune einen Zuschlag bekommen?",
        "Can you confirm that we need a council decision for the action plan?",
        "Wir haben einen Termin für die Initialberatung, was sollen wir vorbereiten?",
    ],
)
def test_general_questions_asked_as_requests_stay_questions(text):
    assert classify(text) is Intent.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "Bist du eigentlich en echte Mensch oder e Computer?",
        "Are you a real person?",
        "Who am I talking to here, is this a bot or a person?",
        "Mit wem schreibe ich hier eigentlich, ist das eine KI?",
        "Handelt es sich hier um einen automatischen Chat oder antwortet ein Mensch?",
        "Sehr geehrte Damen und Herren,",
        "Liebe Kolleginnen und Kollegen!",
        "Mit wem habe ich es hier eigentlich zu tun?",
        "Wofür ist dieser Chat eigentlich gut?",
        "Have a lovely evening!",
        "genau das wollte ich, merci",
        "kurze Frage",
        "ich hätte da ein Anliegen",
        "häh? versteh ich nicht",
        "Servas und pfiati",
        "Moin zusammen, ich bin Jana und neu im Bauamt.",
        "Sorry, die letzte Nachricht war nicht für Sie gedacht.",
        "Wer is'n des eigentlich?",
        "wie jetzt?",
        "Test, test – kommt die Nachricht an?",
        "Vielen Dank für die Infos, das hilft mir weiter. Tschüss!",
        "Danke für die schnelle Antwort, schönen Tag noch",
        "Bot oder Mensch?",
        "isses des hier die Fachstelle?",
        "Frohe Weihnachten und einen guten Rutsch ins neue Jahr!",
        "Wir wünschen Ihnen und Ihrem Team schöne Feiertage.",
        "Ein gesundes neues Jahr!",
        "Ihre Antwort haben wir erhalten, danke.",
        "Moin, hier spricht die Bauverwaltung aus Seeheim.",
        "Eine kurze Frage zum Wettbewerb …",
        "Wir hätten da noch eine Frage wegen der Bilanz",
        "Ich habe eine Frage zu unserem Energiebericht und melde mich gleich mit den Einzelheiten.",
        "Können Sie mir sagen, wobei mir dieser Chat helfen kann?",
        "Womit kann der Assistent mir weiterhelfen?",
        "Gun Owend mitnand!",
        "Wow, super erklärt, vielen herzlichen Dank!",
        "Oops, that message wasn't meant for you",
        "Ach, des war net fer eich, sorry",
        "Bei welchen Themen können Sie mich unterstützen?",
        "Was kann mer do alles mit dem Ding mache?",
        "Ich verabschiede mich in den Ruhestand und danke für die gute Zusammenarbeit.",
        "Sag emol, schwätz ich do mit em richtische Mensch oder mit ere Maschin?",
        "Werden die Nachrichten von Mitarbeitenden beantwortet oder von einem automatisierten System?",
        "Für welche Themen ist dieses Angebot gedacht?",
        "Top, danke – genau das hat mir noch gefehlt. Kompliment!",
        "Ich bin bis zum 22. August nicht im Dienst. Ihre E-Mail wird nicht weitergeleitet.",
        "Guten Morgen, ich habe gleich noch eine Frage, muss erst die Zahlen raussuchen. Bis gleich.",
        "Ich möchte vorab wissen, zu welchen Themen ich Ihnen Fragen stellen kann.",
        "Thank you for your quick reply last week. It has been extremely useful for our feasibility study.",
    ],
)
def test_asking_who_answers_and_thanking_for_the_information_are_small_talk(text):
    assert classify(text) is Intent.SMALLTALK


def test_a_wish_for_a_person_and_a_thanks_with_a_topic_are_no_small_talk():
    assert classify("Ich will mit einem echten Menschen sprechen") is Intent.HUMAN
    assert classify("Danke für die Infos zur Frist") is Intent.QUESTION
    assert classify("Is it possible to talk to a human?") is Intent.HUMAN
    assert classify("Wir benötigen eine Beraterin, die sich unseren Fall einmal ansieht.") is Intent.HUMAN
    assert classify("Brauchen wir einen Berater für den Aktionsplan?") is Intent.QUESTION
    assert classify("I'm leaving next month, please remove me from the mailing list.") is not Intent.SMALLTALK
    assert classify("Ist das hier ein Programm des Landes?") is Intent.QUESTION
    assert classify("Is this funding available for AI projects?") is Intent.QUESTION
    assert classify("Wir suchen jemanden von Ihnen, der unsere Bilanz prüft.") is Intent.HUMAN
    assert classify("Das ist für einen Chatbot zu speziell, bitte leiten Sie es weiter.") is Intent.HUMAN
    # an announced question with its topic spelled out, or asked after a colon, is the question itself
    assert classify(
        "Ich hätte eine Frage zum Fördersatz der Klimarichtlinie für finanzschwache Kommunen"
    ) is (Intent.QUESTION)
    assert classify("Frage zur Charta: muss der Bürgermeister unterschreiben") is Intent.QUESTION
    assert classify("Frage zu KRL Fördersatz") is Intent.QUESTION
    assert classify("Was kann mir der Bot zur Förderquote sagen?") is Intent.QUESTION
    assert classify("Was kann ich beim Aktionsplan machen?") is Intent.QUESTION
    assert classify("Kann ich mit einem Menschen sprechen oder nur mit dem Bot?") is Intent.HUMAN
    assert (
        classify("Das Erstgespräch am Freitag um 9 passt leider nicht, geht auch Montag?")
        is Intent.CASE_SPECIFIC
    )
    assert classify("Können Sie uns zusagen, dass die Lizenz kostenlos bleibt?") is Intent.CASE_SPECIFIC
    assert classify("Was mache ich, wenn der Termin nicht passt?") is Intent.QUESTION
    assert classify("Danke, aber die Förderquote stimmt nicht, bei uns wurden nur 40 % bewilligt.") is (
        Intent.QUESTION
    )
    assert classify("Ich bin nächste Woche nicht im Dienst, bitte verschieben Sie unseren Termin.") is not (
        Intent.SMALLTALK
    )
    assert classify(
        "Können Sie zusichern, dass wir den Zuschlag behalten, wenn wir die Bilanz später liefern?"
    ) is (Intent.CASE_SPECIFIC)


@pytest.mark.parametrize(
    "text",
    [
        "Ich habe aus Versehen zwei Beratungstermine gebucht. Kann einer wieder weg?",
        "Uff de Rechnung fer die Lizenz steht en annerer Betrag wie letzt Jahr. Hawwe ihr eusch verrechnet?",
        "Einzelfallfrage: Umnutzung unserer Zehntscheune zum Dorfgemeinschaftshaus. Ist das förderfähig?",
        "I booked next Friday's slot for the consultation, but our mayor has a meeting then. Can we shift it?",
        "Wir sind für das Webinar am Dienstag angemeldet, aber krank. Kann eine Kollegin für mich einspringen "
        "oder sollen wir stornieren?",
        "Ich hab mich vor vier Wochen angemeldet und noch keine Bestätigung bekommen.",
        "Auf Ihrem Flyer ist mein Gesicht zu sehen, ich habe dem nie zugestimmt.",
        "Der Rechtsanwalt des Bauunternehmers hat uns geschrieben. Wer haftet für den Schaden am Gründach?",
        "Unser Ansprechpartner, Herr Kowalski, ist offenbar nicht mehr erreichbar. An wen wenden wir uns?",
        "Unser Bauhof ist in einer angemieteten Halle. Können wir dort eine PV-Anlage fördern lassen?",
        "Wir haben die Fortschreibung im Mai per Mail geschickt. Gibt es inzwischen eine Rückmeldung dazu?",
        "Euer Bot hat uns 90 Prozent genannt, die WIBank sagt 60. Wer übernimmt jetzt die Differenz?",
        "Die Nachbargemeinde bestreitet, dass wir einen Anspruch auf den Windenergie-Zuschlag haben.",
        "Our association has four member towns, one of which is not in the alliance. Do we get the bonus?",
        "Unser Backhaus gehört halb der Gemeinde und halb dem Heimatverein – gibt es dafür Geld?",
        "Our sewage association includes a Bavarian village. Are we still eligible for the Klimarichtlinie?",
        "Wir haben eine Mahnung für die Lizenz bekommen, obwohl längst bezahlt ist.",
        "Der Nachbarort hat Einspruch gegen unseren Ratsbeschluss erhoben. Gilt die Charta trotzdem?",
        "Der Zweckverband klagt jetzt gegen unsere Freiflächenanlage. Was nun?",
        "We have received an invoice for the workshop although it was announced as free.",
        "Wir wollen die alte Schule zum Bürgerhaus umbauen. Dafür brauche ich eine verbindliche Aussage zur Förderung.",
        "We would need a binding assessment of our heat network before the council meets.",
        "Der ECOSPEED-Login funktioniert bei uns seit Montag nicht, beim Passwort zurücksetzen kommt keine Mail.",
        "Mein Kollege ist krank, kann jemand anders zum Termin kommen?",
    ],
)
def test_a_case_told_in_the_story_is_found_there(text):
    assert tells_own_case(text)


@pytest.mark.parametrize(
    "text",
    [
        "Wie kann ich einen gebuchten Termin absagen?",
        "Bitte erklären Sie mir, wie ich einen Termin absagen kann.",
        "Was tun wir bei einer Katastrophe wie dem Starkregen 2021?",
        "Darf die Gemeinde den Aktionsplan ohne Rücksprache mit der Fachstelle ändern?",
        "Ist es fachlich nicht sinnvoller, erst die Bilanz zu machen?",
        "Wer ist bei der LEA für Nordhessen zuständig?",
        "Was kostet die ECOSPEED-Lizenz?",
        "Wir haben einen Termin für die Initialberatung gebucht. Wie bereiten wir uns vor?",
        "Ich habe über den Chat einen Beratungstermin gebucht. Wie kann ich den verschieben?",
        "What do you know about the Klimarichtlinie?",
        "Where is the application form?",
        "Wie melde ich mich für eine Schulung an?",
        "Ich bin angemeldet. Wie kann ich mich wieder abmelden?",
        "Unsere Frau Sommer ist in Rente gegangen, wer meldet jetzt die Maßnahmen?",
        "Welche Förderprogramme gibt es für den Süden Hessens?",
        "Sehr geehrte Damen und Herren, wie hoch ist die Förderquote?",
        "Unser Stadtwerk gehört zu 30 Prozent der Stadt. Darf es selbst Fördermittel beantragen?",
        "Werden auch gemietete Gebäude über die Klimarichtlinie gefördert?",
        "Wir haben den Aktionsplan eingereicht. Wie lange dauert es bis zu einer Rückmeldung?",
        "Wer zahlt die Kosten der kommunalen Wärmeplanung?",
        "Mein Kollege behauptet, wir hätten Anspruch auf 90 Prozent. Stimmt das noch?",
        "Können wir beitreten, wenn die Gemeindevertretung noch nicht zugestimmt hat?",
        "Who pays for the ECOSPEED licence after the first year?",
        "Ich bin Kämmerin und suche die Förderquote der Klimarichtlinie.",
        "Wann bekommen wir die Rechnung für die Lizenz?",
        "Ist die Charta bindend, kann uns jemand verklagen, wenn wir die Ziele verfehlen?",
        "Ist die Auskunft der Fachstelle eine verbindliche Zusage?",
        "Muss ich die Initialberatung absagen, wenn der Bürgermeister nicht kann?",
        "Wie bekomme ich die Zugangsdaten für ECOSPEED?",
        "Darf auch jemand anderes als die Bürgermeisterin an der Initialberatung teilnehmen?",
    ],
)
def test_general_questions_about_bookings_staff_and_costs_stay_questions(text):
    assert classify(text) is Intent.QUESTION and not tells_own_case(text) and not is_complaint(text)
