"""Small knowledge entries for tests of the models and indexes: only what an entry must have."""

from __future__ import annotations

from knowledge.model import Entry


def make_entry(entry_id: str, questions: list[str], examples: list[str], title: str = "") -> Entry:
    """A valid entry with these questions and examples, a short answer and one source."""
    return Entry.model_validate(
        {
            "id": entry_id,
            "title": title or f"Eintrag {entry_id}",
            "topic": "aktionsplan",
            "questions": questions,
            "examples": examples,
            "answer": f"Die Antwort zu {entry_id} steht hier.",
            "sources": [{"url": "https://example.org", "as_of": "2025"}],
            "reviewed": "2026-01-01",
            "review_by": "2027-01-01",
        }
    )
