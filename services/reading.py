"""Reads a message before it is answered: the question sentences, their context, the language.

An e-mail-style message is cut down to what it asks: quoted text, greeting, sign-off, signature and
disclaimers go; the sentences that ask something become the question, the story around them the
context (which the model weighs less).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.features import looks_english
from knowledge.text import ABBREVIATIONS, QUESTION_WORD, content_words, fold
from services.framing import strip_mail_framing

MAX_SENTENCES = 40
# Question sentences with fewer content words than this that point back at the story ("Stimmt das
# noch?", "Gibt es dafür Geld?") are read together with their context.
MIN_QUESTION_WORDS = 4
# A question of at most one content word names no topic of its own ("Wo fange ich an?", "Was nun?")
MAX_BARE_QUESTION_WORDS = 1
_POINTS_BACK = re.compile(
    r"\b(das|des|dies\w*|dass|es|er|sie|ihn|ihm|ihr|dafuer|dazu|davon|damit|dabei|darauf|darueber|dort|da|"
    r"hierfuer|hierzu|hiervon|so|solche\w*|it|this|that|these|those|they|them|there|"
    # "Wer hat recht?", "Was stimmt denn nun?", "Wie viel sinn's jetzt wirklich?": a verdict on the claims told
    r"recht|right|stimmt|richtig|wahr|true|correct|wirklich|tatsaechlich|really|actually|\w+'s)\b"
)
# A longer question that refers back ("worum es sich dabei handelt") is read with the sentence before it,
# which names what it refers to.
_REFERS_BACK = re.compile(
    r"\b(dabei|darum|dafuer|dazu|davon|damit|darauf|darueber|darunter|hierfuer|hierzu|hiervon|hierbei|"
    r"diese[rsmn]?|solche[rsmn]?|deren|dessen|this|these|those|"
    # a programme named only by its kind: "Bis wann läuft das Programm?" after the sentence that names it
    r"(des|das|dem) (foerder)?programms?|(der|die) (foerder)?richtlinie|the (programme|program|scheme))\b"
)
# "Dazu eine Frage: …", "Dabei stellt sich uns die Frage, …": a lead-in that points back only at the story
# in general, not at what the question is about
_LEAD_IN = re.compile(
    r"^([^:?]{0,40}\b(frage|fragen|question)\b[^:?]{0,20}:\s*|"
    r"(dazu|hierzu|dabei|diesbezueglich|darueber hinaus)\b[^,:?]{0,40}\bfrage\w*\b,?\s*)"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# A dot after an ordinal ("im 2. Lehrjahr") or an abbreviation ("ca.", "z. B.", "Nr.") ends no sentence,
# nor one after a date that the sentence goes on after ("am 12.06. eingereicht").
_NO_SENTENCE_END = re.compile(
    rf"((?<![\d.])\d{{1,2}}\.|\b({ABBREVIATIONS}|dr|prof|hr|fr|tel|str|abs|bspw|sog|approx|[zduei]|"
    r"e\.\s?g|i\.\s?e|i\.\s?a)\.)$",
    re.IGNORECASE,
)
_DATE_END = re.compile(r"\b\d{1,2}\.\d{1,2}\.(\d{2,4})?$")
_QUOTED_LINE = re.compile(r"^\s*>")
_QUOTE_HEADER = re.compile(
    r"^\s*(am .{4,80} schrieb .{0,120}:|on .{4,80} wrote:|-{2,}\s*(urspruengliche nachricht|original message)"
    r"\s*-{2,}|von:\s.+|from:\s.+)\s*$"
)
# Courtesy sentences of a letter ask nothing and tell nothing about the topic: "Für Ihre Rückmeldung
# danke ich Ihnen im Voraus.", "Bei Rückfragen stehe ich gern zur Verfügung."
_COURTESY = re.compile(
    r"^((vielen |herzlichen |besten )?dank (im voraus|vorab)|"
    r"(fuer|ueber) (eine |ihre )?(kurze |baldige |schnelle |zeitnahe )?(rueckmeldung|antwort|muehe|hilfe|"
    r"unterstuetzung|bemuehungen)\b[^?]{0,40}\b(danke|bedanke|freue|freuen|dankbar)\b[^?]*|"
    r"(ich|wir) (freue|freuen) (mich|uns) auf ihre (rueckmeldung|antwort|nachricht)|"
    r"(vielen |herzlichen )?dank fuer (das|die|ihre) (nette|freundliche|gute|schnelle)?\s?"
    r"(telefonat|gespraech|unterstuetzung|hilfe|muehe|antwort)\b[^?]{0,30}|"
    r"(bei|fuer) (rueck|weiteren )?fragen stehe(n)? (ich|wir) (ihnen )?(gern|gerne)? ?zur verfuegung)[\s.!]*$"
)
# "Wie besprochen melde ich mich …" opens with "wie" but asks nothing
_AS_AGREED = re.compile(
    r"^(wie|so wie) (besprochen|vereinbart|angekuendigt|gewuenscht|erwaehnt|gesagt|telefonisch|bereits|schon|"
    r"oben|unten|folgt|gewohnt|versprochen|abgesprochen)\b"
)
_FORWARD_HEADER = re.compile(
    r"^\s*(-{2,}\s*(weitergeleitete nachricht|forwarded message)\s*-{2,}|"
    r"(anfang der weitergeleiteten nachricht|begin forwarded message):)\s*$"
)
_HEADER_FIELD = re.compile(r"^\s*(von|an|cc|betreff|datum|gesendet|from|to|subject|date|sent):\s")
_DISCLAIMER = re.compile(
    r"(diese (e-?mail|nachricht) (enthaelt|ist)|vertraulich|confidential|if you are not the intended|"
    r"bitte denken sie an die umwelt|please consider the environment)"
)
# Words that open a question or a request for information, also without a question mark.
_ASKING = re.compile(
    r"^(wie|was|wer|wo|wann|warum|wieso|weshalb|welche\w*|wieviel\w*|woher|wohin|womit|wofuer|worauf|"
    r"ob|gibt es|gibts|gibt's|kann|koennen|koennten|darf|duerfen|muss|muessen|muessten|ist|sind|hat|haben|"
    r"brauchen|braucht|bekommen|bekommt|lohnt|zaehlt|reicht|gilt|stimmt|"
    r"how|what|which|who|where|when|why|is|are|do|does|can|could|should|will|would|must)\b|"
    r"(bitte (um|teilen|sagen|nennen|erlaeutern|erklaeren|informieren)|"
    r"(moechte|moechten|wuerde|wuerden|wollte|wollten) (gern|gerne)?\s*(wissen|erfahren|fragen)|"
    r"wissen (wollen|moechten)|(koennen|koennten|wuerden) sie (mir|uns)|frage (ist|waere)|"
    r"um (auskunft|information|rueckmeldung|klaerung)|teilen sie (mir|uns)|"
    r"i (would like|want|need) to know|could you (tell|explain|let)|please (tell|explain|let)|"
    # "benötige ich die Information, ob …", "wüssten gern, ob …", "unklar ist, wie …": an indirect question
    r"\b(information|auskunft|mitteilung|angabe|rueckmeldung|klaerung|wissen|erfahren|unklar|fraglich|"
    r"gern|gerne)\b,? (ob|wie|wann|wo|welche\w*|was|wer|warum|wieviel\w*)\b|"
    r"\b(benoetige|benoetigen|brauche|brauchen|suche|suchen) (ich|wir)? ?(die |eine )?"
    r"(information|auskunft|angabe|rueckmeldung|klaerung|unterlagen|informationen)\b|"
    # the formal register: "stellt sich uns die Frage, …", "mich interessiert, …", "wären wir dankbar für
    # einen Hinweis, …", "würden uns freuen, wenn Sie uns mitteilen könnten, …"
    r"\b(stellt|stellen) sich (mir |uns )?(nun |jetzt |daher )?die frage\b|\b(mich|uns) interessier(t|en)\b|"
    r"\bdankbar (fuer|wenn|waere)|\b(wuerde|wuerden) (mich|uns) freuen,? wenn|"
    r"\b(mitteilen|sagen|nennen|erlaeutern|erklaeren|bestaetigen) (koennten|koennen|wuerden)\b|"
    r"\bhinweis(e)?,? (ob|wie|wo|wann|welche\w*|was|wer)\b|\bich frage mich\b|\bwir fragen uns\b|"
    r"\b(i was|we were|i am|we are) wondering\b|\b(would be|are|am) grateful\b|"
    r"\b(let|tell) (me|us) know\b|\b(i|we)'?d like to know\b|"
    # "Jetzt fragt mich der Gemeindevorstand, ob …", "mein chef fragt ob …", "isch waaß net, wie …"
    r"\b(frag\w*|fraeg\w*|fraech\w*|frech\w*|frog\w*|froeg\w*|weiss|waass|wees|unsicher|asks?|asked|wonder\w*)\b"
    r"[^.?!]{0,60}?,? (ob|wie|wann|wo|welche\w*|was|wer|warum|whether|if|how|when|which|what)\b)"
)
# A sentence that only asks for help in general ("Weiß da jemand Bescheid?", "Können Sie mir da
# weiterhelfen?") asks nothing itself: what it is about is in the sentences around it.
_ONLY_ASKS_FOR_HELP = re.compile(
    r"^(und )?((weiss|waass|woass|wees|wisse|wissen) (da |do |hier )?(vielleicht |eventuell )?"
    r"(jemand|einer|aaner|aner|wer|ihr|sie)( da| do| hier)? (bescheid|was|etwas|mehr|rat)( dazu| driwwer| darueber)?|"
    r"(koennen|koennten|kann|kennt|kenne|kinne) (sie|ihr|mer|mir|jemand|aaner) (mir |uns |mer )?(da |do |hier |dabei |"
    r"dazu |bitte |vielleicht )*(weiter)?helfe?n?|"
    r"(haben|habt|hat|hot|hawwe) (sie|ihr|jemand|aaner) (da |do |hier |dazu )?(vielleicht )?"
    r"(eine idee|einen tipp|en tipp|infos|informationen|ahnung|rat)|"
    r"(was|wie) (meinen|sehen) sie (das|dazu)|any (ideas?|thoughts|advice)|(can|could) (you|anyone) help( me| us)?|"
    r"does anyone know)( bitte| please)?[\s?!.]*$"
)


# A term in quotation marks is what a newcomer asks about: "Was heißt eigentlich 'investiv'?"
_QUOTED = re.compile(r"(?:^|(?<=[\s(]))[\"'„‚“‘»«]([^\"'„‚“‘”»«\n]{2,40})[\"'“‘”»«](?=[\s,.;:!?)]|$)")


# The polite frame of a question ("Können Sie mir bitte mitteilen, welche …") asks for nothing itself.
_POLITE_FRAME = re.compile(
    r"\b(k(ö|oe)nnen|k(ö|oe)nnten|w(ü|ue)rden) sie (mir|uns) (bitte |vielleicht |kurz |freundlicherweise )?"
    r"(sagen|mitteilen|erkl(ä|ae)ren|erl(ä|ae)utern|verraten|nennen|skizzieren|beschreiben|darlegen|darstellen|"
    r"schildern|zusammenfassen|aufzeigen|auflisten|umrei(ß|ss)en|best(ä|ae)tigen)\b,?\s*",
    re.IGNORECASE,
)


# ... also with the verb at the end of its clause: "Können Sie uns bitte die aktuelle Zahl nennen?"
_POLITE_FRAME_AROUND = re.compile(
    r"\b(k(ö|oe)nnen|k(ö|oe)nnten|w(ü|ue)rden) sie (mir|uns) (bitte |vielleicht |kurz |freundlicherweise )?"
    r"([^,;:.?!]{3,80}?) (sagen|mitteilen|erkl(ä|ae)ren|erl(ä|ae)utern|verraten|nennen|skizzieren|beschreiben|"
    r"darlegen|darstellen|schildern|zusammenfassen|aufzeigen|auflisten|umrei(ß|ss)en|best(ä|ae)tigen)\b",
    re.IGNORECASE,
)


def without_polite_frame(text: str) -> str:
    """The question without its polite frame."""
    return _POLITE_FRAME_AROUND.sub(r"\7", _POLITE_FRAME.sub("", text))


@dataclass(frozen=True)
class Reading:
    """What the answering policy works with."""

    question: str
    context: str
    english: bool
    # the sentence the question refers back to ("worum es sich dabei handelt"): it names the topic, so
    # the entry model reads it with the question; the case model reads it as part of the story
    antecedent: str = ""

    @property
    def topic(self) -> str:
        """The question with the sentence it refers back to: what the entry model reads."""
        return f"{self.antecedent} {self.question}".strip()

    @property
    def story(self) -> str:
        """Everything around the question sentences, the antecedent included."""
        return f"{self.antecedent} {self.context}".strip()

    @property
    def quoted(self) -> list[str]:
        """The terms the message (question and context) puts in quotation marks."""
        return _QUOTED.findall(f"{self.question}\n{self.context}")


def _unquoted(text: str) -> str:
    """The message without the quoted earlier message and without disclaimer lines. A forwarded
    message is the message: its header lines go, its text stays."""
    kept = []
    forwarded = False
    for line in text.splitlines():
        folded = fold(line)
        if _FORWARD_HEADER.match(folded):
            forwarded = True
            continue
        if forwarded and _HEADER_FIELD.match(folded):
            continue
        if _QUOTE_HEADER.match(folded) and not forwarded:
            break  # everything below is the quoted earlier message
        if not _QUOTED_LINE.match(line) and not _DISCLAIMER.search(folded):
            kept.append(line)
    return "\n".join(kept)


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        piece = text[start : end.start()]
        goes_on = _NO_SENTENCE_END.search(piece) or (
            _DATE_END.search(piece) and text[end.end() : end.end() + 1].islower()
        )
        if "\n" in end.group() or not goes_on:
            sentences.append(piece)
            start = end.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()][:MAX_SENTENCES]


def is_asking(sentence: str) -> bool:
    """True when a sentence asks something (question mark or an asking phrase)."""
    stripped = sentence.strip()
    folded = " ".join(fold(stripped).split())
    if _ONLY_ASKS_FOR_HELP.match(folded):
        return False
    if stripped.endswith("?"):
        return True
    return bool(_ASKING.search(folded)) and not _AS_AGREED.match(folded)


# A topic noun first is a search, even in a few words with little words: "Förderung für Wärmepumpe im
# Rathaus", "Infos zum Aktionsplan", "Fristen bei der Klimarichtlinie" (not a sentence that tells:
# "Förderung ist angekommen, vielen Dank!")
_SEARCH = re.compile(
    r"^(foerder\w*|zuschuss\w*|zuschuesse|finanzierung\w*|infos?|informationen|frist\w*|kosten|antrag|antraege|"
    r"unterlagen|vorlage\w*|beispiel\w*|voraussetzung\w*|ansprechpartner\w*|kontakt\w*|funding|grants?|"
    r"information|deadlines?|requirements?)\b"
)
_TELLS = re.compile(
    r"\b(ist|sind|war|waren|wurde|wurden|hat|haben|habe|hab|kam|kamen|is|are|was|were|has|have)\b"
)
# A question word anywhere, or a need, a request, a change or a problem, asks for something even without a
# question mark: "brauch muster hundesteuersatzung", "die Bankverbindung hat sich geändert", "alles weg!!!"
_WANTS = re.compile(
    r"\b(brauch\w*|benoetig\w*|such\w*|moecht\w*|will|wollen|wuensch\w*|gern|gerne|bitte|hilfe|help|please|"
    r"need\w*|want\w*|looking for|interessier\w*|anfrage|anliegen|"
    # an obligation or a change told is a request too: "die Auszahlung soll aufs neue Konto"
    r"soll|sollen|sollte|sollten|muss|muessen|darf|should|must|geaendert|aenderung|aendern|umgezogen|gewechselt|"
    r"changed|moved|"
    # a problem told asks for help: "Datenbank wieder abgestürzt, alles weg!!!"
    r"abgestuerzt|stuerzt|kaputt|defekt|fehlermeldung|fehler|verloren|(alles|ist|sind) weg|error|crashed|broken|lost)\b|"
    # "gibts da ne Hotline", "dürfe mer do middmache": a question without its mark, the verb before its subject
    r"\b(gibts|gibt es|gibt's|is there|are there)\b|"
    r"\b(darf|duerfen|duerfe|derfe|kann|koennen|koenne|kenne|kinne|muss|muessen|misse|soll|sollen|gilt|zaehlt|"
    r"bekommen|kriegen|krieje|lohnt|reicht|brauchen|hat|haben|hawwe|ist|sind|sin|isch) (wir|mer|mir|man|ich|isch|es|"
    r"das|des|sie|du|ihr)\b"
)


def asks_anything(text: str) -> bool:
    """True when a message asks or wants something anywhere: a question mark, a sentence that asks
    (`is_asking`), a question word, a need, a request, a change or a problem told, a verb before its
    subject. False for a statement or courtesy alone ("Ihnen allen frohe Ostern!", "Das war an meine
    Kollegin.")."""
    if "?" in text:
        return True
    folded = " ".join(fold(text).split())
    if QUESTION_WORD.search(folded) or _WANTS.search(folded):
        return True
    if _SEARCH.match(folded) and not _TELLS.search(folded):
        return True
    return any(is_asking(sentence) for sentence in _sentences(text))


def read_message(text: str) -> Reading:
    """The question sentences of a message, the rest as context, and whether it is English."""
    framed = strip_mail_framing(_unquoted(text) or text)
    english = looks_english(framed)
    every = _sentences(framed)
    sentences = [s for s in every if not _COURTESY.match(" ".join(fold(s).split()))]
    if not sentences:
        return Reading(framed, "", english)
    if len(sentences) < len(every):
        framed = " ".join(sentences)
    asking = [s for s in sentences if is_asking(s)]
    if len(sentences) <= 1 or not asking or len(asking) == len(sentences):
        return Reading(framed, "", english)
    context = [s for s in sentences if s not in asking]
    question = " ".join(asking)
    topic_words = len(content_words(question))
    if topic_words <= MAX_BARE_QUESTION_WORDS or (
        topic_words < MIN_QUESTION_WORDS and _POINTS_BACK.search(fold(question))
    ):
        # "Stimmt das noch?", "Was ist das?", "Wo fange ich an?": the topic is in the sentences around it
        return Reading(" ".join(sentences), "", english)
    first = sentences.index(asking[0])
    antecedent = ""
    if first > 0 and _REFERS_BACK.search(_LEAD_IN.sub("", fold(asking[0]))):
        antecedent = sentences[first - 1]
        context.remove(antecedent)
    return Reading(question, " ".join(context), english, antecedent)
