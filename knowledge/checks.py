"""`klimabot kb check`: validates the entries and reports errors and warnings per file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from knowledge.features import TRANSLATIONS_FILE, load_translations
from knowledge.intents import INTENTS_FILE, MessageIntent, load_intent_examples
from knowledge.markup import html_problems, visible_text
from knowledge.model import ENTRIES_DIR, Entry, load_entries
from knowledge.text import content_words, fold
from knowledge.trained import calibration_file, load_calibration
from knowledge.training import fingerprint

MAX_ANSWER_CHARS = 900
MIN_EXAMPLES = 15
MAX_TITLE_BUTTON_CHARS = 60
NEAR_DUPLICATE = 92
_FACT_LINE = re.compile(r"^- \[(F\d{3})\] (.*)$", re.MULTILINE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Finding:
    """One problem: `error` fails the check, `warning` does not."""

    level: str
    where: str
    message: str


def load_fact_sheet(path: Path) -> dict[str, str]:
    """Fact id -> fact text of `knowledge-facts.md`."""
    return {fact_id: text for fact_id, text in _FACT_LINE.findall(path.read_text(encoding="utf-8"))}


def check_knowledge(
    directory: Path = ENTRIES_DIR,
    *,
    today: dt.date | None = None,
    facts: dict[str, str] | None = None,
    translations: Path = TRANSLATIONS_FILE,
    intents_file: Path = INTENTS_FILE,
) -> tuple[list[Entry], list[Finding]]:
    """Every finding for the entries in `directory`; `facts` enables the source-tracing checks."""
    today = today or dt.date.today()
    entries, problems = load_entries(directory)
    findings = [Finding("error", problem.path.name, problem.message) for problem in problems]
    try:
        load_translations(translations)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        findings.append(Finding("error", translations.name, str(exc)))
    ids = {}
    for path in sorted(directory.rglob("*.yaml")):
        entry = next((e for e in entries if e.id == path.stem), None)
        if entry is None and path.name not in {p.path.name for p in problems}:
            findings.append(Finding("error", path.name, "Dateiname muss der Eintrags-ID entsprechen"))
    for entry in entries:
        if entry.id in ids:
            findings.append(Finding("error", entry.id, "ID doppelt vergeben"))
        ids[entry.id] = entry
    for entry in entries:
        findings.extend(_check_entry(entry, ids, today, facts))
    findings.extend(_near_duplicate_questions(entries))
    try:
        intents = load_intent_examples(intents_file)
    except ValueError as exc:
        findings.append(Finding("error", intents_file.name, str(exc)))
    else:
        findings.extend(_examples_with_two_labels(entries, intents, intents_file.name))
        findings.extend(_calibration_findings(entries, intents, directory))
    return entries, findings


def _check_entry(
    entry: Entry, ids: dict[str, Entry], today: dt.date, facts: dict[str, str] | None
) -> list[Finding]:
    found: list[Finding] = []

    def error(message: str) -> None:
        found.append(Finding("error", entry.id, message))

    for problem in html_problems(entry.answer):
        error(f"HTML der Antwort: {problem}")
    length = len(visible_text(entry.answer).strip())
    if length > MAX_ANSWER_CHARS:
        error(f"Antwort hat {length} sichtbare Zeichen (höchstens {MAX_ANSWER_CHARS})")
    if len(entry.examples) < MIN_EXAMPLES:
        error(
            f"{len(entry.examples)} Beispielfragen (mindestens {MIN_EXAMPLES}: das Modell lernt den Eintrag daraus)"
        )
    if len(entry.title) > MAX_TITLE_BUTTON_CHARS:
        found.append(Finding("warning", entry.id, f"Titel länger als {MAX_TITLE_BUTTON_CHARS} Zeichen"))
    for ref in entry.related:
        if ref not in ids:
            error(f"verwandter Eintrag {ref!r} existiert nicht")
        elif ref == entry.id:
            error("related verweist auf den Eintrag selbst")
    if entry.reviewed > today:
        error("reviewed liegt in der Zukunft")
    if entry.review_by < entry.reviewed:
        error("review_by liegt vor reviewed")
    if entry.is_overdue(today):
        found.append(Finding("warning", entry.id, f"Prüfung überfällig seit {entry.review_by.isoformat()}"))
    if facts is not None:
        cited = [fact for source in entry.sources for fact in source.facts]
        if not cited:
            error("Quellen nennen keine Fakten-IDs")
        unknown = [fact for fact in cited if fact not in facts]
        if unknown:
            error(f"unbekannte Fakten-IDs: {', '.join(unknown)}")
        fact_text = " ".join(facts.get(fact, "") for fact in cited)
        fact_digits = {_digits(n) for n in _NUMBER.findall(fact_text)}
        for number in _NUMBER.findall(visible_text(entry.answer)):
            digits = _digits(number)
            if not any(digits in known for known in fact_digits):
                error(f"Zahl {number!r} der Antwort steht in keinem zitierten Fakt")
    return found


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _examples_with_two_labels(
    entries: list[Entry], intents: dict[MessageIntent, list[str]], intents_name: str
) -> list[Finding]:
    """One wording under two entries (or an entry and an intent) teaches the model a contradiction."""
    findings: list[Finding] = []
    for intent, examples in intents.items():
        if len(examples) < MIN_EXAMPLES:
            findings.append(Finding("error", intents_name, f"{intent}: weniger als {MIN_EXAMPLES} Beispiele"))
    owner: dict[str, str] = {}
    labelled = [(entry.id, text) for entry in entries for text in (*entry.questions, *entry.examples)]
    labelled += [(intent.label, text) for intent, examples in intents.items() for text in examples]
    for label, text in labelled:
        key = " ".join(fold(text).split()).strip(" ?!.")
        first = owner.setdefault(key, label)
        if first != label:
            where = label if not label.startswith("intent:") else intents_name
            findings.append(Finding("error", where, f"Beispiel {text!r} ist auch Beispiel von {first}"))
    return findings


def _calibration_findings(
    entries: list[Entry], intents: dict[MessageIntent, list[str]], directory: Path
) -> list[Finding]:
    """The answer limits should be measured on the current examples (`klimabot kb train`)."""
    path = calibration_file(directory)
    calibration = load_calibration(path)
    if calibration is None:
        return [
            Finding(
                "warning",
                path.name,
                "fehlt: `klimabot kb train` ausführen, um die Antwortschwellen zu messen",
            )
        ]
    if calibration.fingerprint != fingerprint(entries, intents):
        return [
            Finding(
                "warning",
                path.name,
                "auf anderen Beispielen gemessen: der Bot lernt mit diesen Schwellen neu; `klimabot kb train` misst neu",
            )
        ]
    return []


def _near_duplicate_questions(entries: list[Entry]) -> list[Finding]:
    """Questions of two different entries that read almost the same confuse the question model."""
    phrased = [
        (entry.id, q, " ".join(sorted(content_words(q)))) for entry in entries for q in entry.questions
    ]
    findings = []
    for (id_a, q_a, norm_a), (id_b, q_b, norm_b) in combinations(phrased, 2):
        if id_a == id_b or not norm_a or not norm_b:
            continue
        if fuzz.ratio(norm_a, norm_b) >= NEAR_DUPLICATE:
            findings.append(Finding("error", id_a, f"Frage {q_a!r} gleicht fast {q_b!r} von {id_b}"))
    return findings
