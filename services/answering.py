"""The answering policy: answer, suggest close matches, or hand over to a human — never guess."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from knowledge.model import Entry, load_entries
from knowledge.retriever import Retriever
from services.intents import Intent, classify, strip_mail_framing

MAX_QUESTION_CHARS = 2000
log = logging.getLogger(__name__)


class AnswerKind(StrEnum):
    """The four outcomes a channel has to present."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    ESCALATE = "escalate"
    HELP = "help"


@dataclass(frozen=True)
class Thresholds:
    """Confidence limits, calibrated on tests/eval (see tests/test_eval.py for the measured numbers)."""

    answer_score: float = 0.60
    answer_margin: float = 0.03
    suggest_score: float = 0.48


@dataclass(frozen=True)
class Answer:
    """What the policy decided for one question; channels only present it."""

    question: str
    kind: AnswerKind
    reason: str
    entry: Entry | None = None
    score: float = 0.0
    margin: float = 0.0
    suggestions: tuple[Entry, ...] = ()
    related: tuple[Entry, ...] = ()
    considered: tuple[Entry, ...] = field(default=(), repr=False)
    overdue: bool = False

    @property
    def answered(self) -> bool:
        """True when the user got a knowledge-base answer."""
        return self.kind is AnswerKind.ANSWER

    @property
    def offer_advisor(self) -> bool:
        """True when a human advisor should be offered alongside."""
        if self.kind in (AnswerKind.SUGGEST, AnswerKind.ESCALATE):
            return True
        return self.kind is AnswerKind.ANSWER and (self.overdue or bool(self.entry and self.entry.consult))


class AnsweringService:
    """Channel-neutral use case: one question in, one `Answer` out."""

    def __init__(
        self,
        retriever: Retriever,
        thresholds: Thresholds | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        self.retriever = retriever
        self.thresholds = thresholds or Thresholds()
        self._today = today

    def answer(self, question: str) -> Answer:
        """Decide how to respond to a free-text question."""
        original = question.strip()
        cleaned = strip_mail_framing(original[:MAX_QUESTION_CHARS])
        intent = classify(cleaned)
        if intent is Intent.SMALLTALK:
            return Answer(original, AnswerKind.HELP, "smalltalk")
        if intent is Intent.HUMAN:
            return Answer(original, AnswerKind.ESCALATE, "human")
        hits = self.retriever.search(cleaned, limit=5)
        considered = tuple(hit.entry for hit in hits[:3])
        if intent is Intent.CASE_SPECIFIC:
            return Answer(original, AnswerKind.ESCALATE, "case_specific", considered=considered)
        if not hits:
            return Answer(original, AnswerKind.ESCALATE, "no_match")
        best = hits[0]
        margin = best.score - hits[1].score if len(hits) > 1 else best.score
        limits = self.thresholds
        confident = best.score >= limits.answer_score and margin >= limits.answer_margin
        if confident:
            return self.present_entry(
                original, best.entry, score=best.score, margin=margin, considered=considered
            )
        if best.score >= limits.suggest_score or best.covers_question:
            floor = min(best.score, limits.suggest_score) * 0.85
            suggestions = tuple(hit.entry for hit in hits if hit.score >= floor)[:3]
            return Answer(
                original,
                AnswerKind.SUGGEST,
                "unsure",
                score=best.score,
                margin=margin,
                suggestions=suggestions,
                considered=considered,
            )
        return Answer(
            original, AnswerKind.ESCALATE, "no_match", score=best.score, margin=margin, considered=considered
        )

    def present_entry(
        self,
        question: str,
        entry: Entry,
        *,
        score: float = 1.0,
        margin: float = 1.0,
        considered: tuple[Entry, ...] = (),
    ) -> Answer:
        """An answer from a known entry (also used when the user picks a suggestion)."""
        return Answer(
            question,
            AnswerKind.ANSWER,
            "confident" if score < 1.0 else "chosen",
            entry=entry,
            score=score,
            margin=margin,
            related=tuple(self.retriever.related(entry)),
            considered=considered or (entry,),
            overdue=entry.is_overdue(self._today()),
        )

    def answer_entry(self, entry_id: str, question: str = "") -> Answer | None:
        """The answer of one entry by id, or None when the entry no longer exists."""
        entry = self.retriever.by_id.get(entry_id)
        if entry is None:
            return None
        return self.present_entry(question or entry.title, entry)


def load_answering_service(knowledge_dir: Path) -> AnsweringService:
    """Load the knowledge base and build the policy; invalid entries are skipped and logged."""
    entries, problems = load_entries(knowledge_dir)
    for problem in problems:
        log.error("knowledge entry %s skipped: %s", problem.path.name, problem.message)
    return AnsweringService(Retriever(entries))
