"""Drafts: open (or resume) a municipality's report for a year and store the working copy after every answer.

Several chats of a municipality may work on one report. Each chat answers its own measure in progress
(kept per chat in `current_json`), and every write is a compare-and-set on the row's `revision`: a change
that lost the race is applied again to the fresh working copy, so no answer overwrites another.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.report_fields import MAX_YEAR, MIN_YEAR
from services.reports.domain import (
    Draft,
    DraftChanged,
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

MAX_ATTEMPTS = 20
_BY_CHAT = "by_chat"


def current_key(report: MeasureReport, chat_id: int | None) -> str:
    """Whose measure in progress a chat works on: its own; without a chat (CLI, tests) the owner's."""
    chat = chat_id if chat_id is not None else report.owner_chat_id
    return "" if chat is None else str(chat)


def currents(report: MeasureReport) -> dict[str, Any]:
    """The measures in progress by chat, as stored JSON."""
    if report.current_json is None:
        return {}
    data = json.loads(report.current_json)
    if isinstance(data, dict) and _BY_CHAT in data:
        return dict(data[_BY_CHAT])
    return {current_key(report, None): data}  # written when a report had one measure in progress: the owner's


def dump_currents(by_chat: Mapping[str, Any]) -> str | None:
    """The measures in progress as the JSON text of `current_json` (None when no chat has one)."""
    return json.dumps({_BY_CHAT: dict(by_chat)}, ensure_ascii=False) if by_chat else None


def to_draft(report: MeasureReport, *, chat_id: int | None = None) -> Draft:
    """The working copy stored in a report row, with the measure in progress of `chat_id`."""
    current = currents(report).get(current_key(report, chat_id))
    return Draft(
        report_id=report.id,
        ags=report.ags,
        municipality_name=report.municipality_name,
        year=report.year,
        state=report.state,
        version_count=report.version_count,
        reporter=load_reporter(report.reporter_json),
        measures=load_measures(report.measures_json),
        current=measure_from_json(current) if current is not None else None,
        owner_chat_id=report.owner_chat_id,
        updated_at=report.updated_at,
        revision=report.revision,
        chat_id=chat_id,
    )


def working_copy_values(report: MeasureReport, draft: Draft) -> dict[str, Any]:
    """The columns that store the draft's answers; other chats' measures in progress stay as they are."""
    by_chat = currents(report)
    key = current_key(report, draft.chat_id)
    if draft.current is None:
        by_chat.pop(key, None)
    else:
        by_chat[key] = measure_to_json(draft.current)
    return {
        "reporter_json": dump_reporter(draft.reporter),
        "measures_json": dump_measures(draft.measures),
        "current_json": dump_currents(by_chat),
        "next_step": draft.next_step[:64],
    }


async def get_or_start_draft(
    session: AsyncSession,
    *,
    ags: str,
    municipality_name: str,
    year: int,
    chat_id: int | None,
    now: dt.datetime | None = None,
    reporter: Mapping[str, Any] | None = None,
) -> Draft:
    """The saved working copy of the municipality's report for `year`, created on first use.

    A new report starts from last year's unfinished measures (all answers kept, status, end, cost and
    funding amount flagged for an update) and the given `reporter` answers. A submitted report's working
    copy is its latest version, so changes become the next version. The chat that creates a report owns
    it; opening it from another chat never changes that.
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"implausible reporting year {year}")
    report = await get_report(session, ags=ags, year=year)
    if report is None:
        report = await _start(
            session, ags=ags, name=municipality_name, year=year, chat_id=chat_id, now=now, reporter=reporter
        )
    return to_draft(report, chat_id=chat_id)


async def _start(
    session: AsyncSession,
    *,
    ags: str,
    name: str,
    year: int,
    chat_id: int | None,
    now: dt.datetime | None,
    reporter: Mapping[str, Any] | None,
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
        reporter=dict(reporter or {}),
        measures=carry_over(previous.measures) if previous else [],
        chat_id=chat_id,
    )
    report = MeasureReport(
        ags=ags,
        municipality_name=name.strip()[:200],
        year=year,
        state=ReportState.DRAFT,
        owner_chat_id=chat_id,
        created_at=now,
        updated_at=now,
    )
    for column, value in working_copy_values(report, draft).items():
        setattr(report, column, value)
    session.add(report)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        report = await get_report(session, ags=ags, year=year)
        if report is None:  # the constraint that failed was not (ags, year): not ours to hide
            raise
    return report


async def _store(session: AsyncSession, report: MeasureReport, draft: Draft, now: dt.datetime) -> bool:
    """Write the draft over the revision `report` was read at and commit; False (nothing written) if it moved."""
    read = report.revision  # the ORM update below brings `report` itself up to date
    stored = await session.exec(
        update(MeasureReport)
        .where(col(MeasureReport.id) == report.id, col(MeasureReport.revision) == read)
        .values(**working_copy_values(report, draft), updated_at=now, revision=read + 1)
    )
    if stored.rowcount != 1:
        await session.rollback()
        return False
    await session.commit()
    draft.revision, draft.updated_at = read + 1, now
    draft.state, draft.version_count = report.state, report.version_count
    return True


async def _fresh(session: AsyncSession, report_id: int) -> MeasureReport:
    report = await session.get(MeasureReport, report_id, populate_existing=True)
    if report is None:
        raise ReportNotFound(f"report {report_id}")
    return report


async def save_draft(session: AsyncSession, draft: Draft, *, now: dt.datetime | None = None) -> None:
    """Store the whole working copy and commit; DraftChanged when it changed since the draft was read."""
    report = await _fresh(session, draft.report_id)
    if report.revision != draft.revision or not await _store(session, report, draft, now or utcnow()):
        await session.rollback()
        raise DraftChanged(f"report {draft.report_id} changed since revision {draft.revision}")


async def update_draft(
    session: AsyncSession,
    *,
    report_id: int,
    chat_id: int | None,
    change: Callable[[Draft], None],
    now: dt.datetime | None = None,
) -> Draft:
    """Apply `change` to the chat's freshest working copy and store it, re-applied when another chat was first."""
    for _attempt in range(MAX_ATTEMPTS):
        report = await _fresh(session, report_id)
        draft = to_draft(report, chat_id=chat_id)
        change(draft)
        if await _store(session, report, draft, now or utcnow()):
            return draft
    raise RuntimeError(f"could not store report {report_id}: too many concurrent changes")
