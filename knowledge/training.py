"""Trains the question model from the curated examples and chooses its limits by cross-validation.

Nothing here looks at an evaluation set: the softmax temperature and the answer/suggest limits come
from k-fold predictions on the examples of the entries and intents themselves.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from knowledge import features
from knowledge.case_model import CASE, CaseModel, featurize_cases
from knowledge.confidence import ConfidenceModel
from knowledge.example_index import ExampleIndex, entry_texts
from knowledge.forked import ForkedCall
from knowledge.intents import INTENTS_FILE, MessageIntent, intent_of_label, load_intent_examples
from knowledge.model import Entry
from knowledge.question_model import FORMAT_VERSION, QuestionModel, softmax
from knowledge.trained import (
    Calibration,
    Confusion,
    CrossValidation,
    Limits,
    TrainedModel,
    load_calibration,
    load_trained,
    save_trained,
)
from knowledge.vectors import Featurized, count_texts, featurize, stable_key

log = logging.getLogger(__name__)

FOLDS = 4
SEED = 20261203
TEMPERATURES = (0.02, 0.03, 0.05, 0.07, 0.1, 0.14, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)
# One confident wrong answer costs as much as this many right ones: a wrong answer misleads a
# municipality, a missing one only sends it to the Fachstelle.
WRONG_ANSWER_COST = 3.0
# Answering pays when the chance of being right p outweighs the cost of being wrong: p > 3 (1 - p).
# The confidence model is fitted to the held-out rows, so its estimate is that chance; searching the
# rows for the best-paying limit instead follows their noise (the gain is flat between 0.68 and 0.86).
ANSWER_LIMIT = round(WRONG_ANSWER_COST / (1.0 + WRONG_ANSWER_COST), 2)
NEVER = 1.01
CONFUSION_PROBABILITY = 0.5
# General questions are about four times as frequent as concrete cases, so per message a general
# question taken for a case (no answer, a person instead) weighs as much as four missed cases.
GENERAL_LOST_COST = 4.0
MIN_SCORE_PERCENTILE = 2
INTENT_PRECISION = 0.97
INTENT_LIMITS = tuple(round(float(limit), 2) for limit in np.arange(0.20, 0.96, 0.01))


def training_examples(
    entries: Sequence[Entry], intents: dict[MessageIntent, list[str]]
) -> list[tuple[str, str]]:
    """(text, label) pairs of the question model: every entry's title, questions and examples; every
    intent's examples except the concrete cases (the case model's, see `case_examples`)."""
    pairs = []
    for entry in entries:
        for text in (entry.title, *entry.questions, *entry.examples):
            pairs.append((text, entry.id))
    for intent, examples in intents.items():
        if intent is not MessageIntent.CASE:
            pairs.extend((text, intent.label) for text in examples)
    return pairs


def case_examples(
    pairs: Sequence[tuple[str, str]], intents: dict[MessageIntent, list[str]]
) -> tuple[list[str], list[bool]]:
    """Texts of the case model and whether each is a case: the question model's examples are not."""
    cases = intents.get(MessageIntent.CASE, [])
    return [text for text, _ in pairs] + list(cases), [False] * len(pairs) + [True] * len(cases)


def fingerprint(entries: Sequence[Entry], intents: dict[MessageIntent, list[str]]) -> str:
    """Changes whenever the examples, the entries, the feature code or its word translations change."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    digest.update(Path(features.__file__).read_bytes())
    digest.update(features.TRANSLATIONS_FILE.read_bytes())
    for text, label in training_examples(entries, intents):
        digest.update(f"{label}\t{text}\n".encode())
    for text in intents.get(MessageIntent.CASE, []):
        digest.update(f"case\t{text}\n".encode())
    return digest.hexdigest()[:24]


def fold_of_texts(
    texts: Sequence[str], groups: Sequence[str], folds: int = FOLDS, seed: int = SEED
) -> np.ndarray:
    """The cross-validation fold of every example: within each group (its label), the examples are
    ordered by a hash of their text and dealt out to the folds in turn. Every fold gets its share of
    every label, and a curator's new example moves only examples of its own label (a shuffle by
    position would move them all, and the limits with them)."""
    salt = str(seed)
    members: dict[str, list[int]] = {}
    for row, group in enumerate(groups):
        members.setdefault(group, []).append(row)
    fold_of = np.zeros(len(texts), dtype=np.int64)
    for group, rows in members.items():
        start = stable_key(group, salt) % folds  # small labels do not all begin in fold 0
        for rank, row in enumerate(sorted(rows, key=lambda r: (stable_key(texts[r], salt), r))):
            fold_of[row] = (start + rank) % folds
    return fold_of


def cross_validated_predictions(data: Featurized, fold_of: np.ndarray) -> np.ndarray:
    """For every example, the label scores of a model trained without its fold."""
    scores = np.zeros((len(data.rows), len(data.labels)))
    matrix = data.matrix()
    for fold in range(int(fold_of.max()) + 1):
        model = QuestionModel.from_featurized(data, subset=np.flatnonzero(fold_of != fold).tolist())
        held_out = np.flatnonzero(fold_of == fold)
        scores[held_out] = np.asarray((matrix[held_out] @ model.weights).todense())
    return scores


def fit_temperature(target: np.ndarray, sims: np.ndarray) -> float:
    """The temperature whose probabilities have the lowest log loss on held-out predictions
    (`target`: the right label's column for every row)."""
    best, best_loss = TEMPERATURES[0], float("inf")
    for temperature in TEMPERATURES:
        probs = softmax(sims, temperature)
        loss = -np.mean(np.log(np.clip(probs[np.arange(len(target)), target], 1e-12, 1.0)))
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best


def best_entries(probs: np.ndarray, labels: list[str]) -> np.ndarray:
    """For every row, the column of the most probable entry (intents left out): what would be answered."""
    is_intent = np.array([label.startswith("intent:") for label in labels])
    return np.where(is_intent, -np.inf, probs).argmax(axis=1)


def evidence_vectors(
    probs: np.ndarray, sims: np.ndarray, candidates: np.ndarray, agrees: np.ndarray
) -> np.ndarray:
    """`Evidence.vector()` of each row's candidate entry against the strongest other label."""
    rows = np.arange(len(candidates))

    def with_runner_up(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        best = values[rows, candidates]
        others = values.copy()
        others[rows, candidates] = -np.inf
        return best, others.max(axis=1)

    p1, p2 = with_runner_up(probs)
    s1, s2 = with_runner_up(sims)
    return np.column_stack([p1, p1 - p2, s1, s1 - s2, agrees])


def choose_limits(
    truth: np.ndarray,
    probs: np.ndarray,
    sims: np.ndarray,
    labels: list[str],
    compared: np.ndarray,
    agrees: np.ndarray,
) -> tuple[Limits, float, float]:
    """Limits from held-out predictions; for the `compared` rows, `agrees` says whether the example
    index ranks the row's best entry (see `best_entries`) first."""
    top = probs.argmax(axis=1)
    top_p = probs.max(axis=1)
    correct = top == truth
    is_intent = np.array([label.startswith("intent:") for label in labels])
    candidates = best_entries(probs, labels)
    # questions for an entry, and off-topic questions (whose best entry is always wrong)
    offtopic = np.array([label == MessageIntent.OFFTOPIC.label for label in labels])
    judged = ~is_intent[truth[compared]] | offtopic[truth[compared]]
    rows = compared[judged]
    vectors = evidence_vectors(probs[rows], sims[rows], candidates[rows], agrees[judged])
    right_entry = candidates[rows] == truth[rows]
    confidence = ConfidenceModel.fit(vectors, right_entry)
    confidences = confidence.confidences(vectors)
    answer = ANSWER_LIMIT
    answered = confidences >= answer
    n = max(len(rows), 1)
    right = float(np.sum(answered & right_entry)) / n
    wrong = float(np.sum(answered & ~right_entry)) / n
    # intents: the lowest limit at which intent predictions are still at least 97 % right; small talk
    # has its own, on the probability of all small talk together, and any small talk taken for another
    # counts as right: each gets a friendly reply
    smalltalk = np.array(
        [(intent := intent_of_label(label)) is not None and intent.is_smalltalk for label in labels]
    )
    intent_limit = _lowest_reliable_limit(is_intent[top] & ~smalltalk[top], top_p, correct)
    smalltalk_limit = _lowest_reliable_limit(
        smalltalk[top], probs[:, smalltalk].sum(axis=1), smalltalk[truth]
    )
    # "Meinten Sie …?": entries at least a third as likely as the least likely answered one are offered
    answered_p = vectors[answered, 0]
    suggest = round(max(0.10, float(np.percentile(answered_p, 5)) / 3 if len(answered_p) else 0.10), 2)
    # the raw score that all but the lowest few percent of rightly recognised questions reach
    right_entries = ~is_intent[truth] & correct
    raw_top = sims.max(axis=1)
    min_score = (
        float(np.percentile(raw_top[right_entries], MIN_SCORE_PERCENTILE)) if right_entries.any() else 0.0
    )
    limits = Limits(
        answer=answer,
        confidence=confidence,
        suggest=suggest,
        intent=intent_limit,
        smalltalk=smalltalk_limit,
        min_score=round(min_score, 4),
        case=NEVER,
    )
    return limits, right, wrong


def _lowest_reliable_limit(predicted: np.ndarray, top_p: np.ndarray, right: np.ndarray) -> float:
    """The lowest of `INTENT_LIMITS` from which on the `predicted` rows are at least 97 % `right` at
    every stricter limit too; when none is, the strictest limit tried (not the loosest). The precision
    hovers near 97 % over a wide range, so the first limit that reaches it moved by 0.1 with a dozen new
    examples; the limit from which it stays there does not."""
    reliable = INTENT_LIMITS[-1]
    for limit in reversed(INTENT_LIMITS):
        chosen = predicted & (top_p >= limit)
        if not chosen.any():
            continue
        if np.mean(right[chosen]) < INTENT_PRECISION:
            break
        reliable = limit
    return round(float(reliable), 2)


def index_agreement(
    entries: Sequence[Entry],
    pairs: Sequence[tuple[str, str]],
    best_labels: Sequence[str],
    fold_of: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The example rows and, for each, 1.0 when the example index (`knowledge/example_index.py`) ranks
    the model's best entry (`best_labels`) first. Each fold's rows are looked up in an index of the
    other folds' examples, so every row is held out from it; titles, questions and keywords, which
    every index holds, stay out."""
    indexed = {(text, entry.id) for entry in entries for text in entry_texts(entry)}
    rows = np.array([i for i, pair in enumerate(pairs) if pair not in indexed], dtype=np.int64)
    agrees = np.zeros(len(rows))
    for fold in range(FOLDS):
        examples: dict[str, list[str]] = {}
        for row, (text, label) in enumerate(pairs):
            if fold_of[row] != fold and (text, label) not in indexed:
                examples.setdefault(label, []).append(text)
        index = ExampleIndex.of_entries(entries, examples)
        for k in np.flatnonzero(fold_of[rows] == fold):
            row = rows[k]
            agrees[k] = float(index.best(pairs[row][0]) == best_labels[row])
    return rows, agrees


def train(entries: Sequence[Entry], intents: dict[MessageIntent, list[str]] | None = None) -> TrainedModel:
    """Cross-validate, fit the temperature and limits, then train on every example."""
    started = time.perf_counter()
    intents = intents if intents is not None else load_intent_examples(INTENTS_FILE)
    pairs = training_examples(entries, intents)
    texts, is_case = case_examples(pairs, intents)
    counts = count_texts(texts)
    data = featurize(pairs, counts=counts.head(len(pairs)))
    labels, target = data.labels, data.label_of_row
    fold_of = fold_of_texts([text for text, _ in pairs], [label for _, label in pairs])
    case_data = featurize_cases(texts, is_case, counts)
    case_model, case_limit, case_recall, case_lost = cross_validated_case_model(
        case_data, texts, [label for _, label in pairs] + [CASE] * (len(texts) - len(pairs))
    )
    sims = cross_validated_predictions(data, fold_of)
    temperature = fit_temperature(target, sims)
    probs = softmax(sims, temperature)
    top, top_p = probs.argmax(axis=1), probs.max(axis=1)
    candidates = best_entries(probs, labels)
    compared, agrees = index_agreement(entries, pairs, [labels[k] for k in candidates], fold_of)
    limits, right, wrong = choose_limits(target, probs, sims, labels, compared, agrees)
    limits = replace(limits, case=case_limit)
    ranks = np.argsort(-probs, axis=1)[:, :3]
    report = CrossValidation(
        examples=len(pairs),
        labels=len(labels),
        top1=float(np.mean(ranks[:, 0] == target)),
        top3=float(np.mean((ranks == target[:, None]).any(axis=1))),
        answered_right=right,
        answered_wrong=wrong,
        temperature=temperature,
        case_recall=case_recall,
        case_lost=case_lost,
    )
    model = QuestionModel.from_featurized(
        data, temperature=temperature, fingerprint=fingerprint(entries, intents)
    )
    confusions = tuple(
        sorted(
            (
                Confusion(pairs[i][0], pairs[i][1], labels[top[i]], float(top_p[i]))
                for i in np.flatnonzero((top != target) & (top_p >= CONFUSION_PROBABILITY))
            ),
            key=lambda c: (c.label, -c.probability),
        )
    )
    seconds = time.perf_counter() - started
    log.info("question model trained in %.2f s: %s, limits %s", seconds, asdict(report), asdict(limits))
    return TrainedModel(model, case_model, limits, report, seconds, confusions)


def cross_validated_case_model(
    data: Featurized, texts: Sequence[str], groups: Sequence[str]
) -> tuple[CaseModel, float, float, float]:
    """The case model on every example, its limit (on held-out folds: the best case recall minus
    `GENERAL_LOST_COST` times the share of general questions taken for a case), and that recall and
    share at it. `texts` and `groups`: the text and label of every row (see `fold_of_texts`)."""
    fold_of = fold_of_texts(texts, groups)
    held_out = np.zeros(len(data.rows))
    for fold in range(FOLDS):
        model = CaseModel.fit(data, subset=np.flatnonzero(fold_of != fold).tolist())
        rows = np.flatnonzero(fold_of == fold)
        held_out[rows] = model.probabilities(data, rows)
    is_case = data.label_of_row == data.labels.index(CASE) if CASE in data.labels else np.zeros(0, bool)
    best = (NEVER, 0.0, 0.0, 0.0)
    if is_case.any() and (~is_case).any():
        for limit in np.arange(0.20, 0.96, 0.01):
            recall = float(np.mean(held_out[is_case] >= limit))
            lost = float(np.mean(held_out[~is_case] >= limit))
            if best[0] == NEVER or recall - GENERAL_LOST_COST * lost > best[1] - GENERAL_LOST_COST * best[2]:
                best = (round(float(limit), 2), recall, lost, 0.0)
    return CaseModel.fit(data), best[0], best[1], best[2]


def refit(
    entries: Sequence[Entry],
    intents: dict[MessageIntent, list[str]],
    calibration: Calibration,
    earlier: TrainedModel | None = None,
) -> TrainedModel:
    """Train on the current examples with the temperature and limits of an earlier cross-validation;
    the case model's fit starts from the `earlier` model's when there is one.

    A curator's new example moves the cross-validated limits by little; `klimabot kb train` measures
    them again."""
    started = time.perf_counter()
    pairs = training_examples(entries, intents)
    texts, is_case = case_examples(pairs, intents)
    counts = count_texts(texts)
    # the two fits take about as long: with a second core, a forked copy fits the case model meanwhile
    start = earlier.case if earlier is not None else None
    case = ForkedCall(lambda: CaseModel.fit(featurize_cases(texts, is_case, counts), start=start))
    model = QuestionModel.from_featurized(
        featurize(pairs, counts=counts.head(len(pairs))),
        temperature=calibration.temperature,
        fingerprint=fingerprint(entries, intents),
    )
    case_model = case.result()
    seconds = time.perf_counter() - started
    log.info("question model trained in %.2f s with the stored limits", seconds)
    return TrainedModel(model, case_model, calibration.limits, calibration.report, seconds)


def load_or_train(
    entries: Sequence[Entry],
    path: Path | None,
    intents: dict[MessageIntent, list[str]] | None = None,
    calibration_file: Path | None = None,
) -> TrainedModel:
    """The stored model if it was trained on exactly these examples; otherwise a refit with the limits
    of the stored model or of `calibration_file`; without either a full training with cross-validation.
    The result is stored when possible."""
    intents = intents if intents is not None else load_intent_examples(INTENTS_FILE)
    stored = load_trained(path) if path is not None else None
    if stored is not None and stored.model.fingerprint == fingerprint(entries, intents):
        return stored
    calibration = stored.calibration if stored is not None else None
    if calibration is None and calibration_file is not None:
        calibration = load_calibration(calibration_file)
    trained = (
        refit(entries, intents, calibration, earlier=stored)
        if calibration is not None
        else train(entries, intents)
    )
    if path is not None:
        try:
            save_trained(trained, path)
        except OSError as exc:
            log.warning("question model not stored at %s: %s", path, exc)
    return trained
