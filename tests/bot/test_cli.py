"""The console command: ask (JSON, stdin), db upgrade, kb gaps, tickets, absences, bookings, reports, settings errors."""

import io
import json

from bot.cli import main


def test_ask_json_prints_one_object_with_all_fields(capsys):
    assert main(["ask", "--json", "Wie hoch ist der Fördersatz der Klimarichtlinie?"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {"question", "kind", "text", "entry_id", "score", "sources", "suggestions"}
    assert record["kind"] == "answer" and record["sources"]


def test_ask_reads_one_question_per_line_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("hallo\n\nförderung\nIst unser Antrag schon bewilligt?\n"))
    assert main(["ask", "--json", "-"]) == 0
    kinds = [json.loads(line)["kind"] for line in capsys.readouterr().out.splitlines()]
    assert kinds == ["help", "suggest", "escalate"]


def test_db_upgrade_and_kb_gaps_on_a_fresh_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KLIMABOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["kb", "gaps"]) == 0
    assert "Keine offenen Fragen" in capsys.readouterr().out


def test_a_wrong_setting_exits_with_code_2_and_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("KLIMABOT_DATABASE_URL", "oracle://x")
    assert main(["ask", "x"]) == 2
    assert "KLIMABOT_DATABASE_URL" in capsys.readouterr().err


def test_tickets_can_be_listed_and_closed_from_the_cli(tmp_path, monkeypatch, capsys):
    import asyncio

    from bot.app import build_ticket_config
    from bot.settings import Settings
    from services.tickets import NewTicket, open_ticket
    from storage.database import create_engine, session_factory
    from storage.migrate import upgrade_database

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("KLIMABOT_DATABASE_URL", url)
    upgrade_database(url)

    async def open_one():
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            ticket = await open_ticket(
                session,
                build_ticket_config(Settings()),
                NewTicket(channel="telegram", question="Frage?", chat_id=5),
            )
        await engine.dispose()
        return ticket.reference

    reference = asyncio.run(open_one())
    assert main(["tickets", "list"]) == 0
    assert reference in capsys.readouterr().out
    assert main(["tickets", "close", reference]) == 0
    assert main(["tickets", "close", "KK-1999-0001"]) == 1
    assert main(["tickets", "list"]) == 0
    assert "Keine offenen Anfragen" in capsys.readouterr().out
    assert main(["mail", "status"]) == 0
    assert "wartend" in capsys.readouterr().out


def test_absences_and_bookings_from_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KLIMABOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)  # no advisors.yaml here: the example file is used
    assert (
        main(["absence", "add", "anna.berater@example.org", "24.12.2026", "2026-12-31", "--note", "Urlaub"])
        == 0
    )
    assert main(["absence", "list"]) == 0
    listed = capsys.readouterr().out
    assert "24.12.2026–31.12.2026" in listed and "Urlaub" in listed
    assert main(["absence", "add", "nobody@example.org", "2026-12-24"]) == 1
    assert main(["absence", "remove", "1"]) == 0
    assert main(["absence", "remove", "1"]) == 1
    assert main(["booking", "list", "--week"]) == 0
    assert "Keine gebuchten Termine" in capsys.readouterr().out
    assert main(["booking", "cancel", "IB-2026-9999"]) == 1


def test_reports_export_and_status_from_the_cli(tmp_path, monkeypatch, capsys):
    import openpyxl

    monkeypatch.setenv("KLIMABOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    out = tmp_path / "export.xlsx"
    assert main(["reports", "export", "--year", "2026", "--format", "xlsx", "--out", str(out)]) == 0
    assert "0 Maßnahmen" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(out)
    assert {"Maßnahmen", "Kommunen"} <= set(workbook.sheetnames)
    assert (
        main(["reports", "export", "--year", "2026", "--format", "csv", "--out", str(tmp_path / "e.csv")])
        == 0
    )
    members = tmp_path / "members.csv"
    members.write_text("ags,name\n06440025,Wöllstadt\n", encoding="utf-8")
    assert main(["reports", "status", "--year", "2026", "--members", str(members)]) == 0
    assert "Wöllstadt" in capsys.readouterr().out


def test_privacy_export_and_delete_by_address(tmp_path, monkeypatch, capsys):
    """The Fachstelle carries out a request that came by e-mail: export, then erase."""
    import asyncio
    import json

    from storage.database import create_engine, session_factory
    from storage.tables import Ticket

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("KLIMABOT_DATABASE_URL", url)
    monkeypatch.setenv("KLIMABOT_MAIL_SINK_DIR", str(tmp_path / "sink"))
    assert main(["db", "upgrade"]) == 0

    async def add_ticket():
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            session.add(
                Ticket(
                    reference="KK-2026-0500",
                    state="open",
                    channel="email",
                    requester_name="Max Anfrage",
                    requester_email="max@gemeinde.de",
                    chat_owner="bot",
                    subject="Antrag",
                    question="Unsere Frage",
                    considered_entries="",
                )
            )
            await session.commit()
        await engine.dispose()

    asyncio.run(add_ticket())
    capsys.readouterr()
    assert main(["privacy", "export", "--email", "MAX@gemeinde.de"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["tickets"][0]["requester_name"] == "Max Anfrage"
    assert main(["privacy", "delete", "--email", "max@gemeinde.de", "--yes"]) == 0
    assert "Anfragen anonymisiert: 1" in capsys.readouterr().out
    assert main(["privacy", "export", "--email", "max@gemeinde.de"]) == 0
    assert json.loads(capsys.readouterr().out)["tickets"] == []
