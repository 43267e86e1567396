"""A submitted version's document (PDF), rendered when it is needed instead of while the person submitting
waits: for the chat right after the confirmation, for the e-mails when the outbox sends them."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel.ext.asyncio.session import AsyncSession

from services.document_worker import build_attachment
from services.outgoing import MailAttachment, OutgoingMail
from services.report_document import DocumentFile
from services.reports.domain import SubmitResult
from services.reports.queries import get_version
from storage.tables import MeasureReport


class DocumentUnavailable(Exception):
    """The version a document was asked for is no longer stored (erased with its municipality's data)."""


async def submitted_document(result: SubmitResult) -> DocumentFile | None:
    """The document of the version a submission stored; None when it stored nothing new."""
    if result.report is None:
        return None
    return await build_attachment(result.report)


async def version_document(session: AsyncSession, *, report_id: int, version: int) -> DocumentFile:
    """The document of one stored version; raises DocumentUnavailable when it is gone."""
    report = await session.get(MeasureReport, report_id)
    submitted = await get_version(session, report=report, version=version) if report is not None else None
    if submitted is None:
        raise DocumentUnavailable(f"report {report_id} version {version} is not stored")
    return await build_attachment(submitted.to_row())


async def with_report_document(session: AsyncSession, mail: OutgoingMail) -> OutgoingMail:
    """The mail as it goes out: the report document it names rendered and attached first."""
    if mail.report_document is None:
        return mail
    wanted = mail.report_document
    document = await version_document(session, report_id=wanted.report_id, version=wanted.version)
    attachment = MailAttachment(document.filename, document.content_type, document.content)
    return replace(mail, attachments=(attachment, *mail.attachments), report_document=None)
