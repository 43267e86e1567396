"""Recognises a request about one's own personal data (DSGVO Art. 15/17/20) in a message.

Such a request is never answered automatically: by e-mail the sender's identity is not proven, so it
becomes a ticket for the Fachstelle, which carries it out with `klimabot privacy export|delete`.
"""

from __future__ import annotations

import re
from enum import StrEnum

from knowledge.text import fold


class PrivacyWish(StrEnum):
    """What the person asks for."""

    ACCESS = "access"
    ERASURE = "erasure"


_NOUN = r"(daten|angaben|kontaktdaten|e-?mail-?adresse|e-?mail address|data|information|details)"
_ADJECTIVE = r"(personenbezogenen|persoenlichen|gespeicherten|personal)"
# "meine Daten", "alle meine Daten", "alle personenbezogenen Daten", "data about me" — not "alle Daten der Bilanz"
_PERSONAL_DATA = (
    rf"((alle\s+|all\s+(the\s+)?)?(meine[rn]?|meiner|unsere[rn]?|my|our)\s+({_ADJECTIVE}\s+)?{_NOUN}|"
    rf"(alle|all)\s+(the\s+)?{_ADJECTIVE}\s+{_NOUN}|"
    r"(daten|data|information)\s+(\w+\s+){0,3}(ueber mich|about me|zu meiner person))"
)
_ERASURE = re.compile(
    rf"((loesch|entfern|vernicht)\w*[^.?!]{{0,60}}{_PERSONAL_DATA}|{_PERSONAL_DATA}[^.?!]{{0,60}}(loesch|entfern|vernicht)\w*|"
    rf"(delete|erase|remove)\w*[^.?!]{{0,40}}{_PERSONAL_DATA}|recht auf (loeschung|vergessenwerden)|"
    r"art\.?\s*17\b|right to (erasure|be forgotten))"
)
_ACCESS = re.compile(
    rf"((auskunft|kopie|export|uebersicht|auflistung)\w*[^.?!]{{0,60}}{_PERSONAL_DATA}|"
    r"welche\s+(personenbezogenen\s+)?daten[^.?!]{0,60}(gespeichert|speichern|verarbeit)|"
    r"(what|which)\s+(personal\s+)?data[^.?!]{0,40}(store|hold|keep|process)|"
    r"art\.?\s*(15|20)\b|(datenauskunft|selbstauskunft)|subject access request|right of access)"
)


def privacy_wish(text: str) -> PrivacyWish | None:
    """Erasure or access when the message asks for it about the writer's own data, else None."""
    folded = " ".join(fold(text).split())
    if _ERASURE.search(folded):
        return PrivacyWish.ERASURE
    if _ACCESS.search(folded):
        return PrivacyWish.ACCESS
    return None


def advisor_note(wish: PrivacyWish, address: str | None) -> str:
    """What the advisors read above such a ticket: what is asked, the caveat and the command."""
    what = "Löschung" if wish is PrivacyWish.ERASURE else "Auskunft (Kopie der gespeicherten Daten)"
    command = "delete" if wish is PrivacyWish.ERASURE else "export"
    target = f"--email {address}" if address else "--email ADRESSE"
    return (
        f"Datenschutzanfrage: {what} nach DSGVO. Per E-Mail ist die Identität des Absenders nicht "
        f"nachgewiesen – bitte vor dem Ausführen prüfen (z. B. Rückfrage an die bekannte Adresse). "
        f"Ausführen mit: klimabot privacy {command} {target}"
    )
