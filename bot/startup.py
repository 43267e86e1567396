"""Start-up checks: a misconfigured production start stops with one German line naming what to fix.

Without a Telegram token the bot runs the local chat on embedded defaults (example advisors, mail sink);
with a token it talks to real people and real advisors, so every fallback becomes an error instead.
"""

from __future__ import annotations

from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy.engine import make_url

from bot.settings import ENV_PREFIX, Settings

PLACEHOLDER_DOMAINS = (".invalid", ".example", "example.org", "example.com", "example.net")


class StartupError(Exception):
    """The bot cannot start; the message is one German line that names the setting to fix."""


def check_production_settings(settings: Settings) -> None:
    """With a real token: a real inbox address and an advisors file must be configured."""
    domain = settings.inbox_address.rsplit("@", 1)[-1]
    if domain.endswith(PLACEHOLDER_DOMAINS):
        raise StartupError(
            f"{ENV_PREFIX}INBOX_ADDRESS ist noch der Platzhalter {settings.inbox_address} – bitte die "
            "Adresse des Beratungspostfachs eintragen."
        )
    if not Path(settings.advisors_file).is_file():
        raise StartupError(
            f"Beraterdatei {settings.advisors_file} fehlt – bitte advisors.example.yaml nach advisors.yaml "
            f"kopieren und anpassen oder {ENV_PREFIX}ADVISORS_FILE setzen."
        )


def database_problem(settings: Settings, exc: BaseException) -> StartupError:
    """The database cannot be reached or migrated: name the URL without its password."""
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
    return StartupError(
        f"Datenbank nicht erreichbar ({ENV_PREFIX}DATABASE_URL={url}): {type(exc).__name__}: {reason}"
    )


async def check_telegram(bot: Bot, settings: Settings) -> None:
    """The token must be accepted and the Bot API server reachable."""
    try:
        await bot.get_me()
    except TelegramUnauthorizedError:
        raise StartupError(
            f"Telegram lehnt das Token ab – bitte {ENV_PREFIX}TELEGRAM_TOKEN prüfen (von @BotFather)."
        ) from None
    except (TelegramNetworkError, OSError, TimeoutError) as exc:
        raise StartupError(
            f"Telegram nicht erreichbar ({ENV_PREFIX}TELEGRAM_API_URL={settings.telegram_api_url}): {exc}"
        ) from None
