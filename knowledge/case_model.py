"""Tells a question about one concrete case of the municipality from a general question, on any topic.

"Ist unser Antrag schon bewilligt?", "Können Sie unseren Termin verschieben?", "Die Rechnung für die
Schulung stimmt nicht": the knowledge base cannot know the state of one municipality's application,
appointment or invoice, so such messages go to a person. A binary logistic regression over the same text
features as the question model (`knowledge/features.py`) learns them from the `case` examples of
`knowledge/intents.yaml` against every entry's examples, the two classes weighed equally. Topic words
occur on both sides, so the weights settle on what makes a message a case: a possessive with a state
("unser Antrag … schon durch"), a request to act for the user, a complaint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.archive import write_archive
from knowledge.logistic import fit_logistic, sigmoid
from knowledge.vectors import CountMatrix, Featurized, featurize, message_counts, tfidf_vector

CASE = "case"
GENERAL = "general"
# Inverse L2 penalty of the fit (scikit-learn's C): chosen by cross-validation on the examples.
STRENGTH = 10.0
FORMAT_VERSION = 2


def featurize_cases(
    texts: Sequence[str], is_case: Sequence[bool], counts: CountMatrix | None = None
) -> Featurized:
    """TF-IDF rows of the examples under the two labels (every feature seen twice is kept: the words
    that make a case, "unser", "schon", "noch nicht", occur in every topic)."""
    pairs = [(text, CASE if case else GENERAL) for text, case in zip(texts, is_case, strict=True)]
    return featurize(pairs, counts=counts, max_label_share=1.0)


@dataclass
class CaseModel:
    """Weights over a vocabulary of text features; `probability` is the chance a message is a case."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray
    bias: float

    @classmethod
    def fit(
        cls, data: Featurized, subset: Sequence[int] | None = None, *, start: CaseModel | None = None
    ) -> CaseModel:
        """Learn from featurized examples (all, or the rows in `subset`); `start`: an earlier case model
        whose weights the fit starts from (after a curator's edit most features are the same)."""
        chosen = np.arange(len(data.rows)) if subset is None else np.asarray(subset)
        is_case = data.label_of_row[chosen] == data.labels.index(CASE) if CASE in data.labels else None
        if is_case is None or is_case.all() or not is_case.any():
            return cls(data.vocabulary, data.idf, np.zeros(len(data.vocabulary)), -10.0)
        initial = start.weights_for(data.vocabulary) if start is not None else None
        weights, bias = fit_logistic(
            data.matrix(chosen.tolist()), is_case, strength=STRENGTH, balanced=True, start=initial
        )
        return cls(data.vocabulary, data.idf, weights, bias)

    def weights_for(self, vocabulary: dict[str, int]) -> tuple[np.ndarray, float]:
        """This model's weights arranged for another vocabulary (0 for features it does not know), and
        its bias."""
        weights = np.zeros(len(vocabulary))
        for feature, index in vocabulary.items():
            known = self.vocabulary.get(feature)
            if known is not None:
                weights[index] = self.weights[known]
        return weights, self.bias

    def probabilities(self, data: Featurized, rows: Sequence[int]) -> np.ndarray:
        """`probability` for featurized rows of the same vocabulary."""
        return sigmoid(data.matrix(list(rows)) @ self.weights + self.bias)

    def probability(self, text: str, *, context: str = "", counts: Counter[str] | None = None) -> float:
        """Chance that the message asks about one concrete case (context sentences count less; `counts`:
        the message's `message_counts` when the caller has them)."""
        counts = counts if counts is not None else message_counts(text, context)
        indices, values = tfidf_vector(counts, self.vocabulary, self.idf)
        return float(sigmoid(float(values @ self.weights[indices]) + self.bias))

    def save(self, path: Path) -> None:
        """Write the model as a NumPy archive, no pickle."""
        features = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        write_archive(
            path,
            version=np.array(FORMAT_VERSION),
            features=np.array(features),
            idf=self.idf,
            weights=self.weights,
            bias=np.array(self.bias),
        )

    @classmethod
    def load(cls, path: Path) -> CaseModel:
        """Read a model written by `save`; ValueError when unreadable or outdated."""
        try:
            with np.load(path, allow_pickle=False) as archive:
                if int(archive["version"]) != FORMAT_VERSION:
                    raise ValueError("case model format changed")
                features = archive["features"].tolist()
                return cls(
                    {feature: i for i, feature in enumerate(features)},
                    archive["idf"],
                    archive["weights"],
                    float(archive["bias"]),
                )
        except (OSError, KeyError, ValueError, EOFError) as exc:
            raise ValueError(f"case model {path} unreadable: {exc}") from exc
