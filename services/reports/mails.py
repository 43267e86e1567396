"""The e-mails of a submission: the confirmation to the reporting person and the notice to the Fachstelle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.outgoing import MailAttachment, OutgoingMail, ReportDocument, new_message_id
from services.report_document import render_report_text
from services.report_export import local_datetime
from services.report_fields import MEASURE_FIELDS, Attachment, answers_to_json
from services.reports.domain import SubmittedReport

SENDER_NAME = "Fachstelle Klima-Kommunen"
# Photos and PDFs of the measures ride along in the Fachstelle's notice up to this total: many mail servers
# refuse messages above 20–25 MB, and base64 makes attachments a third larger.
FACHSTELLE_FILES_BUDGET = 12 * 1024 * 1024
CHANNEL_LABELS = {"telegram": "Telegram", "web": "Web-Chat", "email": "E-Mail"}


def _when(report: SubmittedReport) -> str:
    return local_datetime(report.submitted_at).strftime("%d.%m.%Y, %H:%M Uhr")


def _document(report: SubmittedReport) -> ReportDocument:
    """The version's PDF, rendered and attached when the mail is sent."""
    return ReportDocument(report.report_id, report.version)


def confirmation_mail(report: SubmittedReport, *, domain: str) -> OutgoingMail:
    """Thanks, the summary as text and the report as a file, to the reporting person."""
    replaces = f" Sie ersetzt Version {report.version - 1}." if report.amended else ""
    text = (
        f"Guten Tag {report.reporter_name},\n\n"
        f"vielen Dank für Ihren Maßnahmenbericht {report.year} für {report.municipality_name}. "
        f"Er ist am {_when(report)} als Version {report.version} bei uns eingegangen.{replaces}\n\n"
        "Unten finden Sie eine Zusammenfassung, im Anhang den vollständigen Bericht. Möchten Sie noch etwas "
        "ändern, melden Sie den Bericht einfach erneut: Jede Abgabe wird als neue Version gespeichert, "
        "frühere Versionen bleiben erhalten.\n\n"
        f"Mit freundlichen Grüßen\n{SENDER_NAME}\n\n"
        + "-" * 76
        + "\n\n"
        + render_report_text(report.to_row())
    )
    return OutgoingMail(
        message_id=new_message_id(domain),
        to=((report.reporter_name, report.reporter_email),),
        subject=f"Ihr Maßnahmenbericht {report.year} – {report.municipality_name} (Version {report.version})",
        text=text,
        auto_submitted="auto-generated",
        report_document=_document(report),
    )


def describe_changes(
    previous: Sequence[Mapping[str, Any]], current: Sequence[Mapping[str, Any]]
) -> list[str]:
    """German lines on what an amendment changed, measures matched by title."""
    before = {str(m.get("title")): answers_to_json(m) for m in previous}
    after = {str(m.get("title")): answers_to_json(m) for m in current}
    lines = []
    added = [title for title in after if title not in before]
    removed = [title for title in before if title not in after]
    if added:
        lines.append("Neu: " + "; ".join(added))
    if removed:
        lines.append("Entfallen: " + "; ".join(removed))
    for title, answers in after.items():
        old = before.get(title)
        if old is None or old == answers:
            continue
        labels = [f.label for f in MEASURE_FIELDS if old.get(f.key) != answers.get(f.key)]
        lines.append(f"Geändert: {title} ({', '.join(labels)})")
    return lines or ["Die Maßnahmen sind unverändert; geändert haben sich die Angaben zur meldenden Person."]


def _files_within_budget(
    files: Sequence[tuple[Attachment, bytes]],
) -> tuple[list[MailAttachment], list[Attachment]]:
    """(attached, left out): files in order until the budget is spent."""
    attached, left_out, total = [], [], 0
    for attachment, data in files:
        if total + len(data) <= FACHSTELLE_FILES_BUDGET:
            attached.append(MailAttachment(attachment.filename, attachment.content_type, data))
            total += len(data)
        else:
            left_out.append(attachment)
    return attached, left_out


def fachstelle_mail(
    report: SubmittedReport,
    *,
    address: str,
    domain: str,
    previous: SubmittedReport | None,
    files: Sequence[tuple[Attachment, bytes]] = (),
) -> OutgoingMail:
    """The Fachstelle's notice: who submitted which version, what an amendment changed, the report."""
    kind = "Geänderter Maßnahmenbericht" if report.amended else "Neuer Maßnahmenbericht"
    person = report.reporter_name + (f", {report.reporter_role}" if report.reporter_role else "")
    lines = [
        f"{kind} eingegangen.",
        "",
        f"Kommune:        {report.municipality_name} (AGS {report.ags})",
        f"Berichtsjahr:   {report.year}",
        f"Version:        {report.version}"
        + (f" (ersetzt Version {report.version - 1})" if report.amended else " (Erstmeldung)"),
        f"Eingereicht am: {_when(report)}",
        f"Gemeldet von:   {person} <{report.reporter_email}>",
        f"Über:           {CHANNEL_LABELS.get(report.channel, report.channel)}",
        f"Maßnahmen:      {len(report.measures)}",
    ]
    if report.amended and previous is not None:
        lines += ["", f"Änderungen gegenüber Version {previous.version}:"]
        lines += [f"- {line}" for line in describe_changes(previous.measures, report.measures)]
    attached, left_out = _files_within_budget(files)
    if attached:
        lines += ["", f"Angehängt: der Bericht und {len(attached)} Foto(s)/PDF(s) der Maßnahmen."]
    if left_out:
        names = ", ".join(a.filename for a in left_out)
        lines.append(f"Zu groß für diese E-Mail, in der Datenbank gespeichert: {names}")
    lines += ["", "-" * 76, "", render_report_text(report.to_row())]
    suffix = " – Änderung" if report.amended else ""
    return OutgoingMail(
        message_id=new_message_id(domain),
        to=((SENDER_NAME, address),),
        subject=(
            f"Maßnahmenbericht {report.year}: {report.municipality_name} (AGS {report.ags}), "
            f"Version {report.version}{suffix}"
        ),
        text="\n".join(lines),
        auto_submitted="auto-generated",
        attachments=tuple(attached),
        report_document=_document(report),
    )
