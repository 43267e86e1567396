"""The question model: which entry (or small-talk/escalation intent) a message asks for, with a probability.

A linear classifier over TF-IDF features (`knowledge/vectors.py`: word stems, word pairs, character
n-grams). Each label starts as the normalised centroid of its examples' vectors (a Rocchio classifier)
and is then sharpened by a few epochs of the multi-class passive-aggressive algorithm (Crammer et al.,
2006), with averaged weights: every example that is not separated from its closest rival by a margin
moves the two labels apart on that example's features. The weights are stored sparse (features x
labels), so scoring is one sparse product that touches only a message's features. A softmax with a
temperature fitted by cross-validation (`knowledge/training.py`) turns scores into probabilities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from knowledge.archive import write_archive
from knowledge.vectors import Featurized, featurize, message_counts, stack_rows, tfidf_vector

# Passive-aggressive refinement: epochs over the examples and the largest step (PA-I's C).
EPOCHS = 4
BATCH = 64
AGGRESSIVENESS = 1.0
# The refinement works on a dense features x labels matrix; beyond this many cells (a knowledge base of
# thousands of entries) the model keeps the plain centroids.
MAX_DENSE_CELLS = 30_000_000
# Weights closer to zero than this are dropped from the stored sparse matrix.
PRUNE_BELOW = 1e-4
# Models up to this many feature x label cells (the real knowledge base: about 3 million) score densely.
MAX_DENSE_SCORING = 8_000_000
FORMAT_VERSION = 6


@dataclass(frozen=True)
class Prediction:
    """One label and the model's probability that the message asks for it."""

    label: str
    probability: float
    similarity: float


class QuestionModel:
    """A trained model; build with `QuestionModel.fit` or `QuestionModel.load`."""

    def __init__(
        self,
        labels: list[str],
        vocabulary: dict[str, int],
        idf: np.ndarray,
        weights: sparse.csr_matrix,
        temperature: float,
        fingerprint: str = "",
    ):
        self.labels = labels
        self.vocabulary = vocabulary
        self.idf = idf
        self.weights = weights  # features x labels
        # a small model is scored from a dense copy: gathering a message's rows is then a few microseconds
        self._dense = weights.toarray() if weights.shape[0] * weights.shape[1] <= MAX_DENSE_SCORING else None
        self.temperature = temperature
        self.fingerprint = fingerprint
        self._index = {label: i for i, label in enumerate(labels)}

    # -- training --------------------------------------------------------------------------

    @classmethod
    def fit(
        cls, examples: Sequence[tuple[str, str]], *, temperature: float = 0.05, fingerprint: str = ""
    ) -> QuestionModel:
        """Learn from (text, label) pairs."""
        return cls.from_featurized(featurize(examples), temperature=temperature, fingerprint=fingerprint)

    @classmethod
    def from_featurized(
        cls,
        data: Featurized,
        *,
        subset: Sequence[int] | None = None,
        temperature: float = 0.05,
        fingerprint: str = "",
        epochs: int = EPOCHS,
        seed: int = 0,
    ) -> QuestionModel:
        """Learn from featurized examples (all of them, or the rows in `subset`)."""
        chosen = range(len(data.rows)) if subset is None else subset
        rows = [data.rows[i] for i in chosen]
        label_of_row = data.label_of_row[list(chosen)]
        weights = _centroids(rows, label_of_row, len(data.vocabulary), len(data.labels))
        if epochs and len(data.vocabulary) * len(data.labels) <= MAX_DENSE_CELLS:
            # single precision: the same decisions, a fifth less time in the memory-bound products
            keys = data.keys[list(chosen)]
            dense = _refine(weights.toarray().astype(np.float32), rows, label_of_row, keys, epochs, seed)
            dense[np.abs(dense) < PRUNE_BELOW] = 0.0
            weights = sparse.csr_matrix(dense)
        else:
            weights.data[np.abs(weights.data) < PRUNE_BELOW] = 0.0
            weights.eliminate_zeros()
        return cls(data.labels, data.vocabulary, data.idf, weights, temperature, fingerprint)

    def score_vector(self, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Scores of every label for one TF-IDF vector of this model's vocabulary."""
        if not len(indices):
            return np.zeros(len(self.labels))
        if self._dense is not None:
            return values @ self._dense[indices]
        # the rows of the message's features (SciPy's row selection and product, both in C: a fifth faster
        # than gathering them with NumPy at 1,000 entries)
        return self.weights[indices].T @ values

    # -- scoring ---------------------------------------------------------------------------

    def similarities(self, text: str, *, context: str = "", counts: Counter[str] | None = None) -> np.ndarray:
        """Cosine similarity of the message to every label (context sentences count less; `counts`:
        the message's `message_counts` when the caller has them)."""
        counts = counts if counts is not None else message_counts(text, context)
        return self.score_vector(*tfidf_vector(counts, self.vocabulary, self.idf))

    def probabilities(self, similarities: np.ndarray) -> np.ndarray:
        """Softmax of the similarities at the fitted temperature."""
        return softmax(similarities, self.temperature) if len(similarities) else similarities

    def predict(
        self, text: str, *, context: str = "", limit: int = 5, counts: Counter[str] | None = None
    ) -> list[Prediction]:
        """The most probable labels, best first."""
        sims = self.similarities(text, context=context, counts=counts)
        probs = self.probabilities(sims)
        if len(probs) > limit:
            candidates = np.argpartition(-probs, limit)[:limit]
            top = candidates[np.argsort(-probs[candidates], kind="stable")]
        else:
            top = np.argsort(-probs, kind="stable")[:limit]
        return [Prediction(self.labels[i], float(probs[i]), float(sims[i])) for i in top]

    def label_index(self, label: str) -> int | None:
        """Column of a label, or None when the model does not know it."""
        return self._index.get(label)

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: Path, *, meta: str = "") -> None:
        """Write the model (and a caller's metadata string) as a NumPy archive, no pickle."""
        path.parent.mkdir(parents=True, exist_ok=True)
        features = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        write_archive(
            path,
            version=np.array(FORMAT_VERSION),
            labels=np.array(self.labels),
            features=np.array(features),
            idf=self.idf,
            data=self.weights.data,
            indices=self.weights.indices,
            indptr=self.weights.indptr,
            shape=np.array(self.weights.shape),
            temperature=np.array(self.temperature),
            fingerprint=np.array(self.fingerprint),
            meta=np.array(meta),
        )

    @classmethod
    def load(cls, path: Path) -> tuple[QuestionModel, str]:
        """Read a model and its metadata written by `save`; ValueError when unreadable or outdated."""
        try:
            with np.load(path, allow_pickle=False) as archive:
                if int(archive["version"]) != FORMAT_VERSION:
                    raise ValueError("model format changed")
                features = archive["features"].tolist()
                centroids = sparse.csr_matrix(
                    (archive["data"], archive["indices"], archive["indptr"]), shape=tuple(archive["shape"])
                )
                model = cls(
                    archive["labels"].tolist(),
                    {feature: i for i, feature in enumerate(features)},
                    archive["idf"],
                    centroids,
                    float(archive["temperature"]),
                    str(archive["fingerprint"]),
                )
                return model, str(archive["meta"])
        except (OSError, KeyError, ValueError, EOFError) as exc:
            raise ValueError(f"model {path} unreadable: {exc}") from exc


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities from scores along the last axis (one message, or one row per message)."""
    weights = np.exp((scores - scores.max(axis=-1, keepdims=True)) / temperature)
    return weights / weights.sum(axis=-1, keepdims=True)


def _refine(
    weights: np.ndarray,
    rows: list[tuple[np.ndarray, np.ndarray]],
    label_of_row: np.ndarray,
    keys: np.ndarray,
    epochs: int,
    seed: int,
) -> np.ndarray:
    """Averaged multi-class passive-aggressive (PA-I) epochs starting from the centroids.

    The examples are taken in small batches, each judged against the weights before the batch: the
    same updates as example by example, applied with a few sparse products instead of a Python loop.
    Each epoch's order comes from the examples' `keys` (hashes of their texts), scrambled per epoch:
    a new example joins the order where its key puts it, and the others keep theirs.
    """
    if weights.shape[1] < 2 or not rows:
        return weights
    matrix = stack_rows(rows, weights.shape[0]).astype(weights.dtype)
    # averaging trick: the mean of all intermediate weights is w - u / steps
    accumulated = np.zeros_like(weights)
    flat_weights, flat_accumulated = weights.reshape(-1), accumulated.reshape(-1)
    norms = np.array([float(values @ values) for _, values in rows])
    step = 1
    for epoch in range(epochs):
        order = np.argsort(_scrambled(keys, seed * 1000 + epoch), kind="stable")
        shuffled = matrix[order]
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            scores = shuffled[start : start + BATCH] @ weights
            positions = np.arange(len(batch))
            truth = label_of_row[batch]
            true_scores = scores[positions, truth].copy()
            scores[positions, truth] = -np.inf
            rivals = scores.argmax(axis=1)
            losses = 1.0 - (true_scores - scores[positions, rivals])
            wrong = np.flatnonzero((losses > 0.0) & (norms[batch] > 0.0))
            if len(wrong):
                taus = np.minimum(AGGRESSIVENESS, losses[wrong] / (2.0 * norms[batch[wrong]]))
                features = np.concatenate([rows[batch[k]][0] for k in wrong])
                deltas = np.concatenate([tau * rows[batch[k]][1] for k, tau in zip(wrong, taus, strict=True)])
                lengths = [len(rows[batch[k]][0]) for k in wrong]
                width = weights.shape[1]
                cells = np.concatenate(
                    [
                        features * width + np.repeat(truth[wrong], lengths),
                        features * width + np.repeat(rivals[wrong], lengths),
                    ]
                )
                change = np.concatenate([deltas, -deltas]).astype(weights.dtype)
                # unbuffered: a cell named twice in the batch gets both changes
                np.add.at(flat_weights, cells, change)
                np.add.at(flat_accumulated, cells, step * change)
            step += 1
    return weights - accumulated / step


def _scrambled(keys: np.ndarray, salt: int) -> np.ndarray:
    """The keys mixed with a salt (an odd multiplier and xor-shifts, wrapping at 64 bits): another
    order of the same examples for every salt."""
    mixed = keys ^ np.uint64((0x9E3779B97F4A7C15 * (salt + 1)) & 0xFFFFFFFFFFFFFFFF)
    mixed = mixed * np.uint64(0xBF58476D1CE4E5B9)
    return mixed ^ (mixed >> np.uint64(31))


def _centroids(
    rows: Iterable[tuple[np.ndarray, np.ndarray]], label_of_row: np.ndarray, n_features: int, n_labels: int
) -> sparse.csr_matrix:
    """features x labels matrix of L2-normalised mean vectors."""
    data, row_idx, col_idx = [], [], []
    for (indices, values), label in zip(rows, label_of_row, strict=True):
        data.append(values)
        row_idx.append(indices)
        col_idx.append(np.full(len(indices), label))
    if not data:
        return sparse.csr_matrix((n_features, n_labels))
    summed = sparse.csc_matrix(
        (np.concatenate(data), (np.concatenate(row_idx), np.concatenate(col_idx))),
        shape=(n_features, n_labels),
    )
    norms = np.sqrt(np.asarray(summed.multiply(summed).sum(axis=0)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(summed @ sparse.diags(1.0 / norms))
