"""The example index: plain BM25 over each entry's texts and examples, the confidence model's second opinion."""

import numpy as np

from knowledge import training
from knowledge.example_index import ExampleIndex


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
        _entry("frist", ["ap frist bitte", "wie lange zeit fuer den plan", "frist aktionsplan monate"]),
        _entry("kosten", ["beitrag buendnis", "muessen wir zahlen", "was kostet es"]),
    ]
    pairs = training.training_examples(entries, {})
    fold_of = training.fold_of_rows(len(pairs))
    rows, agrees = training.index_agreement(entries, pairs, [label for _, label in pairs], fold_of)
    held_out = {pairs[row][0] for row in rows}
    assert held_out == {text for entry in entries for text in entry.examples}
    assert set(np.unique(agrees)) <= {0.0, 1.0}


def _entry(name, examples):
    from knowledge.model import Entry

    return Entry.model_validate(
        {
            "id": name,
            "title": f"Eintrag {name}",
            "topic": "aktionsplan",
            "questions": [f"Frage eins zu {name}?", f"Frage zwei zu {name}?", f"Frage drei zu {name}?"],
            "examples": examples,
            "answer": f"Die Antwort zu {name} steht hier.",
            "sources": [{"url": "https://example.org", "as_of": "2025"}],
            "reviewed": "2026-01-01",
            "review_by": "2027-01-01",
        }
    )


def test_an_empty_knowledge_base_has_no_opinion():
    assert ExampleIndex([]).best("Wie hoch ist der Fördersatz?") is None
    assert ExampleIndex([("leer", [])]).best("Wie hoch ist der Fördersatz?") is None
