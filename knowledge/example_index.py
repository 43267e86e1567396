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

import hashlib
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

import knowledge.text as text_rules
from knowledge import features
from knowledge.archive import write_archive
from knowledge.features import tokens
from knowledge.markup import visible_text
from knowledge.model import Entry

log = logging.getLogger(__name__)

K1 = 1.5
B = 0.75
FORMAT_VERSION = 1


def entry_texts(entry: Entry) -> list[str]:
    """The texts of an entry besides its examples."""
    return [entry.title, *entry.questions, *entry.keywords, visible_text(entry.answer)]


def entry_documents(
    entries: Sequence[Entry], examples: dict[str, list[str]] | None = None
) -> list[tuple[str, list[str]]]:
    """(entry id, its texts and examples) for every entry; `examples`: other examples (entry id -> texts)."""
    return [
        (
            entry.id,
            [*entry_texts(entry), *(entry.examples if examples is None else examples.get(entry.id, []))],
        )
        for entry in entries
    ]


def documents_key(documents: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Changes whenever a document's texts or the way words are read (features, folding, stemming) change."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for module_file in (features.__file__, text_rules.__file__, features.TRANSLATIONS_FILE):
        digest.update(Path(module_file).read_bytes())
    for entry_id, texts in documents:
        digest.update(f"\x00{entry_id}".encode())
        for document_text in texts:
            digest.update(f"\x01{document_text}".encode())
    return digest.hexdigest()[:24]


def load_or_build_index(entries: Sequence[Entry], path: Path | None) -> ExampleIndex:
    """The stored index when it was built from exactly these entries' texts; otherwise built now and
    stored when possible (building reads every example: half a second a start)."""
    documents = entry_documents(entries)
    key = documents_key(documents)
    stored = ExampleIndex.load(path, key) if path is not None else None
    if stored is not None:
        return stored
    index = ExampleIndex(documents)
    if path is not None:
        try:
            index.save(path, key)
        except OSError as exc:
            log.warning("example index not stored at %s: %s", path, exc)
    return index


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
        return cls(entry_documents(entries, examples))

    def save(self, path: Path, key: str) -> None:
        """Write the postings as a NumPy archive (no pickle), marked with the `key` of its documents."""
        words = list(self._postings)
        lengths = [len(self._postings[word][0]) for word in words]
        write_archive(
            path,
            version=np.array(FORMAT_VERSION),
            key=np.array(key),
            ids=np.array(self.ids),
            words=np.array(words),
            indptr=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            docs=np.concatenate([self._postings[word][0] for word in words])
            if words
            else np.zeros(0, np.int64),
            weights=np.concatenate([self._postings[word][1] for word in words]) if words else np.zeros(0),
        )

    @classmethod
    def load(cls, path: Path, key: str) -> ExampleIndex | None:
        """The index stored by `save` for documents with this `key`; None when missing, stale or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as archive:
                if int(archive["version"]) != FORMAT_VERSION or str(archive["key"]) != key:
                    return None
                ids, words = archive["ids"].tolist(), archive["words"].tolist()
                indptr, docs, weights = archive["indptr"], archive["docs"], archive["weights"]
        except (OSError, KeyError, ValueError, EOFError):
            return None
        index = cls.__new__(cls)
        index.ids = ids
        index._postings = {
            word: (docs[start:end], weights[start:end])
            for word, start, end in zip(words, indptr[:-1], indptr[1:], strict=True)
        }
        return index

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
