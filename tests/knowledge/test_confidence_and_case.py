"""The confidence model, the case model and the logistic fit behind both."""

import numpy as np
import pytest

from knowledge import training
from knowledge.case_model import CaseModel, featurize_cases
from knowledge.confidence import SIGNALS, ConfidenceModel, Evidence
from knowledge.logistic import fit_logistic, sigmoid


def test_the_logistic_fit_separates_two_clouds_and_balances_a_rare_class():
    rng = np.random.default_rng(1)
    common = rng.normal(-1.0, 0.5, size=(400, 2))
    rare = rng.normal(1.0, 0.5, size=(20, 2))
    rows = np.vstack([common, rare])
    positive = np.array([False] * 400 + [True] * 20)
    weights, bias = fit_logistic(rows, positive, strength=10.0, balanced=True)
    predicted = sigmoid(rows @ weights + bias) >= 0.5
    assert predicted[positive].mean() >= 0.9 and (~predicted[~positive]).mean() >= 0.9


def test_confidence_grows_with_probability_and_with_the_example_index_agreeing():
    rng = np.random.default_rng(2)
    probability = rng.uniform(0, 1, 2000)
    agrees = rng.integers(0, 2, 2000).astype(float)
    right = rng.uniform(0, 1, 2000) < 0.2 + 0.5 * probability + 0.25 * agrees
    vectors = np.column_stack([probability, probability / 2, probability, probability / 4, agrees])
    model = ConfidenceModel.fit(vectors, right)
    assert len(model.weights) == len(SIGNALS)

    def confidence(p, s):
        return model.confidence(Evidence(p, p / 2, p, p - p / 4, s))

    assert confidence(0.9, 1.0) > confidence(0.9, 0.0) > confidence(0.3, 0.0)
    assert ConfidenceModel.from_dict({"weights": list(model.weights), "bias": model.bias}) == model


def test_nothing_to_separate_trusts_the_probability():
    model = ConfidenceModel.fit(np.ones((5, len(SIGNALS))), np.ones(5, dtype=bool))
    assert model.weights[0] == 1.0 and sum(model.weights[1:]) == 0.0


CASES = [
    "Ist unser Antrag für die LED-Beleuchtung schon bewilligt?",
    "wann kommt endlich unser geld für die pv anlage",
    "Können Sie unseren Termin am Donnerstag auf nächste Woche schieben?",
    "Die Rechnung für unsere Schulung ist falsch, bitte korrigieren",
    "Has our application for the cargo bike been approved yet?",
    "Unser Verwendungsnachweis kam zurück, was fehlt bei uns noch?",
] * 3
GENERAL = [
    "Wie hoch ist der Fördersatz der Klimarichtlinie?",
    "Bis wann muss der Aktionsplan fertig sein?",
    "Was kostet die Mitgliedschaft im Bündnis?",
    "Wer kann einen Antrag bei der WIBank stellen?",
    "How often does the action plan have to be updated?",
    "Welche Daten braucht man für die THG-Bilanz?",
    "Wird die PV-Anlage auf dem Rathaus gefördert?",
    "Gibt es eine Vorlage für den Aktionsplan?",
] * 3


@pytest.fixture(scope="module")
def case_model():
    texts = CASES + GENERAL
    return CaseModel.fit(featurize_cases(texts, [True] * len(CASES) + [False] * len(GENERAL)))


def test_the_case_model_tells_a_concrete_case_from_a_general_question(case_model):
    assert case_model.probability("ist unser antrag schon durch?") > 0.5
    assert case_model.probability("Wie hoch ist der Fördersatz für Klima-Kommunen?") < 0.5


def test_the_case_model_survives_saving(case_model, tmp_path):
    path = tmp_path / "case.npz"
    case_model.save(path)
    loaded = CaseModel.load(path)
    question = "Können Sie unseren Termin verschieben?"
    assert loaded.probability(question) == pytest.approx(case_model.probability(question))


def test_a_case_limit_is_chosen_on_held_out_examples(case_model):
    texts = CASES + GENERAL
    data = featurize_cases(texts, [True] * len(CASES) + [False] * len(GENERAL))
    _, limit, recall, lost = training.cross_validated_case_model(
        data, texts, ["case"] * len(CASES) + ["general"] * len(GENERAL)
    )
    assert 0.2 <= limit <= 0.95 and recall >= 0.8 and lost <= 0.2


def test_a_fit_started_from_an_earlier_model_reaches_the_same_model(case_model):
    texts = CASES + GENERAL + ["Wann wird unsere Förderung für das Lastenrad ausgezahlt?"]
    data = featurize_cases(texts, [True] * len(CASES) + [False] * len(GENERAL) + [True])
    cold = CaseModel.fit(data)
    warm = CaseModel.fit(data, start=case_model)
    for question in ("ist unser antrag schon durch?", "Wie hoch ist der Fördersatz?", "Wann zahlt ihr aus?"):
        assert warm.probability(question) == pytest.approx(cold.probability(question), abs=0.02)
