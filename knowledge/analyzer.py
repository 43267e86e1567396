"""Turns German text into search terms: synonyms, abbreviations, compound parts, stems, typo fixes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.lexicon import Lexicon
from knowledge.text import STOPWORDS, content_words, fold, stem, words

# Linking elements between the parts of a German compound (Klimaanpassung-s-konzept).
_FUGEN = ("", "s", "es", "n", "en", "e")
_MIN_PART = 4
_MIN_COMPOUND = 8
_WORDLIKE = re.compile(r"[A-Za-zÄÖÜäöüß0-9]+")


@dataclass(frozen=True)
class QueryWord:
    """One content word of a query and the index terms it stands for."""

    word: str
    terms: frozenset[str]
    known: bool


class Analyzer:
    """Shared by indexing and querying so that both sides produce the same terms."""

    def __init__(self, lexicon: Lexicon, corpus_words: Iterable[str]):
        self.lexicon = lexicon
        known = {w for w in corpus_words if len(w) >= 2}
        known.update(lexicon.compound_parts)
        known.update(lexicon.canonical)
        known.update(lexicon.abbreviations)
        for expansion in lexicon.abbreviations.values():
            known.update(expansion)
        self.known_words = frozenset(known)
        self._parts = frozenset(w for w in known if len(w) >= _MIN_PART and w not in STOPWORDS)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self.known_words):
            if len(word) >= 4 and not word.isdigit():
                self._by_length[len(word)].append(word)
        self._terms_cache: dict[str, frozenset[str]] = {}
        self._split_cache: dict[str, tuple[str, ...] | None] = {}
        self._correct_cache: dict[str, str | None] = {}

    # -- documents ---------------------------------------------------------------------------

    def terms(self, text: str) -> list[str]:
        """All index terms of a document text (with repetitions, for term frequencies)."""
        result: list[str] = []
        for word in self._special_abbreviations(text):
            result.extend(self.word_terms(word))
        for word in content_words(text):
            result.extend(self.word_terms(word))
        return result

    # -- queries -----------------------------------------------------------------------------

    def query(self, text: str) -> list[QueryWord]:
        """The content words of a query with their terms; unknown words are typo-corrected if possible."""
        seen: set[str] = set()
        result: list[QueryWord] = []
        for word in self._special_abbreviations(text) + self._separable_verbs(text):
            if word not in seen:
                seen.add(word)
                result.append(QueryWord(word, self.word_terms(word), True))
        for word in content_words(text):
            if word in seen:
                continue
            seen.add(word)
            if word in self.known_words or word.isdigit() or self.split_compound(word):
                result.append(QueryWord(word, self.word_terms(word), True))
                continue
            corrected = self.correct(word)
            if corrected is not None:
                result.append(QueryWord(word, self.word_terms(corrected), True))
            else:
                result.append(QueryWord(word, self.word_terms(word), False))
        return result

    def correct(self, word: str) -> str | None:
        """The closest known word to a misspelt one (rapidfuzz), or None when nothing is close."""
        if word in self._correct_cache:
            return self._correct_cache[word]
        best: str | None = None
        if len(word) >= 5 and not word.isdigit():
            candidates: list[str] = []
            for length in range(len(word) - 2, len(word) + 3):
                candidates.extend(self._by_length.get(length, ()))
            cutoff = 82 if len(word) >= 8 else 86
            match = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
            if match is not None:
                best = match[0]
        if len(self._correct_cache) < 50_000:
            self._correct_cache[word] = best
        return best

    # -- words -------------------------------------------------------------------------------

    def word_terms(self, word: str) -> frozenset[str]:
        """Stems a folded word stands for: itself, its canonical synonym, expansions, compound parts."""
        cached = self._terms_cache.get(word)
        if cached is not None:
            return cached
        related = {word}
        related.update(self.lexicon.abbreviations.get(word, ()))
        for item in list(related):
            canonical = self.lexicon.canonical.get(item)
            if canonical:
                related.add(canonical)
        terms = {stem(item) for item in related if item not in STOPWORDS}
        for part in self.split_compound(word) or ():
            terms.update(self.word_terms(part))
        terms = frozenset(terms)
        if len(self._terms_cache) < 200_000:
            self._terms_cache[word] = terms
        return terms

    def split_compound(self, word: str) -> tuple[str, ...] | None:
        """Known parts of a German compound (klimaanpassungskonzept -> klima, anpassung, konzept)."""
        if len(word) < _MIN_COMPOUND:
            return None
        if word in self._split_cache:
            return self._split_cache[word]
        result = self._split(word)
        if len(self._split_cache) < 100_000:
            self._split_cache[word] = result
        return result

    def _split(self, word: str) -> tuple[str, ...] | None:
        # best[i]: the fewest-part segmentation of word[:i] into known parts (plus linking elements)
        n = len(word)
        best: list[tuple[str, ...] | None] = [None] * (n + 1)
        best[0] = ()
        for end in range(_MIN_PART, n + 1):
            for start in range(0, end - _MIN_PART + 1):
                prefix = best[start]
                if prefix is None or (start == 0 and end == n):
                    continue
                piece = word[start:end]
                candidate = None
                for fuge in _FUGEN:
                    if fuge and not piece.endswith(fuge):
                        continue
                    core = piece[: len(piece) - len(fuge)] if fuge else piece
                    if core in self._parts and (fuge == "" or end < n):
                        candidate = core
                        break
                if candidate is None:
                    continue
                option = (*prefix, candidate)
                if best[end] is None or len(option) < len(best[end]):
                    best[end] = option
        parts = best[n]
        if parts is None or len(parts) < 2:
            return None
        return parts

    def _separable_verbs(self, text: str) -> list[str]:
        """Rejoin split verbs ("treten wir bei" -> "beitreten"); the particle alone is a stop word."""
        if not self.lexicon.separable_verbs:
            return []
        present = set(words(text))
        return [
            verb
            for verb, (particle, forms) in self.lexicon.separable_verbs.items()
            if particle in present and present & forms
        ]

    def _special_abbreviations(self, text: str) -> list[str]:
        """Expansions of case-sensitive abbreviations (DAS, not 'das') written exactly so."""
        if not self.lexicon.case_sensitive:
            return []
        found: list[str] = []
        for token in _WORDLIKE.findall(text):
            expansion = self.lexicon.case_sensitive.get(token)
            if expansion:
                found.extend(expansion)
        return found


def corpus_words(texts: Iterable[str]) -> set[str]:
    """Every folded word of the given texts, for compound splitting and typo correction."""
    # one pass over all texts at once: the same words as text by text, as no word spans a line break
    return set(content_words("\n".join(texts)))


__all__ = ["Analyzer", "QueryWord", "corpus_words", "fold"]
