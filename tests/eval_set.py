"""Loads the evaluation questions in tests/eval/*.yaml and scores the answering policy on them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from services.answering import AnsweringService, AnswerKind
from services.presenting import render_plain

EVAL_DIR = Path(__file__).parent / "eval"
HOLDOUT_DIR = Path(__file__).parent / "holdout"
HARD_DIR = Path(__file__).parent / "hard"
FACTSHEET_DIR = Path(__file__).parent / "factsheet"
FRESH_DIR = Path(__file__).parent / "fresh"
FRESH2_DIR = Path(__file__).parent / "fresh2"
FRESH3_DIR = Path(__file__).parent / "fresh3"
FRESH4_DIR = Path(__file__).parent / "fresh4"
FRESH5_DIR = Path(__file__).parent / "fresh5"
FRESH6_DIR = Path(__file__).parent / "fresh6"
FRESH7_DIR = Path(__file__).parent / "fresh7"
FACTSHEET_KINDS = {"kb", "escalate", "smalltalk_or_help"}
SPECIAL = {"help", "escalate", "suggest"}


@dataclass(frozen=True)
class EvalItem:
    """One question and what it must lead to: an entry id, `help` or `escalate`."""

    question: str
    expect: str
    source: str
    # the writer's kind (clerk_phone, mayor_dialect, formal_email, trainee, ksm_expert, english), if named
    persona: str = ""


def load_eval_items(directory: Path = EVAL_DIR) -> list[EvalItem]:
    """Every item of every eval file."""
    items = []
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            items.append(
                EvalItem(
                    str(raw["q"]).strip(),
                    str(raw["expect"]).strip(),
                    path.name,
                    str(raw.get("persona", "")).strip(),
                )
            )
    return items


@dataclass
class FactsheetScore:
    """What became of the fact-sheet items, scored like the shared development set."""

    total: Counter = field(default_factory=Counter)  # items per expected kind
    right: Counter = field(default_factory=Counter)  # right ones per expected kind
    wrong_answers: int = 0  # kb items answered without any expected figure or name
    misses: list[str] = field(default_factory=list)
    persona_total: Counter = field(default_factory=Counter)
    persona_right: Counter = field(default_factory=Counter)

    def share(self, kind: str) -> float:
        """The right share of one expected kind."""
        return self.right[kind] / max(self.total[kind], 1)

    def summary(self) -> str:
        """One line like the shared set's scorer prints."""
        kb = max(self.total["kb"], 1)
        return (
            f"answers {self.right['kb']}/{self.total['kb']} ({100 * self.right['kb'] / kb:.0f}%) confident-wrong "
            f"{self.wrong_answers} ({100 * self.wrong_answers / kb:.1f}%)  escalate {self.right['escalate']}/"
            f"{self.total['escalate']}  help {self.right['smalltalk_or_help']}/{self.total['smalltalk_or_help']}"
        )


def _normalised(text: str) -> str:
    """Lower case, every run of white space (no-break spaces too) one blank."""
    return " " + " ".join(text.lower().replace("\u00a0", " ").replace("\u202f", " ").split()) + " "


def score_factsheet(service: AnsweringService, items: list[dict], contact: str) -> FactsheetScore:
    """A `kb` item needs an answer holding one of its `expect_any` strings (an answer without one is
    confidently wrong), `escalate` an offer of a person, `smalltalk_or_help` a friendly reply."""
    expected_kind = {"escalate": AnswerKind.ESCALATE, "smalltalk_or_help": AnswerKind.HELP}
    score = FactsheetScore()
    for item in items:
        answer = service.answer(str(item["q"]))
        expected = item["expect"]
        if expected == "kb":
            text = _normalised(render_plain(answer, contact=contact))
            hit = any(term.lower() in text for term in item["expect_any"])
            right = answer.kind is AnswerKind.ANSWER and hit
            score.wrong_answers += answer.kind is AnswerKind.ANSWER and not hit
        else:
            right = answer.kind is expected_kind[expected]
        score.total[expected] += 1
        score.right[expected] += right
        score.persona_total[item["persona"]] += 1
        score.persona_right[item["persona"]] += right
        if not right:
            got = answer.entry.id if answer.entry else answer.reason
            score.misses.append(
                f"MISS {item['id']} [{expected}] got {answer.kind} {got} ({answer.score:.2f}): {item['q'][:100]!r}"
            )
    return score


def load_factsheet_items(half: str | None = None, directory: Path = FACTSHEET_DIR) -> list[dict]:
    """The items of tests/factsheet/*.yaml or another set in the shared development set's format
    (tests/fresh), optionally one half: `a` the odd numbers, `b` the even ones."""
    items = [item for path in sorted(directory.glob("*.yaml")) for item in yaml.safe_load(path.read_text())]
    if half:
        items = [item for item in items if (int(item["id"][1:]) % 2 == 1) == (half == "a")]
    return items


@dataclass
class EvalReport:
    """Counts of how the policy handled the eval set."""

    entry_items: int = 0
    top1: int = 0
    answered_right: int = 0
    answered_wrong: int = 0
    suggested_with_right: int = 0
    escalated: int = 0
    special_items: int = 0
    special_right: int = 0
    confident_on_must_escalate: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    # persona -> [entry questions answered right, entry questions]
    personas: dict[str, list[int]] = field(default_factory=dict)

    @property
    def top1_accuracy(self) -> float:
        """Share of entry questions whose best-ranked entry is the expected one."""
        return self.top1 / self.entry_items if self.entry_items else 0.0

    def summary(self) -> str:
        """Numbers for the README and the notes."""
        n = self.entry_items or 1
        return (
            f"{self.entry_items} entry questions: top-1 {self.top1_accuracy:.1%}, "
            f"answered right {self.answered_right / n:.1%}, answered wrong {self.answered_wrong / n:.1%}, "
            f"suggested incl. right {self.suggested_with_right / n:.1%}, escalated {self.escalated / n:.1%}; "
            f"{self.special_items} small-talk/must-escalate: {self.special_right} right, "
            f"{len(self.confident_on_must_escalate)} confident answers to must-escalate"
        )

    def persona_lines(self) -> list[str]:
        """Answered right per writer persona, for sets that name them."""
        return [
            f"  {persona}: {right}/{total}"
            for persona, (right, total) in sorted(self.personas.items())
            if persona
        ]


def evaluate(service: AnsweringService, items: list[EvalItem]) -> EvalReport:
    """Run every item through the policy and count the outcomes."""
    report = EvalReport()
    for item in items:
        answer = service.answer(item.question)
        report.kinds[str(answer.kind)] += 1
        if item.expect in SPECIAL:
            report.special_items += 1
            if item.expect in ("escalate", "suggest") and answer.kind is AnswerKind.ANSWER:
                report.confident_on_must_escalate.append(f"{item.question!r} -> {answer.entry.id}")
            elif str(answer.kind) == item.expect or (
                item.expect == "suggest" and answer.kind is AnswerKind.ESCALATE
            ):
                report.special_right += 1
            else:
                report.misses.append(f"{item.question!r}: expected {item.expect}, got {answer.kind}")
            continue
        report.entry_items += 1
        best = service.best_entry(item.question)
        if best is not None and best.id == item.expect:
            report.top1 += 1
        persona = report.personas.setdefault(item.persona, [0, 0])
        persona[1] += 1
        if answer.kind is AnswerKind.ANSWER:
            if answer.entry.id == item.expect:
                report.answered_right += 1
                persona[0] += 1
            else:
                report.answered_wrong += 1
                report.misses.append(
                    f"WRONG {item.question!r}: expected {item.expect}, got {answer.entry.id}"
                )
        elif answer.kind is AnswerKind.SUGGEST:
            if any(entry.id == item.expect for entry in answer.suggestions):
                report.suggested_with_right += 1
            else:
                report.misses.append(
                    f"suggest {item.question!r}: expected {item.expect}, got {[e.id for e in answer.suggestions]}"
                )
        else:
            report.escalated += 1
            report.misses.append(f"{answer.kind} {item.question!r}: expected {item.expect} ({answer.reason})")
    return report
