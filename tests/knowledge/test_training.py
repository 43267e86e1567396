"""Training: cross-validated limits, the stored model reused, a quick refit after an edit."""

from dataclasses import replace

import numpy as np
import pytest

from knowledge import trained as stored
from knowledge import training
from knowledge.intents import MessageIntent
from knowledge.model import Entry
from tests.knowledge_entries import make_entry

TOPICS = {
    "frist": ["Bis wann muss der Aktionsplan fertig sein", "ap frist", "wie lange zeit fuer den plan"],
    "kosten": ["Was kostet die Mitgliedschaft", "beitrag buendnis", "muessen wir fuer das buendnis zahlen"],
    "karte": ["Wo finde ich die Starkregenkarte", "hinweiskarte starkregen", "karte ueberflutung online"],
}


def _entries(extra: str = "") -> list[Entry]:
    entries = []
    for name, seeds in TOPICS.items():
        examples = [
            f"{seed} {suffix}".strip()
            for seed in seeds
            for suffix in ("", "?", "bitte", "eigentlich", "nochmal", "genau")
        ]
        if extra and name == "frist":
            examples.append(extra)
        entries.append(
            make_entry(f"test-{name}", [seed + "?" for seed in seeds], examples, title=f"Eintrag {name}")
        )
    return entries


INTENTS = {
    MessageIntent.GREETING: [
        "Hallo",
        "Guten Tag",
        "moin",
        "Ei gude",
        "servus",
        "hi",
        "Guten Morgen",
        "hallo zusammen",
    ],
    MessageIntent.THANKS: [
        "Danke",
        "vielen Dank",
        "merci",
        "danke schön",
        "thanks",
        "super danke",
        "besten Dank",
        "thx",
    ],
}


@pytest.fixture(scope="module")
def trained():
    return training.train(_entries(), INTENTS)


def test_training_measures_itself_by_cross_validation(trained):
    report = trained.report
    assert report.examples == len(training.training_examples(_entries(), INTENTS))
    assert report.labels == 5 and 0.5 <= report.top1 <= 1.0 and report.top3 >= report.top1
    limits = trained.limits
    assert 0.2 <= limits.answer <= training.NEVER and len(limits.confidence.weights) == 5
    assert 0.0 < limits.suggest < 1.0 and limits.min_score >= 0.0
    assert trained.model.predict("ap frist bis wann")[0].label == "test-frist"


def test_a_stored_current_model_is_loaded_without_training(tmp_path, monkeypatch, trained):
    path = tmp_path / "model.npz"
    stored.save_trained(trained, path)
    monkeypatch.setattr(training, "train", lambda *_: pytest.fail("trained again"))
    monkeypatch.setattr(training, "refit", lambda *_: pytest.fail("refitted"))
    loaded = training.load_or_train(_entries(), path, INTENTS)
    assert loaded.limits == trained.limits


def test_a_new_example_is_used_at_the_next_start_with_the_stored_limits(tmp_path, monkeypatch, trained):
    path = tmp_path / "model.npz"
    stored.save_trained(trained, path)
    monkeypatch.setattr(training, "train", lambda *_: pytest.fail("full training instead of a refit"))
    edited = _entries(extra="wann ist der stichtag fuer den massnahmenplan")
    refitted = training.load_or_train(edited, path, INTENTS)
    assert refitted.limits == trained.limits
    assert refitted.model.fingerprint == training.fingerprint(edited, INTENTS) != trained.model.fingerprint
    assert stored.load_trained(path).model.fingerprint == refitted.model.fingerprint


def test_without_a_stored_model_the_full_training_runs_and_is_stored(tmp_path):
    path = tmp_path / "sub" / "model.npz"
    trained = training.load_or_train(_entries(), path, INTENTS)
    assert path.exists() and stored.load_trained(path).limits == trained.limits


def test_a_first_start_with_a_calibration_file_only_refits(tmp_path, monkeypatch, trained):
    calibration = tmp_path / "limits.json"
    stored.save_calibration(trained, calibration)
    monkeypatch.setattr(training, "train", lambda *_: pytest.fail("full training despite a calibration file"))
    model_file = tmp_path / "var" / "model.npz"
    started = training.load_or_train(_entries(), model_file, INTENTS, calibration_file=calibration)
    assert started.limits == trained.limits and model_file.exists()
    assert stored.load_calibration(calibration).fingerprint == trained.model.fingerprint


def test_folds_share_out_every_label_and_a_new_example_moves_only_its_own_label():
    texts = [f"frage {i} zur frist" for i in range(12)] + [f"frage {i} zu kosten" for i in range(8)]
    labels = ["frist"] * 12 + ["kosten"] * 8
    folds = training.fold_of_texts(texts, labels)
    for label in ("frist", "kosten"):
        chosen = [fold for fold, other in zip(folds, labels, strict=True) if other == label]
        assert sorted(set(chosen)) == list(range(training.FOLDS))
    grown = training.fold_of_texts([*texts, "noch eine frage zu kosten"], [*labels, "kosten"])
    assert list(grown[:12]) == list(folds[:12])


def test_when_no_limit_makes_intents_reliable_the_strictest_is_kept():
    labels = ["frist", "kosten", "intent:greeting"]
    rng = np.random.default_rng(3)
    rows = 400
    truth = rng.integers(0, 3, rows)
    # the model names the greeting for every row, so two thirds of its intent predictions are wrong
    probs = np.tile([0.02, 0.03, 0.95], (rows, 1))
    sims = probs.copy()
    compared = np.arange(rows)
    agrees = np.zeros(rows)
    limits, _, _ = training.choose_limits(truth, probs, sims, labels, compared, agrees)
    assert limits.smalltalk == limits.intent == training.INTENT_LIMITS[-1]


def test_small_talk_taken_for_other_small_talk_is_right_but_a_wrong_off_topic_guess_is_not():
    labels = ["frist", "intent:greeting", "intent:thanks", "intent:offtopic"]
    rows = 300
    # greetings and thanks are told apart only half the time; "off topic" is said of entry questions too
    truth = np.array([1, 2, 0] * (rows // 3))
    predicted = np.array([2, 1, 3] * (rows // 3))
    probs = np.full((rows, 4), 0.01)
    probs[np.arange(rows), predicted] = 0.97
    limits, _, _ = training.choose_limits(truth, probs, probs.copy(), labels, np.arange(rows), np.zeros(rows))
    assert limits.smalltalk == training.INTENT_LIMITS[0]
    assert limits.intent == training.INTENT_LIMITS[-1]
    assert limits.intent_limit(MessageIntent.THANKS) == limits.smalltalk
    assert limits.intent_limit(MessageIntent.OFFTOPIC) == limits.intent
    assert (
        replace(limits, smalltalk=None).intent_limit(MessageIntent.THANKS) == limits.intent
    )  # an older file


def test_the_intent_limit_is_where_precision_stays_reliable_not_where_it_first_touches_it():
    labels = ["frist", "intent:offtopic"]
    # off-topic guesses: right at 0.95, wrong at 0.7, right at 0.5 — the precision reaches 97 % at 0.5
    # (many right rows below the wrong ones) but not from 0.5 on: between 0.51 and 0.7 it is far lower
    top_p = np.array([0.95] * 50 + [0.7] * 10 + [0.5] * 300)
    truth = np.array([1] * 50 + [0] * 10 + [1] * 300)
    probs = np.column_stack([1 - top_p, top_p])
    limits, _, _ = training.choose_limits(truth, probs, probs.copy(), labels, np.arange(360), np.zeros(360))
    assert limits.intent == 0.71
