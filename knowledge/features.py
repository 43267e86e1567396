"""Turns a message into the sparse features of the question model: word stems, word pairs, char n-grams.

Dialect and English words are mapped onto the standard German words the entries use, so that "mer
hawwe" and "we have" meet "wir haben"; character n-grams carry typos, compounds and inflections.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from itertools import chain

from knowledge.text import fold, stem

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CHAR_NGRAMS = (3, 4, 5)

# Hessian (and a little general spoken German) -> standard German, folded (ä -> ae). Only words that
# do not collide with a standard word of this domain.
DIALECT = {
    # pronouns, articles, little words
    "mer": "wir",
    "isch": "ich",
    "des": "das",
    "dess": "das",
    "net": "nicht",
    "nit": "nicht",
    "ned": "nicht",
    "nix": "nichts",
    "ebbes": "etwas",
    "ebbs": "etwas",
    "aach": "auch",
    "aa": "auch",
    "uff": "auf",
    "un": "und",
    "unn": "und",
    "odder": "oder",
    "awwer": "aber",
    "owwer": "aber",
    "vun": "von",
    "vum": "vom",
    "fer": "fuer",
    "kaa": "kein",
    "kaan": "keinen",
    "kaane": "keine",
    "koa": "kein",
    "e": "ein",
    "en": "ein",
    "em": "einem",
    "eme": "einem",
    "enn": "einen",
    "ener": "einer",
    "dere": "der",
    "meim": "meinem",
    "mei": "mein",
    "dei": "dein",
    "do": "da",
    "doo": "da",
    "dezu": "dazu",
    "debei": "dabei",
    "defuer": "dafuer",
    "dodefuer": "dafuer",
    "mol": "mal",
    "emol": "einmal",
    "nochemol": "nochmal",
    "grad": "gerade",
    "widder": "wieder",
    "alleweil": "immer",
    "allaweil": "immer",
    "gell": "oder",
    "gelle": "oder",
    "weje": "wegen",
    "wesche": "wegen",
    "ei": "",
    "gude": "gruss",
    "guude": "gruss",
    # verbs
    "hawwe": "haben",
    "hamma": "haben wir",
    "hammer": "haben wir",
    "hawwemer": "haben wir",
    "hot": "hat",
    "sin": "sind",
    "simmer": "sind wir",
    "sinmer": "sind wir",
    "isses": "ist es",
    "is": "ist",
    "kumme": "kommen",
    "kimmt": "kommt",
    "kummt": "kommt",
    "gibbt": "gibt",
    "gebbt": "gibt",
    "gibts": "gibt es",
    "wolle": "wollen",
    "wolln": "wollen",
    "misse": "muessen",
    "muesse": "muessen",
    "muessemer": "muessen wir",
    "kenne": "koennen",
    "koenne": "koennen",
    "kennemer": "koennen wir",
    "wernmer": "werden wir",
    "werre": "werden",
    "worn": "worden",
    "gewese": "gewesen",
    "mache": "machen",
    "gesacht": "gesagt",
    "sache": "sagen",
    "saache": "sagen",
    "krieje": "kriegen",
    "kriehe": "kriegen",
    "krieht": "kriegt",
    "kriet": "kriegt",
    "aafange": "anfangen",
    "oafange": "anfangen",
    "unnerschriwwe": "unterschrieben",
    "unnerschribbe": "unterschrieben",
    "unnerschreiwe": "unterschreiben",
    "schreiwe": "schreiben",
    "gehn": "gehen",
    "nemme": "nehmen",
    "holle": "holen",
    "helfe": "helfen",
    "helft": "hilft",
    "gewe": "geben",
    "gebe": "geben",
    "babbele": "reden",
    "schwaetze": "reden",
    "frooe": "fragen",
    "froge": "fragen",
    "frog": "frage",
    "wisse": "wissen",
    # nouns
    "johr": "jahr",
    "johrn": "jahren",
    "jahrn": "jahren",
    "jed": "jedes",
    "jeds": "jedes",
    "gemaa": "gemeinde",
    "gemaan": "gemeinde",
    "dorf": "gemeinde",
    "babier": "papier",
    "babierkram": "papierkram",
    "stross": "strasse",
    "strooss": "strasse",
    "hitz": "hitze",
    "rescher": "regen",
    "reeche": "regen",
    "summer": "sommer",
    "winder": "winter",
    "buergermaaster": "buergermeister",
    "buergermeeschder": "buergermeister",
    "schultes": "buergermeister",
}

# English -> German words of this domain (folded). A question in English gets these German words
# added, so that it meets the German entries as well as their English examples.
ENGLISH = {
    "action": "aktionsplan",
    "plan": "plan",
    "charter": "charta",
    "member": "mitglied",
    "members": "mitglieder",
    "membership": "mitgliedschaft",
    "join": "beitreten",
    "joining": "beitritt",
    "alliance": "buendnis",
    "network": "buendnis",
    "municipality": "kommune",
    "municipalities": "kommunen",
    "town": "gemeinde",
    "towns": "gemeinden",
    "village": "gemeinde",
    "city": "stadt",
    "county": "landkreis",
    "counties": "landkreise",
    "district": "landkreis",
    "districts": "landkreise",
    "funding": "foerderung",
    "fund": "foerderung",
    "funds": "foerdermittel",
    "grant": "zuschuss",
    "grants": "zuschuesse",
    "subsidy": "zuschuss",
    "rate": "foerdersatz",
    "rates": "foerdersaetze",
    "eligible": "foerderfaehig",
    "apply": "antrag",
    "application": "antrag",
    "applications": "antraege",
    "deadline": "frist",
    "greenhouse": "treibhausgas",
    "gas": "gas",
    "emissions": "emissionen",
    "inventory": "bilanz",
    "balance": "bilanz",
    "footprint": "bilanz",
    "carbon": "co2",
    "software": "software",
    "tool": "tool",
    "licence": "lizenz",
    "license": "lizenz",
    "training": "schulung",
    "report": "bericht",
    "reporting": "berichtspflicht",
    "yearly": "jaehrlich",
    "annual": "jaehrlich",
    "annually": "jaehrlich",
    "measures": "massnahmen",
    "measure": "massnahme",
    "database": "datenbank",
    "adaptation": "anpassung",
    "climate": "klima",
    "protection": "schutz",
    "heat": "hitze",
    "heavy": "stark",
    "rain": "regen",
    "rainfall": "starkregen",
    "flood": "starkregen",
    "flooding": "starkregen",
    "map": "karte",
    "maps": "karten",
    "competition": "wettbewerb",
    "contest": "wettbewerb",
    "prize": "preis",
    "prizes": "preisgeld",
    "award": "preis",
    "winners": "preistraeger",
    "winner": "preistraeger",
    "jury": "jury",
    "office": "fachstelle",
    "advice": "beratung",
    "consultation": "beratung",
    "advisor": "berater",
    "adviser": "berater",
    "meeting": "treffen",
    "conference": "konferenz",
    "newsletter": "newsletter",
    "trainees": "azubis",
    "apprentices": "azubis",
    "regional": "regional",
    "heating": "waerme",
    "planning": "planung",
    "wind": "windenergie",
    "turbines": "windraeder",
    "turbine": "windrad",
    "solar": "photovoltaik",
    "pv": "photovoltaik",
    "roof": "dach",
    "greening": "begruenung",
    "green": "gruen",
    "roofs": "daecher",
    "facade": "fassade",
    "federal": "bund",
    "state": "land",
    "ministry": "ministerium",
    "update": "fortschreiben",
    "updated": "fortgeschrieben",
    "contents": "inhalte",
    "content": "inhalt",
    "template": "vorlage",
    "outline": "gliederung",
    "submit": "einreichen",
    "send": "schicken",
    "cost": "kosten",
    "costs": "kosten",
    "free": "kostenlos",
    "email": "mail",
    "address": "adresse",
    "contact": "kontakt",
    "council": "gemeindevertretung",
    "resolution": "beschluss",
    "vote": "beschluss",
    "adopt": "beschliessen",
    "neutral": "klimaneutral",
    "neutrality": "klimaneutralitaet",
    "target": "ziel",
    "goal": "ziel",
    "year": "jahr",
    "years": "jahre",
    "manager": "manager",
    "concept": "konzept",
    "strategy": "konzept",
    "cycling": "radverkehr",
    "bike": "fahrrad",
    "bicycle": "fahrrad",
    "cargo": "lasten",
    "lighting": "beleuchtung",
    "street": "strasse",
    "mobility": "mobilitaet",
    "care": "pflege",
    "daycare": "kita",
    "kindergarten": "kita",
    "school": "schule",
    "social": "sozial",
    "founded": "gegruendet",
    "history": "geschichte",
    "name": "name",
    "old": "alt",
    "new": "neu",
    "obligations": "pflichten",
    "duties": "pflichten",
    "duty": "pflicht",
    "binding": "verbindlich",
    "benefits": "vorteile",
    "advantages": "vorteile",
    "voluntary": "freiwillig",
    "pay": "kosten",
    "fee": "kosten",
    "fees": "gebuehren",
    "hotline": "hotline",
    "phone": "telefon",
    "events": "veranstaltungen",
    "event": "veranstaltung",
    "scouts": "klimascouts",
    "sectors": "sektoren",
    "sector": "sektor",
    "standard": "standard",
    "data": "daten",
    "quality": "guete",
    "electricity": "strom",
    "mix": "mix",
    "weather": "witterung",
    "correction": "korrektur",
    "investment": "investiv",
    "investive": "investiv",
    "bank": "wibank",
    "guideline": "richtlinie",
    "directive": "richtlinie",
    "programme": "programm",
    "program": "programm",
    "sewage": "klaeranlage",
    "drinking": "trinkwasser",
    "water": "wasser",
    "stream": "bach",
    "unseal": "entsiegeln",
    "unsealing": "entsiegelung",
    "shade": "verschattung",
    "trees": "baeume",
    "study": "studie",
    "studies": "studien",
    "analysis": "analyse",
}
_ENGLISH_MARKERS = frozenset(
    "the is are what which how does do can our we you of to for and there any when where who why "
    "with have has been will should would about this that".split()
)
_GERMAN_MARKERS = frozenset(
    "der die das und ist wie was wir ich nicht ein eine fuer mit auf den dem es sind wann wo "
    "gibt kann koennen muss muessen bei von zu im".split()
)


def tokens(text: str) -> list[str]:
    """Folded word tokens of `text` with dialect spellings replaced by standard German."""
    return _standard(_TOKEN.findall(fold(text)))


def _standard(found: list[str]) -> list[str]:
    result: list[str] = []
    for token in found:
        if "-" in token:
            # "Klima-Kommunen" meets "Klimakommunen" and "Klima Kommunen"
            result.extend(token.split("-"))
            token = token.replace("-", "")
        standard = DIALECT.get(token, token)
        if standard:
            result.extend(standard.split())
    return result


def _with_english(found: list[str], words: list[str]) -> list[str]:
    """The words, with the German words of English domain words added when the text is English."""
    if _english_tokens(found):
        return words + [ENGLISH[w] for w in words if w in ENGLISH]
    return words


def standard_text(text: str) -> str:
    """The message in standard German words: dialect replaced, English domain words translated added."""
    found = _TOKEN.findall(fold(text))
    return " ".join(_with_english(found, _standard(found)))


def looks_english(text: str) -> bool:
    """True when a message is written in English (more English than German function words)."""
    return _english_tokens(_TOKEN.findall(fold(text)))


def _english_tokens(found: list[str]) -> bool:
    english = sum(token in _ENGLISH_MARKERS for token in found)
    german = sum(token in _GERMAN_MARKERS for token in found)
    return english >= 2 and english > 2 * german


def _symbols(text: str) -> list[str]:
    """Emoji and other pictographs: a lone 👍 is a message too."""
    if text.isascii():
        return []
    return [ch for ch in text if ord(ch) > 0x2000 and unicodedata.category(ch) == "So"]


@lru_cache(maxsize=50_000)
def _word_features(token: str) -> tuple[str, ...]:
    padded = f" {token} "
    grams = [padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]
    return (f"w:{stem(token)}", *grams)


def feature_counts(text: str) -> Counter[str]:
    """Feature -> count for one message (stems, stem pairs, character n-grams, symbols)."""
    found = _TOKEN.findall(fold(text))
    words = _with_english(found, _standard(found))
    counts = Counter(chain.from_iterable(map(_word_features, words)))
    stems = [stem(w) for w in words]
    counts.update(f"b:{a}_{b}" for a, b in zip(stems, stems[1:], strict=False))
    counts.update(f"s:{symbol}" for symbol in _symbols(text))
    return counts
