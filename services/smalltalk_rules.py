"""Rules for small talk: greetings, thanks, goodbyes, who the bot is, what it can do, reactions."""

from __future__ import annotations

import re

from knowledge.text import QUESTION_WORD

_SMALLTALK = re.compile(
    r"^(hallo|hallochen|hi|hey|moin|moinsen|servus|gruess gott|guten (morgen|tag|abend)|na|yo|"
    r"danke|danke schoen|dankeschoen|vielen dank|vielen lieben dank|besten dank|super danke|ok danke|"
    r"thx|thanks|thank you|hello|ok|okay|alles klar|prima|super|toll|cool|tschuess|ciao|bye|"
    r"auf wiedersehen|gute nacht|hilfe|help|menue|menu|start|hauptmenue|"
    r"was kannst du( alles)?|was kann der bot|wer bist du|was bist du|wie funktioniert (das|der bot)|"
    r"was machst du|wofuer bist du|what can you do|who are you|wie geht es dir|wie gehts|"
    r"(wozu|wofuer) (bist du|ist (der|dieser|das) (bot|chat|klimabot|chatbot)|ist das hier)( eigentlich)?( da| gut)?|"
    r"what is this (bot|chat|thing) for)"
    r"( (bot|klimabot|danke|nochmal|auch|bitte|please))?[\s!?.]*$"
)
# Whether anyone is there: "Hallo? Ist da jemand?", "anybody there?", "bist du noch da?" (not "ist da
# jemand, der mir beim Antrag hilft?")
_ANYONE_THERE = re.compile(
    r"^[\s,.!?]*((hallo|hallochen|hi|hey|hello|moin|servus|gude|ei gude|there)( there)?[\s,.!?]*)?"
    r"((ist|is) (da|hier|there|here) (jemand|wer|einer|anybody|anyone|someone)|"
    r"(is|are) (anybody|anyone|someone|you) (there|here|online)|"
    r"(jemand|wer|anybody|anyone|someone) (da|hier|there|here|online)|"
    r"(bist du|sind sie|seid ihr|are you) (noch |still )?(da|there|online|here)|noch (jemand )?da)"
    r"( (da|hier|there|here))?[\s?!.]*$"
)

# A message made only of these words ("ok thx tschau", "ei gude wie", "super, vielen dank und tschüss")
# is small talk, whatever their order.
_SMALLTALK_WORDS = frozenset(
    """
    hallo hallochen hi hey heya moin moinsen servus gude guude gudde ei na yo guten gut morgen tag abend
    mittag nachmittag vormittag mittach nacht gruess gott gruezi hello good morning afternoon evening there
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
    wuensche wuenschen wir euch allen ihrem ihrer eurem team ganze ganzen
    gun gunn owend owed nabend n morsche morje moije mitnand mitnander mitanand griass griasdi gruessi
    tach tachchen huhu salve hoi ahoi tschoe tschuessle adele gluck glueck auf gruss gruesse
    wow mega hammer genial bestens hilfreich erklaert verstaendlich nett lieb freundlich sehr echt
    wirklich total richtig vielmals herzlich awesome great helpful lovely ach och
    """.split()
)
_SMALLTALK_WORD = re.compile(r"[a-z]+")
MAX_SMALLTALK_WORDS = 8
# Wishes for the season or the week: "Frohe Weihnachten und einen guten Rutsch!", "Schöne Feiertage"
_WISHES = (
    r"(einen |ein |eine )?(frohe|froehliche|schoene|gesegnete|besinnliche|erholsame|gute|angenehme)[nsr]? "
    r"(weihnacht\w*|ostern|oster\w*|feiertage|festtage|fest|advent\w*|urlaub|ferien|feierabend|wochenende|"
    r"woche|rest\w*)|(einen |en |nen )?(guten|gude|gudde|gute) rutsch( ins (neue|neie|nei) jahr| in das neue jahr)?|"
    r"(ein |einen )?(frohes|gesundes|gutes|erfolgreiches|glueckliches) (neues )?(jahr|neues)( \d{4})?|"
    r"(einen )?(guten|schoenen|erfolgreichen) (start|einstieg) (in die woche|ins neue jahr|in das neue jahr|"
    r"in den tag|ins wochenende)|merry christmas|happy (new year|holidays|easter)|seasons? greetings"
)
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
    r"(sie|dich|euch|you)( bestimmt| gedacht| meant| intended)?|(falscher|wrong) chat|"
    # "Ihre Nachricht habe ich erhalten und zur Kenntnis genommen."
    r"(ihre|deine|eure|your) (nachricht|antwort|mail|e-mail|email|info\w*|message|reply) (habe ich|hab ich|haben wir|"
    r"ist|i have|we have) (erhalten|bekommen|gelesen|angekommen|received|read)( und)?|"
    rf"{_WISHES}|"
    # "that message wasn't meant for you", "des war net fer eich"
    r"(that|this|the|my) (last |previous )?(message|msg|text) (was|wasn'?t|is|isn'?t) (not )?(meant|intended|for)"
    r"( for)?( you)?|(das|des|dies) (war|wor|is|ist) (nicht|net|nit|ned) (fuer|fer|an) (sie|eich|eisch|euch|dich)|"
    # "sorry, das war an meine Kollegin"
    r"(das|des|it|this|that) (war|was|ging) (an|fuer|for|to) (meine?n?|my|unsere?n?|our) (kolleg\w*|colleague|chef\w*|"
    r"team|frau|mann|mitarbeiter\w*))\b"
)
_BEING = r"(ein |eine |a |an )?(ki|bot|chatbot|maschine|computer|programm|mensch|human|ai|robot|person)"
# "Bist du eigentlich en echte Mensch oder e Computer?" asks who answers, it does not ask for a person
_IDENTITY_QUESTION = re.compile(
    r"^(und |also |sag mal,? )?("
    # "KI oder Mensch?", "Mensch oder Maschine?"
    rf"{_BEING} (oder|or) {_BEING}[\s?!.]*$|"
    r"(bist du|bisde|sind sie|seid ihr|are you)\b"
    r"[^.?!]{0,40}\b(mensch|person|bot|chatbot|computer|programm|computerprogramm|maschine|ki|human|robot|roboter|real|"
    r"ai)\b|"
    r"wer (is|ist|isn|is'n|isses)( des| das)?( do| da| hier)?( eigentlich| eischentlich| iwwerhaupt| ueberhaupt)?[\s?!.]*$|"
    r"mit wem (hab|habe) ich'?s? (es )?(hier |da )?(eigentlich )?zu tun|"
    # "Who am I talking to, is this a bot?", "Spreche ich hier mit einem Menschen?": only with a word for a bot
    # or a person, as "Ist das hier ein Programm des Landes?" asks about funding
    r"((who )?am i (talking|chatting|writing) (to|with)|mit wem (spreche|rede|schreibe|chatte) ich|"
    r"(spreche|rede|schreibe|chatte) ich)\b[^.?!]{0,40}\b(bot|chatbot|mensch|menschen|human|person|robot|ki|ai)\b|"
    r"(is this|ist das( hier)?) (a |an |ein |eine )?(real |echte[rn]? )?(bot|chatbot|mensch|human|robot|ki|ai|person)\b|"
    # "is das hier die lea?", "Bin ich hier richtig bei der Fachstelle?": who answers, not a topic
    r"(is|ist|isses) (das|des|dies) hier (die|der|das) (lea|fachstelle|landesenergieagentur|klimabot|bot|chat\w*)"
    r"( klima-?kommunen)?[\s?!.]*$|bin ich hier (richtig )?(bei der|bei|an der) (lea|fachstelle)\b[^?]{0,20}[\s?!.]*$|"
    # "Handelt es sich bei Ihnen um einen automatisierten Dienst?", "Antwortet hier eine KI?"
    r"(handelt es sich (bei (ihnen|dir|euch)|hier)|antwortet (hier|mir|uns)|schreibe ich (hier )?mit)\b[^.?!]{0,40}"
    r"\b(automatisiert\w*|automatisch\w*|maschinell\w*|bot|chatbot|computer\w*|programm|ki|mensch|menschen)\b)"
)
# "schwätz ich do mit em richtische Mensch oder mit ere Maschin?", "am I talking to an AI or to a real
# person?", "Werden die Nachrichten von Mitarbeitenden beantwortet oder von einem automatisierten System?":
# who answers — unless a person is wished for ("Kann ich mit einem Menschen sprechen oder nur mit dem Bot?")
_PERSON_WORD = (
    r"(mensch|menschen|person|human|mitarbeit\w*|sachbearbeit\w*|berater\w*|fachstelle|leute|people|staff|"
    # "… odder sitzt do in wiesbade einer un tippt"
    r"(sitzt|sitze|hockt|hocke|sits)\b[^?]{0,40}\b(einer|jemand|wer|someone|somebody))"
)
_MACHINE_WORD = r"(maschin\w*|ki|ai|bot|chatbot|computer|programm|automat\w*|system|ki-gestuetzt\w*|assistent\w*|robot|roboter)"
_PERSON_OR_MACHINE = re.compile(
    rf"\b{_PERSON_WORD}\b[^?]{{0,80}}\b(oder|or|odder)\b[^?]{{0,60}}\b{_MACHINE_WORD}\b|"
    rf"\b{_MACHINE_WORD}\b[^?]{{0,80}}\b(oder|or|odder)\b[^?]{{0,60}}\b{_PERSON_WORD}\b"
)
_WISH_FOR_A_PERSON = re.compile(
    r"\b(kann ich|koennte ich|koennen wir|darf ich|moechte|will|wuerde gern|haette gern|can i|could i|may i|"
    r"i want|i'?d like|i would like|sprechen|reden|telefonieren|verbinden|erreichen|anrufen|speak)\b"
)
# A salutation alone ("Sehr geehrte Damen und Herren,"), sent before the rest of an e-mail
_SALUTATION_ONLY = re.compile(
    r"^(sehr geehrte[rs]? (damen und herren|frau|herr)|liebe[rs]? (kolleginnen und kollegen|kolleg\w*|frau|herr|team)|"
    r"dear (sir or madam|sir|madam|team|colleagues)|to whom it may concern)\b[^.?!]{0,30}[\s,.!:]*$"
)


# A greeting from a place: "Hallo aus Fulda", "Moin aus dem Vogelsberg 👋", "hi from Frankfurt"
_GREETING_FROM_A_PLACE = re.compile(
    r"^((ei )?(hallo|hallochen|hi|hey|moin|moin moin|moinsen|servus|gude|guude|gruess gott|tach|"
    r"(schoenen )?guten (morgen|tag|mittag|abend)|good (morning|afternoon|evening)|hello|greetings|(viele |liebe )?gruesse)"
    r"( zusammen| allerseits| in die runde)?[\s,!]*)+"
    r"(aus|vom|von|from|uss|ausm) (?!(?:\w+ ){0,3}\w*\b(wegen|zu|zum|zur|about|regarding)\b)[a-z][\w-]*( [a-z][\w-]*){0,3}[^a-z0-9?]*$"
)
# "Hallo, ich bin Lukas und seit dieser Woche Azubi bei der Stadtverwaltung", "Hallo in die Runde, hier das
# Klimaschutzmanagement aus Lahnbrück": introducing oneself asks nothing
_SELF_INTRODUCTION = re.compile(
    r"^((hallo|hi|hey|moin|servus|gude|guude|guten (morgen|tag|abend))"
    r"( zusammen| allerseits| liebes team| in die runde)?[\s,.!]*)?"
    r"(ich bin|ich heisse|mein name ist|i am|i'm|my name is|this is|"
    r"hier (ist |spricht |schreibt |meldet sich )?(der|die|das|frau|herr)|(es )?(meldet sich|schreibt) (hier )?(der|die|das|frau|herr))"
    r"\b[^?]{0,100}$"
)
# "Kurze Frage zur Klimarichtlinie …", "Ich hätte da mal eine Frage zum Aktionsplan", "mer hätte do emol e
# froch wege dem aktionsplan": the question follows in the next message
_ANNOUNCEMENT = re.compile(
    r"^(?P<says>((ich|wir|mer|isch) )?(haette|haetten|haett|hette|habe|hab|haben|hawwe|hatte) )?"
    r"(da |do )?((mal|emol|mol|noch|nochmal|jetzt) )*(eine |ne |e |en |nur eine |one |a |mehrere |ein paar |einige |"
    r"zwei |drei |paar |some |a few |a couple of )?(kurze |kleine |quick )?"
    r"(frage|fragen|froch|froche|frog|frach|fraach|question|questions|anliegen)\b"
)
MAX_ANNOUNCEMENT_WORDS = 20
# A topic of a few words ("zur Charta") is announced; a longer one is announced only when more is said to
# follow ("… und würde mich freuen, wenn Sie mir weiterhelfen könnten"), else it is the question itself
MAX_ANNOUNCED_TOPIC_WORDS = 4
_MORE_TO_COME = re.compile(
    r"\b(weiterhelfen|helfen|freuen|freue|folgt|folgen|schicke|sende|gleich|anschliessend|anschluss|details|"
    r"einzelheiten|naeheres|later|follow|follows)\b"
)


def _announces_a_question(folded: str) -> bool:
    """True when the message only announces its question: it ends in "…" or ":" a few words on, or it
    says so ("ich hätte eine Frage zu …") and asks nothing yet."""
    announced = _ANNOUNCEMENT.match(folded)
    if not announced:
        return False
    rest = folded[announced.end() :].strip()
    if re.fullmatch(r"(\S+ ){0,4}\S*\s*(…|\.\.\.|:)", rest):
        return True
    return bool(
        announced.group("says")
        and ":" not in rest
        and "?" not in rest
        and not QUESTION_WORD.search(rest)
        and len(rest.split()) <= MAX_ANNOUNCEMENT_WORDS
        and (len(rest.split()) <= MAX_ANNOUNCED_TOPIC_WORDS + 1 or bool(_MORE_TO_COME.search(rest)))
    )


# "Könnten Sie mir erläutern, bei welchen Anliegen mir dieser Assistent weiterhelfen kann?", "Wobei hilft der Chat?"
_BOT = r"\b(assistent\w*|bot|chatbot|klimabot|kanal|dienst|assistant|chat)\b"
_HELPS = r"\b(helfen|weiterhelfen|hilft|hilfst|unterstuetzen|kann|koennen|kannst|help|helps|do|da)\b"
# "Bei welchen Themen können Sie mich unterstützen?", "Was kann mer do alles mit dem Ding mache?"
_WHAT_YOU_DO = re.compile(
    r"^(und |also |sag mal,? )?(was|wobei|womit|bei welche[nm]? \w+|in welche[nm]? \w+|zu welche[nm]? \w+) "
    r"(kann|koennen|kannst|koennt|kenne|kinne|could|can) (sie|du|ihr|man|mer|ich|i|you) "
    r"(mir |mich |uns |mer |sie |dich |euch |you )?"
    r"(hier |do |da |denn |eigentlich |alles |so )*((mit (dem|diesem|dir|ihnen|euch|em) ?(ding|bot|chat|teil|programm|"
    r"assistent\w*)?|bei (dir|ihnen|euch)) )?"
    r"(helfen|weiterhelfen|unterstuetzen|fragen|mache|machen|anfangen|help|ask|do)\b[^.?!]{0,15}[?.!]*$"
)
# "Für welche Themen ist dieses Angebot gedacht?", "Wofür kann ich Sie alles nutzen?", "was kann ich hier erfragen?"
_WHAT_IT_IS_FOR = re.compile(
    r"\b(wofuer|wozu|fuer welche \w+|for what|what \w+ is)\b[^.?!]{0,20}\b(ist|sind|kann|koennen|is|can)\b[^.?!]{0,20}"
    r"\b(dieses angebot|das angebot|dieser dienst|der dienst|dieser kanal|der kanal|der chat|dieser chat|der assistent|"
    r"dieser assistent|sie|ich sie|man sie|ich euch|ich dich|this service|this channel|this chat|you)\b[^.?!]{0,30}"
    r"\b(gedacht|nutzen|benutzen|verwenden|da|meant|intended|use|for)\b|"
    r"\bwas (kann|darf|soll) (ich|man) (hier |sie |euch |dich )?(sinnvollerweise |alles |denn |eigentlich |so )*"
    r"(fragen|erfragen|anfragen|wissen)\b|"
    r"\b(zu|bei|fuer|mit) welchen (themen|fragen|anliegen|bereichen|dingen) (ich|man|wir) (ihnen |dir |euch |hier |mich )*"
    r"(fragen stellen|fragen|wenden|melden|kommen)\b"
)
_CAPABILITIES_QUESTION = re.compile(
    r"(^|, )(wobei|womit|wofuer|wozu|was|bei welche[nm]? \w+|mit welche[nm]? \w+|which \w+|what)\b[^.?!]{0,30}"
    rf"({_BOT}[^.?!]{{0,30}}{_HELPS}|{_HELPS}[^.?!]{{0,30}}{_BOT})[^.?!]{{0,10}}[?.!]*$"
)
# A matter of its own: an object of the Fachstelle's work, a complaint, a request, a person sought
_MATTER = (
    r"angemeldet|gebucht|termin\w*|antrag\w*|bericht\w*|rechnung\w*|aktionsplan\w*|bilanz\w*|"
    r"foerder\w*|frist\w*|geld|klimarichtlinie|kommunalrichtlinie|charta|registered|booked|application|report|invoice|"
    # or complains: "ich bin sehr unzufrieden", "I'm filing a complaint"
    r"unzufrieden|sauer|enttaeuscht|veraergert|aergerlich|wuetend|frustriert|antwort|kaaner|niemand|beschwer\w*|"
    r"complain\w*|frustrated|angry|upset|disappointed|nobody|answer\w*|"
    # or asks for something: "I'm leaving next month, please delete my name"
    r"please|delete|remove|change|update|send|loeschen|entfernen|aendern|schicken|senden|verschieben|absagen|"
    # or looks for someone: "ich bin Frau Maier und suche meinen Berater"
    r"berater\w*|ansprechpartner\w*|kontakt\w*|mensch|menschen|person|someone|advisor"
)
_TELLS_A_MATTER = re.compile(rf"\b({_MATTER})\b")
_ASKS_OR_TELLS_A_MATTER = re.compile(
    r"\b(brauch\w*|moecht\w*|wuerd\w*|bitte|wissen|hilf\w*|question|need|want|would|could|can|"
    r"how|what|when|where|which|why|whether|wie|was|wann|wo|welche\w*|warum|ob|kann|koennen|koennt\w*|muss|muessen|"
    rf"darf|duerfen|gibt|{_MATTER})\b"
)


# "Isch waas net wie des hier geht. Muss mer do was drigge odder einfach losschreiwe?"
_HOW_IT_WORKS = re.compile(
    r"\bwie (das|des|dies|es|der chat|der bot) (hier |do |da )?(geht|funktioniert|laeuft)\s*([.?!,]|$)|"
    r"\bwie (geht|funktioniert|laeuft) (das|des|es) (hier|do|da)\s*([.?!,]|$)|"
    r"\b(einfach )?(losschreiben|losschreiwe|drauflosschreiben|lostippen)\b|"
    r"\bmuss (man|mer|ich) (hier |do |da )?(was|etwas|ebbes|ebbs) (druecken|drigge|klicken|eingeben|tippen)\b|"
    r"^(so |and )?how (does|do) (this|it) work( here)?[\s?!.]*$"
)


def _only_smalltalk_words(folded: str) -> bool:
    words = _SMALLTALK_WORD.findall(_SMALLTALK_PHRASE.sub(" ", folded))
    if not words:  # a phrase alone: "Have a nice weekend!", "Zur Kenntnis genommen."
        return bool(_SMALLTALK_PHRASE.search(folded))
    return len(words) <= MAX_SMALLTALK_WORDS and all(word in _SMALLTALK_WORDS for word in words)


def is_smalltalk(folded: str) -> bool:
    """True when a folded, single-spaced message is small talk by the rules above."""
    return bool(
        not folded
        or _SMALLTALK.match(folded.strip(" !?."))
        or _only_smalltalk_words(folded)
        or _SALUTATION_ONLY.match(folded)
        or _GREETING_FROM_A_PLACE.match(folded)
        or asks_who_answers(folded)
        or (_SELF_INTRODUCTION.match(folded) and not _ASKS_OR_TELLS_A_MATTER.search(folded))
        or _announces_a_question(folded)
        or bool(_CAPABILITIES_QUESTION.search(folded))
        or bool(_HOW_IT_WORKS.search(folded) and not _TELLS_A_MATTER.search(folded))
        or bool(_WHAT_YOU_DO.match(folded) and not _TELLS_A_MATTER.search(folded))
        or bool(_WHAT_IT_IS_FOR.search(folded))
    )


# Courtesy a letter may consist of: wishes, an apology for a message sent by mistake, a test, a receipt
# confirmed, questions announced for later
_COURTESY = re.compile(
    rf"\b({_WISHES}|"
    r"nicht (fuer|an) (sie|euch|dich|you) (bestimmt|gedacht|gerichtet)|(versehentlich|aus versehen|irrtuemlich|"
    r"by mistake)\b[^.?!]{0,60}\b(geschickt|gesendet|gegangen|sent)|"
    r"(dient|diente|ist) (nur |lediglich |ausschliesslich )?(der pruefung|zu testzwecken|ein test|als test)|"
    r"bitte nicht beantworten|(koennen|duerfen) sie (sie|diese|die nachricht|die mail|die e-mail)\b[^.?!]{0,30}"
    r"\b(ignorieren|loeschen)|"
    r"bestaetige\w* (ich |wir )?(hiermit )?(den |dankend den )?(eingang|erhalt)|"
    r"(werden|werde) (wir )?(uns|mich)\b[^.?!]{0,80}\b(fragen|anliegen)\b[^.?!]{0,60}\b(wenden|melden)|"
    r"melde\w* (mich|uns) (gegebenenfalls |ggf |bei bedarf |spaeter |dann )?(erneut|wieder|nochmal|nochmals)|"
    # questions announced for later, a colleague introducing herself, a farewell
    r"(fragen|anliegen) (folgen|kommen)|(melde|melden) (mich|uns) (dann|demnaechst|in kuerze|bald|noch)|"
    r"(mich|uns) (ihnen |euch )?(kurz |gern |gerne )?(bei ihnen )?vorstellen|verabschiede\w* (mich|uns)|"
    r"(in den )?ruhestand|"
    # a question announced for a moment later, an auto-reply that mail is not forwarded
    r"(habe|hab|haette) (gleich|gleich noch|spaeter|noch|dann) (eine|ein paar|mehrere|einige|ne) \w*fragen?|"
    r"bis gleich|bis spaeter|(ihre|deine|your) (e-?mail|nachricht|message) wird (nicht )?weitergeleitet|"
    # praise for an answer: "It has been extremely useful", "das hat uns sehr geholfen"
    r"(has been|was|war|ist) (extremely |very |really |most |sehr |aeusserst |wirklich |echt )?(useful|helpful|"
    r"hilfreich|nuetzlich)|hat (mir|uns) (sehr |wirklich |echt )?(geholfen|weitergeholfen))\b"
)
# Thanks, praise and an out-of-office note are courtesy too when they name no matter and go on with no
# "but": "Top, danke – genau das hat mir gefehlt. Kompliment!" (not "Danke für die Infos zur Frist", not
# "Danke, aber die Quote stimmt nicht", not "bin nicht im Dienst, bitte verlegen Sie den Termin")
_THANKS_WORDS = r"danke\w*|dank|merci|thanks|thank you"
_THANKS_OR_AWAY = re.compile(
    rf"\b({_THANKS_WORDS}|kompliment|compliments|nicht im (dienst|buero|haus)|abwesend|"
    r"out of (the )?office)\b"
)
_CONTRAST = re.compile(r"\b(aber|jedoch|allerdings|trotzdem|but|however|stimmt nicht|falsch|wrong)\b")
# Anything asked or requested makes a letter more than courtesy
_ASKS_OR_REQUESTS = re.compile(
    r"\?|(^|[.!,:] )(koennten|koennen|koenntet|koennt) (sie|ihr|du)\b|"
    r"\b(brauche|brauchen|benoetige|benoetigen|bitte um|bitten um|ich bitte|wir bitten|moechte|moechten|"
    r"wuerde gern|wuerden gern|haette gern|haetten gern|wie|was|wann|wo|welche\w*|warum|"
    r"wieviel\w*|wissen|wuesste\w*|erfahren|erkundigen|bitte ich|bitten|verschieben|verlegen|absagen|vorschlagen|"
    r"please|could you|can you|need)\b"
)


_WISH = re.compile(rf"\b({_WISHES})\b")
# The wishes of a season, answered in kind (a weekend wished with a goodbye stays a goodbye)
_SEASONAL_WISH = re.compile(
    r"\b(weihnacht\w*|ostern|oster\w*|feiertage|festtage|fest|advent\w*|rutsch|neues jahr|neue jahr|neie jahr|"
    r"merry christmas|happy (new year|holidays|easter)|seasons? greetings)\b"
)


_GREETS = re.compile(
    r"^(ei )?(hallo|hallochen|hi|hey|heya|moin|moinsen|servus|gude|guude|gudde|gruess gott|gruezi|tach|huhu|"
    r"(schoenen )?guten (morgen|tag|mittag|nachmittag|abend)|good (morning|afternoon|evening)|hello|mahlzeit|"
    r"(viele |liebe |schoene |herzliche )?gruesse|greetings)\b"
)


def asks_who_answers(folded: str) -> bool:
    """True when a folded small-talk message asks who answers here: "Bist du ein Bot?", "bisde en roboter
    odder sitzt do einer un tippt", "Hallo? Ist da jemand?"."""
    return bool(
        _ANYONE_THERE.match(folded)
        or _IDENTITY_QUESTION.match(folded)
        or (_PERSON_OR_MACHINE.search(folded) and not _WISH_FOR_A_PERSON.search(folded))
    )


_THANKS = re.compile(rf"\b({_THANKS_WORDS}|thx|vergelts gott)\b")


def thanks(folded: str) -> bool:
    """True when a folded message thanks ("vielen Dank an das ganze Team", "thx")."""
    return bool(_THANKS.search(folded))


def greets(folded: str) -> bool:
    """True when a folded small-talk message opens with a greeting ("guten mittag", "Hallo aus Fulda")."""
    return bool(_GREETS.match(folded))


def wishes_well(folded: str) -> bool:
    """True when a folded small-talk message wishes a good season: "Frohe Weihnachten", "Schöne
    Feiertage", "Happy New Year"."""
    return bool(_WISH.search(folded) and _SEASONAL_WISH.search(folded))


def says_only_courtesy(folded: str) -> bool:
    """True when a folded message asks nothing and consists of courtesy: seasonal wishes, a receipt
    confirmed, a test, an apology for a message not meant for the Fachstelle, questions announced for
    later (checked after the case rules: "Frohe Weihnachten! Unser Antrag ist noch nicht bewilligt.")."""
    if _ASKS_OR_REQUESTS.search(folded):
        return False
    if _COURTESY.search(folded):
        return True
    return bool(
        _THANKS_OR_AWAY.search(folded)
        and not _CONTRAST.search(folded)
        and not _TELLS_A_MATTER.search(folded)
        and not QUESTION_WORD.search(folded)
    )
