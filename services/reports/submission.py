"""Submitting a report: check the draft, store the next immutable version, queue both e-mails — one transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services import metrics
from services.outgoing import queue_mail
from services.report_fields import (
    MEASURE_FIELD_BY_KEY,
    SKIPPED,
    answers_from_json,
    answers_to_json,
    is_answered,
    validate_measure,
    validate_reporter,
)
from services.reports.attachments import load_attachments
from services.reports.domain import (
    NEEDS_UPDATE,
    Draft,
    DraftChanged,
    ReportInvalid,
    ReportNotFound,
    ReportState,
    SubmitResult,
    SubmittedReport,
    dump_measures,
    dump_reporter,
    reporter_text,
)
from services.reports.drafts import current_key, currents, dump_currents
from services.reports.mails import confirmation_mail, fachstelle_mail
from services.reports.queries import get_version
from storage.tables import MeasureReport, ReportVersion

MAX_ATTEMPTS = 20


def _measure_name(number: int, measure: dict) -> str:
    title = measure.get("title")
    return f"Maßnahme {number} („{title}“)" if is_answered(title) else f"Maßnahme {number}"


def check_draft(draft: Draft) -> list[str]:
    """German reasons why the draft cannot be submitted yet; empty when it can."""
    problems = [f"Meldende Person: {error.message}" for error in validate_reporter(draft.reporter)]
    if not draft.measures:
        problems.append("Der Bericht enthält noch keine Maßnahme – bitte melden Sie mindestens eine.")
    for number, measure in enumerate(draft.measures, start=1):
        name = _measure_name(number, measure)
        pending = measure.get(NEEDS_UPDATE) or []
        if pending:
            labels = ", ".join(MEASURE_FIELD_BY_KEY[key].label for key in pending)
            problems.append(f"{name}: Bitte aktualisieren Sie noch die Angaben aus dem Vorjahr ({labels}).")
            continue
        problems += [f"{name}: {e.message}" for e in validate_measure(measure, reporting_year=draft.year)]
    if draft.current and any(value not in (None, SKIPPED) for value in draft.current.values()):
        problems.append(
            f"{_measure_name(len(draft.measures) + 1, draft.current)} ist begonnen, aber noch nicht "
            "gespeichert – bitte vervollständigen und speichern Sie sie."
        )
    return problems


def _same_content(latest: SubmittedReport, candidate: SubmittedReport) -> bool:
    """Whether a submission repeats the latest version (a double tap, a resent form)."""
    return (
        (latest.reporter_name, latest.reporter_email, latest.reporter_role)
        == (candidate.reporter_name, candidate.reporter_email, candidate.reporter_role)
    ) and [answers_to_json(m) for m in latest.measures] == [answers_to_json(m) for m in candidate.measures]


async def submit_report(
    session: AsyncSession,
    *,
    draft: Draft,
    fachstelle_address: str,
    sender_domain: str,
    now: dt.datetime,
    channel: str = "telegram",
    chat_id: int | None = None,
    expected_revision: int | None = None,
) -> SubmitResult:
    """Store the draft as the report's next version and queue the confirmation and the Fachstelle's notice.

    Raises ReportInvalid with German messages when something is missing or implausible. A submission that
    repeats the latest version stores and mails nothing and says `unchanged`. Concurrent submissions of the
    same report get consecutive version numbers (compare-and-set on `version_count`). With
    `expected_revision`, DraftChanged is raised (nothing stored) when the working copy changed since then.
    The submitted answers become the working copy; other chats' measures in progress stay.
    """
    problems = check_draft(draft)
    if problems:
        raise ReportInvalid(problems)
    # normalise through JSON: exactly what the version stores, without carry-over flags
    measures = tuple(answers_from_json(answers_to_json(m)) for m in draft.measures)
    chat_id = chat_id if chat_id is not None else draft.owner_chat_id
    for _attempt in range(MAX_ATTEMPTS):
        report = await session.get(MeasureReport, draft.report_id, populate_existing=True)
        if report is None:
            raise ReportNotFound(f"report {draft.report_id}")
        if expected_revision is not None and report.revision != expected_revision:
            await session.rollback()
            raise DraftChanged(f"report {draft.report_id} changed since revision {expected_revision}")
        current = report.version_count
        submitted = SubmittedReport(
            report_id=report.id,
            ags=report.ags,
            municipality_name=report.municipality_name,
            year=report.year,
            version=current + 1,
            submitted_at=now,
            reporter_name=reporter_text(draft.reporter, "reporter_name"),
            reporter_email=reporter_text(draft.reporter, "reporter_email").lower(),
            reporter_role=reporter_text(draft.reporter, "reporter_role"),
            measures=measures,
            channel=channel,
            chat_id=chat_id,
        )
        previous = await get_version(session, report=report, version=current) if current else None
        if previous is not None and _same_content(previous, submitted):
            _sync(draft, report.state, current)
            await session.rollback()
            return SubmitResult(version=current, amended=current > 1, unchanged=True)
        state = ReportState.AMENDED if current else ReportState.SUBMITTED
        read = report.revision  # the ORM update below brings `report` itself up to date
        others = {k: v for k, v in currents(report).items() if k != current_key(report, draft.chat_id)}
        claimed = await session.exec(
            update(MeasureReport)
            .where(
                col(MeasureReport.id) == report.id,
                col(MeasureReport.version_count) == current,
                col(MeasureReport.revision) == read,
            )
            .values(
                version_count=current + 1,
                state=state,
                submitted_at=now,
                updated_at=now,
                reporter_json=dump_reporter(draft.reporter),
                measures_json=dump_measures(measures),
                current_json=dump_currents(others),
                next_step="review",
                revision=read + 1,
            )
        )
        if claimed.rowcount != 1:  # another submission or answer came first: read the report and go again
            await session.rollback()
            continue
        session.add(
            ReportVersion(
                report_id=report.id,
                version=submitted.version,
                submitted_at=now,
                reporter_name=submitted.reporter_name,
                reporter_email=submitted.reporter_email,
                reporter_role=submitted.reporter_role,
                measures_json=dump_measures(measures),
                channel=channel,
                chat_id=chat_id,
            )
        )
        await _queue_mails(
            session, submitted, previous, fachstelle_address=fachstelle_address, domain=sender_domain
        )
        await session.commit()
        metrics.REPORTS_SUBMITTED.inc()
        _sync(draft, state, submitted.version, measures=list(measures), updated_at=now)
        draft.revision = read + 1
        return SubmitResult(version=submitted.version, amended=submitted.amended, report=submitted.to_row())
    raise RuntimeError(f"could not submit report {draft.report_id}: too many concurrent submissions")


def _sync(draft: Draft, state: str, version: int, *, measures=None, updated_at=None) -> None:
    """Bring the caller's draft in line with the stored report after a submission."""
    draft.state = state
    draft.version_count = version
    draft.current = None
    if measures is not None:
        draft.measures = [dict(m) for m in measures]
    if updated_at is not None:
        draft.updated_at = updated_at


async def _queue_mails(
    session: AsyncSession,
    submitted: SubmittedReport,
    previous: SubmittedReport | None,
    *,
    fachstelle_address: str,
    domain: str,
) -> None:
    """Both e-mails into the outbox, in the caller's transaction; their PDF is rendered when they are sent."""
    refs = [m["attachment"].ref for m in submitted.measures if is_answered(m.get("attachment"))]
    files = await load_attachments(session, report_id=submitted.report_id, refs=refs)
    queue_mail(session, confirmation_mail(submitted, domain=domain), purpose="report_confirmation")
    notice = fachstelle_mail(
        submitted, address=fachstelle_address, domain=domain, previous=previous, files=files
    )
    queue_mail(session, notice, purpose="report_notice")
