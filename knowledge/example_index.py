"""A second opinion on which entry a message asks for: plain BM25 over each entry's texts and examples.

The question model weighs features learned from the examples; this index only counts shared words
(dialect spelled in standard German, see `knowledge.features.tokens`), one document an entry: its title,
questions, keywords, answer and examples. The two err differently, so when the index ranks the model's
best entry first, the answer is right more often (`knowledge/confidence.py`); held out, that agreement
lets the bot answer more of the examples rightly at fewer wrong answers than the support of a curated
retriever over the entry texts alone did (README, "The example index"). The index also finds an
entry's related follow-ups and tells which words the entries know.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from knowledge.features import tokens
from knowledge.markup import visible_text
from knowledge.model import Entry

K1 = 1.5
B = 0.75


def entry_texts(entry: Entry) -> list[str]:
    """The texts of an entry besides its examples."""
    return [entry.title, *entry.questions, *entry.keywords, visible_text(entry.answer)]


class ExampleIndex:
    """BM25 over one document an entry; `best` names the entry that shares the most with a message."""

    def __init__(self, documents: Sequence[tuple[str, Iterable[str]]]):
        """`documents`: (entry id, its texts) pairs."""
        self.ids = [entry_id for entry_id, _ in documents]
        counted = [Counter(word for text in texts for word in tokens(text)) for _, texts in documents]
        lengths = np.array([sum(counts.values()) for counts in counted], dtype=float)
        average = max(float(lengths.mean()), 1.0) if len(lengths) else 1.0
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for doc, counts in enumerate(counted):
            norm = K1 * (1 - B + B * lengths[doc] / average)
            for word, tf in counts.items():
                docs, weights = postings[word]
                docs.append(doc)
                weights.append(tf * (K1 + 1) / (tf + norm))
        n = len(counted)
        self._postings = {
            word: (
                np.array(docs),
                math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5)) * np.array(weights),
            )
            for word, (docs, weights) in postings.items()
        }

    @classmethod
    def of_entries(
        cls, entries: Sequence[Entry], examples: dict[str, list[str]] | None = None
    ) -> ExampleIndex:
        """The index of `entries` with their own examples, or with `examples` (entry id -> texts)."""
        return cls(
            [
                (
                    entry.id,
                    [
                        *entry_texts(entry),
                        *(entry.examples if examples is None else examples.get(entry.id, [])),
                    ],
                )
                for entry in entries
            ]
        )

    @property
    def size(self) -> int:
        """How many different words the entries have."""
        return len(self._postings)

    def knows(self, word: str) -> bool:
        """True when a (folded, standard German) word occurs in any entry."""
        return word in self._postings

    def best(self, text: str) -> str | None:
        """The id of the entry with the highest score, or None when the message shares no word."""
        scores = self._scores(text)
        return self.ids[int(scores.argmax())] if scores is not None else None

    def ranked(self, text: str, limit: int) -> list[str]:
        """The ids of the `limit` best-scoring entries that share a word with `text`, best first."""
        scores = self._scores(text)
        if scores is None:
            return []
        order = np.argsort(-scores, kind="stable")[:limit]
        return [self.ids[i] for i in order if scores[i] > 0.0]

    def _scores(self, text: str) -> np.ndarray | None:
        scores = np.zeros(len(self.ids))
        found = False
        for word in set(tokens(text)):
            posting = self._postings.get(word)
            if posting is not None:
                scores[posting[0]] += posting[1]
                found = True
        return scores if found else None
