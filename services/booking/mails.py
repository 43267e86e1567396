"""The e-mails of a booking: confirmation and cancellation to the municipality and the advisor, with .ics."""

from __future__ import annotations

import datetime as dt

from services.booking.calendar_invites import Invitation, invitation_attachment, invitation_ics
from services.booking.config import BookingConfig
from services.booking.domain import CANCELLED_IN_CHAT, FACHSTELLE, BookingDetails
from services.booking.formatting import format_label, format_slot, format_slot_range, topic_label
from services.outgoing import MailAttachment, OutgoingMail, new_message_id
from storage.types import utcnow

SUMMARY_PREFIX = "Initialberatung Klima-Kommunen"


def advisor_name(config: BookingConfig, booking: BookingDetails) -> str:
    """The advisor's name from the advisors file (the address if the advisor was removed since)."""
    schedule = config.schedules.get(booking.advisor_email)
    return schedule.name if schedule else booking.advisor_email


def cancelled_by_words(booking: BookingDetails) -> str:
    """Who cancelled, in words for the advisor: the municipality's contact in the chat, or the Fachstelle."""
    by = (booking.cancelled_by or "").strip()
    if by == CANCELLED_IN_CHAT:
        return f"von {booking.contact_name} ({booking.municipality_name}) im Telegram-Chat"
    if not by or by.casefold() in {FACHSTELLE, "cli"}:
        return "von der Fachstelle"
    return f"von der Fachstelle ({by})"


def _municipality(booking: BookingDetails) -> str:
    ags = f" (AGS {booking.municipality_ags})" if booking.municipality_ags else ""
    return f"{booking.municipality_name}{ags}"


def _format_hint(booking: BookingDetails, advisor: str) -> str:
    if booking.format == "phone":
        return f"{advisor} ruft Sie zum Termin unter {booking.contact_phone} an."
    if booking.format == "video":
        return f"Den Link zur Videokonferenz schickt Ihnen {advisor} vor dem Termin per E-Mail."
    return f"Das Gespräch findet vor Ort in {booking.municipality_name} statt; den Treffpunkt stimmt {advisor} mit Ihnen ab."


def _neutral_format_hint(booking: BookingDetails, advisor: str) -> str:
    # the same .ics goes to both sides, so its description speaks about them, not to one of them
    if booking.format == "phone":
        return f"{advisor} ruft {booking.contact_name} unter {booking.contact_phone} an"
    if booking.format == "video":
        return f"den Link zur Videokonferenz schickt {advisor} vorab per E-Mail"
    return f"in {booking.municipality_name}, Treffpunkt nach Absprache"


def _location(booking: BookingDetails) -> str:
    if booking.format == "onsite":
        return f"Vor Ort: {booking.municipality_name}"
    return format_label(booking.format)


def booking_invitation(config: BookingConfig, booking: BookingDetails) -> Invitation:
    """The calendar event of a booking as both sides receive it."""
    advisor = advisor_name(config, booking)
    lines = [
        f"Initialberatung „Hessen aktiv: Die Klima-Kommunen“ ({booking.reference})",
        f"Thema: {topic_label(booking.topic)}",
        f"Format: {format_label(booking.format)} ({_neutral_format_hint(booking, advisor)})",
        f"Kommune: {_municipality(booking)}",
        f"Ansprechperson: {_contact_line(booking)}",
        f"Beratung: {advisor} ({booking.advisor_email})",
    ]
    if booking.note:
        lines += ["", f"Notiz: {booking.note}"]
    return Invitation(
        uid=booking.ics_uid,
        sequence=booking.ics_sequence,
        start_utc=booking.start_utc,
        end_utc=booking.end_utc,
        summary=f"{SUMMARY_PREFIX} – {topic_label(booking.topic)}",
        description="\n".join(lines),
        location=_location(booking),
        organizer=(config.organizer_name, config.inbox_address),
        attendees=((advisor, booking.advisor_email), (booking.contact_name, booking.contact_email)),
    )


def calendar_file(
    config: BookingConfig, booking: BookingDetails, *, stamp: dt.datetime | None = None
) -> tuple[str, bytes]:
    """The booking as a calendar entry to save from the chat (the meeting request itself comes by mail)."""
    ics = invitation_ics(booking_invitation(config, booking), method="PUBLISH", stamp=stamp or utcnow())
    return f"Initialberatung-{booking.reference}.ics", ics


def _contact_line(booking: BookingDetails) -> str:
    phone = f", {booking.contact_phone}" if booking.contact_phone else ""
    return f"{booking.contact_name}, {booking.contact_email}{phone}"


def _details(config: BookingConfig, booking: BookingDetails) -> list[str]:
    return [
        f"Termin:   {format_slot_range(booking.start_utc, booking.end_utc)}",
        f"Thema:    {topic_label(booking.topic)}",
        f"Format:   {format_label(booking.format)}",
        f"Beratung: {advisor_name(config, booking)}",
        f"Kommune:  {_municipality(booking)}",
        f"Buchung:  {booking.reference}",
    ]


def _mail(
    config: BookingConfig, to: tuple[str, str], subject: str, lines: list[str], attachment: MailAttachment
) -> OutgoingMail:
    return OutgoingMail(
        message_id=new_message_id(config.domain),
        to=(to,),
        subject=subject,
        text="\n".join(lines),
        auto_submitted="auto-generated",
        attachments=(attachment,),
    )


def confirmation_mails(
    config: BookingConfig,
    booking: BookingDetails,
    *,
    stamp: dt.datetime,
    replaces: BookingDetails | None = None,
) -> list[tuple[OutgoingMail, str]]:
    """METHOD:REQUEST mails (with their outbox purpose) to the municipality and the advisor."""
    attachment = invitation_attachment(booking_invitation(config, booking), method="REQUEST", stamp=stamp)
    advisor = advisor_name(config, booking)
    when = format_slot(booking.start_utc)
    if replaces is not None:
        intro = f"Ihr Termin {replaces.reference} vom {format_slot(replaces.start_utc)} ist verschoben auf:"
        headline = "Verschobene Initialberatung"
        replaced = [f"Ersetzt:  {replaces.reference} vom {format_slot(replaces.start_utc)}"]
    else:
        intro, headline, replaced = "Ihre Initialberatung ist gebucht:", "Neue Initialberatung", []
    contact_lines = [
        f"Guten Tag {booking.contact_name},",
        "",
        intro,
        "",
        *_details(config, booking),
        *(["", "Ihre Notiz:", booking.note] if booking.note else []),
        "",
        _format_hint(booking, advisor),
        "Die Einladung im Anhang können Sie in Ihren Kalender übernehmen. Falls Sie den Termin nicht "
        "wahrnehmen können, sagen Sie ihn bitte im klimabot ab oder antworten Sie auf diese E-Mail.",
        *_closing(config),
    ]
    advisor_lines = [
        f"{headline}:",
        "",
        *_details(config, booking),
        *replaced,
        f"Kontakt:  {_contact_line(booking)}",
        *(["", "Notiz der Kommune:", booking.note] if booking.note else []),
        "",
        "Die Einladung im Anhang trägt den Termin in Ihren Kalender ein.",
    ]
    return [
        (
            _mail(
                config,
                (booking.contact_name, booking.contact_email),
                f"Initialberatung am {when} [{booking.reference}]",
                contact_lines,
                attachment,
            ),
            "booking_confirmation",
        ),
        (
            _mail(
                config,
                (advisor, booking.advisor_email),
                f"{headline}: {booking.municipality_name} am {when} [{booking.reference}]",
                advisor_lines,
                attachment,
            ),
            "booking_advisor",
        ),
    ]


def cancellation_mails(
    config: BookingConfig,
    booking: BookingDetails,
    *,
    stamp: dt.datetime,
    replaced_by: BookingDetails | None = None,
) -> list[tuple[OutgoingMail, str]]:
    """METHOD:CANCEL mails (with their outbox purpose) to the municipality and the advisor."""
    attachment = invitation_attachment(booking_invitation(config, booking), method="CANCEL", stamp=stamp)
    advisor = advisor_name(config, booking)
    when = format_slot(booking.start_utc)
    if replaced_by is not None:
        reason = (
            f"Sie wird durch den neuen Termin {replaced_by.reference} am {format_slot(replaced_by.start_utc)} "
            "ersetzt; die Einladung dazu kommt mit einer eigenen E-Mail."
        )
    else:
        reason = ""
    contact_lines = [
        f"Guten Tag {booking.contact_name},",
        "",
        f"Ihre Initialberatung am {when} ist abgesagt. {reason}".rstrip(),
        "",
        *_details(config, booking),
        "",
        "Mit der Absage im Anhang entfernen Sie den Termin aus Ihrem Kalender.",
        *_closing(config),
    ]
    advisor_lines = [
        f"Die Initialberatung am {when} wurde {cancelled_by_words(booking)} abgesagt. {reason}".rstrip(),
        "",
        *_details(config, booking),
        f"Kontakt:  {_contact_line(booking)}",
    ]
    return [
        (
            _mail(
                config,
                (booking.contact_name, booking.contact_email),
                f"Abgesagt: Initialberatung am {when} [{booking.reference}]",
                contact_lines,
                attachment,
            ),
            "booking_cancellation",
        ),
        (
            _mail(
                config,
                (advisor, booking.advisor_email),
                f"Abgesagt: Initialberatung {booking.municipality_name} am {when} [{booking.reference}]",
                advisor_lines,
                attachment,
            ),
            "booking_cancel_advisor",
        ),
    ]


def _closing(config: BookingConfig) -> list[str]:
    return ["", "Freundliche Grüße", config.organizer_name]
