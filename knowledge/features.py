"""Turns a message into the sparse features of the question model: word stems, word pairs, char n-grams.

Dialect and English words are mapped onto the standard German words the entries use, so that "mer
hawwe" and "we have" meet "wir haben"; character n-grams carry typos, compounds and inflections.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.dialect import respellings
from knowledge.text import fold, stem
from knowledge.yaml_text import load_yaml

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CHAR_NGRAMS = (3, 4, 5)
# An English word this long may be a domain word with a typo (one letter off; two from the longer length)
MIN_MISSPELT_LENGTH = 6
LONG_MISSPELT_LENGTH = 9
# A pair of neighbouring stems ("wie hoch", "aktionsplan einreichen") says more about what is asked than
# any single character n-gram: it counts twice (cross-validated: top-1 88.7 -> 89.0 %, answered right
# 80.7 -> 81.0 % at 3.1 -> 2.9 % wrong).
PAIR_WEIGHT = 2

TRANSLATIONS_FILE = Path(__file__).parent / "translations.yaml"


def load_translations(path: Path = TRANSLATIONS_FILE) -> tuple[dict[str, str], dict[str, str]]:
    """The dialect and English word translations of `translations.yaml`, folded; raises ValueError
    naming the faulty section."""
    text = path.read_text(encoding="utf-8")
    raw = load_yaml(text) or {}
    repeated = _repeated_words(text)
    if repeated:
        # YAML keeps the last of two equal keys without a word: the first translation would be lost
        raise ValueError(f"{path.name}: word translated twice in one section: {', '.join(repeated)}")
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: expected a mapping at the top level")
    tables = []
    for section in ("dialect", "english"):
        table = raw.get(section) or {}
        if not isinstance(table, dict) or not all(
            isinstance(word, str) and isinstance(standard, str) for word, standard in table.items()
        ):
            raise ValueError(
                f'{path.name}: {section}: expected word: "standard words" lines (quote yes/no/on)'
            )
        tables.append({fold(word): fold(standard) for word, standard in table.items()})
    return tables[0], tables[1]


_SECTION = re.compile(r"^(\w+):\s*$")
_WORD_LINE = re.compile(r"^\s+([^\s#:][^:]*):")


def _repeated_words(text: str) -> list[str]:
    """Words that appear twice as a key within one section of the translations file."""
    seen: set[tuple[str, str]] = set()
    repeated = []
    section = ""
    for line in text.splitlines():
        if heading := _SECTION.match(line):
            section = heading.group(1)
        elif word := _WORD_LINE.match(line):
            key = (section, word.group(1).strip().strip("\"'"))
            if key in seen:
                repeated.append(key[1])
            seen.add(key)
    return repeated


@lru_cache(maxsize=1)
def _translations() -> tuple[dict[str, str], dict[str, str]]:
    # Hessian (and a little general spoken German) -> standard German; English -> German domain words
    return load_translations()


# Function words, and common words that only English writes: a short English question ("how many
# Klima-Kommunen exist?") has few function words. Hessian function words count as German ("is", "do").
_ENGLISH_MARKERS = frozenset(
    "the is are what which how does do can our we you of to for and there any when where who why "
    "with have has been will should would about this that many much exist exists need get my it "
    "from please thanks thank hello morning good bye number free phone advice climate funding".split()
)
_GERMAN_MARKERS = frozenset(
    "der die das und ist wie was wir ich nicht ein eine fuer mit auf den dem es sind wann wo "
    "gibt kann koennen muss muessen bei von zu im isch mer des net un vun hawwe hot aach uff".split()
)


def tokens(text: str) -> list[str]:
    """Folded word tokens of `text` with dialect spellings replaced by standard German (not in an
    English message: "do" and "is" are English there)."""
    found = _TOKEN.findall(fold(text))
    return _standard(found, dialect=not _english_tokens(found))


def _standard(found: list[str], *, dialect: bool = True) -> list[str]:
    table = _translations()[0] if dialect else {}
    result: list[str] = []
    for token in found:
        if "-" in token:
            # "Klima-Kommunen" meets "Klimakommunen" and "Klima Kommunen"
            result.extend(token.split("-"))
            token = token.replace("-", "")
        standard = table.get(token, token)
        if standard:
            result.extend(standard.split())
    return result


def _words(found: list[str], english: bool) -> list[str]:
    """The message's words: dialect replaced by standard German, or, when the text is English, the
    English words with the German words of English domain words added."""
    if english:
        words = _standard(found, dialect=False)
        return words + [german for german in map(_english_domain_word, words) if german]
    return _standard(found)


@lru_cache(maxsize=20_000)
def _english_domain_word(word: str) -> str:
    """The German words of an English domain word, also when it is misspelt by a letter ("mandatroy"),
    or two in a long word; "" for any other word."""
    english = _translations()[1]
    if word in english or len(word) < MIN_MISSPELT_LENGTH or word in _ENGLISH_MARKERS:
        return english.get(word, "")
    allowed = 1 if len(word) < LONG_MISSPELT_LENGTH else 2
    near = process.extractOne(word, english.keys(), scorer=OSA.distance, score_cutoff=allowed)
    return english[near[0]] if near else ""


def standard_text(text: str) -> str:
    """The message in standard German words: dialect replaced, English domain words translated added."""
    found = _TOKEN.findall(fold(text))
    return " ".join(_words(found, _english_tokens(found)))


def looks_english(text: str) -> bool:
    """True when a message is written in English (more English than German function words)."""
    return _english_tokens(_TOKEN.findall(fold(text)))


def _english_tokens(found: list[str]) -> bool:
    english = sum(token in _ENGLISH_MARKERS for token in found)
    german = sum(token in _GERMAN_MARKERS for token in found)
    return english >= 2 and english > 2 * german


_BEYOND_LETTERS = re.compile("[\u2001-\U0010ffff]")


def _symbols(text: str) -> list[str]:
    """Emoji and other pictographs: a lone 👍 is a message too."""
    if text.isascii():
        return []
    return [ch for ch in _BEYOND_LETTERS.findall(text) if unicodedata.category(ch) == "So"]


@lru_cache(maxsize=50_000)
def _word_features(token: str) -> tuple[str, ...]:
    padded = f" {token} "
    grams = [padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]
    return (f"w:{stem(token)}", *grams)


def feature_counts(text: str) -> Counter[str]:
    """Feature -> count for one message (stems, stem pairs, character n-grams, symbols)."""
    found = _TOKEN.findall(fold(text))
    english = _english_tokens(found)
    words = _words(found, english)
    found_features: list[str] = []
    for word in words:
        found_features.extend(_word_features(word))
    if not english:
        # "eischentlich" also counts as "eigentlich" (knowledge/dialect.py)
        found_features.extend(f"w:{stem(spelling)}" for word in words for spelling in respellings(word))
    found_features.extend(f"s:{symbol}" for symbol in _symbols(text))
    counts = Counter(found_features)
    stems = [stem(w) for w in words]
    for first, second in zip(stems, stems[1:], strict=False):
        counts[f"b:{first}_{second}"] += PAIR_WEIGHT
    return counts
