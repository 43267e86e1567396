"""The report's questions as steps: one read, every rule an answer completes, one compare-and-set write.

A step names one question: `reporter:<key>` (the reporting person), `measure:<index>:<key>` (a saved or
carried-over measure) or `current:<key>` (the chat's measure in progress). An answer to a step is read
and checked against the field and the cross-field rules of `report_fields` before anything is stored, so
a wrong answer is refused where it is given, with the same question again. A typed answer costs two SQL
statements (the report joined with the chat's access, then the update of the changed columns); a lost
race with another chat adds two more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.report_fields import (
    MEASURE_FIELD_BY_KEY,
    MEASURE_FIELDS,
    REPORT_FIELD_BY_KEY,
    Field,
    answer_error,
    next_field,
)
from services.report_parsing import ParseError, parse_answer
from services.reports import chat_text
from services.reports.access import AccessDenied
from services.reports.domain import (
    Draft,
    answers_for,
    next_question,
    set_answer,
    start_first_measure,
)
from services.reports.drafts import MAX_ATTEMPTS, to_draft, working_copy_values
from storage.tables import MeasureReport, ReportAccess
from storage.types import utcnow


@dataclass(frozen=True)
class Choice:
    """A button of a question: its German label and the value it answers with."""

    label: str
    value: str


@dataclass(frozen=True)
class Question:
    """One question to ask: the step it answers, its German prompt (HTML), its choices, and whether it may be skipped."""

    step: str
    key: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    wants_file: bool = False


@dataclass(frozen=True)
class StepResult:
    """What to show after a step: an error with the same question, the next question, or the finished measure."""

    question: Question | None
    error: str | None = None
    # the chat's measure (or the report) has no open question: these messages, with these buttons
    summary: tuple[str, ...] = ()
    actions: tuple[tuple[str, str, str], ...] = ()
    report_id: int = 0
    # a change from the review (a saved measure, the person) is complete: back to the review
    review: bool = False


class UnknownStep(ValueError):
    """A step name that is no question of the report (an old or a crafted button)."""


def parse_step(step: str) -> tuple[str, Field]:
    """The target (`reporter`, `measure:<i>`, `current`) and field a step names; UnknownStep otherwise."""
    parts = step.split(":")
    if len(parts) == 2 and parts[0] == "reporter" and parts[1] in REPORT_FIELD_BY_KEY:
        return "reporter", REPORT_FIELD_BY_KEY[parts[1]]
    if len(parts) == 2 and parts[0] == "current" and parts[1] in MEASURE_FIELD_BY_KEY:
        return "current", MEASURE_FIELD_BY_KEY[parts[1]]
    if len(parts) == 3 and parts[0] == "measure" and parts[1].isdigit() and parts[2] in MEASURE_FIELD_BY_KEY:
        return f"measure:{int(parts[1])}", MEASURE_FIELD_BY_KEY[parts[2]]
    raise UnknownStep(step)


def step_name(target: str, field: Field) -> str:
    """The step of `field` in `target` (the inverse of `parse_step`)."""
    return f"{target}:{field.key}"


def _target_exists(draft: Draft, target: str) -> bool:
    if target.startswith("measure:"):
        return int(target.split(":", 1)[1]) < len(draft.measures)
    return True


def question_for(draft: Draft, target: str, field: Field) -> Question:
    """The question of `field` in `target`, with „Überspringen“ only where the answer may be left out."""
    answers = answers_for(draft, target)
    title = None
    if target.startswith("measure:"):
        title = str(draft.measures[int(target.split(":", 1)[1])].get("title") or "")
    return Question(
        step=step_name(target, field),
        key=field.key,
        prompt=chat_text.question_text(field, title),
        choices=tuple(Choice(label, value) for value, label in field.choices),
        optional=not field.is_required(answers),
        wants_file=field.kind == "file",
    )


def next_step(draft: Draft, *, after: str | None = None) -> StepResult:
    """The chat's next question; after an edit of a saved measure, first whatever that measure still lacks."""
    if after is not None and after.startswith("measure:") and _target_exists(draft, after):
        field = next_field(answers_for(draft, after), MEASURE_FIELDS)
        if field is not None:
            return StepResult(question_for(draft, after, field), report_id=draft.report_id)
    target, field = next_question(draft)
    if field is not None:
        return StepResult(question_for(draft, target, field), report_id=draft.report_id)
    return StepResult(
        None,
        review=after is not None and after != "current" and draft.current is None,
        summary=tuple(chat_text.summary_messages(draft)),
        actions=tuple(chat_text.summary_buttons(draft)),
        report_id=draft.report_id,
    )


async def load_report(session: AsyncSession, *, ags: str, year: int, chat_id: int) -> MeasureReport:
    """The report row, read together with the chat's access in one statement; AccessDenied for other chats."""
    result = await session.exec(
        select(MeasureReport, ReportAccess.chat_id)
        .join(
            ReportAccess,
            and_(col(ReportAccess.ags) == col(MeasureReport.ags), col(ReportAccess.chat_id) == chat_id),
            isouter=True,
        )
        .where(col(MeasureReport.ags) == ags, col(MeasureReport.year) == year)
        .execution_options(populate_existing=True)
    )
    row = result.first()
    if row is None:
        raise AccessDenied(chat_text.NOTHING_OPEN)
    report, access = row
    if access is None:
        raise AccessDenied
    return report


async def store_changes(session: AsyncSession, report: MeasureReport, draft: Draft, now: dt.datetime) -> bool:
    """Write only the changed columns over the revision `report` was read at and commit; False if it moved."""
    values = {
        column: value
        for column, value in working_copy_values(report, draft).items()
        if getattr(report, column) != value
    }
    if not values:
        await session.commit()
        return True
    read = report.revision
    stored = await session.exec(
        update(MeasureReport)
        .where(col(MeasureReport.id) == report.id, col(MeasureReport.revision) == read)
        .values(**values, updated_at=now, revision=read + 1)
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount != 1:
        await session.rollback()
        return False
    await session.commit()
    draft.revision, draft.updated_at = read + 1, now
    return True


async def current_step(session: AsyncSession, *, ags: str, year: int, chat_id: int) -> StepResult:
    """The chat's open question (a report without measures starts its first), or the finished measure."""
    for _attempt in range(MAX_ATTEMPTS):
        report = await load_report(session, ags=ags, year=year, chat_id=chat_id)
        draft = to_draft(report, chat_id=chat_id)
        result = next_step(draft)
        if result.question is not None or draft.current is not None or draft.measures:
            await session.commit()
            return result
        start_first_measure(draft)
        if await store_changes(session, report, draft, utcnow()):
            return next_step(draft)
    raise RuntimeError(f"could not store report {ags}/{year}: too many concurrent changes")


async def ask_step(session: AsyncSession, *, ags: str, year: int, chat_id: int, step: str) -> StepResult:
    """The question of one step (an edit button); the chat's open question when the step no longer exists."""
    report = await load_report(session, ags=ags, year=year, chat_id=chat_id)
    draft = to_draft(report, chat_id=chat_id)
    await session.commit()
    target, field = parse_step(step)
    if not _target_exists(draft, target) or not field.applies(answers_for(draft, target)):
        return next_step(draft)
    return StepResult(question_for(draft, target, field), report_id=draft.report_id)


async def _answer(
    session: AsyncSession,
    *,
    ags: str,
    year: int,
    chat_id: int,
    step: str,
    read: Callable[[Field, dict[str, Any]], Any],
    now: dt.datetime | None,
) -> StepResult:
    """Read, check and store one answer; a race lost to another chat is re-checked on the fresh copy."""
    target, field = parse_step(step)
    for _attempt in range(MAX_ATTEMPTS):
        report = await load_report(session, ags=ags, year=year, chat_id=chat_id)
        draft = to_draft(report, chat_id=chat_id)
        if not _target_exists(draft, target):  # another chat deleted that measure meanwhile
            await session.commit()
            return next_step(draft)
        answers = answers_for(draft, target)
        try:
            value = read(field, answers)
        except ParseError as error:
            await session.commit()
            return StepResult(
                question_for(draft, target, field), error=error.message, report_id=draft.report_id
            )
        error = answer_error(field, answers, value, reporting_year=draft.year)
        if error:
            await session.commit()
            return StepResult(question_for(draft, target, field), error=error, report_id=draft.report_id)
        set_answer(draft, target, field.key, value)
        if next_question(draft)[1] is None:
            start_first_measure(draft)  # the person is complete: a report without measures goes to its first
        if await store_changes(session, report, draft, now or utcnow()):
            return next_step(draft, after=target)
    raise RuntimeError(f"could not store report {ags}/{year}: too many concurrent changes")


async def answer_step(
    session: AsyncSession,
    *,
    ags: str,
    year: int,
    chat_id: int,
    step: str,
    text: str,
    now: dt.datetime | None = None,
) -> StepResult:
    """A typed answer to `step`: read generously, checked with every rule it completes, stored if it is fine."""

    def read(field: Field, answers: dict[str, Any]) -> Any:
        return parse_answer(field, text, answers)

    return await _answer(session, ags=ags, year=year, chat_id=chat_id, step=step, read=read, now=now)


async def choose_step(
    session: AsyncSession,
    *,
    ags: str,
    year: int,
    chat_id: int,
    step: str,
    value: Any,
    now: dt.datetime | None = None,
) -> StepResult:
    """A pressed choice, „Überspringen“ (SKIPPED) or a stored file as the answer to `step`."""

    def read(field: Field, answers: dict[str, Any]) -> Any:
        if isinstance(value, str) and field.choices and value not in dict(field.choices):
            raise ParseError("Bitte wählen Sie eine der Schaltflächen.")
        return value

    return await _answer(session, ags=ags, year=year, chat_id=chat_id, step=step, read=read, now=now)
