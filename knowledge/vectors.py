"""The vectors of the models: feature counts of many texts, the vocabulary with its IDF, and the
normalised TF-IDF vector of one message (its question sentences, its context weighing less).

The question model and the case model share them: one counting of all examples serves both.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
from scipy import sparse

from knowledge.features import feature_counts
from knowledge.forked import ForkedCall, second_core_available

# Features found in more than this share of all labels' examples say nothing about the topic.
MAX_LABEL_SHARE = 0.5
# A feature seen in a single example (mostly a typo's n-grams) teaches nothing that generalises.
MIN_EXAMPLES = 2
# From this many texts on, a second process counts the second half (counting is pure Python: two cores
# halve it; below this the process start costs more than it saves).
PARALLEL_FROM_TEXTS = 4000


@dataclass
class Featurized:
    """Training examples as TF-IDF rows over one vocabulary: built once, shared by all folds."""

    labels: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    rows: list[tuple[np.ndarray, np.ndarray]]
    label_of_row: np.ndarray
    # a hash of every example (label and text): the training order is drawn from it, so that a new
    # example takes its place in the order without reshuffling all the others
    keys: np.ndarray

    def matrix(self, subset: Sequence[int] | None = None) -> sparse.csr_matrix:
        """The rows (all, or those in `subset`) as one sparse examples x features matrix."""
        rows = self.rows if subset is None else [self.rows[i] for i in subset]
        return stack_rows(rows, len(self.vocabulary))


@dataclass
class CountMatrix:
    """Raw feature counts of many texts: one row a text, one column every feature seen in any of them."""

    matrix: sparse.csr_matrix
    names: np.ndarray

    def head(self, rows: int) -> CountMatrix:
        """The counts of the first `rows` texts."""
        return CountMatrix(self.matrix[:rows], self.names)


def count_matrix(counted: Sequence[Counter[str]]) -> CountMatrix:
    """The `feature_counts` of many texts as one sparse matrix."""
    # one pass over every feature of every text, numbering the features as they come (half the time
    # of listing them first and numbering after)
    columns: dict[str, int] = {}
    indices_found: list[int] = []
    for text_counts in counted:
        for feature in text_counts:
            column = columns.get(feature)
            if column is None:
                column = columns[feature] = len(columns)
            indices_found.append(column)
    indices = np.array(indices_found, dtype=np.int64)
    counts = np.fromiter(chain.from_iterable(c.values() for c in counted), dtype=float, count=len(indices))
    indptr = np.concatenate([[0], np.cumsum([len(c) for c in counted])])
    matrix = sparse.csr_matrix((counts, indices, indptr), shape=(len(counted), len(columns)))
    return CountMatrix(matrix, np.array(list(columns), dtype=object))


def count_texts(texts: Sequence[str]) -> CountMatrix:
    """The `feature_counts` of many texts as one matrix; with two cores and many texts, a forked
    process counts the second half meanwhile (the same matrix up to the order of its columns)."""
    if len(texts) < PARALLEL_FROM_TEXTS or not second_core_available():
        return count_matrix([feature_counts(text) for text in texts])
    middle = len(texts) // 2
    second = ForkedCall(lambda: count_matrix([feature_counts(text) for text in texts[middle:]]))
    first = count_matrix([feature_counts(text) for text in texts[:middle]])
    return _stacked(first, second.result())


def _stacked(first: CountMatrix, second: CountMatrix) -> CountMatrix:
    """The rows of `second` below those of `first`, its columns renumbered into `first`'s."""
    columns = {name: i for i, name in enumerate(first.names)}
    names = list(first.names)
    renumbered = np.empty(len(second.names), dtype=np.int64)
    for i, name in enumerate(second.names):
        column = columns.get(name)
        if column is None:
            column = columns[name] = len(names)
            names.append(name)
        renumbered[i] = column
    lower = sparse.csr_matrix(
        (second.matrix.data, renumbered[second.matrix.indices], second.matrix.indptr),
        shape=(second.matrix.shape[0], len(names)),
    )
    upper = sparse.csr_matrix(
        (first.matrix.data, first.matrix.indices, first.matrix.indptr),
        shape=(first.matrix.shape[0], len(names)),
    )
    return CountMatrix(sparse.vstack([upper, lower], format="csr"), np.array(names, dtype=object))


def featurize(
    examples: Sequence[tuple[str, str]],
    *,
    counts: CountMatrix | None = None,
    max_label_share: float = MAX_LABEL_SHARE,
) -> Featurized:
    """Vocabulary, IDF and the normalised vector of every (text, label) example (`counts`: the texts'
    counts in the same order, when the caller has them already)."""
    labels = sorted({label for _, label in examples})
    label_index = {label: i for i, label in enumerate(labels)}
    if counts is None:
        counts = count_texts([text for text, _ in examples])
    label_of_row = np.array([label_index[label] for _, label in examples], dtype=np.int64)
    matrix, names = counts.matrix, counts.names
    seen = matrix.copy()
    seen.data[:] = 1.0
    example_df = np.asarray(seen.sum(axis=0)).ravel()
    one_hot = sparse.csr_matrix(
        (np.ones(len(label_of_row)), (label_of_row, np.arange(len(label_of_row)))),
        shape=(len(labels), len(examples)),
    )
    label_df = np.asarray(((one_hot @ seen) > 0).sum(axis=0)).ravel()
    limit = max(2, max_label_share * len(labels))
    kept = np.flatnonzero((label_df <= limit) & (example_df >= MIN_EXAMPLES))
    kept = kept[np.argsort(names[kept].astype(str), kind="stable")]
    vocabulary = {str(names[column]): i for i, column in enumerate(kept)}
    idf = np.log((1 + len(examples)) / (1 + example_df[kept])) + 1.0
    selected = matrix[:, kept].tocsr()
    selected.data = (1.0 + np.log(np.maximum(selected.data, 1.0))) * idf[selected.indices]
    norms = np.sqrt(np.asarray(selected.multiply(selected).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    selected = sparse.diags(1.0 / norms) @ selected
    selected.sort_indices()
    rows = [
        (selected.indices[a:b].astype(np.int64), selected.data[a:b])
        for a, b in zip(selected.indptr[:-1], selected.indptr[1:], strict=True)
    ]
    return Featurized(labels, vocabulary, idf, rows, label_of_row, example_keys(examples))


def stable_key(text: str, salt: str = "") -> int:
    """A 64-bit hash of a text that is the same in every process (Python's `hash` is not)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8, key=salt.encode()).digest(), "big")


def example_keys(examples: Sequence[tuple[str, str]]) -> np.ndarray:
    """A stable 64-bit hash of every (text, label) example."""
    return np.array([stable_key(f"{label}\t{text}") for text, label in examples], dtype=np.uint64)


# Sentences around the question (an e-mail's story) count this much of the question's own words.
CONTEXT_WEIGHT = 0.5


def message_counts(text: str, context: str = "") -> Counter[str]:
    """The features of a message: its question sentences, and its context at `CONTEXT_WEIGHT`."""
    counts = feature_counts(text)
    return weighted_counts(counts, feature_counts(context), CONTEXT_WEIGHT) if context else counts


def weighted_counts(counts: Counter[str], context: Counter[str], weight: float) -> Counter[str]:
    """The message's feature counts with the context's added at a lower weight."""
    combined = Counter(counts)
    for feature, count in context.items():
        combined[feature] = combined.get(feature, 0) + weight * count
    return combined


def tfidf_vector(
    counts: dict[str, float], vocabulary: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sparse L2-normalised TF-IDF vector (indices, values) with sublinear term frequency."""
    # the columns of the message's features (-1: not in the vocabulary), looked up in one pass in C
    columns = np.fromiter(map(vocabulary.get, counts, repeat(-1)), dtype=np.int64, count=len(counts))
    known = columns >= 0
    if not known.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    indices = columns[known]
    counted = np.fromiter(counts.values(), dtype=float, count=len(counts))[known]
    # sublinear term frequency; a context feature's fractional weight (below 1) stays as it is
    tf = np.where(counted >= 1.0, 1.0 + np.log(np.maximum(counted, 1.0)), counted)
    values = tf * idf[indices]
    norm = np.linalg.norm(values)
    return indices, values / norm if norm else values


def stack_rows(rows: Sequence[tuple[np.ndarray, np.ndarray]], width: int) -> sparse.csr_matrix:
    """Sparse vectors as the rows of one CSR matrix."""
    if not rows:
        return sparse.csr_matrix((0, width))
    return sparse.csr_matrix(
        (
            np.concatenate([values for _, values in rows]),
            np.concatenate([indices for indices, _ in rows]),
            np.concatenate([[0], np.cumsum([len(indices) for indices, _ in rows])]),
        ),
        shape=(len(rows), width),
    )
