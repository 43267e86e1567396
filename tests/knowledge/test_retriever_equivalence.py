"""The fast retriever ranks exactly like a plain BM25 scorer: precomputing and pruning change no result."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from functools import cache

import pytest

from knowledge.model import Entry, load_entries
from knowledge.retriever import (
    CANDIDATES,
    FIELD_WEIGHTS,
    K1,
    W_COVERAGE,
    W_FUZZY,
    W_LEXICAL,
    B,
    Hit,
    Retriever,
    _field_texts,
    _phrase_similarity,
)
from knowledge.text import content_words
from tests.eval_set import load_eval_items

# Simple words and compounds of them (Klimaanpassungskonzept -> klima, anpassung, konzept), so that query
# words stand for several terms; the first ones are drawn far more often, like klima and kommune.
WORDS = """
    Klima Kommune Förderung Schutz Anpassung Konzept Antrag Bilanz Energie Wärme Planung Bericht Frist
    Fachstelle Richtlinie Programm Gemeinde Stadt Landkreis Solar Wasser Hitze Starkregen Mobilität Radweg
    Beratung Zuschuss Mitglied Charta Aktionsplan Treibhausgas Maßnahme Wettbewerb Kosten Personal Stelle
    Klimaschutz Klimaanpassung Klimaanpassungskonzept Förderprogramm Wärmeplanung Energiebericht
    Klimakommune Hitzeschutz Starkregenvorsorge Klimaschutzkonzept Radwegeplanung Solarförderung
""".split()
FILLERS = "wie wir was gibt es für unsere die der bis wann kann man bekommen".split()


@cache
def _reference_index(retriever: Retriever):
    """Raw term frequencies and lengths, indexed independently of the retriever's own postings."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    doc_len: list[float] = []
    for doc, entry in enumerate(retriever.entries):
        tf: Counter[str] = Counter()
        for field, weight in FIELD_WEIGHTS.items():
            for text in _field_texts(entry, field):
                for term in retriever.analyzer.terms(text):
                    tf[term] += weight
        doc_len.append(sum(tf.values()))
        for term, freq in tf.items():
            postings[term].append((doc, freq))
    count = max(len(retriever.entries), 1)
    idf = {
        term: math.log(1 + (count - len(posts) + 0.5) / (len(posts) + 0.5))
        for term, posts in postings.items()
    }
    phrasings = [
        [" ".join(content_words(text)) for text in (entry.title, *entry.questions)]
        for entry in retriever.entries
    ]
    return postings, doc_len, (sum(doc_len) / count) or 1.0, idf, phrasings


def reference_search(retriever: Retriever, text: str, limit: int = 5) -> list[Hit]:
    """The retriever's ranking done the plain way: every posting of every query term, then a full sort."""
    postings, doc_len, avg_len, idf_of, phrasings = _reference_index(retriever)
    words = retriever.analyzer.query(text)
    if not words:
        return []
    bm25: dict[int, float] = defaultdict(float)
    matched_weight: dict[int, float] = defaultdict(float)
    matched_words: dict[int, int] = defaultdict(int)
    total_weight = 0.0
    for word in words:
        idfs = [idf_of[t] for t in word.terms if t in idf_of]
        weight = max(idfs) if idfs else retriever._unknown_weight(word.word)
        if word.word.isdigit():
            weight *= 0.3
        total_weight += weight
        best_for_word: dict[int, float] = {}
        for term in word.terms:
            idf = idf_of.get(term)
            if idf is None:
                continue
            for doc, freq in postings[term]:
                norm = freq * (K1 + 1) / (freq + K1 * (1 - B + B * doc_len[doc] / avg_len))
                if idf * norm > best_for_word.get(doc, 0.0):
                    best_for_word[doc] = idf * norm
        for doc, contribution in best_for_word.items():
            bm25[doc] += contribution
            matched_weight[doc] += weight
            matched_words[doc] += 1
    if not bm25:
        return []
    ceiling = max(
        sum(max((idf_of[t] for t in w.terms if t in idf_of), default=0.0) for w in words),
        retriever.min_evidence,
    ) * (K1 + 1)
    query_phrase = " ".join(word.word for word in words)
    all_known = all(word.known for word in words)
    hits = []
    for doc in sorted(bm25, key=bm25.__getitem__, reverse=True)[:CANDIDATES]:
        coverage = matched_weight[doc] / max(total_weight, retriever.min_evidence)
        lexical = bm25[doc] / ceiling if ceiling else 0.0
        fuzzy = max(_phrase_similarity(query_phrase, phrase) for phrase in phrasings[doc])
        score = W_COVERAGE * coverage + W_LEXICAL * min(lexical, 1.0) + W_FUZZY * fuzzy
        covers = all_known and matched_words[doc] == len(words)
        hits.append(Hit(retriever.entries[doc], score, coverage, lexical, fuzzy, covers))
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return hits[:limit]


def _rows(hits: list[Hit]) -> list[tuple]:
    return [(h.entry.id, h.covers_question) for h in hits]


def _signals(hits: list[Hit]) -> list[float]:
    return [value for h in hits for value in (h.score, h.coverage, h.lexical, h.fuzzy)]


def assert_same_ranking(retriever: Retriever, queries: list[str], limit: int) -> None:
    for query in queries:
        fast, plain = retriever.search(query, limit=limit), reference_search(retriever, query, limit=limit)
        assert _rows(fast) == _rows(plain), query
        assert _signals(fast) == pytest.approx(_signals(plain), abs=1e-9, rel=0), query


def _sentence(rng: random.Random, low: int, high: int) -> str:
    # Zipf-like: a few words are in almost every entry, most are rare
    count = rng.randint(low, high)
    chosen = [WORDS[min(int(rng.paretovariate(0.8)) - 1, len(WORDS) - 1)] for _ in range(count)]
    chosen += rng.sample(WORDS, 2) + rng.sample(FILLERS, 2)
    rng.shuffle(chosen)
    return " ".join(chosen)


def _entry(number: int, rng: random.Random) -> Entry:
    return Entry(
        id=f"syn-{number:04d}",
        title=_sentence(rng, 2, 4)[:120],
        topic="klimaanpassung",
        questions=[_sentence(rng, 3, 7) + "?" for _ in range(rng.randint(3, 5))],
        keywords=[_sentence(rng, 1, 1) for _ in range(rng.randint(1, 4))],
        answer=_sentence(rng, 12, 30) + ".",
        sources=[{"url": "https://example.org/quelle", "as_of": "2025"}],
        reviewed=dt.date(2026, 1, 1),
        review_by=dt.date(2027, 1, 1),
    )


@pytest.fixture(scope="module")
def synthetic() -> Retriever:
    rng = random.Random(20251125)
    entries = [_entry(number, rng) for number in range(400)]
    # copies under other ids tie exactly, so the order of equal scores is checked too
    entries += [entry.model_copy(update={"id": f"dup-{entry.id}"}) for entry in entries[:15]]
    return Retriever(entries)


@pytest.fixture(scope="module")
def queries() -> list[str]:
    rng = random.Random(7)
    special = ["Klima", "Klimaschutz", "Klimaanpassungskonzept Förderung", "Klimaschutzkonzpet", "2025 Frist"]
    special += ["Wärmeplanung Personalausweis", "Apfelkuchen", "der die das"]
    return [_sentence(rng, 0, 8) for _ in range(250)] + special


def test_search_matches_the_plain_scorer_on_a_synthetic_corpus(synthetic, queries):
    assert_same_ranking(synthetic, queries, limit=5)
    assert_same_ranking(synthetic, queries, limit=CANDIDATES)
    assert_same_ranking(synthetic, [entry.title for entry in synthetic.entries[:60]], limit=5)


def test_the_synthetic_corpus_exercises_pruning_and_ties(synthetic, queries):
    # otherwise the test above would pass without ever dropping a document early
    pruned = 0
    for query in queries:
        words = synthetic.analyzer.query(query)
        terms = [[t for t in w.terms if t in synthetic._postings] for w in words]
        matching = {doc for ts in terms for t in ts for doc in synthetic._postings[t]}
        pruned += len(synthetic._contenders(terms)) < len(matching)
    assert pruned > len(queries) // 2
    ids = [hit.entry.id for hit in synthetic.search(synthetic.entries[3].title, limit=CANDIDATES)]
    assert {"syn-0003", "dup-syn-0003"} <= set(ids)


def test_search_matches_the_plain_scorer_on_the_real_knowledge_base():
    retriever = Retriever(load_entries()[0])
    questions = [item.question for item in load_eval_items()]
    assert_same_ranking(retriever, questions, limit=5)
    assert_same_ranking(retriever, questions[::7], limit=CANDIDATES)


def test_equal_scores_keep_the_order_in_which_the_query_words_reach_the_entries():
    # Zebra and Tapir entries tie exactly; the plain scorer keeps the entries of the first query word
    # ahead, so the 20 candidates differ from a tie-break by position in the knowledge base.
    rng = random.Random(3)
    animals = [
        _entry(0, rng).model_copy(
            update={
                "id": f"tier-{number:02d}",
                "title": f"Tiere im Park {animal}",
                "questions": ["Wo leben Tiere?", "Was fressen Tiere?", f"Wie alt wird ein {animal}?"],
                "keywords": ["Tiere", "Park"],
                "answer": "Tiere leben im Park. " * 3,
            }
        )
        for number, animal in enumerate(["Zebra"] * 15 + ["Tapir"] * 15)
    ]
    retriever = Retriever([_entry(number, rng) for number in range(30)] + animals)
    assert_same_ranking(retriever, ["Tapir Zebra", "Zebra Tapir", "Tiere Tapir"], limit=CANDIDATES)


def reference_related(retriever: Retriever, entry: Entry, limit: int = 3) -> list[Entry]:
    """Follow-up entries as `Retriever.related` defines them, by the plain scorer and without a cache."""
    result = [retriever.by_id[i] for i in entry.related if i in retriever.by_id and i != entry.id]
    for hit in reference_search(retriever, f"{entry.title} {' '.join(entry.keywords)}", limit=limit + 3):
        if hit.entry.id != entry.id and hit.entry not in result:
            result.append(hit.entry)
    return result[:limit]


def test_related_is_computed_once_and_cannot_be_changed_by_callers(synthetic):
    for entry in synthetic.entries[:40]:
        assert synthetic.related(entry, limit=5) == reference_related(synthetic, entry, limit=5)
        synthetic.related(entry).clear()
        assert synthetic.related(entry) == reference_related(synthetic, entry)
