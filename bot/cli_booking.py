"""`klimabot absence …` and `klimabot booking …`: advisors' absences and consultations from the shell."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli_common import plural, with_session
from bot.settings import Settings


def date_argument(text: str):
    """A date as YYYY-MM-DD or TT.MM.JJJJ (argparse type)."""
    import datetime as dt

    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"kein Datum: {text!r} (Beispiel: 2026-12-24 oder 24.12.2026)")


def _booking_config(settings: Settings):
    from bot.app import build_booking_config, build_ticket_config

    return build_booking_config(settings, build_ticket_config(settings))


def cmd_absence(settings: Settings, args) -> int:
    from bot.app import build_booking_config, build_ticket_config
    from services.advisors import UnknownAdvisor
    from services.booking.absences import add_absence, list_absences, remove_absence
    from services.booking.domain import AbsenceNotFound, InvalidAbsence
    from services.booking.formatting import format_slot

    try:
        if args.absence_command == "add":
            tickets = build_ticket_config(settings)
            config = build_booking_config(settings, tickets)
            advisor = tickets.advisors.find(args.advisor)
            added = asyncio.run(
                with_session(
                    settings,
                    lambda session: add_absence(
                        session,
                        config,
                        advisor_email=advisor.email,
                        first_day=args.first_day,
                        last_day=args.last_day or args.first_day,
                        note=args.note,
                    ),
                )
            )
            absence = added.absence
            print(
                f"Abwesenheit {absence.id}: {advisor.name} <{absence.advisor_email}> "
                f"{absence.first_day:%d.%m.%Y}–{absence.last_day:%d.%m.%Y}"
            )
            for booking in added.conflicting_bookings:
                print(
                    f"  Achtung: gebuchter Termin {booking.reference} am {format_slot(booking.start_utc)} bleibt bestehen"
                )
        elif args.absence_command == "list":
            rows = asyncio.run(
                with_session(settings, lambda session: list_absences(session, advisor_email=args.advisor))
            )
            if not rows:
                print("Keine Abwesenheiten.")
            for absence in rows:
                note = f"  ({absence.note})" if absence.note else ""
                print(
                    f"{absence.id:>4}  {absence.advisor_email:<32} {absence.first_day:%d.%m.%Y}–{absence.last_day:%d.%m.%Y}{note}"
                )
            if rows:
                print(plural(len(rows), "Abwesenheit", "Abwesenheiten"))
        else:
            asyncio.run(
                with_session(settings, lambda session: remove_absence(session, absence_id=args.absence_id))
            )
            print(f"Abwesenheit {args.absence_id} gelöscht.")
    except (InvalidAbsence, AbsenceNotFound, UnknownAdvisor) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_booking(settings: Settings, args) -> int:
    import datetime as dt

    from services.booking.bookings import list_bookings
    from services.booking.domain import BookingNotFound
    from services.booking.formatting import format_label, format_slot, topic_label

    if args.booking_command == "list":
        today = dt.date.today()
        rows = asyncio.run(
            with_session(
                settings,
                lambda session: list_bookings(
                    session,
                    advisor_email=args.advisor,
                    first_day=today,
                    last_day=today + dt.timedelta(days=7) if args.week else None,
                ),
            )
        )
        if not rows:
            print("Keine gebuchten Termine.")
        for booking in rows:
            print(
                f"{booking.reference}  {format_slot(booking.start_utc):<28} {booking.advisor_email:<28} "
                f"{topic_label(booking.topic):<20} {format_label(booking.format):<14} "
                f"{booking.municipality_name or ''} – {booking.contact_name} <{booking.contact_email}>"
            )
            if booking.note:
                print(f"      Notiz: {booking.note}")
        if rows:
            print(plural(len(rows), "Termin", "Termine"))
        return 0
    config = _booking_config(settings)
    try:
        booking, cancelled_now = asyncio.run(
            with_session(settings, lambda session: _cancel_once(session, config, args.reference, args.by))
        )
    except BookingNotFound:
        print(f"Keine Buchung mit der Nummer {args.reference}.", file=sys.stderr)
        return 1
    if not cancelled_now:
        when = f" am {format_slot(booking.cancelled_at)}" if booking.cancelled_at else ""
        print(
            f"{booking.reference} ist bereits abgesagt{when} – es wurde nichts verschickt.", file=sys.stderr
        )
        return 1
    print(f"{booking.reference} ist abgesagt; beide Seiten bekommen eine Absage mit Kalender-Storno.")
    return 0


async def _cancel_once(session, config, reference: str, by: str | None):
    """Cancel the booking; the flag is False when it was already cancelled (cancel_booking then does nothing)."""
    from services.booking.bookings import cancel_booking, get_booking
    from services.booking.domain import FACHSTELLE, BookingState

    before = await get_booking(session, reference=reference)
    if before.state == BookingState.CANCELLED:
        return before, False
    return await cancel_booking(session, config, reference=reference, by=by or FACHSTELLE), True
