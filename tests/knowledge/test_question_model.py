"""The question model: learns labels from examples, gives probabilities, survives a save and load."""

import numpy as np

from knowledge.question_model import QuestionModel

EXAMPLES = [
    ("Wie hoch ist der Fördersatz?", "foerdersatz"),
    ("wieviel prozent foerderung gibts", "foerdersatz"),
    ("Welche Förderquote bekommen wir?", "foerdersatz"),
    ("how much funding do we get", "foerdersatz"),
    ("Bis wann muss der Aktionsplan fertig sein?", "frist"),
    ("ap frist nach unterschrift", "frist"),
    ("Wie lange haben wir Zeit für den Plan?", "frist"),
    ("deadline for the action plan", "frist"),
    ("Hallo", "intent:greeting"),
    ("Guten Morgen", "intent:greeting"),
    ("Ei gude", "intent:greeting"),
    ("moin moin", "intent:greeting"),
]


def test_new_wordings_find_the_label_they_ask_for():
    model = QuestionModel.fit(EXAMPLES)
    assert model.predict("wie hoch ist die foerderquote")[0].label == "foerdersatz"
    assert model.predict("Wie viel Zeit bleibt für den Aktionsplan?")[0].label == "frist"
    assert model.predict("Ei gude, wie?")[0].label == "intent:greeting"


def test_probabilities_sum_to_one_and_rank_the_labels():
    model = QuestionModel.fit(EXAMPLES)
    predictions = model.predict("Fördersatz bitte", limit=3)
    assert abs(sum(model.probabilities(model.similarities("Fördersatz bitte"))) - 1.0) < 1e-9
    assert [p.probability for p in predictions] == sorted((p.probability for p in predictions), reverse=True)


def test_a_message_without_known_features_gets_no_preference():
    model = QuestionModel.fit(EXAMPLES)
    probabilities = model.probabilities(model.similarities("xyzzy qwrtz"))
    assert np.allclose(probabilities, probabilities[0])


def test_dialect_and_hyphenation_meet_the_standard_words():
    model = QuestionModel.fit(
        [
            ("Wie viele Klima-Kommunen gibt es?", "anzahl"),
            ("Anzahl der Klima-Kommunen", "anzahl"),
            ("Wann ist die Frist?", "frist"),
            ("Frist für den Bericht", "frist"),
        ]
    )
    assert model.predict("wieviele klimakommunen gibts")[0].label == "anzahl"


def test_a_saved_model_predicts_the_same_after_loading(tmp_path):
    model = QuestionModel.fit(EXAMPLES, temperature=0.1, fingerprint="abc")
    model.save(tmp_path / "model.npz", meta='{"x": 1}')
    loaded, meta = QuestionModel.load(tmp_path / "model.npz")
    assert meta == '{"x": 1}' and loaded.fingerprint == "abc" and loaded.temperature == 0.1
    for text, _ in EXAMPLES:
        assert [p.label for p in loaded.predict(text)] == [p.label for p in model.predict(text)]


def test_an_unreadable_model_file_is_reported(tmp_path):
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"not a model")
    try:
        QuestionModel.load(broken)
    except ValueError as exc:
        assert "unreadable" in str(exc)
    else:
        raise AssertionError("no error")


def test_a_large_model_scored_sparse_agrees_with_the_dense_scoring(monkeypatch):
    dense = QuestionModel.fit(EXAMPLES)
    monkeypatch.setattr("knowledge.question_model.MAX_DENSE_SCORING", 0)
    sparse_model = QuestionModel.fit(EXAMPLES)
    assert sparse_model._dense is None and dense._dense is not None
    for text in ("Wie hoch ist die Förderquote?", "Ei gude", "deadline action plan", "xyz"):
        assert np.allclose(sparse_model.similarities(text), dense.similarities(text))


def test_a_new_example_takes_its_place_in_the_training_order_and_the_others_keep_theirs():
    from knowledge.question_model import _scrambled
    from knowledge.vectors import example_keys

    examples = [(f"frage nummer {i}", "frist" if i % 2 else "kosten") for i in range(40)]
    grown = [*examples, ("eine neue frage", "kosten")]
    for epoch in range(3):
        before = [examples[i] for i in np.argsort(_scrambled(example_keys(examples), epoch), kind="stable")]
        after = [grown[i] for i in np.argsort(_scrambled(example_keys(grown), epoch), kind="stable")]
        assert [example for example in after if example in examples] == before
    first = np.argsort(_scrambled(example_keys(examples), 0))
    second = np.argsort(_scrambled(example_keys(examples), 1))
    assert list(first) != list(second)  # every epoch another order
