"""Settings come from KLIMABOT_* variables; a wrong value names the variable in one line."""

import pytest

from bot.settings import SettingsError, load_settings
from storage.database import async_url


def test_defaults_need_no_configuration(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url == "sqlite:///var/klimabot.db"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert not settings.telegram_enabled


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KLIMABOT_DATABASE_URL", "mysql://root@localhost/x"),
        ("KLIMABOT_TELEGRAM_TOKEN", "not-a-token"),
        ("KLIMABOT_TELEGRAM_API_URL", "ftp://example.org"),
        ("KLIMABOT_REDIS_URL", "localhost:6379"),
        ("KLIMABOT_FLOOD_GLOBAL_PER_SECOND", "-3"),
        # the mail composer's address rule: what it cannot send to is refused at start
        ("KLIMABOT_INBOX_ADDRESS", "max..muster@gemeinde.de"),
        ("KLIMABOT_ADVISORS_TEAM_ADDRESS", "team@localhost"),
    ],
)
def test_a_wrong_value_stops_with_one_line_naming_the_variable(monkeypatch, tmp_path, variable, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert message.startswith(variable + ":")
    assert "\n" not in message


def test_dotenv_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("KLIMABOT_DATABASE_URL=postgresql://u@127.0.0.1/test\n")
    assert load_settings().database_url == "postgresql://u@127.0.0.1/test"


def test_the_async_driver_is_chosen_from_a_plain_url():
    assert async_url("sqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"
    assert async_url("postgresql://u@127.0.0.1/test") == "postgresql+asyncpg://u@127.0.0.1/test"


@pytest.mark.parametrize(
    ("variable", "value", "german"),
    [
        ("KLIMABOT_FLOOD_GLOBAL_PER_SECOND", "-3", "größer als 0"),
        ("KLIMABOT_SLA_HOURS", "viele", "erwartet wird eine Zahl"),
        ("KLIMABOT_MAX_OPEN_BOOKINGS_PER_CHAT", "zwei", "ganze Zahl"),
        ("KLIMABOT_BOOKING_HORIZON_WEEKS", "99", "höchstens 52"),
        ("KLIMABOT_DATABASE_URL", "mysql://root@localhost/x", "keine nutzbare Datenbank-URL"),
    ],
)
def test_configuration_errors_are_german(monkeypatch, tmp_path, variable, value, german):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=german):
        load_settings()
