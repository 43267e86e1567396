"""Read-only views of the reports: submitted versions, the status per municipality, export rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.report_export import ReportRow
from services.reports.domain import ReportState, StatusRow, SubmittedReport, load_measures
from storage.tables import MeasureReport, ReportContact, ReportVersion


async def get_report(session: AsyncSession, *, ags: str, year: int) -> MeasureReport | None:
    """The report row of a municipality and year, freshly read (another instance may have changed it)."""
    result = await session.exec(
        select(MeasureReport)
        .where(MeasureReport.ags == ags, MeasureReport.year == year)
        .execution_options(populate_existing=True)
    )
    return result.first()


def to_submitted(report: MeasureReport, version: ReportVersion) -> SubmittedReport:
    """A stored version as a dataclass with parsed measures."""
    return SubmittedReport(
        report_id=report.id,
        ags=report.ags,
        municipality_name=report.municipality_name,
        year=report.year,
        version=version.version,
        submitted_at=version.submitted_at,
        reporter_name=version.reporter_name,
        reporter_email=version.reporter_email,
        reporter_role=version.reporter_role,
        measures=tuple(load_measures(version.measures_json)),
        channel=version.channel,
        chat_id=version.chat_id,
    )


async def get_version(
    session: AsyncSession, *, report: MeasureReport, version: int
) -> SubmittedReport | None:
    """One version of a report, or None."""
    result = await session.exec(
        select(ReportVersion).where(ReportVersion.report_id == report.id, ReportVersion.version == version)
    )
    row = result.first()
    return to_submitted(report, row) if row is not None else None


async def list_versions(session: AsyncSession, *, ags: str, year: int) -> list[SubmittedReport]:
    """Every submitted version of a municipality's report for the year, oldest first."""
    report = await get_report(session, ags=ags, year=year)
    if report is None:
        return []
    result = await session.exec(
        select(ReportVersion).where(ReportVersion.report_id == report.id).order_by(ReportVersion.version)
    )
    return [to_submitted(report, row) for row in result.all()]


async def latest_submitted(session: AsyncSession, *, ags: str, year: int) -> SubmittedReport | None:
    """The latest submitted version of a municipality's report for the year, or None."""
    report = await get_report(session, ags=ags, year=year)
    if report is None or report.version_count == 0:
        return None
    return await get_version(session, report=report, version=report.version_count)


async def export_rows(session: AsyncSession, *, year: int) -> list[ReportRow]:
    """The latest submitted version of every municipality's report for the year, by AGS (for the exports)."""
    result = await session.exec(
        select(MeasureReport, ReportVersion)
        .join(ReportVersion, col(ReportVersion.report_id) == col(MeasureReport.id))
        .where(
            MeasureReport.year == year,
            col(ReportVersion.version) == col(MeasureReport.version_count),
        )
        .order_by(MeasureReport.ags)
    )
    return [to_submitted(report, version).to_row() for report, version in result.all()]


async def report_status(
    session: AsyncSession, *, year: int, members: Sequence[tuple[str, str]] | None = None
) -> list[StatusRow]:
    """Submitted, draft or none per municipality for the year.

    `members` are (AGS, name) pairs in the order to show; without them, every municipality that has a
    report of any year or a known contact is listed, by AGS.
    """
    reports = await session.exec(select(MeasureReport).where(MeasureReport.year == year))
    by_ags = {report.ags: report for report in reports.all()}
    if members is None:
        members = await _known_municipalities(session)
    rows = []
    for ags, name in members:
        report = by_ags.get(ags)
        if report is None:
            rows.append(StatusRow(ags, name, "none"))
        elif report.state == ReportState.DRAFT:
            rows.append(StatusRow(ags, name, "draft", 0, report.updated_at))
        else:
            rows.append(StatusRow(ags, name, "submitted", report.version_count, report.submitted_at))
    return rows


async def _known_municipalities(session: AsyncSession) -> list[tuple[str, str]]:
    """(AGS, name) of every municipality with a report of any year or a contact; the latest name wins."""
    names: dict[str, str] = {}
    contacts = await session.exec(select(ReportContact).order_by(ReportContact.last_seen_at))
    for contact in contacts.all():
        names[contact.ags] = contact.municipality_name
    reports = await session.exec(select(MeasureReport).order_by(MeasureReport.year, MeasureReport.id))
    for report in reports.all():
        names[report.ags] = report.municipality_name
    return sorted(names.items())
