"""The knowledge commands of `klimabot`: `ask` and `kb check|train|gaps`."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.cli_common import plural
from bot.settings import Settings

GAP_TEXT_WIDTH = 100
FINDING_LEVELS = {"error": "FEHLER", "warning": "WARNUNG"}


def cmd_ask(settings: Settings, args) -> int:
    """`klimabot ask`: answer one question, or one a line from stdin with `-`."""
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


def cmd_kb(settings: Settings, args) -> int:
    """`klimabot kb check|train|gaps`."""
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
    from knowledge.trained import calibration_file, save_calibration, save_trained
    from knowledge.training import FOLDS, train

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
        f"Small Talk ab {limits.smalltalk_limit:.2f}, "
        f"Wunsch nach einer Person/fremdes Thema ab {limits.intent:.2f}"
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
