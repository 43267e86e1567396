"""Ranks knowledge entries for a question: BM25 over weighted fields fused with a fuzzy phrase score."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.analyzer import Analyzer, corpus_words
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.model import Entry
from knowledge.text import content_words

# How much each field of an entry counts. Titles and keywords are written to be found; the
# answer text mentions many side topics and so counts little.
FIELD_WEIGHTS = {"title": 2.0, "questions": 1.0, "keywords": 1.5, "answer": 0.25}
K1 = 1.2
B = 0.6
CANDIDATES = 20
# Fusion weights of the three signals; calibrated on tests/eval (see services/answering.py).
W_COVERAGE = 0.45
W_LEXICAL = 0.20
W_FUZZY = 0.35
# Evidence a question must carry before it can fully cover an entry: one common word ("Förderung")
# fits dozens of entries and must not look like a perfect match.
MIN_EVIDENCE = 4.0
UNKNOWN_WORD_WEIGHT = 2.0


@dataclass(frozen=True)
class Hit:
    """One ranked entry with the signals behind its score (all 0..1)."""

    entry: Entry
    score: float
    coverage: float
    lexical: float
    fuzzy: float
    # every word of the question is known and found in this entry (a vague but on-topic question)
    covers_question: bool = False


class Retriever:
    """An in-memory index over the entries; build once, query many times."""

    def __init__(
        self, entries: list[Entry], lexicon: Lexicon | None = None, *, min_evidence: float = MIN_EVIDENCE
    ):
        self.entries = list(entries)
        self.min_evidence = min_evidence
        self.by_id = {entry.id: entry for entry in self.entries}
        lexicon = lexicon if lexicon is not None else load_lexicon()
        self.analyzer = Analyzer(lexicon, corpus_words(_entry_texts(self.entries)))
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._doc_len: list[float] = []
        for doc, entry in enumerate(self.entries):
            tf: Counter[str] = Counter()
            for field, weight in FIELD_WEIGHTS.items():
                for text in _field_texts(entry, field):
                    for term in self.analyzer.terms(text):
                        tf[term] += weight
            self._doc_len.append(sum(tf.values()))
            for term, freq in tf.items():
                self._postings[term].append((doc, freq))
        count = max(len(self.entries), 1)
        self._avg_len = (sum(self._doc_len) / count) or 1.0
        self._idf = {
            term: math.log(1 + (count - len(posts) + 0.5) / (len(posts) + 0.5))
            for term, posts in self._postings.items()
        }
        # Unknown words are often names, fillers or English; they weigh like a fairly common word so
        # that a question made mostly of unknown words still cannot look covered.
        self._unknown_idf = UNKNOWN_WORD_WEIGHT
        self._phrasings = [
            [" ".join(content_words(text)) for text in (entry.title, *entry.questions)]
            for entry in self.entries
        ]

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        """The best entries for `text`, best first; empty when nothing matches at all."""
        words = self.analyzer.query(text)
        if not words:
            return []
        bm25: dict[int, float] = defaultdict(float)
        matched_weight: dict[int, float] = defaultdict(float)
        matched_words: dict[int, int] = defaultdict(int)
        total_weight = 0.0
        for word in words:
            idfs = [self._idf[t] for t in word.terms if t in self._idf]
            weight = max(idfs) if idfs else self._unknown_weight(word.word)
            if word.word.isdigit():
                weight *= 0.3  # a year or amount rarely decides the topic
            total_weight += weight
            best_for_word: dict[int, float] = {}
            for term in word.terms:
                idf = self._idf.get(term)
                if idf is None:
                    continue
                for doc, freq in self._postings[term]:
                    norm = freq * (K1 + 1) / (freq + K1 * (1 - B + B * self._doc_len[doc] / self._avg_len))
                    contribution = idf * norm
                    if contribution > best_for_word.get(doc, 0.0):
                        best_for_word[doc] = contribution
            for doc, contribution in best_for_word.items():
                bm25[doc] += contribution
                matched_weight[doc] += weight
                matched_words[doc] += 1
        if not bm25:
            return []
        ceiling = max(
            sum(max((self._idf[t] for t in w.terms if t in self._idf), default=0.0) for w in words),
            self.min_evidence,
        ) * (K1 + 1)
        top = sorted(bm25, key=bm25.__getitem__, reverse=True)[:CANDIDATES]
        query_phrase = " ".join(word.word for word in words)
        all_known = all(word.known for word in words)
        hits = []
        for doc in top:
            coverage = matched_weight[doc] / max(total_weight, self.min_evidence)
            lexical = bm25[doc] / ceiling if ceiling else 0.0
            fuzzy = max(_phrase_similarity(query_phrase, phrase) for phrase in self._phrasings[doc])
            score = W_COVERAGE * coverage + W_LEXICAL * min(lexical, 1.0) + W_FUZZY * fuzzy
            covers = all_known and matched_words[doc] == len(words)
            hits.append(Hit(self.entries[doc], score, coverage, lexical, fuzzy, covers))
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:limit]

    def _unknown_weight(self, word: str) -> float:
        """Long unknown nouns (Personalausweis) signal another topic; short ones are mostly filler."""
        return self._unknown_idf * (1.75 if len(word) >= 9 else 1.0)

    def related(self, entry: Entry, limit: int = 3) -> list[Entry]:
        """Follow-up entries: the curated `related` list first, then the nearest entries by title."""
        result = [self.by_id[i] for i in entry.related if i in self.by_id and i != entry.id]
        if len(result) < limit:
            for hit in self.search(f"{entry.title} {' '.join(entry.keywords)}", limit=limit + 3):
                if hit.entry.id != entry.id and hit.entry not in result:
                    result.append(hit.entry)
        return result[:limit]


def _phrase_similarity(query: str, phrase: str) -> float:
    """Typo-tolerant similarity of two folded word sequences (0..1).

    token_set_ratio calls a query that is a subset of the phrase a perfect match; a one-word query
    is weak evidence for a five-word phrasing, so shorter queries are discounted.
    """
    if not query or not phrase:
        return 0.0
    similarity = (fuzz.token_set_ratio(query, phrase) + fuzz.token_sort_ratio(query, phrase)) / 200.0
    query_words, phrase_words = query.count(" ") + 1, phrase.count(" ") + 1
    if query_words < phrase_words:
        similarity *= ((query_words + 1) / (phrase_words + 1)) ** 0.5
    return similarity


def _field_texts(entry: Entry, field: str) -> list[str]:
    if field == "title":
        return [entry.title]
    if field == "questions":
        return list(entry.questions)
    if field == "keywords":
        return list(entry.keywords)
    return [entry.answer]


def _entry_texts(entries: list[Entry]):
    for entry in entries:
        yield entry.title
        yield from entry.questions
        yield from entry.keywords
        yield entry.answer
