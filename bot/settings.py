"""Settings from `KLIMABOT_*` environment variables and an optional `.env` file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.model import ENTRIES_DIR
from services.email_address import is_valid_address

ENV_PREFIX = "KLIMABOT_"


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")


class Settings(BaseSettings):
    """Everything an operator can configure; tests build `Settings(...)` directly."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    telegram_token: SecretStr | None = Field(default=None, description="Bot token from @BotFather")
    telegram_api_url: str = Field(default="https://api.telegram.org", description="Bot API server base URL")
    database_url: str = Field(default="sqlite:///var/klimabot.db", description="plain SQLAlchemy URL")
    redis_url: str | None = Field(default=None, description="keep conversation state in Redis instead")
    knowledge_dir: Path = Field(default=ENTRIES_DIR, description="folder of the knowledge entries")
    model_file: Path = Field(
        default=Path("var/question-model.npz"),
        description="the trained question model; retrained when the entries or examples change",
    )
    fachstelle_email: str = Field(default="klimakommunen@lea-hessen.de", description="shown as human contact")
    flood_global_per_second: float = Field(default=30.0, gt=0, le=1000)
    flood_per_chat_per_second: float = Field(default=1.0, gt=0, le=100)
    log_level: str = Field(default="INFO")
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line (for log collectors)"
    )
    http_listen: str | None = Field(
        default=None,
        pattern=r"^[^\s:]*:\d{1,5}$",
        description="host:port of the HTTP server with /healthz and /metrics (e.g. 127.0.0.1:8080); off when unset",
    )
    web_chat: bool = Field(
        default=True, description="serve the web chat at /chat on the HTTP server (KLIMABOT_HTTP_LISTEN)"
    )
    web_embed_origins: str = Field(
        default="",
        pattern=r"^(https://[^\s,/]+)?(\s*,\s*https://[^\s,/]+)*$",
        description="websites that may embed the web chat, e.g. https://www.klima-kommunen-hessen.de (comma-separated)",
    )
    webhook_url: str | None = Field(
        default=None,
        pattern=r"^https://[^\s/]+(/\S*)?$",
        description="webhook mode: the public HTTPS URL Telegram posts updates to; the instance serves its path",
    )
    webhook_listen: str | None = Field(
        default=None,
        pattern=r"^[^\s:]*:\d{1,5}$",
        description="webhook mode: host:port the instance's HTTP server binds, e.g. 127.0.0.1:8081",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="webhook mode: Telegram's secret_token, checked on every request (else 403)",
    )
    retention_questions_days: int = Field(
        default=365, ge=1, description="question texts made anonymous after"
    )
    retention_closed_tickets_days: int = Field(
        default=730, ge=1, description="closed tickets made anonymous after"
    )
    retention_past_bookings_days: int = Field(
        default=365, ge=1, description="past bookings made anonymous after"
    )
    retention_unsubmitted_drafts_days: int = Field(
        default=365, ge=1, description="report drafts never submitted deleted after (days since last change)"
    )
    retention_sent_mails_days: int = Field(
        default=90, ge=1, description="sent mails deleted from the outbox after"
    )
    max_concurrent_updates: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="Telegram updates handled at the same time (bounds DB connections)",
    )

    imap_host: str | None = Field(default=None, description="IMAP server of the advisory mailbox")
    imap_port: int = Field(default=993, gt=0, lt=65536)
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_tls: str = Field(default="ssl", description="none, starttls or ssl")
    smtp_host: str | None = Field(default=None, description="SMTP server the bot sends from")
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: str = Field(default="starttls", description="none, starttls or ssl")
    inbox_address: str = Field(
        default="fachstelle@klimabot.invalid", description="From and Reply-To of all mail"
    )
    advisors_file: Path = Field(
        default=Path("advisors.yaml"), description="advisors and their e-mail addresses"
    )
    advisors_team_address: str | None = Field(default=None, description="send escalations here instead")
    sla_hours: float = Field(default=16.0, gt=0, le=1000, description="working hours before a reminder")
    auto_reply_daily_limit: int = Field(default=3, ge=0, le=100)
    mail_sink_dir: Path = Field(
        default=Path("var/mail-sink"), description="local chat: where mails are written"
    )
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    booking_lead_working_days: int = Field(
        default=2, ge=0, le=30, description="earliest booking: working days ahead"
    )
    booking_horizon_weeks: int = Field(default=8, ge=1, le=52, description="latest booking: weeks ahead")
    report_campaign_date: str | None = Field(
        default=None, description="YYYY-MM-DD: from this day on, remind contacts who have not reported"
    )
    report_campaign_year: int | None = Field(default=None, description="reporting year of the campaign")
    report_followup_weeks: int = Field(default=4, ge=1, le=52, description="weeks until the one follow-up")
    imap_poll_seconds: float = Field(default=30.0, gt=0, le=3600, description="polling without IDLE")
    leader_retry_seconds: float = Field(
        default=10.0, gt=0, le=300, description="how often an instance that does not lead tries to take over"
    )
    max_open_bookings_per_chat: int = Field(
        default=2, ge=1, le=50, description="upcoming consultations one Telegram chat may hold at once"
    )
    max_open_bookings_per_municipality: int = Field(
        default=3, ge=1, le=100, description="upcoming consultations one municipality may hold at once"
    )
    confirmation_code_minutes: int = Field(
        default=30, ge=5, le=24 * 60, description="how long a code mailed to confirm an address is valid"
    )
    mail_trusted_authserv_id: str | None = Field(
        default=None,
        description="authserv-id of our inbox server's Authentication-Results (default: the topmost header)",
    )
    municipality_contacts_file: Path | None = Field(
        default=None,
        description="CSV ags,email: addresses the Fachstelle has on file; a code sent there binds a chat",
    )

    @field_validator("telegram_token", mode="before")
    @classmethod
    def _token_shape(cls, value):
        if value in (None, ""):
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        head, _, tail = text.partition(":")
        if not head.isdigit() or len(tail) < 20:
            raise ValueError("erwartet wird ein Token wie 123456:ABC-DEF… von @BotFather")
        return text

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("erlaubt sind 1–256 Zeichen A–Z, a–z, 0–9, _ und -")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.webhook_url and not (self.webhook_listen and self.webhook_secret):
            raise ValueError(
                f"Webhook-Modus braucht {ENV_PREFIX}WEBHOOK_URL, {ENV_PREFIX}WEBHOOK_LISTEN und "
                f"{ENV_PREFIX}WEBHOOK_SECRET zusammen"
            )
        return self

    @property
    def embed_origins(self) -> tuple[str, ...]:
        """The websites allowed to frame the web chat."""
        return tuple(origin.strip() for origin in self.web_embed_origins.split(",") if origin.strip())

    @property
    def webhook_path(self) -> str:
        """The path of the webhook URL the instance serves."""
        from urllib.parse import urlparse

        return urlparse(self.webhook_url or "").path or "/"

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("erwartet wird eine Adresse mit http:// oder https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        # checked without SQLAlchemy, which costs half a second that `klimabot ask` does not need;
        # the engine checks the rest of the URL when it connects
        scheme = value.split(":", 1)[0].split("+", 1)[0].lower() if ":" in value else ""
        if scheme not in DATABASE_SCHEMES:
            raise ValueError("keine nutzbare Datenbank-URL: erwartet sqlite:///… oder postgresql://…")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("erwartet wird redis://host:port/db")
        return value

    @field_validator("report_campaign_date")
    @classmethod
    def _campaign_date(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        import datetime as dt

        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("erwartet wird ein Datum wie 2027-03-01") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("erwartet wird DEBUG, INFO, WARNING oder ERROR")
        return level

    @field_validator("imap_tls", "smtp_tls")
    @classmethod
    def _tls_mode(cls, value: str) -> str:
        mode = value.lower()
        if mode not in {"none", "starttls", "ssl"}:
            raise ValueError("erwartet wird none, starttls oder ssl")
        return mode

    @field_validator("inbox_address", "advisors_team_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        address = value.strip().lower()
        # the mail composer's rule: an address accepted here must never fail when a mail is composed
        if not is_valid_address(address):
            raise ValueError("erwartet wird eine einfache E-Mail-Adresse wie fachstelle@example.org")
        return address

    @property
    def mail_enabled(self) -> bool:
        """True when both IMAP and SMTP of the advisory mailbox are configured."""
        return bool(self.imap_host and self.smtp_host)

    @property
    def telegram_enabled(self) -> bool:
        """True when a real bot token is configured."""
        return self.telegram_token is not None


class SettingsError(Exception):
    """A configuration value is wrong; the message is one line naming the variable."""


def load_settings(**overrides) -> Settings:
    """Read the settings; a wrong value raises SettingsError naming the environment variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        raise SettingsError(f"{ENV_PREFIX}{field.upper()}: {_german(error)}") from None


def _german(error: dict) -> str:
    """pydantic's message for the common error types in German; our own validators already are."""
    limit = (error.get("ctx") or {}).get("gt", (error.get("ctx") or {}).get("ge"))
    upper = (error.get("ctx") or {}).get("lt", (error.get("ctx") or {}).get("le"))
    kind = error.get("type", "")
    if kind in ("greater_than", "greater_than_equal"):
        return f"die Zahl muss {'größer als' if kind == 'greater_than' else 'mindestens'} {limit} sein"
    if kind in ("less_than", "less_than_equal"):
        return f"die Zahl muss {'kleiner als' if kind == 'less_than' else 'höchstens'} {upper} sein"
    if kind in ("int_parsing", "int_from_float"):
        return "erwartet wird eine ganze Zahl"
    if kind == "float_parsing":
        return "erwartet wird eine Zahl"
    if kind == "bool_parsing":
        return "erwartet wird true oder false"
    return error["msg"].removeprefix("Value error, ")
