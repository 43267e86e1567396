"""German text normalisation for retrieval: folding, tokens, stop words, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_TOKEN = re.compile(r"[a-z0-9]+")
_HYPHENATED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")

# Function words that carry no topic. Kept short on purpose: BM25's IDF already discounts common
# words, this list only keeps them out of the coverage and fuzzy scores.
STOPWORDS = frozenset(
    """
    a ab aber als also am an auch auf aus bei beim bin bis bitte bzw da dafuer damit dann das dass
    dem den denen der des dessen die dies diese diesem diesen dieser dieses doch dort du durch ein eine
    einem einen einer eines es etwa euch euer fuer gab gibt ganz gegen gehabt hab habe haben hat hatte
    hier hin ich ihm ihn ihnen ihr ihre im in ins ist ja je jetzt kann kannst koennen koennte man mal mehr
    mein meine mich mir mit muss muessen nach nicht noch nun nur ob oder ohne schon sehr sein seine sich
    sie sind so soll sollen sollte sondern sowie ueber um und uns unser unsere unseren unserem unserer
    unter vom von vor wann war waren warum was weil welche welchen welcher welches wenn wer werden wie
    wieso wieviel wir wird wo woher wohin wurde wurden zu zum zur zwischen hallo hi gerne danke dank
    frage fragen eigentlich genau gerade bekommt bekommen kriegen kriegt gibts denn etc usw ne nen
    the is are what how can do does for of to and or in on with we our my i you it be a an at any
    """.split()
)

_stemmer = snowballstemmer.stemmer("german")


def fold(text: str) -> str:
    """Lower-case, spell umlauts out (ä→ae, ß→ss) and drop other accents."""
    text = text.casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


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
