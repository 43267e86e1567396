"""The example index: plain BM25 over each entry's texts and examples, the confidence model's second opinion."""

import numpy as np

from knowledge import training
from knowledge.example_index import ExampleIndex, documents_key, entry_documents, load_or_build_index
from tests.knowledge_entries import make_entry

QUESTIONS = ["Frage eins?", "Frage zwei?", "Frage drei?"]


def test_the_entry_sharing_the_rare_words_comes_first_and_dialect_meets_standard_german():
    index = ExampleIndex(
        [
            ("frist", ["Bis wann muss der Aktionsplan vorliegen?", "Hat man ein Jahr Zeit für den Plan?"]),
            ("kosten", ["Was kostet die Mitgliedschaft?", "Beitrag im Bündnis"]),
            ("karte", ["Wo finde ich die Starkregenkarte?", "Karte Überflutung online"]),
        ]
    )
    assert index.best("bis wann aktionsplan") == "frist"
    assert index.best("Was kostet die Mitgliedschaft?") == "kosten"
    assert index.best("Hammer e Johr?") == "frist"  # Johr -> Jahr
    assert index.best("Starkregenkarte") == "karte"
    assert index.best("xyz qqq") is None


def test_the_agreement_is_measured_on_examples_the_index_of_their_fold_does_not_hold():
    entries = [
        make_entry(
            "frist", QUESTIONS, ["ap frist bitte", "wie lange zeit fuer den plan", "frist aktionsplan monate"]
        ),
        make_entry("kosten", QUESTIONS, ["beitrag buendnis", "muessen wir zahlen", "was kostet es"]),
    ]
    pairs = training.training_examples(entries, {})
    fold_of = training.fold_of_texts([text for text, _ in pairs], [label for _, label in pairs])
    rows, agrees = training.index_agreement(entries, pairs, [label for _, label in pairs], fold_of)
    held_out = {pairs[row][0] for row in rows}
    assert held_out == {text for entry in entries for text in entry.examples}
    assert set(np.unique(agrees)) <= {0.0, 1.0}


def test_an_empty_knowledge_base_has_no_opinion():
    assert ExampleIndex([]).best("Wie hoch ist der Fördersatz?") is None
    assert ExampleIndex([("leer", [])]).best("Wie hoch ist der Fördersatz?") is None


def test_a_stored_index_is_used_while_the_entries_texts_stay_the_same(tmp_path):
    entries = [
        make_entry("frist", QUESTIONS, ["bis wann muss der aktionsplan vorliegen", "frist aktionsplan"]),
        make_entry("kosten", QUESTIONS, ["was kostet die mitgliedschaft", "beitrag buendnis"]),
    ]
    path = tmp_path / "example-index.npz"
    built = load_or_build_index(entries, path)
    assert path.exists()
    stored = ExampleIndex.load(path, documents_key(entry_documents(entries)))
    assert stored is not None and stored.ids == built.ids and stored.size == built.size
    for question in ("Bis wann muss der Aktionsplan da sein?", "Was kostet das Bündnis?", "xyz"):
        assert stored.best(question) == built.best(question)
    # a new example changes the key: the stored index is stale and built again
    edited = [entries[0], make_entry("kosten", QUESTIONS, ["was kostet die mitgliedschaft", "gebuehren"])]
    assert ExampleIndex.load(path, documents_key(entry_documents(edited))) is None
    assert load_or_build_index(edited, path).best("Gebühren?") == "kosten"


def test_an_unreadable_stored_index_is_built_again(tmp_path):
    entries = [make_entry("frist", QUESTIONS, ["frist aktionsplan", "bis wann plan"])]
    path = tmp_path / "example-index.npz"
    path.write_bytes(b"kein archiv")
    assert ExampleIndex.load(path, documents_key(entry_documents(entries))) is None
    assert load_or_build_index(entries, path).best("Frist für den Aktionsplan?") == "frist"
