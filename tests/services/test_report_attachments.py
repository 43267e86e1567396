"""Stored report files on SQLite and PostgreSQL: the name follows the content, never the sender's name."""

import pytest

from services import reports
from services.reports import AttachmentRejected

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


async def _store(sessions, filename, content_type, data):
    async with sessions() as session:
        draft = await reports.get_or_start_draft(
            session, ags="06534014", municipality_name="Marburg", year=2025, chat_id=None
        )
        return await reports.store_attachment(
            session,
            report_id=draft.report_id,
            measure_index=0,
            filename=filename,
            content_type=content_type,
            data=data,
        )


@pytest.mark.parametrize(
    ("filename", "content_type", "data", "stored", "kind"),
    [
        ("rechnung.exe", "application/pdf", PDF, "rechnung.pdf", "application/pdf"),
        ("bild.html", "text/html", PNG, "bild.png", "image/png"),
        ("Foto.JPEG", "image/jpeg", JPEG, "Foto.jpg", "image/jpeg"),
        ("scan.pdf", "application/pdf", JPEG, "scan.jpg", "image/jpeg"),
        ("../../etc/passwd", "application/pdf", PDF, "passwd.pdf", "application/pdf"),
        ("C:\\Users\\kim\\Plan.v2.pdf", "application/pdf", PDF, "Plan.v2.pdf", "application/pdf"),
        ("Beleg\u202egpj.exe", "image/jpeg", JPEG, "Beleggpj.jpg", "image/jpeg"),
        ("....", "application/pdf", PDF, "anhang.pdf", "application/pdf"),
        ("ohne Endung", "", PNG, "ohne Endung.png", "image/png"),
        ("x" * 400 + ".pdf", "application/pdf", PDF, "x" * 251 + ".pdf", "application/pdf"),
    ],
    ids=["exe", "html", "jpeg-upper", "wrong-ext", "path", "windows", "bidi", "dots", "none", "long"],
)
async def test_the_stored_name_follows_the_detected_type(
    sessions, filename, content_type, data, stored, kind
):
    attachment = await _store(sessions, filename, content_type, data)
    assert (attachment.filename, attachment.content_type) == (stored, kind)


async def test_content_that_is_no_photo_or_pdf_is_refused_whatever_its_name(sessions):
    with pytest.raises(AttachmentRejected) as rejected:
        await _store(sessions, "foto.jpg", "image/jpeg", b"MZ\x90\x00" + b"\x00" * 64)
    assert (
        rejected.value.message == "Die Datei ist kein gültiges JPEG-Foto. Bitte senden Sie sie noch einmal."
    )
