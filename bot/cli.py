"""The `klimabot` console command: run, try, ask, kb check|gaps, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.cli_booking import cmd_absence, cmd_booking, date_argument
from bot.cli_common import plural, with_session
from bot.cli_knowledge import cmd_ask, cmd_kb
from bot.cli_privacy import add_privacy_parser, run_privacy
from bot.cli_run import cmd_run, cmd_try
from bot.log_format import configure_logging
from bot.settings import Settings, SettingsError, load_settings

# the phrases of argparse's most frequent errors; the rest of a message (names, values) stays as given
_ARGPARSE_ERRORS = (
    ("the following arguments are required:", "es fehlen die Argumente:"),
    ("unrecognized arguments:", "unbekannte Argumente:"),
    ("invalid choice:", "ungültige Auswahl:"),
    ("(choose from", "(möglich:"),
    ("expected one argument", "erwartet einen Wert"),
    ("invalid int value:", "keine ganze Zahl:"),
    ("argument ", "Argument "),
)
OUTBOX_STATES = {
    "pending": "wartend",
    "sending": "wird gesendet",
    "sent": "versendet",
    "partial": "teilweise zugestellt",
    "failed": "fehlgeschlagen",
    "bounced": "unzustellbar",
}
TICKET_STATES = {"open": "offen", "waiting": "wartet", "answered": "beantwortet", "closed": "geschlossen"}
CHANNELS = {"telegram": "Telegram", "web": "Web-Chat", "email": "E-Mail"}


class _GermanHelp(argparse.HelpFormatter):
    """argparse's help layout with a German usage line."""

    def add_usage(self, usage, actions, groups, prefix=None):
        """The usage line, headed „Aufruf:“."""
        super().add_usage(usage, actions, groups, "Aufruf: " if prefix is None else prefix)


class _GermanParser(argparse.ArgumentParser):
    """An ArgumentParser whose own texts (headings, -h, error prefix) are German; subcommands inherit it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _GermanHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        # argparse names these groups in English and offers no parameter for their titles
        self._positionals.title = "Argumente"
        self._optionals.title = "Optionen"
        self.add_argument("-h", "--help", action="help", help="diese Hilfe zeigen und beenden")

    def error(self, message: str):
        """Print the usage and the problem in German, exit with code 2 (as argparse does)."""
        for english, german in _ARGPARSE_ERRORS:
            message = message.replace(english, german)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: Fehler: {message}\n")


def _parser() -> argparse.ArgumentParser:
    # command and option names are an interface (scripts, cron, README); only the texts are German
    parser = _GermanParser(prog="klimabot", description="Assistent der Fachstelle Klima-Kommunen")
    commands = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    commands.add_parser("run", help="Telegram bedienen (ohne Token: der lokale Chat)")
    commands.add_parser("try", help="im Terminal mit dem Bot chatten (lokaler Bot-API-Server)")
    ask = commands.add_parser(
        "ask", help="eine Frage beantworten (oder '-' für eine Frage je Zeile aus stdin)"
    )
    ask.add_argument("question", help="die Frage, oder - für Fragen Zeile für Zeile aus stdin")
    ask.add_argument("--json", action="store_true", help="je Frage ein JSON-Objekt ausgeben")
    kb = commands.add_parser("kb", help="Werkzeuge für die Wissensbasis").add_subparsers(
        dest="kb_command", required=True, metavar="BEFEHL"
    )
    check = kb.add_parser("check", help="alle Einträge prüfen (Exit-Code ungleich 0 bei Fehlern)")
    check.add_argument(
        "--facts",
        type=Path,
        help="Faktenblatt, auf das jede Zahl einer Antwort zurückgehen muss (z. B. knowledge-facts.md)",
    )
    train = kb.add_parser(
        "train", help="das Fragemodell aus den Beispielen trainieren und die Kreuzvalidierung zeigen"
    )
    train.add_argument(
        "--confusions",
        action="store_true",
        help="zurückgehaltene Beispiele auflisten, die das Modell einem anderen Eintrag gab",
    )
    gaps = kb.add_parser("gaps", help="unbeantwortete und mit 👎 bewertete Fragen für die Redaktion")
    gaps.add_argument("--days", type=int, default=90, help="so viele Tage zurückblicken (Standard: 90)")
    db = commands.add_parser("db", help="Werkzeuge für die Datenbank").add_subparsers(
        dest="db_command", required=True, metavar="BEFEHL"
    )
    db.add_parser("upgrade", help="die Schema-Migrationen anwenden")
    tickets = commands.add_parser("tickets", help="Anfragen an die Fachstelle").add_subparsers(
        dest="tickets_command", required=True, metavar="BEFEHL"
    )
    listing = tickets.add_parser("list", help="offene Anfragen (älteste zuerst)")
    listing.add_argument("--all", action="store_true", help="auch beantwortete und geschlossene Anfragen")
    close = tickets.add_parser("close", help="eine Anfrage schließen und die anfragende Person informieren")
    close.add_argument("reference", help="z. B. KK-2026-0042")
    close.add_argument("--by", default="cli", help="wer schließt (für die Kolleginnen und Kollegen sichtbar)")
    absence = commands.add_parser(
        "absence", help="Abwesenheiten der Beratung (dann keine Termine)"
    ).add_subparsers(dest="absence_command", required=True, metavar="BEFEHL")
    add = absence.add_parser("add", help="eine Abwesenheit eintragen")
    add.add_argument(
        "advisor", help="Name oder E-Mail-Adresse aus der Beraterdatei (ein eindeutiger Namensteil genügt)"
    )
    add.add_argument("first_day", type=date_argument, help="erster Tag (JJJJ-MM-TT oder TT.MM.JJJJ)")
    add.add_argument(
        "last_day", type=date_argument, nargs="?", help="letzter Tag, einschließlich (Standard: erster Tag)"
    )
    add.add_argument("--note", default=None, help="Notiz, z. B. Urlaub")
    absence_list = absence.add_parser("list", help="laufende und künftige Abwesenheiten")
    absence_list.add_argument("--advisor", default=None, help="nur diese Beraterin / dieser Berater (E-Mail)")
    remove = absence.add_parser("remove", help="eine Abwesenheit über ihre Nummer löschen")
    remove.add_argument("absence_id", type=int, help="die Nummer aus „absence list“")
    add_privacy_parser(commands)
    booking = commands.add_parser("booking", help="gebuchte Initialberatungen").add_subparsers(
        dest="booking_command", required=True, metavar="BEFEHL"
    )
    booking_list = booking.add_parser("list", help="kommende Termine")
    booking_list.add_argument(
        "--advisor", default=None, help="nur Termine dieser Beraterin / dieses Beraters (E-Mail)"
    )
    booking_list.add_argument("--week", action="store_true", help="nur die nächsten 7 Tage")
    booking_cancel = booking.add_parser(
        "cancel", help="einen Termin absagen; beide Seiten bekommen eine Absage"
    )
    booking_cancel.add_argument("reference", help="z. B. IB-2026-0007")
    booking_cancel.add_argument(
        "--by",
        default=None,
        help="wer in der Fachstelle absagt (steht in der Absage an die Beratung; Standard: die Fachstelle)",
    )
    reports = commands.add_parser("reports", help="jährliche Maßnahmenberichte").add_subparsers(
        dest="reports_command", required=True, metavar="BEFEHL"
    )
    export = reports.add_parser(
        "export", help="eine Zeile je Maßnahme (CSV) oder zusätzlich ein Blatt je Kommune (XLSX)"
    )
    export.add_argument("--year", type=int, required=True, help="Berichtsjahr")
    export.add_argument(
        "--format", choices=("csv", "xlsx"), default="xlsx", help="Dateiformat (Standard: xlsx)"
    )
    export.add_argument("--out", type=Path, help="Zieldatei (Standard: massnahmen-JAHR.FORMAT)")
    status = reports.add_parser(
        "status", help="welche Kommunen abgegeben haben, einen Entwurf haben oder nichts"
    )
    status.add_argument("--year", type=int, required=True, help="Berichtsjahr")
    status.add_argument(
        "--members", type=Path, help="CSV mit den Spalten ags,name: die aufzulistenden Mitglieder"
    )
    mail = commands.add_parser("mail", help="der E-Mail-Kanal").add_subparsers(
        dest="mail_command", required=True, metavar="BEFEHL"
    )
    mail.add_parser("status", help="Postausgang nach Zustand und fehlgeschlagene oder unzustellbare Mails")
    return parser


def console() -> None:
    """The `klimabot` console script: `main`, and for `ask` an exit without tearing down the loaded
    knowledge base object by object (a quarter second of a one-shot command's 1.5 s)."""
    code = main()
    if len(sys.argv) > 1 and sys.argv[1] == "ask":
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run one `klimabot` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Konfigurationsfehler – {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    handler = {
        "run": cmd_run,
        "try": cmd_try,
        "ask": cmd_ask,
        "kb": cmd_kb,
        "db": _cmd_db,
        "tickets": _cmd_tickets,
        "absence": cmd_absence,
        "booking": cmd_booking,
        "reports": _cmd_reports,
        "mail": _cmd_mail,
        "privacy": lambda settings, args: run_privacy(settings, args, with_session),
    }[args.command]
    try:
        return handler(settings, args) or 0
    except KeyboardInterrupt:
        return 130


def _cmd_db(settings: Settings, _args) -> int:
    from storage.migrate import upgrade_database

    upgrade_database(settings.database_url)
    print("Datenbank ist auf dem neuesten Stand.")
    return 0


def _cmd_tickets(settings: Settings, args) -> int:
    from bot.app import build_ticket_config
    from services.tickets import ACTIVE_STATES, TicketNotFound, TicketState, close_ticket, list_tickets

    if args.tickets_command == "list":
        states = (*ACTIVE_STATES, TicketState.CLOSED) if args.all else ACTIVE_STATES
        rows = asyncio.run(
            with_session(settings, lambda session: list_tickets(session, states=states, limit=500))
        )
        if not rows:
            print("Keine offenen Anfragen.")
        for ticket in rows:
            who = ticket.municipality_name or ticket.requester_email or "?"
            state = TICKET_STATES.get(ticket.state, ticket.state)
            channel = CHANNELS.get(ticket.channel, ticket.channel)
            print(f"{ticket.reference}  {state:<11} {channel:<8} {who[:28]:<28} {ticket.subject[:60]}")
        if rows:
            print(plural(len(rows), "Ticket", "Tickets"))
        return 0
    config = build_ticket_config(settings)
    try:
        ticket = asyncio.run(
            with_session(
                settings, lambda session: close_ticket(session, config, reference=args.reference, by=args.by)
            )
        )
    except TicketNotFound:
        print(f"Keine Anfrage mit der Nummer {args.reference}.", file=sys.stderr)
        return 1
    print(f"{ticket.reference} ist geschlossen; die anfragende Person wird benachrichtigt.")
    return 0


def _progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr for long exports."""
    width = 30
    filled = width * done // total if total else width
    print(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} Maßnahmen",
        end="",
        file=sys.stderr,
        flush=True,
    )
    if done >= total:
        print(file=sys.stderr)


def _cmd_reports(settings: Settings, args) -> int:
    import csv

    from services import reports
    from services.report_export import write_csv, write_xlsx

    if args.reports_command == "export":
        rows = asyncio.run(
            with_session(settings, lambda session: reports.export_rows(session, year=args.year))
        )
        out = args.out or Path(f"massnahmen-{args.year}.{args.format}")
        if args.format == "csv":
            count = write_csv(rows, out)
        else:
            count = write_xlsx(rows, out, progress=_progress)
        print(
            f"{plural(count, 'Maßnahme', 'Maßnahmen')} aus {plural(len(rows), 'Bericht', 'Berichten')} "
            f"nach {out} geschrieben."
        )
        return 0
    members = None
    if args.members:
        with args.members.open(encoding="utf-8") as stream:
            members = [(row["ags"], row["name"]) for row in csv.DictReader(stream)]
    rows = asyncio.run(
        with_session(
            settings, lambda session: reports.report_status(session, year=args.year, members=members)
        )
    )
    labels = {"submitted": "abgegeben", "draft": "Entwurf", "none": "ohne Bericht"}
    for row in rows:
        version = f" (Version {row.version})" if row.version else ""
        print(f"{row.ags:<9} {row.name[:40]:<40} {labels.get(row.state, row.state)}{version}")
    counts = {state: sum(1 for row in rows if row.state == state) for state in labels}
    print(
        f"{plural(len(rows), 'Kommune', 'Kommunen')}: {counts['submitted']} abgegeben, "
        f"{plural(counts['draft'], 'Entwurf', 'Entwürfe')}, {counts['none']} ohne Bericht"
    )
    return 0


def _cmd_mail(settings: Settings, _args) -> int:
    from services.mail_outbox import list_problem_mails, outbox_summary

    async def work(session):
        return await outbox_summary(session), await list_problem_mails(session)

    summary, problems = asyncio.run(with_session(settings, work))
    counts = ", ".join(
        f"{OUTBOX_STATES.get(state, state)} {count}" for state, count in sorted(summary.items())
    )
    print(f"Postausgang: {counts or 'leer'}")
    for mail in problems:
        print(
            f"{OUTBOX_STATES.get(mail.state, mail.state):<20} {mail.created_at:%Y-%m-%d %H:%M}  "
            f"{mail.primary_recipient:<32} {mail.purpose:<16} {mail.last_error or ''}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
