"""Photos and PDFs of measures: checked, stored with their bytes, referenced from the measure's answers.

The type is read from the file's first bytes, never from its name or the sender's MIME type, and the stored
name ends in that type's extension: the Fachstelle opens these files from mails and exports, and
"rechnung.pdf.exe" must not arrive as anything but a harmless "rechnung.pdf.pdf".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.report_fields import ALLOWED_ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, Attachment
from services.reports.domain import AttachmentRejected, ReportNotFound
from storage.tables import MeasureReport, ReportAttachment

REF_PREFIX = "report-attachment:"
MAX_FILENAME = 255

# The first bytes of each allowed type, so a renamed executable or HTML page is not mailed on as a "PDF".
_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_MEGABYTE = 1024 * 1024


def attachment_ref(attachment_id: int) -> str:
    """The reference stored in a measure's `attachment` answer."""
    return f"{REF_PREFIX}{attachment_id}"


def attachment_id(ref: str) -> int | None:
    """The row id behind a reference made by `attachment_ref`; None for other references."""
    if not ref.startswith(REF_PREFIX) or not ref[len(REF_PREFIX) :].isdigit():
        return None
    return int(ref[len(REF_PREFIX) :])


def detect_type(data: bytes) -> str | None:
    """The allowed type the content's first bytes show, or None."""
    return next((kind for kind, heads in _SIGNATURES.items() if data.startswith(heads)), None)


def _clean_filename(filename: str, content_type: str) -> str:
    """The sender's base name without path, extension or invisible characters, plus the type's extension."""
    base = re.split(r"[/\\]", filename or "")[-1]
    # bidi overrides and other invisible format characters can make "gpj.exe" look like "exe.jpg"
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf"))
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    extension = ALLOWED_ATTACHMENT_TYPES[content_type]
    name = _UNSAFE_NAME.sub("_", stem).strip(" ._") or "anhang"
    return name[: MAX_FILENAME - len(extension)] + extension


def check_attachment(content_type: str, data: bytes) -> str:
    """The type the content shows (whatever it was called), or AttachmentRejected with a German reason."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == "image/jpg":
        kind = "image/jpeg"
    detected = detect_type(data)
    if detected is None and kind not in ALLOWED_ATTACHMENT_TYPES:
        raise AttachmentRejected("Bitte nur Fotos (JPEG, PNG) oder PDF-Dateien senden.")
    if not data:
        raise AttachmentRejected("Die Datei ist leer.")
    if len(data) > MAX_ATTACHMENT_BYTES:
        size = f"{math.ceil(len(data) * 10 / _MEGABYTE) / 10:.1f}".replace(".", ",")  # 10,1 not 10,0
        raise AttachmentRejected(
            f"Die Datei ist {size} MB groß; erlaubt sind höchstens {MAX_ATTACHMENT_BYTES // _MEGABYTE} MB."
        )
    if detected is None:
        what = {"image/jpeg": "kein gültiges JPEG-Foto", "image/png": "kein gültiges PNG-Bild"}.get(
            kind, "keine gültige PDF-Datei"
        )
        raise AttachmentRejected(f"Die Datei ist {what}. Bitte senden Sie sie noch einmal.")
    return detected


async def store_attachment(
    session: AsyncSession,
    *,
    report_id: int,
    measure_index: int,
    filename: str,
    content_type: str,
    data: bytes,
) -> Attachment:
    """Check and store a photo or PDF of a measure and commit; the result goes into the measure's answers."""
    kind = check_attachment(content_type, data)
    if measure_index < 0:
        raise ValueError("measure_index must not be negative")
    if await session.get(MeasureReport, report_id) is None:
        raise ReportNotFound(f"report {report_id}")
    row = ReportAttachment(
        report_id=report_id,
        measure_index=measure_index,
        filename=_clean_filename(filename, kind),
        content_type=kind,
        size=len(data),
        data=data,
    )
    session.add(row)
    await session.commit()
    return Attachment(ref=attachment_ref(row.id), filename=row.filename, content_type=kind, size=row.size)


async def load_attachments(
    session: AsyncSession, *, report_id: int, refs: Iterable[str]
) -> list[tuple[Attachment, bytes]]:
    """The stored files of a report behind `refs` (other references and other reports' files are skipped)."""
    ids = [number for number in (attachment_id(ref) for ref in refs) if number is not None]
    if not ids:
        return []
    result = await session.exec(
        select(ReportAttachment)
        .where(ReportAttachment.report_id == report_id, col(ReportAttachment.id).in_(ids))
        .order_by(ReportAttachment.id)
    )
    return [
        (Attachment(attachment_ref(row.id), row.filename, row.content_type, row.size), row.data)
        for row in result.all()
    ]
