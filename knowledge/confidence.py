"""How likely the model's best entry is the right one, from everything one prediction shows.

The softmax probability alone is a poor judge: a question far from every example can still give one
entry most of the probability, and a short question near two entries gets little although its best
entry is right. A small logistic model weighs the signals together — the best entry's probability and
its lead over the strongest other label, the raw similarity and its lead, and whether the example index
(plain BM25 over each entry's texts and examples, `knowledge/example_index.py`) ranks the same entry
first. It is fitted on held-out predictions of the curated examples
(`knowledge/training.py`), never on an evaluation set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.logistic import fit_logistic, sigmoid

# Inverse L2 penalty of the fit: five signals and thousands of held-out rows need only a little.
STRENGTH = 0.1
SIGNALS = ("probability", "probability_lead", "similarity", "similarity_lead", "index_agrees")


@dataclass(frozen=True)
class Evidence:
    """The signals of one prediction for its best entry."""

    probability: float
    runner_up_probability: float
    similarity: float
    runner_up_similarity: float
    # 1.0 when the example index ranks the entry first, else 0.0
    index_agrees: float

    def vector(self) -> np.ndarray:
        """The signals in the order of `SIGNALS`."""
        return np.array(
            [
                self.probability,
                self.probability - self.runner_up_probability,
                self.similarity,
                self.similarity - self.runner_up_similarity,
                self.index_agrees,
            ]
        )


@dataclass(frozen=True)
class ConfidenceModel:
    """Logistic weights over the signals; `confidence` is the estimated chance the best entry is right."""

    weights: tuple[float, ...]
    bias: float

    def confidence(self, evidence: Evidence) -> float:
        """Estimated probability that the best entry answers the question."""
        return float(sigmoid(float(np.dot(self.weights, evidence.vector())) + self.bias))

    def confidences(self, vectors: np.ndarray) -> np.ndarray:
        """`confidence` for many rows of `Evidence.vector()` at once."""
        return sigmoid(vectors @ np.asarray(self.weights) + self.bias)

    @classmethod
    def fit(cls, vectors: np.ndarray, correct: np.ndarray) -> ConfidenceModel:
        """Maximum-likelihood weights (slightly penalised) for rows of signals and whether each was right."""
        if len(vectors) == 0 or correct.all() or not correct.any():
            # nothing to separate: trust the probability as it is
            return cls(weights=(1.0,) + (0.0,) * (len(SIGNALS) - 1), bias=0.0)
        weights, bias = fit_logistic(vectors, correct, strength=STRENGTH)
        return cls(weights=tuple(round(float(w), 4) for w in weights), bias=round(bias, 4))

    @classmethod
    def from_dict(cls, body: dict) -> ConfidenceModel:
        """Read what `dataclasses.asdict` wrote (weights come back as a list)."""
        weights: Sequence[float] = body["weights"]
        if len(weights) != len(SIGNALS):
            raise ValueError(f"confidence model has {len(weights)} weights, expected {len(SIGNALS)}")
        return cls(weights=tuple(float(w) for w in weights), bias=float(body["bias"]))
