"""Rules for one concrete case of the writer: its state, a complaint, a case told in the story."""

from __future__ import annotations

import re

from knowledge.text import ABBREVIATIONS, fold

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
    # (a state is a whole word: the boundary first spares trying every state word inside other words)
    rf"(\b{_CASE_STATE}[^.?!]{{0,40}}(unser|unsere|unseren|unserem|unseres|our)\b[^.?!]{{0,40}}{_CASE_OBJECT})|"
    rf"({_CASE_OBJECT}\w*[^.?!]{{0,50}}\b(schon|bereits|endlich|noch nicht)\b[^.?!]{{0,30}}{_CASE_STATE})|"
    r"\b(aktenzeichen|antragsnummer|vorgangsnummer|az\.?:?\s*([a-z]{1,4}[-/ ]?)?\d+|ticketnummer)\b|"
    r"\bwann (kommt|bekommen wir|erhalten wir|kriegen wir) (unser|unseren|das|den|die) (geld|bescheid|zusage|antwort)|"
    # moving or cancelling one's own appointment: "Bitte verlegen Sie meinen Beratungstermin vom 4.11."
    r"\b(mein|meine|meinen|unser|unsere|unseren)\b[^.?!]{0,30}termin\w*\b[^.?!]{0,80}"
    r"\b(verlegen|verschieben|absagen|stornieren|umlegen|aendern)\b|"
    r"\b(verlegen|verschieben|stornieren|umlegen)\b[^.?!]{0,20}\b(mein|meinen|unser|unseren)\b[^.?!]{0,30}termin|"
    # "ich hab nächsten Dienstag einen Beratungstermin …, kann man den auf die Woche drauf legen?"
    r"\b(ich hab|ich habe|wir haben|wir hatten|ich hatte)\b[^.?!]{0,40}termin\w*\b[^.?!]{0,100}"
    r"\b(verlegen|verschieben|absagen|stornieren|umlegen|aendern|legen|tauschen)\b|"
    # an appointment cancelled and a new one wished: "den Termin für die Schulung absagen und einen neuen ausmachen"
    r"\btermin\w*\b[^.?!]{0,80}\b(absagen|verschieben|verlegen|stornieren|cancel)\b[^.?!]{0,10}\b(und|and)\b[^.?!]{0,20}"
    r"\b(neue[nm]?|anderen|new|another)\b|"
    # an appointment that does not suit: "initialberatung do 14 uhr klappt nich, geht naechste woche?"
    r"(\b\w*(termin|beratung|gespraech|telefonat)\w*|\b(call|meeting))\b[^.?!]{0,40}"
    r"\b((klappt|passt|geht)( bei (mir|uns))? (leider )?(nicht|nich|net|nit)|wird (leider )?(nix|nichts)|"
    r"faellt (bei (mir|uns) )?leider aus|muss (leider )?ausfallen)\b|"
    # ... or that the writer must cancel: "initialberatung do 14 uhr muss ich absagen chef krank"
    r"(\b\w*(termin|beratung|gespraech|telefonat)\w*|\b(call|meeting))\b[^.?!]{0,40}"
    r"\b(muss|muessen|moechte|moechten|will|wollen) (ich|wir|mer|mir) (leider )?"
    r"(absagen|verschieben|verlegen|stornieren|canceln)\b|"
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
    # a request to promise or guarantee anything: "koennt ihr zusagen dass ecospeed kostenlos bleibt?"
    r"\b(koennen|koennt|koennten|kenne|kennte|kannst|could|can) (sie|ihr|se|du|you)\b[^.?!]{0,20}"
    r"\b(zusagen|zusichern|garantieren|versprechen|zusache|guarantee|promise)\b|"
    # ... or for the own conduct: "bestätigen, dass wir die 60 % behalten, wenn wir den Plan später abgeben"
    r"\b(bestaetigen|zusagen|zusichern|garantieren)\b[^.?!]{0,20},? dass (wir|mer|mir)\b[^.?!]{0,80}"
    r"\b(wenn|falls|obwohl|auch wenn) (wir|mer|mir)\b|"
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
    # waiting for an answer since a time: "bei wibank seit maerz keine antwort", "no reply for six weeks"
    r"\bseit\b[^.?!]{1,30}\b(kein|keine|kei|kaa|nix|nichts)\b[^.?!]{0,10}\b(antwort|rueckmeldung|reaktion|nachricht|"
    r"bescheid)\b|\b(no|not an?) (answer|reply|response|word)\b[^.?!]{0,20}\b(since|for) \w+|"
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
_ABBREVIATION = re.compile(rf"\b({ABBREVIATIONS})\.")


def _without_inner_dots(folded: str) -> str:
    without_dates = _DATE.sub(lambda m: "/".join(g for g in m.groups() if g), folded)
    return _ABBREVIATION.sub(lambda m: m.group(1).replace(".", "").replace(" ", ""), without_dates)


def asks_about_own_case(folded: str) -> bool:
    """True when a folded, single-spaced question asks about one concrete case (`_CASE_SPECIFIC`)."""
    return bool(_CASE_SPECIFIC.search(_without_inner_dots(folded)))


# A case told anywhere in a message, its story too: a booking made twice, an own invoice's amount, a
# question marked as one case ("Einzelfallfrage: …")
_OWN_CASE_TOLD = re.compile(
    r"\b(doppelt|zweimal|versehentlich|aus versehen)\b[^.?!]{0,60}\bgebucht\b|"
    r"\brechnung\w*\b[^.?!]{0,80}\b(betrag|verrechnet|falsch|zu hoch|doppelt|mahnung|storno|gutschrift)\b|"
    r"\b(verrechnet|zu hoch|mahnung)\b[^.?!]{0,60}\brechnung\b|"
    # an invoice received: "rechnung fuer ecospeed lizenz bekommen, dachte das erste jahr is kostenlos??"
    r"\b(rechnung|mahnung|zahlungsaufforderung|invoice)\w*\b[^.?!]{0,60}\b(bekommen|erhalten|gekriegt|zugeschickt|"
    r"zugegangen|received|got)\b|"
    # a stand-in for an own appointment: "Mein Kollege ist krank, kann jemand anders zum Termin kommen?"
    r"\b(krank|erkrankt|verhindert|im urlaub|in urlaub|ausgefallen|sick|ill|unavailable)\b[^?!]{0,80}"
    r"\b(jemand (anders|anderes|andres)|ein(e|en)? (kolleg\w*|vertret\w*)|someone else|a colleague)\b[^?!]{0,60}"
    r"\b(termin\w*|beratung\w*|schulung\w*|gespraech\w*|webinar\w*|appointment|meeting|training|kommen|teilnehmen|"
    r"einspringen|vertreten|come|attend)\b|"
    # a binding assessment asked for: "Ich bräuchte eine verbindliche Einschätzung für die GV-Sitzung"
    r"\b(brauche|braeuchte|brauchen|braeuchten|benoetige|benoetigen|haette gern|haetten gern|bitte um|bitten um|"
    r"erbitte|erbitten|need|would need|ask for)\b[^.?!]{0,20}\b(verbindlich\w*|rechtssicher\w*|rechtsverbindlich\w*|"
    r"binding)\b (einschaetzung|aussage|auskunft|zusage|bestaetigung|entscheidung|antwort|pruefung|assessment|"
    r"answer|confirmation|commitment|decision)\b|"
    # an objection lodged: "Ein Bürger hat Widerspruch gegen den Beschluss eingelegt"
    r"\b(widerspruch|einspruch|objection)\b[^.?!]{0,60}\b(eingelegt|erhoben|lodged|filed)\b|"
    r"\bklag\w* (jetzt |nun |schon )?(gegen|geeche|geje|against)\b|"
    r"\b(got|received|have received|were sent)\b[^.?!]{0,20}\b(an? |the )?(invoice|bill|payment reminder)\b|"
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
    # (not "Können wir beitreten, wenn die Gemeindevertretung noch nicht zugestimmt hat?")
    r"\b(ohne (meine|unsere) (zustimmung|einwilligung|erlaubnis)|(ich|isch|i)\b[^.?!]{0,30}\b(nie|nicht|net|never)\b"
    r"[^.?!]{0,10}\b(zugestimmt|consented|agreed)|"
    r"einwilligung\w* (widerrufen|zurueckziehen|zurueckgezogen)|widerrufe\w* (meine|die) einwilligung|"
    r"withdraw (my )?consent|without my (consent|permission))\b|"
    # a legal dispute about the own measure: a lawyer, a lawsuit, liability (not whether one could be
    # sued: "kann uns jemand verklagen, wenn wir die Ziele nicht schaffen?" asks what the Charta binds)
    r"(?<!\bkann uns jemand )(?<!\bkann man uns )(?<!\bkoennen wir )(?<!\bcan someone )(?<!\bcan anyone )"
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
    # ("Wer zahlt die Kosten der Wärmeplanung?" asks about a programme: costs only with "jetzt", "nun")
    r"\bwer (uebernimmt|zahlt|traegt|ersetzt) (jetzt|nun|dann|denn jetzt) (die |den |das )?(kosten|schaden|differenz|"
    r"mehrkosten|luecke|fehlbetrag|verlust)\b|"
    r"\bwer (uebernimmt|zahlt|traegt|ersetzt)\b[^.?!]{0,15}\b(schaden|differenz|mehrkosten|fehlbetrag|verlust)\b|"
    r"\bwho (pays|covers)\b[^.?!]{0,15}\b(now|damage|difference|shortfall|loss)\b|\bwho is liable\b|"
    # a dispute over a claim: "Die Nachbargemeinde bestreitet unseren Anspruch"
    # (not "Mein Kollege behauptet, wir hätten Anspruch auf 90 %": a claim to check is a question)
    r"\b(bestreit\w*|streit\w*|strittig|disput\w*)\b[^?!]{0,120}\b(anspruch|aaspruch|ansprueche|recht auf|entitled|"
    r"entitlement)\b|"
    # the own contact at the Fachstelle, named, who left or is away: "Our contact at the Fachstelle, Ms.
    # Hartung, seems to have left"
    r"\b(ansprechpartner\w*|ansprechperson|berater\w*|betreuer\w*|kontaktperson|contact|advisor|case officer)\b"
    r"[^.?!]{0,40}\b(frau|herrn?|mrs?|ms)\.?\s+(dr\.?\s+)?[a-z]{3,}\b[^.?!]{0,80}\b(left|retired|gone|on leave|"
    r"bounces|nicht mehr (da|erreichbar|zustaendig|bei)|ausgeschieden|in (rente|elternzeit|mutterschutz)|"
    r"im ruhestand|unzustellbar)\b"
)


# An access of one's own that fails: "ecospeed login geht seit gestern nicht mehr, passwort reset kommt keine
# mail" (a person must look into it; not when only asked whom to turn to: "Mein Login funktioniert nicht
# mehr. An wen wende ich mich?" is answered with the contact)
_ACCESS_FAILS = re.compile(
    r"\b(login|log-in|einloggen|einlogge|zugang|zugangsdaten|passwort|kennwort|password|account|benutzerkonto)\b"
    r"[^.?!]{0,40}\b(geht|funktioniert|klappt|works?|working)\b[^.?!]{0,20}\b(nicht|nich|net|nit|not|no longer)\b|"
    r"\b(passwort|kennwort|password)\w*[^.?!]{0,30}\b(reset|zuruecksetzen|zurueckgesetzt)\b[^.?!]{0,30}"
    r"\b(keine|kein|kaa|no|nicht|net)\b|"
    r"\b(zugang|benutzerkonto|account|konto|lizenz)\w*\b[^.?!]{0,20}\bgesperrt\b|\blocked out\b"
)
_ASKS_WHOM_TO_TURN_TO = re.compile(
    r"\b(an wen|wen kann|wen muss|wer hilft|wer ist zustaendig|who (can|do|should) i (contact|ask|turn to)|whom)\b"
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
    """True when a message, its story included, tells one case of its writer (see `_OWN_CASE_TOLD`), an
    access of its own that fails (`_ACCESS_FAILS`), or asks whether an own project in an unusual
    constellation is eligible (`_CONSTELLATION`)."""
    folded = " ".join(fold(text).split())
    if _OWN_CASE_TOLD.search(folded):
        return True
    if _ACCESS_FAILS.search(folded) and not _ASKS_WHOM_TO_TURN_TO.search(folded):
        return True
    return bool(_CONSTELLATION.search(folded) and _OWN.search(folded) and _ELIGIBILITY.search(folded))


def is_complaint(text: str) -> bool:
    """True when a message complains (about waiting, about the Fachstelle): only a person can answer."""
    return bool(_COMPLAINT.search(" ".join(fold(text).split())))
