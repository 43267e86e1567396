"""German text normalisation for retrieval: folding, tokens, stop words, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_TOKEN = re.compile(r"[a-z0-9]+")
# the combining marks NFKD splits off accented letters (é -> e + ´)
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_HYPHENATED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")

# Function words that carry no topic. Kept short on purpose: BM25's IDF already discounts common
# words, this list only keeps them out of the coverage and fuzzy scores.
STOPWORDS = frozenset(
    """
    a ab aber alle allem allen aller alles als also am an ander andere anderen anders auch auf aus bei
    beim bin bis bisher bitte bzw da dabei dafuer dagegen daher damit dann daran darauf daraus darf
    darueber darum das dass davon dazu dem den denen denn der deren des dessen deshalb die dies diese
    diesem diesen dieser dieses doch dort du durch eben ein eine einem einen einer eines einfach einige
    einmal es etwa etwas euch euer fuer gab ganz gar gegen gehabt gern gerne gibt gibts geht gehen
    habe haben hat hatte hatten hier hin ich ihm ihn ihnen ihr ihre ihrem ihren ihrer im immer in ins
    inzwischen ist ja je jede jedem jeden jeder jedes jemand jetzt kann kannst kein keine keinen
    koennen koennt koennte koennten man manche mal mehr mein meine meinem meinen meiner mich mir mit
    moechte moechten muss muessen musst nach nicht nichts noch nun nur ob oder ohne schon sehr sein
    seine seinem seinen sich sie sind so solche soll sollen sollte sollten sondern sowie ueber um und
    uns unser unsere unserem unseren unserer unseres unter viel viele vom von vor war waren warum was
    weil welche welchem welchen welcher welches wenn wer werde werden wie wieso wieviel wir wird wo
    woher wohin wollen wuerde wuerden wurde wurden zu zum zur zwar zwischen hallo hi danke dank
    frage fragen eigentlich genau gerade wirklich bekommt bekommen kriegen kriegt etc usw ne nen mal
    grad halt bzgl bezueglich hinsichtlich sagen sag sagt wissen weiss bescheid hilfe helfen brauchen
    brauche braucht machen mache macht gemacht tun lassen laesst kurz kurze bitte gruss gruesse
    sehr geehrte geehrter damen herren liebe lieber viele freundlichen freundliche beste besten
    the is are was were what which how can could do does did for of to and or in on with we our my i
    you it be a an at any there this that these those me us please hi hello dear thanks get got
    liebes team kollegen kolleginnen fast
    """.split()
)

_stemmer = snowballstemmer.stemmer("german")


# Abbreviations whose dot ends no sentence ("ca.", "z. B.", "Nr."), folded, as a regular-expression
# alternation: the case rules and the sentence splitter read them alike.
ABBREVIATIONS = r"nr|ca|bzw|ggf|evtl|inkl|vgl|usw|z\.\s?b|d\.\s?h|u\.\s?a"

# Question words, folded, German and English: a message with one asks something even without a question
# mark (the reading, the small-talk rules and the answering policy read them alike).
QUESTION_WORD = re.compile(
    r"\b(wie|wieviel\w*|was|wann|wo|woher|wohin|wer|welche\w*|warum|wieso|weshalb|ob|how|what|when|where|who|"
    r"which|whether|why)\b"
)


# The rules of one message fold the same few sentences many times over (about twenty folds a message);
# a small cache holds one message's, not the history of many
@lru_cache(maxsize=64)
def fold(text: str) -> str:
    """Lower-case, spell umlauts out (ä→ae, ß→ss) and drop other accents."""
    text = text.casefold().translate(_UMLAUTS)
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def words(text: str) -> list[str]:
    """Folded words of `text`; hyphenated words also yield their joined form (Klima-Kommune)."""
    folded = fold(text)
    result = _TOKEN.findall(folded)
    result.extend(match.replace("-", "") for match in _HYPHENATED.findall(folded))
    return result


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball German stem of a folded word."""
    if word.isdigit():
        return word
    return _stemmer.stemWord(word)


def content_words(text: str) -> list[str]:
    """Folded words without stop words and one-letter tokens."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]
