"""Recognises what a message wants before the knowledge base is asked: small talk, a human, a case."""

from __future__ import annotations

import re
from enum import StrEnum

from knowledge.text import fold


class Intent(StrEnum):
    """What the user wants, as far as it matters for the answering policy."""

    QUESTION = "question"
    SMALLTALK = "smalltalk"
    HUMAN = "human"
    CASE_SPECIFIC = "case_specific"


_GREETING_LINE = re.compile(
    r"^\s*(hallo|hi|hey|moin|servus|gruess gott|gruezi|guten (morgen|tag|abend)|liebe[rs]?|"
    r"sehr geehrte[rs]?|dear|hello|good (morning|afternoon))\b"
    r"(?:[^.?!]|\b(?:dr|prof|dipl|ing|mr|mrs|ms)\.){0,40}[\s,.!:]*$"
)
# "Betreff: …", "AW: …": the subject line of a pasted e-mail
_SUBJECT_LINE = re.compile(r"^\s*(betreff|subject|aw|re|wg|fw|fwd):\s")
_GREETING_PREFIX = re.compile(
    r"^\s*(hallo|hi|hey|moin|servus|guten (morgen|tag|abend)|hello|good (morning|afternoon))\b"
    r"([\s,.!]*[:;]-?[)D])?[\s,.!:]*",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^\s*(mit freundlichen gruessen|freundliche gruesse|viele gruesse|beste gruesse|liebe gruesse|"
    r"herzliche gruesse|schoene gruesse|gruss|gruesse|mfg|lg|vg|best regards|kind regards|regards|"
    r"best|cheers|thanks in advance|danke im voraus|vielen dank im voraus|vielen dank und|"
    r"i\.\s?a\.|--\s*)\b"
)
_THANKS_LINE = re.compile(
    r"^\s*(vielen dank|danke|besten dank)[\s,.!]*(fuer ihre (hilfe|muehe|antwort))?[\s,.!]*$"
)

_SMALLTALK = re.compile(
    r"^(hallo|hallochen|hi|hey|moin|moinsen|servus|gruess gott|guten (morgen|tag|abend)|na|yo|"
    r"danke|danke schoen|dankeschoen|vielen dank|vielen lieben dank|besten dank|super danke|ok danke|"
    r"thx|thanks|thank you|hello|ok|okay|alles klar|prima|super|toll|cool|tschuess|ciao|bye|"
    r"auf wiedersehen|gute nacht|hilfe|help|menue|menu|start|hauptmenue|"
    r"was kannst du( alles)?|was kann der bot|wer bist du|was bist du|wie funktioniert (das|der bot)|"
    r"was machst du|wofuer bist du|what can you do|who are you|wie geht es dir|wie gehts|"
    r"(wozu|wofuer) (bist du|ist (der|dieser|das) (bot|chat|klimabot|chatbot)|ist das hier)( eigentlich)?( da| gut)?|"
    r"what is this (bot|chat|thing) for)"
    r"( (bot|klimabot|danke|nochmal|auch))?[\s!?.]*$"
)

# A message made only of these words ("ok thx tschau", "ei gude wie", "super, vielen dank und tschüss")
# is small talk, whatever their order.
_SMALLTALK_WORDS = frozenset(
    """
    hallo hallochen hi hey heya moin moinsen servus gude guude gudde ei na yo guten gut morgen tag abend
    nacht gruess gott gruezi hello good morning afternoon evening there
    danke dankeschoen dank vielen lieben besten herzlichen tausend merci thx thanks thank you ty
    ok okay oki okidoki alles klar prima super toll cool perfekt top klasse spitze passt wunderbar
    tschuess tschau ciao bye cu ade adieu bis bald dann spaeter schoenen schoenes wochenende noch
    und auch nochmal so wie gehts geht es dir ihnen bot klimabot
    ja jo jep yes nein ne nee no noe bitte hm hmm hmmm aha achso ah oh ups oops hoppla
    haha hahaha hehe lol sorry entschuldigung falsch geklickt abbrechen zurueck stopp stop weiter
    frau herr was mahlzeit feierabend ich habe hab eine frage fragen
    koennen koennten kannst du sie mir uns helfen hilfe help me can
    moje mojn cheers pfiat pfiati di dich servas ade gell
    darf haette haetten ein einen etwas anliegen an da mal kurze kurz quick question
    hae haeh haee versteh verstehe nicht net dont don t get it i understand huh what jetzt
    beianner beinand beieinander allerseits zusammen coming up sec second moment gleich sekunde a in
    test testing tested kommt nachricht diese die funktioniert klappt das des
    """.split()
)
_SMALLTALK_WORD = re.compile(r"[a-z]+")
MAX_SMALLTALK_WORDS = 8
# Phrases of thanks and farewell that say nothing about a topic: "für die Infos", "das hilft mir weiter"
_SMALLTALK_PHRASE = re.compile(
    r"\b((fuer|for) (die|ihre|deine|the|your) (schnelle |prompte |nette |freundliche |quick |fast )?(infos?|informationen|"
    r"information|antwort|antworten|hilfe|help|auskunft|rueckmeldung|answer|answers)|"
    r"(das|des|it|that|this) (hat|hilft|helps|helped) (mir|uns|me|us)?\s?(sehr |echt |wirklich |a lot )?"
    r"(weiter|weitergeholfen|geholfen|a lot)?|(einen |nen )?schoenen tag( noch)?|"
    r"have a (nice|good|great|lovely) (day|weekend|evening)|genau (das|des|was) (brauchte|wollte|suchte) ich|"
    r"(that'?s|thats) (exactly |just )?what i (needed|was looking for)|zur kenntnis genommen|"
    # "die letzte Nachricht war nicht für Sie bestimmt", "wrong chat, sorry"
    r"(die|meine|the|my) (letzte |vorige |last |previous )?(nachricht|message) (war|was) (nicht|not) (fuer|an|for) "
    r"(sie|dich|euch|you)( bestimmt| gedacht| meant| intended)?|(falscher|wrong) chat)\b"
)
# "Bist du eigentlich en echte Mensch oder e Computer?" asks who answers, it does not ask for a person
_IDENTITY_QUESTION = re.compile(
    r"^(und |also |sag mal,? )?((bist du|bisde|sind sie|seid ihr|are you)\b"
    r"[^.?!]{0,40}\b(mensch|person|bot|chatbot|computer|programm|computerprogramm|maschine|ki|human|robot|real|"
    r"ai)\b|"
    r"wer (is|ist|isn|is'n|isses)( des| das)?( do| da| hier)?( eigentlich| eischentlich| iwwerhaupt| ueberhaupt)?[\s?!.]*$|"
    r"mit wem (hab|habe) ich'?s? (es )?(hier |da )?(eigentlich )?zu tun|"
    # "Who am I talking to, is this a bot?", "Spreche ich hier mit einem Menschen?": only with a word for a bot
    # or a person, as "Ist das hier ein Programm des Landes?" asks about funding
    r"((who )?am i (talking|chatting|writing) (to|with)|mit wem (spreche|rede|schreibe|chatte) ich|"
    r"(spreche|rede|schreibe|chatte) ich)\b[^.?!]{0,40}\b(bot|chatbot|mensch|menschen|human|person|robot|ki|ai)\b|"
    r"(is this|ist das( hier)?) (a |an |ein |eine )?(real |echte[rn]? )?(bot|chatbot|mensch|human|robot|ki|ai|person)\b|"
    # "Handelt es sich bei Ihnen um einen automatisierten Dienst?", "Antwortet hier eine KI?"
    r"(handelt es sich (bei (ihnen|dir|euch)|hier)|antwortet (hier|mir|uns)|schreibe ich (hier )?mit)\b[^.?!]{0,40}"
    r"\b(automatisiert\w*|automatisch\w*|maschinell\w*|bot|chatbot|computer\w*|programm|ki|mensch|menschen)\b)"
)
# A salutation alone ("Sehr geehrte Damen und Herren,"), sent before the rest of an e-mail
_SALUTATION_ONLY = re.compile(
    r"^(sehr geehrte[rs]? (damen und herren|frau|herr)|liebe[rs]? (kolleginnen und kollegen|kolleg\w*|frau|herr|team)|"
    r"dear (sir or madam|sir|madam|team|colleagues)|to whom it may concern)\b[^.?!]{0,30}[\s,.!:]*$"
)


# "Hallo, ich bin Lukas und seit dieser Woche Azubi bei der Stadtverwaltung": introducing oneself asks nothing
_SELF_INTRODUCTION = re.compile(
    r"^((hallo|hi|hey|moin|servus|gude|guude|guten (morgen|tag|abend))( zusammen| allerseits| liebes team)?[\s,.!]*)?"
    r"(ich bin|ich heisse|mein name ist|i am|i'm|my name is)\b[^?]{0,100}$"
)
_ASKS_OR_TELLS_A_MATTER = re.compile(
    r"\b(frage\w*|brauch\w*|such\w*|moecht\w*|wuerd\w*|bitte|wissen|hilf\w*|question|need|want|would|could|can|"
    r"how|what|when|where|which|why|whether|wie|was|wann|wo|welche\w*|warum|ob|kann|koennen|koennt\w*|muss|muessen|"
    r"darf|duerfen|gibt|angemeldet|gebucht|termin\w*|antrag\w*|bericht\w*|rechnung\w*|aktionsplan\w*|bilanz\w*|"
    r"foerder\w*|frist\w*|geld|klimarichtlinie|kommunalrichtlinie|charta|registered|booked|application|report|invoice|"
    # or complains: "ich bin sehr unzufrieden", "I'm filing a complaint"
    r"unzufrieden|sauer|enttaeuscht|veraergert|aergerlich|wuetend|frustriert|antwort|kaaner|niemand|beschwer\w*|"
    r"complain\w*|frustrated|angry|upset|disappointed|nobody|answer\w*|"
    # or asks for something: "I'm leaving next month, please delete my name"
    r"please|delete|remove|change|update|send|loeschen|entfernen|aendern|schicken|senden)\b"
)


def _only_smalltalk_words(folded: str) -> bool:
    words = _SMALLTALK_WORD.findall(_SMALLTALK_PHRASE.sub(" ", folded))
    if not words:  # a phrase alone: "Have a nice weekend!", "Zur Kenntnis genommen."
        return bool(_SMALLTALK_PHRASE.search(folded))
    return len(words) <= MAX_SMALLTALK_WORDS and all(word in _SMALLTALK_WORDS for word in words)


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
    # "ich brauche einen Fachberater, der sich unser Konzept konkret anschaut"
    r"\b(brauche|brauchen|benoetige|benoetigen|wuensche|wuenschen) (ich |wir )?(einen|eine) \w*(berater|beraterin|"
    r"ansprechpartner|ansprechpartnerin|mensch|menschen|person)\b[^.?!]{0,20}\b(der|die) (sich|mir|uns)\b)"
)

# A question about one concrete case of the municipality (an application, a report, a payment):
# the knowledge base cannot know its state, so it must not answer.
_CASE_OBJECT = (
    r"(antrag|antraege|foerderantrag|bescheid|zuwendungsbescheid|bewilligung|auszahlung|"
    r"verwendungsnachweis|mittelabruf|aktionsplan|bericht|meldung|lizenz|anmeldung|"
    r"rechnung|unterlagen|e-?mail|mail|nachricht|vorgang|bewerbung|projekt|application|report)"
)
# "durch" only as "schon durch" (not "muss noch durch die Stadtverordneten"), "bekommen" not as a
# possibility ("Geld bekommen könnte"); a state is a whole word ("durchgeht" is none)
_CASE_STATE = (
    r"(bewilligt|genehmigt|eingegangen|angekommen|bearbeitet|abgelehnt|ausgezahlt|ueberwiesen|"
    r"geprueft|freigegeben|erhalten|bekommen(?! (koennte|koennten|kann|koennen|wuerde|wuerden|soll|sollen))|"
    r"beantwortet|(schon|bereits|endlich) durch|zugesagt|verschickt|versandt|zugestellt|"
    r"approved|received|complete|completed|processed|accepted|rejected|paid|arrived|checked|reviewed|"
    r"stand der (bearbeitung|dinge)|status|bearbeitungsstand|bearbeitungszeit)\b"
)
_CASE_SPECIFIC = re.compile(
    rf"((unser|unsere|unseren|unserem|unserer|unseres|mein|meine|meinen|meinem|meines|our|my)\b[^.?!]{{0,60}}{_CASE_OBJECT}"
    rf"[^.?!]{{0,80}}{_CASE_STATE})|"
    rf"({_CASE_STATE}[^.?!]{{0,40}}(unser|unsere|unseren|unserem|unseres|our)\b[^.?!]{{0,40}}{_CASE_OBJECT})|"
    rf"({_CASE_OBJECT}\w*[^.?!]{{0,50}}\b(schon|bereits|endlich|noch nicht)\b[^.?!]{{0,30}}{_CASE_STATE})|"
    r"\b(aktenzeichen|antragsnummer|vorgangsnummer|az\.?\s*\d|ticketnummer)\b|"
    r"\bwann (kommt|bekommen wir|erhalten wir|kriegen wir) (unser|unseren|das|den|die) (geld|bescheid|zusage|antwort)|"
    # moving or cancelling one's own appointment: "Bitte verlegen Sie meinen Beratungstermin vom 4.11."
    r"\b(mein|meine|meinen|unser|unsere|unseren)\b[^.?!]{0,30}termin\w*\b[^.?!]{0,80}"
    r"\b(verlegen|verschieben|absagen|stornieren|umlegen|aendern)\b|"
    r"\b(verlegen|verschieben|stornieren|umlegen)\b[^.?!]{0,20}\b(mein|meinen|unser|unseren)\b[^.?!]{0,30}termin|"
    # "ich hab nächsten Dienstag einen Beratungstermin …, kann man den auf die Woche drauf legen?"
    r"\b(ich hab|ich habe|wir haben|wir hatten|ich hatte)\b[^.?!]{0,40}termin\w*\b[^.?!]{0,100}"
    r"\b(verlegen|verschieben|absagen|stornieren|umlegen|aendern|legen|tauschen)\b|"
    # cancelling in free text, or a booking made twice: "Das Erstgespräch bitte stornieren"
    r"\b(bitte|please)\b(?![^.?!]{0,60}\b(wie|how|ob|whether|wann|when|kann man|can i)\b)[^.?!]{0,60}"
    r"\b(stornieren|absagen|canceln|cancel)\b|"
    r"\b(stornieren|absagen|canceln)\b[^.?!]{0,10}\bbitte\b|"
    # who stands in for a named member of staff: "Wer betreut seit dem Weggang von Frau Albers …?"
    r"\b(wer|who)\b[^.?!]{0,80}\b(frau|herrn?|mrs?|ms)\.?\s+(dr\.?\s+)?"
    r"(?!(buergermeister|landrat|landraetin|minister|staatssekretaer|kaemmerer)\w*)[a-z]{3,}|"
    # where one's own application is: "Where is my application?"
    r"\bwhere is (my|our) (application|report|action plan|licen[cs]e|payment|money|request|booking)\b|"
    # one named member of staff: "Ist Frau Braun noch für uns zuständig?"
    r"\b(ist|is|sind|arbeitet|wann ist|wo ist)\b[^.?!]{0,20}\b(herr|herrn|frau)\s+(dr\.?\s+)?"
    r"(?!(buergermeister|landrat|landraetin|minister|staatssekretaer|kaemmerer)\w*)[a-z]{3,}|"
    # the own personal data (access, deletion): only a person can deal with it
    r"\bdaten\b[^.?!]{0,40}\b(ueber mich|von mir|zu mir|zu meiner person)\b|\b(dsgvo|gdpr)\b|"
    r"\b(personal data|my data)\b|"
    r"\b(wisst|wissen|speichert|speichern|gespeichert|know|store|stored|keep)\b[^.?!]{0,40}"
    r"\b(ueber|iwwer|about|von) (mich|me|mir)\b|"
    # a request to change the Fachstelle's records: "bitte aktualisieren Sie unsere Kontaktdaten"
    r"\b(aktualisieren|aendern|korrigieren|loeschen|eintragen|austragen|streichen|berichtigen) sie\b|"
    r"\b(tragen|nehmen|streichen) sie (mich|uns)\b[^.?!]{0,60}\b(aus|raus|heraus)\b|"
    # a binding promise for the own project: "Kenne Se mer fest zusache, dass …", "confirm in writing"
    r"\b(fest|verbindlich|schriftlich|in writing|definitely|for sure)\b[^.?!]{0,40}"
    r"\b(zusagen|zusache|zusichern|bestaetigen|garantieren|confirm|guarantee)\w*|"
    r"\b(bestaetigen|zusagen|zusichern|garantieren)\b[^.?!]{0,20}, dass (unser|unsere|unseren)\b|"
    r"\b(confirm|guarantee)\b[^.?!]{0,20}\b(that )?our\b|"
    # a request to look something up or sort it out: "Können Sie da mal nachgucken, ob …"
    r"\b(koennen|koennten|kenne|kennte|kann|could|can) (sie|se|you)\b[^.?!]{0,30}"
    r"\b(nachschauen|nachgucken|nachsehen|nachgucke|nachfragen|klaeren|checken|look into|look it up|"
    r"check on)\b|"
    # whether one dated document of ours still counts: "Zählt unsere Energiemengenbilanz von 2019 noch?"
    r"\b(zaehlt|gilt|reicht|genuegt|taugt)\b[^.?!]{0,10}\b(unser|unsere|unseren)\b[^.?!]{0,50}"
    r"\b(von|aus|vom|from) (19|20)\d\d\b[^.?!]{0,40}\b(noch|still)\b|"
    r"\b(unser|unsere|unseren|our)\b[^.?!]{0,40}\b(von|aus|vom|from) (19|20)\d\d\b[^.?!]{0,40}"
    r"\b(noch|still)\b[^.?!]{0,30}\b(gueltig|ausreichend|anerkannt|akzeptiert|valid|enough|accepted)\b|"
    # asking for an assessment of the own situation: "welche Förderung greift in unserem Fall?"
    r"\b(in|fuer|bei) (unserem|unseren|unserer|meinem) (konkreten |speziellen |besonderen )?"
    r"(fall|situation|konstellation)\b|\bin (our|my) (specific |particular )?(case|situation)\b"
)
# A complaint goes to a person, wherever in the message it stands: "Des is jetzt schon es dritte Mol,
# dass mer kei Antwort kriehe. So geht des net!"
_COMPLAINT = re.compile(
    r"\b(beschwerde|frechheit|unverschaemt\w*|unzumutbar|zumutung|inakzeptabel|unacceptable)\b|"
    r"\b((mich|uns)\b[^.?!]{0,40}\bbeschwer\w*|beschwere (ich )?mich|(i|we) (want to |would like to )?complain|"
    r"(make|file) a complaint)\b|"
    r"\b(so geht (das|des) (nicht|net|nit|ned)|(das|des) geht so (nicht|net|nit|ned))\b|"
    r"\b((schon|bereits|jetzt)( schon)? (zum|das|des|es)|already the) "
    r"(zweite|dritte|vierte|fuenfte|x-te|second|third)n? (mal|mol|time)\b|"
    r"\b(kein|keine|kei|kaa|no)\b[^.?!]{0,20}\b(antwort|rueckmeldung|reaktion|answer|reply|response)\b[^.?!]{0,40}"
    r"\b(bekommen|erhalten|kriegen|gekriegt|kriehe|krieje|received|got|heard)\b|"
    r"\b(bin|sind|ist|war|waren) (sehr |ziemlich |echt |wirklich )?"
    r"(enttaeuscht|veraergert|veraeppelt|sauer|disappointed|annoyed)\b|"
    r"\b(enttaeuscht|veraergert) (war|waren|bin|sind)\b|"
    # a formal objection: "will das offiziell bemängeln", "ohne Rücksprache überschrieben"
    r"\b(bemaengeln|beanstanden|reklamieren|widerspruch einlegen|widerspreche|saftladen)\b|"
    r"\bohne (jede )?ruecksprache\b[^.?!]{0,60}\b(ueberschrieben|geaendert|geloescht|abgelehnt|gekuerzt|storniert|"
    r"ersetzt)\b|"
    r"\b(das|des|dies) (ist|is) fachlich (nicht (haltbar|nachvollziehbar|korrekt|richtig)|falsch)\b"
)
# Dots that do not end a sentence ("am 02.10. eingereicht", "Nr. 12", "z.B."), taken out before the case
# patterns, which stay within one sentence.
_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2,4})?")
_ABBREVIATION = re.compile(r"\b(nr|ca|bzw|ggf|evtl|inkl|vgl|usw|z\.\s?b|d\.\s?h|u\.\s?a)\.")


def _without_inner_dots(folded: str) -> str:
    without_dates = _DATE.sub(lambda m: "/".join(g for g in m.groups() if g), folded)
    return _ABBREVIATION.sub(lambda m: m.group(1).replace(".", "").replace(" ", ""), without_dates)


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


# The same framing when an e-mail arrives as one line (pasted into a chat, joined by a form): a
# salutation up to its comma at the start, a sign-off with the signature block after it at the end.
_GRUESSE = r"gr(?:ü|ue)(?:ß|ss)(?:e|en)?"
_INLINE_SALUTATION = re.compile(
    r"^\s*(sehr geehrte[rs]?|liebe[rs]?|hallo|guten (?:tag|morgen|abend)|dear|hello|hi)\b[^,.!?:\n]{0,60}[,!:]\s+",
    re.IGNORECASE,
)
_INLINE_SIGNOFF = re.compile(
    rf"\b(mit (?:freundlichen|besten|herzlichen|kollegialen) {_GRUESSE}|(?:freundliche|viele|beste|liebe|herzliche|"
    rf"sch(?:ö|oe)ne) {_GRUESSE}|mfg|best regards|kind regards|best wishes|yours (?:sincerely|faithfully))\b",
    re.IGNORECASE,
)
# a sign-off this far into a message ends it; earlier it is part of a sentence
MIN_TEXT_BEFORE_SIGNOFF = 20


def _strip_inline_framing(text: str) -> str:
    without_salutation = _INLINE_SALUTATION.sub("", text, count=1)
    signoffs = list(_INLINE_SIGNOFF.finditer(without_salutation))
    if signoffs and signoffs[-1].start() >= MIN_TEXT_BEFORE_SIGNOFF:
        without_salutation = without_salutation[: signoffs[-1].start()]
    return without_salutation.strip() or text.strip()


def strip_mail_framing(text: str) -> str:
    """Drop greeting lines, a leading greeting and the signature of an e-mail-style message (also when
    the whole e-mail is one line)."""
    lines = text.strip().splitlines()
    kept: list[str] = []
    for line in lines:
        folded = fold(line)
        if _SIGNOFF.match(folded) and kept:
            break
        if _GREETING_LINE.match(folded) or _THANKS_LINE.match(folded) or _SUBJECT_LINE.match(folded):
            continue
        if line.strip():
            kept.append(line.strip())
    cleaned = " ".join(kept) if kept else text.strip()
    without_greeting = _GREETING_PREFIX.sub("", _strip_inline_framing(cleaned), count=1).strip()
    return without_greeting or cleaned.strip()


def classify(text: str) -> Intent:
    """The intent of an already cleaned message."""
    folded = " ".join(fold(text).split())
    if not folded or _SMALLTALK.match(folded.strip(" !?.")) or _only_smalltalk_words(folded):
        return Intent.SMALLTALK
    if _SALUTATION_ONLY.match(folded):
        return Intent.SMALLTALK
    if _SELF_INTRODUCTION.match(folded) and not _ASKS_OR_TELLS_A_MATTER.search(folded):
        return Intent.SMALLTALK
    if _IDENTITY_QUESTION.match(folded):
        return Intent.SMALLTALK
    if _HUMAN.search(folded):
        return Intent.HUMAN
    if _CASE_SPECIFIC.search(_without_inner_dots(folded)):
        return Intent.CASE_SPECIFIC
    return Intent.QUESTION


# A case told anywhere in a message, its story too: a booking made twice, an own invoice's amount, a
# question marked as one case ("Einzelfallfrage: …")
_OWN_CASE_TOLD = re.compile(
    r"\b(doppelt|zweimal|versehentlich|aus versehen)\b[^.?!]{0,60}\bgebucht\b|"
    r"\brechnung\w*\b[^.?!]{0,80}\b(betrag|verrechnet|falsch|zu hoch|doppelt|mahnung|storno|gutschrift)\b|"
    r"\b(verrechnet|zu hoch|mahnung)\b[^.?!]{0,60}\brechnung\b|"
    r"\beinzelfall(frage|anfrage)\b|\bin unserem (konkreten )?einzelfall\b|"
    # an appointment of one's own and a wish to move it, over two sentences: "I booked next Friday's slot
    # … Can we shift it?"
    r"\b(ich hab|ich habe|wir haben|i|we)\b[^.?!]{0,40}\b(gebucht|booked|termin|appointment|slot)\b"
    r"(?![^?!]{0,160}\b(wie|how)\b)[^?!]{0,160}\b(verlegen|verschieben|umlegen|move|shift|reschedule|postpone)\b|"
    # a registration of one's own for a training or an event and a wish to change it: "ich bin für die
    # Schulung angemeldet, … Kann ich in die nächste wechseln?"
    r"\b(ich|wir|i|we)\b[^.?!]{0,60}\b(angemeldet|registered|signed up)\b(?![^?!]{0,160}\b(wie|how)\b)[^?!]{0,160}"
    r"\b(wechseln|umbuchen|ummelden|abmelden|absagen|stornieren|verschieben|vertreten|jemand anderes|"
    r"switch|cancel|swap|send (a colleague|someone else))\b|"
    # an answer of one's own that has not come: "ich hab noch keine Mail bekommen"
    r"\b(noch )?(kein|keine|keinen|kei|kaa|no)\b (e-?mail|mail|nachricht|bestaetigung|zusage|absage|bescheid|einladung|"
    r"zugangsdaten|confirmation|invitation|email) (bekommen|erhalten|gekriegt|kriegt|received|got)\b|"
    # the own picture or data used without consent: "do bin isch vorne druff … nie zugestimmt"
    r"\b(ohne (meine|unsere) (zustimmung|einwilligung|erlaubnis)|(nie|nicht|net|never) zugestimmt|"
    r"einwilligung\w* (widerrufen|zurueckziehen|zurueckgezogen)|widerrufe\w* (meine|die) einwilligung|"
    r"withdraw (my )?consent|without my (consent|permission))\b|"
    # a legal dispute about the own measure: a lawyer, a lawsuit, liability
    r"\b(anwalt|anwaeltin|rechtsanwalt\w*|klage|klageerhebung|verklag\w*|gerichtlich\w*|rechtsstreit|lawyer|attorney|"
    r"lawsuit|sue|suing|haftet|haften|haftung|liable|liability)\b|"
    # an own submission and whether there is news on it yet: "wir haben den Aktionsplan … eingereicht. Gibt es
    # schon ein Feedback?"
    r"\b(wir|ich|we|i)\b[^.?!]{0,80}\b(eingereicht|abgeschickt|geschickt|hochgeladen|uebersandt|submitted|sent|uploaded)\b"
    r"[^?!]{0,200}\b(schon|bereits|inzwischen|mittlerweile|yet|already)\b[^.?!]{0,30}\b(feedback|rueckmeldung|"
    r"ergebnis|antwort|bescheid|entscheidung|news|reply|response|decision)\b|"
    # what the bot (or someone) told is disputed, and who pays now: "ihr bot hat mir was von 90 prozent
    # erzählt … wer übernimmt die differenz?"
    r"\b(ihr|euer|dein|der|the|your) (bot|chatbot)\b[^.?!]{0,60}\b(erzaehlt|gesagt|behauptet|geschrieben|told|said|claimed)\b|"
    r"\bwer (uebernimmt|zahlt|traegt|ersetzt)\b[^.?!]{0,15}\b(kosten|schaden|differenz|mehrkosten|luecke|fehlbetrag|"
    r"verlust)\b|\bwho (pays|covers|is liable)\b|"
    # a dispute over a claim: "Die Nochbergemaa behaupt, … mir hätte kaan Aaspruch"
    r"\b(behaupt\w*|bestreit\w*|streit\w*|strittig|disput\w*|claims?)\b[^?!]{0,120}\b(anspruch|aaspruch|ansprueche|"
    r"recht auf|entitled|entitlement)\b|"
    # the own contact at the Fachstelle, named, who left or is away: "Our contact at the Fachstelle, Ms.
    # Hartung, seems to have left"
    r"\b(ansprechpartner\w*|ansprechperson|berater\w*|betreuer\w*|kontaktperson|contact|advisor|case officer)\b"
    r"[^.?!]{0,40}\b(frau|herrn?|mrs?|ms)\.?\s+(dr\.?\s+)?[a-z]{3,}\b[^.?!]{0,80}\b(left|retired|gone|on leave|"
    r"bounces|nicht mehr (da|erreichbar|zustaendig|bei)|ausgeschieden|in (rente|elternzeit|mutterschutz)|"
    r"im ruhestand|unzustellbar)\b"
)


# An own project in an unusual constellation whose eligibility only a person can judge: the building is
# rented or half the club's, the association has members across the state border
_CONSTELLATION = re.compile(
    r"\b(gehoert|belongs)\b[^.?!]{0,40}\b(halb|zur haelfte|teilweise|(to )?(a|the))?\s?(dem|einem|em|de|der)?\s?"
    r"(verein|heimatverein|sportverein|schuetzenverein|foerderverein|kirchengemeinde|kirche|club|church|association)\b|"
    r"\bhalb (dem|em|de|der|the) (verein|heimatverein|sportverein|schuetzenverein|kirchengemeinde|kirche|club|church)\b|"
    r"\b(gemietet\w*|angemietet\w*|gepachtet\w*|vermieter\w*|mietvertrag|pachtvertrag|erbbaurecht|rented|leased|"
    r"landlord)\b|"
    r"\b(bayerisch|rheinland-pfaelzisch|thueringisch|niedersaechsisch|baden-wuerttembergisch|nordrhein-westfaelisch|"
    r"bavarian)\w*|\bausserhalb (von )?hessens?\b|\blandesgrenze\b|"
    # members of which not all belong to the alliance: "one of which has not signed the charter"
    r"\b(one|two|eine|einer|eins|zwei) (of (which|them|the \w+)|davon|der (gemeinden|kommunen|mitglieder))\b[^.?!]{0,40}"
    r"\b(not|nicht|kein\w*|net|kaa)\b"
)
_OWN = re.compile(r"\b(unser\w*|unsern|wir|uns|mer|mir|our|we|us)\b")
_ELIGIBILITY = re.compile(
    r"\b(foerder\w*|gefoerdert|antragsberechtigt\w*|zuschuss|zuschuesse|geld|mittel|klimarichtlinie|"
    r"kommunalrichtlinie|zaehlt|gilt|fallen|eligible|qualify|qualifies|funding|funded|grant|bonus|zuschlag|rate)\b"
)


def tells_own_case(text: str) -> bool:
    """True when a message, its story included, tells one case of its writer (see `_OWN_CASE_TOLD`),
    or asks whether an own project in an unusual constellation is eligible (`_CONSTELLATION`)."""
    folded = " ".join(fold(text).split())
    if _OWN_CASE_TOLD.search(folded):
        return True
    return bool(_CONSTELLATION.search(folded) and _OWN.search(folded) and _ELIGIBILITY.search(folded))


def is_complaint(text: str) -> bool:
    """True when a message complains (about waiting, about the Fachstelle): only a person can answer."""
    return bool(_COMPLAINT.search(" ".join(fold(text).split())))


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
