"""Recognises what a message wants before the knowledge base is asked: small talk, a human, a case.

The rules themselves live in modules of their own: `services/smalltalk_rules.py` (greetings, thanks,
who the bot is …), `services/case_rules.py` (one concrete case, complaints) and `services/framing.py`
(an e-mail's salutation and signature); this module combines them and recognises wishes to book or
to report.
"""

from __future__ import annotations

import re
from enum import StrEnum

from knowledge.text import fold
from services.case_rules import asks_about_own_case
from services.framing import strip_mail_framing
from services.smalltalk_rules import is_smalltalk, says_only_courtesy


class Intent(StrEnum):
    """What the user wants, as far as it matters for the answering policy."""

    QUESTION = "question"
    SMALLTALK = "smalltalk"
    HUMAN = "human"
    CASE_SPECIFIC = "case_specific"


_HUMAN = re.compile(
    r"(mit (einem|einer|jemandem|ihnen|dem|der)?\s*(menschen|mensch|person|berater\w*|mitarbeiter\w*|"
    r"sachbearbeiter\w*|ansprechpartner\w*|fachstelle|kolleg\w*|echten \w+)\b.*"
    r"(sprechen|reden|telefonieren|verbinden|kontakt|schreiben)|"
    r"(jemanden|jemandem|jemand|mensch|menschen|berater\w*|person) (sprechen|erreichen|anrufen|ans telefon|reden)|"
    r"(verbinden|weiterleiten|durchstellen) sie mich|mich (mit|an) (einer|einem|die|den|der) \w*(berater|mensch|person|mitarbeiter|fachstelle)|"
    r"\b(ruckruf|rueckruf|zurueckrufen|telefonat|persoenlich sprechen|persoenliche beratung durch|"
    r"echte[nrs]? (mensch|person)|talk to (a |an )?(human|person|someone|advisor)|real person|"
    r"speak (to|with) (a |an )?(human|person|someone|advisor))\b|"
    r"^(berater|beraterin|mensch|human|mitarbeiter|ansprechpartner)[\s!?.]*$|"
    r"(kein(en)? bot|nicht mit (dem|einem) bot)|"
    # "Ich brauche jemanden aus der Fachstelle, der …", "Dafür ist eine automatisierte Antwort zu speziell"
    r"\b(brauche|brauchen|benoetige|benoetigen|suche|suchen|moechte|moechten) (ich |wir )?(jemanden|jemand) "
    r"(aus|von|bei|in) (der|dem|ihrer|ihrem|ihnen|euch|eurer|eurem)\b|"
    r"\b(zu speziell|zu komplex|zu kompliziert|too specific|too complex)\b[^.?!]{0,40}\b(automat\w*|bot|chatbot|maschine|"
    r"ki|ai)\b|\b(automat\w*|bot|chatbot|maschine)\b[^.?!]{0,40}\b(zu speziell|zu komplex|zu kompliziert)\b|"
    # "ich brauche einen Fachberater, der sich unser Konzept konkret anschaut"
    r"\b(brauche|brauchen|benoetige|benoetigen|wuensche|wuenschen) (ich |wir )?(einen|eine) \w*(berater|beraterin|"
    r"ansprechpartner|ansprechpartnerin|mensch|menschen|person)\b[^.?!]{0,20}\b(der|die) (sich|mir|uns)\b)"
)

_BOOKING = re.compile(
    r"(\b(beratungs|gespraechs|besprechungs)?termin\w*\b[^.?!]{0,60}\b(buchen|vereinbaren|ausmachen|reservieren|"
    r"bekommen|kriegen|machen)\b)|"
    r"(\b(buchen|vereinbaren|reservieren|ausmachen)\b[^.?!]{0,40}\b(termin|beratung|initialberatung|erstberatung)\w*)|"
    r"(\b(haette|haetten|moechte|moechten|brauche|brauchen|wuerde|wuerden)\b[^.?!]{0,30}\b(gern|gerne)?\b[^.?!]{0,20}"
    r"\b(einen|ein|eine)\s+(beratungs|gespraechs)?termin\b)|"
    r"(\b(initialberatung|erstberatung|beratungstermin)\s+(buchen|vereinbaren|anfragen)\b)|"
    r"^\s*(termin|beratungstermin|termin buchen|initialberatung buchen)[\s!?.]*$|"
    r"\bbook\b[^.?!]{0,30}\b(appointment|consultation|meeting)\b"
)


def classify(text: str) -> Intent:
    """The intent of an already cleaned message."""
    folded = " ".join(fold(text).split())
    if is_smalltalk(folded):
        return Intent.SMALLTALK
    if _HUMAN.search(folded):
        return Intent.HUMAN
    if asks_about_own_case(folded):
        return Intent.CASE_SPECIFIC
    if says_only_courtesy(folded):
        return Intent.SMALLTALK
    return Intent.QUESTION


def wants_booking(text: str) -> bool:
    """True when the message asks to book a consultation ("ich hätte gern einen Beratungstermin")."""
    return bool(_BOOKING.search(" ".join(fold(strip_mail_framing(text)).split())))


_REPORT = re.compile(
    r"\b(massnahmen?|bericht|jahresbericht|massnahmenbericht|berichtspflicht)\b[^.?!]{0,40}"
    r"\b(melden|abgeben|einreichen|eintragen|erfassen|berichten|ausfuellen|machen)\b|"
    r"^\s*(bericht|massnahmen melden|bericht abgeben)[\s!?.]*$"
)


# "wo melde ich die Maßnahmen", "massnahmen melden wie": a question about reporting, answered from the
# knowledge base (which names /bericht), not the start of a report
_ASKS_HOW = re.compile(r"\b(wie|wo|wohin|wann|was|welche\w*|warum|muss|muessen|how|where|when|what)\b")


def wants_report(text: str) -> bool:
    """True when the message asks to report measures ("ich will unsere Maßnahmen melden")."""
    folded = " ".join(fold(strip_mail_framing(text)).split())
    if folded.rstrip().endswith("?") or _ASKS_HOW.search(folded):
        return False
    return bool(_REPORT.search(folded))
