"""The console command speaks German: help texts, statuses with plural forms, booking and absence answers."""

import asyncio

import pytest

from bot.cli import _parser, main, plural


def test_plural_picks_singular_only_for_one():
    assert [plural(n, "Maßnahme", "Maßnahmen") for n in (0, 1, 2)] == [
        "0 Maßnahmen",
        "1 Maßnahme",
        "2 Maßnahmen",
    ]
    assert plural(1, "Ticket", "Tickets") == "1 Ticket" and plural(3, "Bericht", "Berichten") == "3 Berichten"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["kb"],
        ["kb", "check"],
        ["tickets"],
        ["absence", "add"],
        ["booking", "cancel"],
        ["reports", "export"],
    ],
)
def test_every_help_text_is_german(argv, capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args([*argv, "--help"])
    out = capsys.readouterr().out
    assert out.startswith("Aufruf: klimabot") and "diese Hilfe zeigen" in out
    for english in ("usage:", "show this help", "positional arguments", "options:", " the ", " of "):
        assert english not in out


def test_a_missing_argument_is_explained_in_german(capsys):
    with pytest.raises(SystemExit) as stopped:
        _parser().parse_args(["booking", "cancel"])
    assert stopped.value.code == 2
    assert "Fehler: es fehlen die Argumente: reference" in capsys.readouterr().err


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("KLIMABOT_DATABASE_URL", url)
    monkeypatch.chdir(
        tmp_path
    )  # no advisors.yaml here: the example file (Anna Berater, Bernd Beispiel) is used
    return url


def test_an_absence_takes_the_advisors_name_and_refuses_unknown_or_ambiguous_ones(cli_database, capsys):
    assert main(["absence", "add", "anna berater", "24.12.2026"]) == 0
    assert "Anna Berater <anna.berater@example.org>" in capsys.readouterr().out
    assert main(["absence", "add", "Bernd", "2026-12-28", "2026-12-30"]) == 0
    assert main(["absence", "add", "Carla", "2026-12-24"]) == 1
    err = capsys.readouterr().err
    assert "nicht in der Beraterliste" in err and "Anna Berater <anna.berater@example.org>" in err
    assert main(["absence", "add", "e", "2026-12-24"]) == 1  # both names hold an "e"
    assert "mehrere" in capsys.readouterr().err
    assert main(["absence", "list"]) == 0
    listed = capsys.readouterr().out
    assert "anna.berater@example.org" in listed and "bernd.beispiel@example.org" in listed
    assert listed.rstrip().endswith("2 Abwesenheiten")


def _book_one(url: str) -> str:
    from bot.app import build_booking_config, build_ticket_config
    from bot.settings import Settings
    from services.booking import BookingRequest, book_slot, next_free_slots
    from storage.database import create_engine, session_factory
    from storage.migrate import upgrade_database

    upgrade_database(url)
    settings = Settings()
    config = build_booking_config(settings, build_ticket_config(settings))

    async def book():
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            (slot,) = await next_free_slots(session, config, topic="foerderung", limit=1)
            request = BookingRequest(
                topic="foerderung",
                format="video",
                municipality_name="Marburg",
                contact_name="Erika Muster",
                contact_email="erika@marburg.de",
                confirmed_by_staff=True,
            )
            booking = await book_slot(session, config, slot=slot, request=request)
        await engine.dispose()
        return booking.reference

    return asyncio.run(book())


def test_a_booking_is_listed_and_cancelled_once(cli_database, capsys):
    reference = _book_one(cli_database)
    assert main(["booking", "list"]) == 0
    out = capsys.readouterr().out
    assert reference in out and out.rstrip().endswith("1 Termin")
    assert main(["booking", "cancel", reference.lower(), "--by", "Carla Kollegin"]) == 0
    assert "ist abgesagt" in capsys.readouterr().out
    assert main(["booking", "cancel", reference]) == 1
    captured = capsys.readouterr()
    assert f"{reference} ist bereits abgesagt" in captured.err and "nichts verschickt" in captured.err
    assert main(["mail", "status"]) == 0
    assert "Postausgang: wartend 4" in capsys.readouterr().out  # two invitations, two cancellations


def test_kb_check_counts_in_german(tmp_path, monkeypatch, capsys):
    import shutil

    from knowledge.model import ENTRIES_DIR

    entries = tmp_path / "entries"
    entries.mkdir()
    shutil.copy(ENTRIES_DIR / "aktionsplan-beispiele.yaml", entries)
    monkeypatch.setenv("KLIMABOT_KNOWLEDGE_DIR", str(entries))
    assert main(["kb", "check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("1 Eintrag, ") and lines[-1].endswith("(ohne --facts: Zahlen nicht geprüft)")
    assert any(line.startswith("FEHLER ") for line in lines) and not any("ERROR" in line for line in lines)
