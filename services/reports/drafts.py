"""Drafts: open (or resume) a municipality's report for a year and save the working copy after every answer."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.report_fields import MAX_YEAR, MIN_YEAR
from services.reports.domain import (
    Draft,
    ReportNotFound,
    ReportState,
    carry_over,
    dump_measures,
    dump_reporter,
    load_measures,
    load_reporter,
    measure_from_json,
    measure_to_json,
)
from services.reports.queries import get_report, latest_submitted
from storage.tables import MeasureReport
from storage.types import utcnow


def to_draft(report: MeasureReport) -> Draft:
    """The working copy stored in a report row."""
    current = measure_from_json(json.loads(report.current_json)) if report.current_json is not None else None
    return Draft(
        report_id=report.id,
        ags=report.ags,
        municipality_name=report.municipality_name,
        year=report.year,
        state=report.state,
        version_count=report.version_count,
        reporter=load_reporter(report.reporter_json),
        measures=load_measures(report.measures_json),
        current=current,
        owner_chat_id=report.owner_chat_id,
        updated_at=report.updated_at,
    )


def write_working_copy(report: MeasureReport, draft: Draft, *, now: dt.datetime) -> None:
    """Copy the draft's answers into the report row (reporter, measures, current measure, next step)."""
    report.reporter_json = dump_reporter(draft.reporter)
    report.measures_json = dump_measures(draft.measures)
    report.current_json = (
        json.dumps(measure_to_json(draft.current), ensure_ascii=False) if draft.current is not None else None
    )
    report.next_step = draft.next_step[:64]
    report.updated_at = now


async def get_or_start_draft(
    session: AsyncSession,
    *,
    ags: str,
    municipality_name: str,
    year: int,
    chat_id: int | None,
    now: dt.datetime | None = None,
) -> Draft:
    """The saved working copy of the municipality's report for `year`, created on first use.

    A new report starts from last year's unfinished measures (all answers kept, status, end, cost and
    funding amount flagged for an update). A submitted report's working copy is its latest version, so
    changes become the next version. A `chat_id` makes that chat the owner (the chat working on it now).
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"implausible reporting year {year}")
    report = await get_report(session, ags=ags, year=year)
    if report is None:
        report = await _start(session, ags=ags, name=municipality_name, year=year, chat_id=chat_id, now=now)
    elif chat_id is not None and report.owner_chat_id != chat_id:
        report.owner_chat_id = chat_id
        session.add(report)
        await session.commit()
    return to_draft(report)


async def _start(
    session: AsyncSession, *, ags: str, name: str, year: int, chat_id: int | None, now: dt.datetime | None
) -> MeasureReport:
    """Insert the report row; a concurrent first answer of another instance wins the unique (ags, year)."""
    now = now or utcnow()
    previous = await latest_submitted(session, ags=ags, year=year - 1)
    draft = Draft(
        report_id=0,
        ags=ags,
        municipality_name=name,
        year=year,
        state=ReportState.DRAFT,
        version_count=0,
        reporter={},
        measures=carry_over(previous.measures) if previous else [],
    )
    report = MeasureReport(
        ags=ags,
        municipality_name=name.strip()[:200],
        year=year,
        state=ReportState.DRAFT,
        owner_chat_id=chat_id,
        created_at=now,
    )
    write_working_copy(report, draft, now=now)
    session.add(report)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        report = await get_report(session, ags=ags, year=year)
        if report is None:  # the constraint that failed was not (ags, year): not ours to hide
            raise
    return report


async def save_draft(session: AsyncSession, draft: Draft, *, now: dt.datetime | None = None) -> None:
    """Store the draft's working copy (the last writer wins) and commit; state and versions stay untouched."""
    now = now or utcnow()
    report = await session.get(MeasureReport, draft.report_id, populate_existing=True)
    if report is None:
        raise ReportNotFound(f"report {draft.report_id}")
    write_working_copy(report, draft, now=now)
    session.add(report)
    await session.commit()
    draft.updated_at = now
    draft.state, draft.version_count = report.state, report.version_count
