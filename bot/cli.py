"""The `klimabot` console command: run, try, ask, kb check|gaps, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from bot.cli_privacy import add_privacy_parser, run_privacy
from bot.log_format import configure_logging
from bot.settings import Settings, SettingsError, load_settings

GAP_TEXT_WIDTH = 100


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
FINDING_LEVELS = {"error": "FEHLER", "warning": "WARNUNG"}


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
    add.add_argument("first_day", type=_date, help="erster Tag (JJJJ-MM-TT oder TT.MM.JJJJ)")
    add.add_argument(
        "last_day", type=_date, nargs="?", help="letzter Tag, einschließlich (Standard: erster Tag)"
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


def plural(count: int, one: str, many: str) -> str:
    """The count with the German singular or plural noun: "1 Maßnahme", "2 Maßnahmen", "0 Tickets"."""
    return f"{count} {one if count == 1 else many}"


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
        "run": _cmd_run,
        "try": _cmd_try,
        "ask": _cmd_ask,
        "kb": _cmd_kb,
        "db": _cmd_db,
        "tickets": _cmd_tickets,
        "absence": _cmd_absence,
        "booking": _cmd_booking,
        "reports": _cmd_reports,
        "mail": _cmd_mail,
        "privacy": lambda settings, args: run_privacy(settings, args, _with_session),
    }[args.command]
    try:
        return handler(settings, args) or 0
    except KeyboardInterrupt:
        return 130


DEFAULT_WEB_LISTEN = "127.0.0.1:8080"


def web_chat_url(settings: Settings) -> str:
    """Where the web chat of this instance is, for the operator to open."""
    host, _, port = (settings.http_listen or DEFAULT_WEB_LISTEN).rpartition(":")
    host = host.strip("[]")
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://{shown}:{port}/chat"


def _cmd_run(settings: Settings, _args) -> int:
    if not settings.telegram_enabled:
        if settings.web_chat and not settings.http_listen:
            settings = settings.model_copy(update={"http_listen": DEFAULT_WEB_LISTEN})
        web_line = f"Web-Chat im Browser: {web_chat_url(settings)}" if settings.web_chat else ""
        hint = "Für Telegram: Token bei @BotFather holen und KLIMABOT_TELEGRAM_TOKEN=… setzen (oder in .env)."
        if sys.stdin.isatty():
            print(
                f"Kein Telegram-Token gesetzt – ich starte den lokalen Chat.\n{web_line}\n{hint}",
                file=sys.stderr,
            )
            return _cmd_try(settings, _args)
        if not settings.web_chat:
            print(
                f"Kein Telegram-Token und kein Web-Chat (KLIMABOT_WEB_CHAT=false) – nichts zu tun.\n{hint}",
                file=sys.stderr,
            )
            return 1
    from bot.startup import StartupError

    try:
        asyncio.run(_serve_and_announce(settings))
    except StartupError as exc:
        print(f"Start abgebrochen – {exc}", file=sys.stderr)
        return 1
    return 0


async def _serve_and_announce(settings: Settings) -> None:
    """Serve Telegram; say "läuft" only once the bot is connected and polling."""
    from bot.app import serve

    ready = asyncio.Event()
    serving = asyncio.create_task(serve(settings, ready=ready))
    stopping = asyncio.Event()

    def stop() -> None:  # systemd, docker and Ctrl+C: finish what is in flight, then exit
        stopping.set()
        serving.cancel()

    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop)
    announced = asyncio.create_task(ready.wait())
    await asyncio.wait({serving, announced}, return_when=asyncio.FIRST_COMPLETED)
    if ready.is_set():
        channels = ["Telegram"] if settings.telegram_enabled else []
        if settings.web_chat and settings.http_listen:
            channels.append(f"dem Web-Chat unter {web_chat_url(settings)}")
        print(f"klimabot läuft mit {' und '.join(channels)}. Beenden mit Strg+C.", file=sys.stderr)
    announced.cancel()
    try:
        await serving
    except asyncio.CancelledError:
        if not stopping.is_set():
            raise
        print("klimabot beendet.", file=sys.stderr)


def _cmd_try(settings: Settings, _args) -> int:
    from bot.local_chat import run_local_chat
    from bot.startup import StartupError

    try:
        asyncio.run(run_local_chat(settings))
    except StartupError as exc:
        print(f"Start abgebrochen – {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_ask(settings: Settings, args) -> int:
    # deliberately not via bot.app: importing aiogram would double the start-up time of `ask`
    from services.answering import load_answering_service
    from services.presenting import render_plain

    answering = load_answering_service(settings.knowledge_dir, settings.model_file)
    questions = (line.rstrip("\n") for line in sys.stdin) if args.question == "-" else iter([args.question])
    for question in questions:
        if not question.strip():
            continue
        answer = answering.answer(question)
        text = render_plain(answer, contact=settings.fachstelle_email)
        if args.json:
            record = {
                "question": question,
                "kind": str(answer.kind),
                "text": text,
                "entry_id": answer.entry.id if answer.entry else None,
                "score": round(answer.score, 4),
                "sources": [str(source.url) for source in answer.entry.sources] if answer.entry else [],
                "suggestions": [{"entry_id": e.id, "title": e.title} for e in answer.suggestions],
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(text + "\n", flush=True)
    return 0


def _cmd_kb(settings: Settings, args) -> int:
    if args.kb_command == "check":
        return _kb_check(settings, args.facts)
    if args.kb_command == "train":
        return _kb_train(settings, show_confusions=args.confusions)
    return asyncio.run(_kb_gaps(settings, args.days))


def _kb_check(settings: Settings, facts_path: Path | None) -> int:
    from knowledge.checks import check_knowledge, load_fact_sheet

    if facts_path is not None and not facts_path.is_file():
        print(f"Faktenblatt {facts_path} nicht gefunden", file=sys.stderr)
        return 2
    facts = load_fact_sheet(facts_path) if facts_path else None
    entries, findings = check_knowledge(settings.knowledge_dir, facts=facts)
    for finding in findings:
        print(
            f"{FINDING_LEVELS.get(finding.level, finding.level.upper()):7} {finding.where}: {finding.message}"
        )
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    tracing = f"Zahlen gegen {facts_path} geprüft" if facts else "ohne --facts: Zahlen nicht geprüft"
    print(
        f"{plural(len(entries), 'Eintrag', 'Einträge')}, {plural(errors, 'Fehler', 'Fehler')}, "
        f"{plural(warnings, 'Warnung', 'Warnungen')} ({tracing})"
    )
    return 1 if errors else 0


def _kb_train(settings: Settings, *, show_confusions: bool = False) -> int:
    from knowledge.model import load_entries
    from knowledge.training import FOLDS, calibration_file, save_calibration, save_trained, train

    entries, problems = load_entries(settings.knowledge_dir)
    for problem in problems:
        print(f"FEHLER  {problem.path.name}: {problem.message}")
    try:
        trained = train(entries)
    except ValueError as exc:
        print(f"FEHLER  {exc}")
        return 1
    save_trained(trained, settings.model_file)
    save_calibration(trained, calibration_file(settings.knowledge_dir))
    report, limits = trained.report, trained.limits
    print(
        f"Modell trainiert in {trained.seconds:.1f} s: {plural(report.examples, 'Beispiel', 'Beispiele')}, "
        f"{plural(report.labels, 'Eintrag', 'Einträge')} "
        f"und Absichten → {settings.model_file}\n"
        f"Kreuzvalidierung ({FOLDS} Teile): richtig auf Platz 1 {report.top1:.1%}, "
        f"unter den ersten 3 {report.top3:.1%}; beantwortet richtig {report.answered_right:.1%}, "
        f"falsch {report.answered_wrong:.1%}\n"
        f"Grenzen: antworten ab geschätzter Trefferwahrscheinlichkeit {limits.answer:.2f}, "
        f"Vorschläge ab {limits.suggest:.2f}, "
        f"Small Talk/Weiterleitung ab {limits.intent:.2f}"
    )
    if show_confusions:
        for confusion in trained.confusions:
            print(
                f"{confusion.label}: „{confusion.text}“ → {confusion.predicted} ({confusion.probability:.0%})"
            )
        count = len(trained.confusions)
        verb = "wirkt" if count == 1 else "wirken"
        print(f"{plural(count, 'Beispiel', 'Beispiele')} {verb} eher wie ein anderer Eintrag.")
    return 0 if not problems else 1


async def _kb_gaps(settings: Settings, days: int) -> int:
    from services.question_log import list_gaps
    from storage.database import create_engine, session_factory
    from storage.migrate import migrate

    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            gaps = await list_gaps(session, days=days)
    finally:
        await engine.dispose()
    if not gaps:
        print(f"Keine offenen Fragen und keine 👎 in den letzten {days} Tagen.")
        return 0
    print(f"{'Art':<13} {'Anzahl':>6}  {'zuletzt':<10}  {'zuerst':<10}  Frage (neueste Fassung)")
    for gap in gaps:
        label = "unbeantwortet" if gap.kind == "unanswered" else f"👎 {gap.entry_id}"
        more = f"  (+{len(gap.variants)} ähnliche)" if gap.variants else ""
        print(
            f"{label:<13} {gap.count:>5}×  {gap.last_seen:%Y-%m-%d}  {gap.first_seen:%Y-%m-%d}  "
            f"{_shorten(gap.question)}{more}"
        )
    return 0


def _shorten(text: str, width: int = GAP_TEXT_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _cmd_db(settings: Settings, _args) -> int:
    from storage.migrate import upgrade_database

    upgrade_database(settings.database_url)
    print("Datenbank ist auf dem neuesten Stand.")
    return 0


async def _with_session(settings: Settings, work):
    from storage.database import create_engine, session_factory
    from storage.migrate import migrate

    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


def _cmd_tickets(settings: Settings, args) -> int:
    from bot.app import build_ticket_config
    from services.tickets import ACTIVE_STATES, TicketNotFound, TicketState, close_ticket, list_tickets

    if args.tickets_command == "list":
        states = (*ACTIVE_STATES, TicketState.CLOSED) if args.all else ACTIVE_STATES
        rows = asyncio.run(
            _with_session(settings, lambda session: list_tickets(session, states=states, limit=500))
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
            _with_session(
                settings, lambda session: close_ticket(session, config, reference=args.reference, by=args.by)
            )
        )
    except TicketNotFound:
        print(f"Keine Anfrage mit der Nummer {args.reference}.", file=sys.stderr)
        return 1
    print(f"{ticket.reference} ist geschlossen; die anfragende Person wird benachrichtigt.")
    return 0


def _date(text: str):
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


def _cmd_absence(settings: Settings, args) -> int:
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
                _with_session(
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
                _with_session(settings, lambda session: list_absences(session, advisor_email=args.advisor))
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
                _with_session(settings, lambda session: remove_absence(session, absence_id=args.absence_id))
            )
            print(f"Abwesenheit {args.absence_id} gelöscht.")
    except (InvalidAbsence, AbsenceNotFound, UnknownAdvisor) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_booking(settings: Settings, args) -> int:
    import datetime as dt

    from services.booking.bookings import list_bookings
    from services.booking.domain import BookingNotFound
    from services.booking.formatting import format_label, format_slot, topic_label

    if args.booking_command == "list":
        today = dt.date.today()
        rows = asyncio.run(
            _with_session(
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
            _with_session(settings, lambda session: _cancel_once(session, config, args.reference, args.by))
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
            _with_session(settings, lambda session: reports.export_rows(session, year=args.year))
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
        _with_session(
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

    summary, problems = asyncio.run(_with_session(settings, work))
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
