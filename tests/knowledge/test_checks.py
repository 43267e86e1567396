"""`klimabot kb check`: the real knowledge base passes; broken entries are reported."""

import datetime as dt
import textwrap

from knowledge.checks import check_knowledge, load_fact_sheet
from tests.conftest import SHARED, requires_shared

GOOD = """
id: {id}
title: Ein Titel für {id}
topic: aktionsplan
questions: ["{q1}", "Zweite Frage zu {id}?", "Dritte Frage zu {id}?"]
examples: {examples}
answer: "{answer}"
sources:
  - url: https://example.org/x
    as_of: "2025"
    facts: [F028]
related: {related}
reviewed: 2026-01-01
review_by: {review_by}
"""


def _write(folder, entry_id, **fields):
    values = {
        "id": entry_id,
        "q1": f"Erste Frage zu {entry_id}?",
        "answer": "Sie haben sechs Monate Zeit für den Aktionsplan.",
        "related": "[]",
        "examples": "[" + ", ".join(f'"Beispiel {n} zu {entry_id}"' for n in range(15)) + "]",
        "review_by": "2027-12-31",
    } | fields
    (folder / f"{entry_id}.yaml").write_text(textwrap.dedent(GOOD.format(**values)), encoding="utf-8")


def _facts():
    return {"F028": "Nach der Unterschrift ist binnen sechs Monaten ein Aktionsplan einzureichen."}


@requires_shared
def test_the_real_knowledge_base_has_no_errors():
    facts = load_fact_sheet(SHARED / "knowledge-facts.md")
    entries, findings = check_knowledge(facts=facts, today=dt.date.today())
    errors = [f for f in findings if f.level == "error"]
    assert len(entries) >= 60
    assert errors == []


@requires_shared
def test_every_fact_sheet_section_is_covered():
    facts = load_fact_sheet(SHARED / "knowledge-facts.md")
    entries, _ = check_knowledge(facts=facts)
    cited = {fact for entry in entries for source in entry.sources for fact in source.facts}
    assert len(cited) >= 0.8 * len(facts)


def test_broken_entries_are_reported(tmp_path):
    _write(tmp_path, "gut-eins")
    _write(tmp_path, "html-kaputt", answer="<b>offen und <script>x</script>")
    _write(tmp_path, "zu-lang", answer="Sehr lang. " * 100)
    _write(tmp_path, "falsche-zahl", answer="Sie haben 7 Monate Zeit, sagt die Regel.")
    _write(tmp_path, "toter-link", related="[gibt-es-nicht]")
    _write(tmp_path, "doppelt", q1="Erste Frage zu gut-eins?")
    _write(tmp_path, "ueberfaellig", review_by="2026-02-01")
    (tmp_path / "kein-yaml.yaml").write_text("id: [unclosed", encoding="utf-8")
    _, findings = check_knowledge(tmp_path, facts=_facts(), today=dt.date(2026, 11, 25))
    errors = {(f.where, f.message.split(":")[0].split(" ")[0]) for f in findings if f.level == "error"}
    where = {f.where for f in findings if f.level == "error"}
    assert {"html-kaputt", "zu-lang", "falsche-zahl", "toter-link", "doppelt", "kein-yaml.yaml"} <= where
    assert "gut-eins" not in where or {("gut-eins", "Frage"), ("gut-eins", "Beispiel")} & errors
    warnings = {f.where for f in findings if f.level == "warning"}
    assert "ueberfaellig" in warnings


def test_entries_with_too_few_examples_or_an_example_of_another_entry_are_reported(tmp_path):
    _write(tmp_path, "gut-eins")
    _write(tmp_path, "zu-wenig", examples='["nur eins"]')
    _write(
        tmp_path, "geteilt", examples="[" + ", ".join(f'"Beispiel {n} zu gut-eins"' for n in range(15)) + "]"
    )
    _, findings = check_knowledge(tmp_path, facts=_facts(), today=dt.date(2026, 11, 25))
    messages = {(f.where, f.message.split(" (")[0]) for f in findings if f.level == "error"}
    assert ("zu-wenig", "1 Beispielfragen") in messages
    shared = [(where, text) for where, text in messages if "ist auch Beispiel von" in text]
    assert shared and all(
        {where, text.rsplit(" ", 1)[-1]} == {"geteilt", "gut-eins"} for where, text in shared
    )


def test_the_cli_exits_non_zero_on_errors(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    _write(tmp_path, "html-kaputt", answer="<b>offen")
    monkeypatch.setenv("KLIMABOT_KNOWLEDGE_DIR", str(tmp_path))
    assert main(["kb", "check"]) == 1
    assert "html-kaputt" in capsys.readouterr().out


def test_a_broken_translations_file_is_reported_not_raised(tmp_path):
    (tmp_path / "entries").mkdir()
    _write(tmp_path / "entries", "gut-eins")
    translations = tmp_path / "translations.yaml"
    translations.write_text("dialect:\n  mer: wir\nenglish:\n  no: nein\n", encoding="utf-8")
    _, findings = check_knowledge(tmp_path / "entries", facts=_facts(), translations=translations)
    assert any(f.where == "translations.yaml" and "english" in f.message for f in findings)
    translations.write_text("dialect: [unclosed", encoding="utf-8")
    _, findings = check_knowledge(tmp_path / "entries", facts=_facts(), translations=translations)
    assert any(f.where == "translations.yaml" for f in findings)
