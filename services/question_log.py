"""Records asked questions and feedback, and lists the knowledge gaps for curators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.text import content_words, fold
from services import metrics
from services.answering import Answer, AnswerKind
from storage import questions as repo
from storage.tables import AskedQuestion, Feedback
from storage.types import utcnow


class UnknownQuestion(Exception):
    """Feedback refers to a question that was never recorded."""


class NotYourQuestion(Exception):
    """Feedback on a question someone else asked."""


# Outcomes that are a gap of the knowledge base: no reliable answer, or only "Meinten Sie …?". Wishes
# for a human, concrete cases, off-topic messages and small talk are not.
GAP_REASONS = ("no_match", "unsure", "vague")
# Two questions at least this similar (0..100, word order ignored) are listed as one gap.
SAME_QUESTION = 82
MAX_GAP_ROWS = 5000


@dataclass(frozen=True)
class Gap:
    """One line of the curators' gap list: a group of similar questions."""

    kind: str  # "unanswered" | "downvoted"
    question: str  # the newest wording
    count: int
    last_seen: dt.datetime
    first_seen: dt.datetime
    entry_id: str | None = None
    variants: tuple[str, ...] = ()  # other wordings in the group, newest first


_OUTCOME = {
    AnswerKind.ANSWER: "answered",
    AnswerKind.SUGGEST: "suggested",
    AnswerKind.ESCALATE: "handed_over",
    AnswerKind.HELP: "small_talk",
}


async def record_question(session: AsyncSession, *, channel: str, user_ref: str, answer: Answer) -> int:
    """Store the question with its outcome; unanswered ones become the curators' gap list."""
    record = AskedQuestion(
        channel=channel,
        user_ref=user_ref,
        question=answer.question[:4000],
        kind=str(answer.kind),
        reason=answer.reason,
        entry_id=answer.entry.id if answer.entry else None,
        score=round(answer.score, 4),
        answered=answer.answered,
    )
    await repo.add_asked_question(session, record=record)
    await session.commit()
    metrics.QUESTIONS.labels(_OUTCOME[answer.kind]).inc()
    return record.id


async def record_feedback(session: AsyncSession, *, question_id: int, user_ref: str, vote: int) -> None:
    """Store the asker's 👍 (+1) or 👎 (-1) for an answer; a second vote replaces the first."""
    if vote not in (1, -1):
        raise ValueError("vote must be +1 or -1")
    question = await repo.get_asked_question(session, question_id=question_id)
    if question is None:
        raise UnknownQuestion(question_id)
    if question.user_ref != user_ref:
        raise NotYourQuestion(question_id)
    for _attempt in range(2):
        existing = await repo.get_feedback(session, question_id=question_id)
        if existing is None:
            session.add(
                Feedback(question_id=question_id, entry_id=question.entry_id, user_ref=user_ref, vote=vote)
            )
        else:
            existing.vote = vote
            existing.created_at = utcnow()
            session.add(existing)
        try:
            await session.commit()
            return
        except IntegrityError:
            # a concurrent first vote won the unique constraint; update it instead
            await session.rollback()
    raise RuntimeError("could not store feedback")


async def list_gaps(session: AsyncSession, *, days: int = 90, limit: int = 50) -> list[Gap]:
    """Unanswered and 👎-voted questions of the last `days` days, similar ones grouped, newest first."""
    since = utcnow() - dt.timedelta(days=days)
    unanswered = await repo.list_unanswered(session, since=since, reasons=GAP_REASONS, limit=MAX_GAP_ROWS)
    downvoted = await repo.list_downvoted(session, since=since, limit=MAX_GAP_ROWS)
    gaps = _group("unanswered", [(question, when, None) for question, when in unanswered])
    gaps += _group("downvoted", [(question, when, entry_id) for entry_id, question, when in downvoted])
    return sorted(gaps, key=lambda gap: gap.last_seen, reverse=True)[:limit]


def _group(kind: str, rows: list[tuple[str, dt.datetime, str | None]]) -> list[Gap]:
    """Greedy grouping of similar questions (same entry for 👎), rows newest first."""
    groups: list[list[tuple[str, dt.datetime, str | None]]] = []
    keys: list[tuple[str, str | None]] = []
    for row in sorted(rows, key=lambda r: r[1], reverse=True):
        key = (" ".join(sorted(set(content_words(row[0])))) or fold(row[0]).strip(), row[2])
        for index, (other, entry_id) in enumerate(keys):
            if entry_id == key[1] and fuzz.token_set_ratio(key[0], other) >= SAME_QUESTION:
                groups[index].append(row)
                break
        else:
            groups.append([row])
            keys.append(key)
    gaps = []
    for group in groups:
        wordings = list(dict.fromkeys(question.strip() for question, _, _ in group))
        gaps.append(
            Gap(
                kind,
                wordings[0],
                len(group),
                last_seen=group[0][1],
                first_seen=group[-1][1],
                entry_id=group[0][2],
                variants=tuple(wordings[1:]),
            )
        )
    return gaps
