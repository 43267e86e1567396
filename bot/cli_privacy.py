"""`klimabot privacy export|delete --telegram-id ID | --email ADDRESS`: the Fachstelle carries out a
request for access or erasure (DSGVO Art. 15/17/20) that reached it by e-mail or letter."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

LABELS = {
    "bookings_cancelled": "Termine abgesagt",
    "bookings_anonymised": "Termine anonymisiert",
    "tickets_anonymised": "Anfragen anonymisiert",
    "mails_deleted": "Mails gelöscht",
    "questions_anonymised": "Fragen anonymisiert",
    "report_versions_anonymised": "Berichtsversionen ohne Namen",
    "report_drafts_anonymised": "Berichtsentwürfe ohne Namen",
}


def add_privacy_parser(commands) -> None:
    """The `privacy` subcommands."""
    privacy = commands.add_parser(
        "privacy", help="Auskunft und Löschung personenbezogener Daten (DSGVO)"
    ).add_subparsers(dest="privacy_command", required=True, metavar="BEFEHL")
    for name, text in (
        ("export", "alle Daten einer Person als JSON ausgeben (Art. 15/20)"),
        ("delete", "die Daten einer Person löschen; eingereichte Berichte bleiben ohne Name und Adresse"),
    ):
        command = privacy.add_parser(name, help=text)
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--telegram-id", type=int, help="die Telegram-Nutzer-ID")
        who.add_argument("--email", help="die E-Mail-Adresse")
        if name == "export":
            command.add_argument("--output", type=Path, default=None, help="in diese Datei statt auf stdout")
        else:
            command.add_argument("--yes", action="store_true", help="ohne Rückfrage löschen")


def run_privacy(settings, args, with_session) -> int:
    """Run `privacy export` or `privacy delete`; German output, non-zero exit when nothing was done."""
    from services.privacy import Person, erase_person, export_person

    person = Person(telegram_id=args.telegram_id, email=args.email)
    who = f"Telegram-ID {person.telegram_id}" if person.telegram_id is not None else person.email
    if args.privacy_command == "export":
        document = asyncio.run(with_session(settings, lambda session: export_person(session, person)))
        text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
        if args.output:
            args.output.write_text(text + "\n", encoding="utf-8")
            print(f"Daten zu {who} gespeichert in {args.output}", file=sys.stderr)
        else:
            print(text)
        return 0
    if not args.yes:
        answer = input(f"Alle Daten zu {who} löschen? Tippen Sie „ja“: ").strip().lower()
        if answer != "ja":
            print("Abgebrochen – nichts gelöscht.", file=sys.stderr)
            return 1
    from bot.app import build_booking_config, build_ticket_config

    booking = build_booking_config(settings, build_ticket_config(settings))
    counts = asyncio.run(with_session(settings, lambda session: erase_person(session, booking, person)))
    done = ", ".join(f"{LABELS.get(key, key)}: {value}" for key, value in counts.items())
    print(f"Daten zu {who} gelöscht – {done}")
    return 0
