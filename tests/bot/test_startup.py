"""A production start (token configured) stops with one German line naming what to fix, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli_run import _serve_and_announce
from bot.settings import Settings
from bot.startup import StartupError
from local_bot_api import LocalBotApi

PROJECT_MODEL = Path(__file__).resolve().parents[2] / "var" / "question-model.npz"
TOKEN = "123456:" + "A" * 35
ADVISORS = """\
advisors:
  - name: Anna Berater
    email: anna@gemeinde-beratung.de
"""


@pytest.fixture
def production(tmp_path, monkeypatch):
    """Environment of a production start that is correct except for what a test breaks."""
    advisors = tmp_path / "advisors.yaml"
    advisors.write_text(ADVISORS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    for name, value in {
        "KLIMABOT_TELEGRAM_TOKEN": TOKEN,
        "KLIMABOT_INBOX_ADDRESS": "beratung@klima-kommunen-hessen.de",
        "KLIMABOT_ADVISORS_FILE": str(advisors),
        "KLIMABOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "KLIMABOT_TELEGRAM_API_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
        # the project's stored model (stored again when stale), not a refit in every test's folder
        "KLIMABOT_MODEL_FILE": str(PROJECT_MODEL),
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "läuft" not in err
    lines = [line for line in err.splitlines() if line.startswith("Start abgebrochen")]
    assert len(lines) == 1, err
    return lines[0]


def test_the_placeholder_inbox_address_stops_the_start(production, monkeypatch, capsys):
    monkeypatch.delenv("KLIMABOT_INBOX_ADDRESS")
    assert main(["run"]) == 1
    assert "KLIMABOT_INBOX_ADDRESS" in _one_line(capsys)


def test_a_missing_advisors_file_stops_the_start_instead_of_using_the_example(
    production, monkeypatch, capsys
):
    monkeypatch.setenv("KLIMABOT_ADVISORS_FILE", str(production / "fehlt.yaml"))
    assert main(["run"]) == 1
    assert "Beraterdatei" in _one_line(capsys)


def test_a_broken_advisors_file_stops_the_start_naming_the_problem(production, capsys):
    (production / "advisors.yaml").write_text("advisors:\n  - name: Ohne Adresse\n", encoding="utf-8")
    assert main(["run"]) == 1
    assert "Beraterdatei fehlerhaft" in _one_line(capsys)


def test_an_unreachable_database_stops_the_start(production, monkeypatch, capsys):
    monkeypatch.setenv("KLIMABOT_DATABASE_URL", "postgresql://postgres:geheim@127.0.0.1:9/klimabot")
    assert main(["run"]) == 1
    line = _one_line(capsys)
    assert "Datenbank nicht erreichbar" in line and "geheim" not in line


def test_an_unreachable_telegram_stops_the_start(production, capsys):
    assert main(["run"]) == 1
    assert "Telegram nicht erreichbar" in _one_line(capsys)


async def test_a_rejected_token_stops_the_start(production, capsys):
    async with LocalBotApi() as api:
        settings = Settings(telegram_api_url=api.base_url)
        with pytest.raises(StartupError, match="Token"):
            await _serve_and_announce(settings)
    assert "läuft" not in capsys.readouterr().err


async def test_lauft_is_said_only_once_the_bot_runs(production, capsys):
    async with LocalBotApi() as api:
        settings = Settings(telegram_api_url=api.base_url, telegram_token=api.make_token())
        serving = asyncio.create_task(_serve_and_announce(settings))
        try:
            for _ in range(200):
                if "läuft" in capsys.readouterr().err:
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("no 'läuft' after 10 s")
            api.user_sends(77, "/start")
            await api.wait_for(lambda: api.bot_messages(77), timeout=10)
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving


def test_a_broken_contacts_file_stops_the_start_naming_the_line(production, monkeypatch, capsys):
    contacts = production / "kontakte.csv"
    contacts.write_text("ags,email\n06440024,keine-adresse\n", encoding="utf-8")
    monkeypatch.setenv("KLIMABOT_MUNICIPALITY_CONTACTS_FILE", str(contacts))
    assert main(["run"]) == 1
    line = _one_line(capsys)
    assert "Kontaktdatei" in line and "Zeile 2" in line


def test_a_second_process_on_the_same_sqlite_file_is_refused_in_german(tmp_path):
    """Two bots on one SQLite file would both poll and send: the second start names what to do instead.
    (`flock` locks belong to an open file, so a second opening in this process stands for a second process.)"""
    from bot.single_process import only_process_on_sqlite
    from bot.startup import StartupError

    url = f"sqlite:///{tmp_path / 'klimabot.db'}"
    with only_process_on_sqlite(url):
        with pytest.raises(StartupError) as refused:
            with only_process_on_sqlite(url):
                pass
    assert "anderen klimabot-Prozess" in str(refused.value) and "PostgreSQL" in str(refused.value)
    with only_process_on_sqlite(url):
        pass  # free again once the first has ended
    postgres = "postgresql://postgres@127.0.0.1/x"
    with only_process_on_sqlite(postgres), only_process_on_sqlite(postgres):
        pass  # several instances share PostgreSQL
