"""Ranks knowledge entries for a question: BM25 over weighted fields fused with a fuzzy phrase score."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.analyzer import Analyzer, corpus_words
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.model import Entry
from knowledge.text import content_words

# How much each field of an entry counts. Titles and keywords are written to be found; the answer with
# its side topics counts little. The examples are the question model's: left out here, the retriever
# stays a second opinion of its own (and its index small).
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
# Pruning margin: partial sums added in another order may differ from the final ones by far less.
_SLACK = 1e-9


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
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        doc_len: list[float] = []
        # Few distinct frequencies occur; sharing them means that the contributions replacing them
        # below are allocated term by term, and a query reads each posting list from close memory.
        shared: dict[float, float] = {}
        for doc, entry in enumerate(self.entries):
            tf: Counter[str] = Counter()
            for field, weight in FIELD_WEIGHTS.items():
                for text in _field_texts(entry, field):
                    for term in self.analyzer.terms(text):
                        tf[term] += weight
            doc_len.append(sum(tf.values()))
            for term, freq in tf.items():
                postings[term][doc] = shared.setdefault(freq, freq)
        count = max(len(self.entries), 1)
        avg_len = (sum(doc_len) / count) or 1.0
        self._idf = {
            term: math.log(1 + (count - len(posts) + 0.5) / (len(posts) + 0.5))
            for term, posts in postings.items()
        }
        # The index never changes after the build, so each posting's term frequency is replaced by its
        # BM25 contribution (idf x normalised tf), with the same arithmetic a query would do.
        for term, posts in postings.items():
            idf = self._idf[term]
            for doc, freq in posts.items():
                posts[doc] = idf * (freq * (K1 + 1) / (freq + K1 * (1 - B + B * doc_len[doc] / avg_len)))
        self._postings = dict(postings)
        # the most a term can add to any document, the bound that lets `_contenders` prune
        self._max_contribution = {term: max(posts.values()) for term, posts in self._postings.items()}
        # Unknown words are often names, fillers or English; they weigh like a fairly common word so
        # that a question made mostly of unknown words still cannot look covered.
        self._unknown_idf = UNKNOWN_WORD_WEIGHT
        self._phrasings = [
            [" ".join(content_words(text)) for text in (entry.title, *entry.questions)]
            for entry in self.entries
        ]
        self._related: dict[tuple[str, int], tuple[Entry, ...]] = {}

    def search(self, text: str, limit: int = 5, *, candidates: int = CANDIDATES) -> list[Hit]:
        """The best entries for `text`, best first; empty when nothing matches at all. `candidates`: how
        many BM25 leaders are rescored with coverage and fuzzy similarity (fewer is faster)."""
        words = self.analyzer.query(text)
        if not words:
            return []
        # per query word: its indexed terms, in `word.terms` order (which breaks ties between equal
        # scores, see `_top_bm25`), and its coverage weight
        word_terms: list[list[str]] = []
        weights: list[float] = []
        max_idfs: list[float] = []
        total_weight = 0.0
        for word in words:
            terms = [t for t in word.terms if t in self._idf]
            idfs = [self._idf[t] for t in terms]
            weight = max(idfs) if idfs else self._unknown_weight(word.word)
            if word.word.isdigit():
                weight *= 0.3  # a year or amount rarely decides the topic
            total_weight += weight
            word_terms.append(terms)
            weights.append(weight)
            max_idfs.append(max(idfs, default=0.0))
        top = self._top_bm25(word_terms, weights, candidates)
        if not top:
            return []
        ceiling = max(sum(max_idfs), self.min_evidence) * (K1 + 1)
        query_phrase = " ".join(word.word for word in words)
        all_known = all(word.known for word in words)
        hits = []
        for doc, bm25, matched_weight, matched_words in top:
            coverage = matched_weight / max(total_weight, self.min_evidence)
            lexical = bm25 / ceiling if ceiling else 0.0
            fuzzy = max(_phrase_similarity(query_phrase, phrase) for phrase in self._phrasings[doc])
            score = W_COVERAGE * coverage + W_LEXICAL * min(lexical, 1.0) + W_FUZZY * fuzzy
            covers = all_known and matched_words == len(words)
            hits.append(Hit(self.entries[doc], score, coverage, lexical, fuzzy, covers))
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:limit]

    def _top_bm25(
        self, word_terms: list[list[str]], weights: list[float], candidates: int = CANDIDATES
    ) -> list[tuple[int, float, float, int]]:
        """The `candidates` best documents by BM25, best first: (doc, bm25, matched weight, matched words)."""
        postings = [[self._postings[term] for term in terms] for terms in word_terms]
        scored = []
        for doc in self._contenders(word_terms, candidates):
            # summed in query order, as always, so that the scores stay the same to the last bit
            bm25 = matched_weight = 0.0
            matched_words = 0
            first_match = None
            for index, (posts, weight) in enumerate(zip(postings, weights, strict=True)):
                contribution = max((p.get(doc, 0.0) for p in posts), default=0.0)
                if contribution > 0.0:
                    bm25 += contribution
                    matched_weight += weight
                    matched_words += 1
                    if first_match is None:
                        first_match = (index, next(i for i, p in enumerate(posts) if doc in p))
            scored.append((-bm25, first_match, doc, bm25, matched_weight, matched_words))
        # equal scores keep the order in which the query's words, then their terms, first reach a document
        return [row[2:] for row in heapq.nsmallest(candidates, scored)]

    def _contenders(self, word_terms: list[list[str]], candidates: int = CANDIDATES) -> list[int]:
        """Documents that may be among the CANDIDATES best by BM25; all others provably are not."""
        # MaxScore, term at a time: terms go by descending max contribution. Once the CANDIDATES-th best
        # partial score is more than the remaining terms could give a document not seen yet, no new
        # documents are admitted, and seen ones that can no longer reach that score are dropped. Most
        # postings belong to common terms (klima, kommun), which come last and are then mostly skipped.
        steps = sorted(
            (
                (self._max_contribution[term], index, term)
                for index, terms in enumerate(word_terms)
                for term in terms
            ),
            reverse=True,
        )
        # rest[i]: the most all words together can still add to a document after step i; a word
        # gives a document its best term only, so it adds the bound of its best unread term
        rest, upper = [], [0.0] * len(word_terms)
        for bound, index, _ in reversed(steps):
            rest.append(sum(upper))
            upper[index] = bound
        rest.reverse()
        partial: dict[int, float] = {}  # a lower bound of the BM25 of every document seen so far
        best: list[dict[int, float]] = [{} for _ in word_terms]  # per word of several terms
        admitting = True
        kth_at_most = 0.0  # an upper bound of the CANDIDATES-th best partial score, to skip futile checks
        for (bound, index, term), remaining in zip(steps, rest, strict=True):
            posts = self._postings[term]
            if admitting:
                items = posts.items()
            elif len(posts) < len(partial):
                items = [(doc, c) for doc, c in posts.items() if doc in partial]
            else:
                items = [(doc, posts[doc]) for doc in partial if doc in posts]
            if not partial and len(word_terms[index]) == 1:
                partial = dict(posts)  # the first step: a copy is much faster than the loop
            elif len(word_terms[index]) == 1:
                get = partial.get
                for doc, c in items:
                    partial[doc] = get(doc, 0.0) + c
            else:
                get, seen = partial.get, best[index]
                for doc, c in items:
                    old = seen.get(doc, 0.0)
                    if c > old:
                        seen[doc] = c
                        partial[doc] = get(doc, 0.0) + (c - old)
            kth_at_most += bound  # no document gained more than this
            if remaining < kth_at_most and len(partial) >= candidates:
                kth_at_most = heapq.nlargest(candidates, partial.values())[-1]
                threshold = kth_at_most - _SLACK
                if remaining < threshold:
                    admitting = False
                    partial = {doc: score for doc, score in partial.items() if score + remaining >= threshold}
        return list(partial)

    def _unknown_weight(self, word: str) -> float:
        """Long unknown nouns (Personalausweis) signal another topic; short ones are mostly filler."""
        return self._unknown_idf * (1.75 if len(word) >= 9 else 1.0)

    def related(self, entry: Entry, limit: int = 3) -> list[Entry]:
        """Follow-up entries: the curated `related` list first, then the nearest entries by title."""
        # the index never changes, so each indexed entry's follow-ups are searched for only once
        indexed = self.by_id.get(entry.id) is entry
        cached = self._related.get((entry.id, limit)) if indexed else None
        if cached is not None:
            return list(cached)
        result = [self.by_id[i] for i in entry.related if i in self.by_id and i != entry.id]
        if len(result) < limit:
            for hit in self.search(f"{entry.title} {' '.join(entry.keywords)}", limit=limit + 3):
                if hit.entry.id != entry.id and hit.entry not in result:
                    result.append(hit.entry)
        if indexed:
            self._related[(entry.id, limit)] = tuple(result[:limit])
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
