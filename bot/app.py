"""Composition root: builds the runtime (database, knowledge, services), the bot and the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BotCommand, Update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.background import start_background_work, stop_background_work
from bot.fsm_storage import SQLStorage
from bot.health import HealthProbe
from bot.http_server import Webhook, build_http_app, start_http_server
from bot.middlewares import DbSessionMiddleware
from bot.pacing import FloodControl
from bot.settings import ENV_PREFIX, Settings
from bot.single_process import only_process_on_sqlite
from bot.startup import StartupError, check_production_settings, check_telegram, database_problem
from bot.update_inbox import UpdateInbox
from handlers import build_router
from mail.handling import InboxContext
from services.advisors import AdvisorDirectory, AdvisorsFileError, load_advisors
from services.answering import AnsweringService, load_answering_service
from services.booking.config import BookingConfig, BookingPolicy, booking_schedules
from services.municipalities import MunicipalityDirectory, load_municipalities
from services.reports.contacts import ContactsFileError, load_contacts
from services.tickets import TicketConfig
from storage.database import DATABASE_UNAVAILABLE, create_engine, session_factory
from storage.migrate import migrate
from web.bot_session import ChannelSession
from web.channel import WebChannel
from web.live import LiveEvents
from web.routes import WebChat

log = logging.getLogger(__name__)

# aiogram wants a token even when no Telegram is configured; this one never leaves the process
WEB_ONLY_TOKEN = "1:web-chat-only"
EXAMPLE_ADVISORS = Path(__file__).resolve().parents[1] / "advisors.example.yaml"

COMMANDS = [
    BotCommand(command="start", description="Begrüßung und Hauptmenü"),
    BotCommand(command="termin", description="Initialberatung buchen"),
    BotCommand(command="termine", description="Meine Termine: absagen oder verschieben"),
    BotCommand(command="bericht", description="Maßnahmenbericht melden oder fortsetzen"),
    BotCommand(command="meine_daten", description="Meine gespeicherten Daten (JSON)"),
    BotCommand(command="daten_loeschen", description="Meine Daten löschen"),
    BotCommand(command="hilfe", description="Was ich für Sie tun kann"),
    BotCommand(command="help", description="Hilfe"),
]


@dataclass
class Runtime:
    """Everything the channels share, built once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    answering: AnsweringService
    tickets: TicketConfig
    municipalities: MunicipalityDirectory
    booking: BookingConfig
    mail_wake: asyncio.Event = field(default_factory=asyncio.Event)
    relay_wake: asyncio.Event = field(default_factory=asyncio.Event)
    web_wake: asyncio.Event = field(default_factory=asyncio.Event)

    def inbox_context(self) -> InboxContext:
        """The incoming-mail pipeline's view of the runtime."""
        return InboxContext(
            self.sessions,
            self.tickets,
            self.answering,
            self.municipalities,
            auto_reply_daily_limit=self.settings.auto_reply_daily_limit,
            attachment_max_bytes=self.settings.attachment_max_bytes,
            trusted_authserv_id=self.settings.mail_trusted_authserv_id,
        )

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


def build_answering(settings: Settings) -> AnsweringService:
    """Load the knowledge base and build the answering policy (invalid entries are skipped and logged)."""
    return load_answering_service(settings.knowledge_dir, settings.model_file)


def build_ticket_config(settings: Settings) -> TicketConfig:
    """Advisors from the advisors file; the local chat (no token) falls back to the example advisors."""
    path = settings.advisors_file
    if settings.telegram_enabled and not path.exists():
        raise StartupError(f"Beraterdatei {path} fehlt – bitte {ENV_PREFIX}ADVISORS_FILE setzen.")
    if not path.exists() and path == Path("advisors.yaml") and EXAMPLE_ADVISORS.exists():
        log.warning(
            "advisors.yaml not found – using %s; copy it to advisors.yaml and edit it", EXAMPLE_ADVISORS
        )
        path = EXAMPLE_ADVISORS
    if path.exists():
        try:
            advisors = load_advisors(path, team_address=settings.advisors_team_address)
        except AdvisorsFileError as exc:
            raise StartupError(f"Beraterdatei fehlerhaft – {exc}") from None
    else:
        log.warning("no advisors file at %s – escalations go to %s", path, settings.inbox_address)
        advisors = AdvisorDirectory((), team_address=settings.advisors_team_address or settings.inbox_address)
    return TicketConfig(inbox_address=settings.inbox_address, advisors=advisors)


def build_booking_config(settings: Settings, tickets: TicketConfig) -> BookingConfig:
    """Consultation hours of the advisors (same advisors file); a wrong entry stops start-up naming the line."""
    try:
        schedules = booking_schedules(tickets.advisors, str(settings.advisors_file))
    except AdvisorsFileError as exc:
        raise StartupError(f"Beraterdatei fehlerhaft – {exc}") from None
    return BookingConfig(
        inbox_address=settings.inbox_address,
        schedules=schedules,
        policy=BookingPolicy(
            lead_working_days=settings.booking_lead_working_days,
            horizon_days=7 * settings.booking_horizon_weeks,
            max_open_bookings_per_chat=settings.max_open_bookings_per_chat,
            max_open_bookings_per_municipality=settings.max_open_bookings_per_municipality,
        ),
    )


async def build_runtime(settings: Settings, *, apply_migrations: bool = True) -> Runtime:
    """Migrate the database, open the engine, load the knowledge base, advisors and municipalities."""
    tickets = build_ticket_config(settings)
    booking = build_booking_config(settings, tickets)
    try:
        # read again whenever it changes; a wrong file stops the start instead of failing a user later
        load_contacts(settings.municipality_contacts_file)
    except ContactsFileError as exc:
        raise StartupError(f"Kontaktdatei der Kommunen fehlerhaft – {exc}") from None
    if apply_migrations:
        try:
            await migrate(settings.database_url)
        except (*DATABASE_UNAVAILABLE, DBAPIError) as exc:
            raise database_problem(settings, exc) from None
    engine = create_engine(settings.database_url)
    answering = await asyncio.to_thread(build_answering, settings)
    municipalities = await asyncio.to_thread(load_municipalities)
    mail_wake, relay_wake, web_wake = asyncio.Event(), asyncio.Event(), asyncio.Event()

    def wake_outboxes(tables: set[str]) -> None:
        if "outbox_mail" in tables:
            mail_wake.set()
        if "telegram_outbox" in tables:
            relay_wake.set()
        if "web_event" in tables:
            web_wake.set()

    sessions = session_factory(engine, after_commit=wake_outboxes)
    return Runtime(
        settings,
        engine,
        sessions,
        answering,
        tickets,
        municipalities,
        booking,
        mail_wake,
        relay_wake,
        web_wake,
    )


def telegram_token(settings: Settings, token: str | None = None) -> str | None:
    """The token to talk to Telegram with (None: no Telegram, the web chat only)."""
    return token or (settings.telegram_token.get_secret_value() if settings.telegram_token else None)


def build_bot(settings: Settings, web: WebChannel, token: str | None = None) -> Bot:
    """One Bot for both channels: web chats go to `web`, the rest to the Bot API server, paced to
    Telegram's flood limits. Without a token it serves the web chat only."""
    secret = telegram_token(settings, token)
    telegram = None
    if secret:
        telegram = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        telegram.middleware(
            FloodControl(settings.flood_global_per_second, settings.flood_per_chat_per_second)
        )
    session = ChannelSession(web, telegram)
    return Bot(
        secret or WEB_ONLY_TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )


def build_fsm_storage(settings: Settings, runtime: Runtime) -> BaseStorage:
    """Conversation state in Redis when configured, otherwise in the database — never only in memory."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return SQLStorage(runtime.sessions)


def build_dispatcher(
    runtime: Runtime, storage: BaseStorage | None = None, web: WebChannel | None = None
) -> Dispatcher:
    """The dispatcher with routers, middlewares and the shared services as keyword arguments."""
    dp = Dispatcher(
        storage=storage or build_fsm_storage(runtime.settings, runtime),
        answering=runtime.answering,
        contact=runtime.settings.fachstelle_email,
        settings=runtime.settings,
        tickets=runtime.tickets,
        municipalities=runtime.municipalities,
        booking=runtime.booking,
    )
    if web is not None:
        # outermost: the web chat's messages are written once the handler's transaction has ended
        dp.update.outer_middleware(web.middleware())
    dp.update.outer_middleware(DbSessionMiddleware(runtime.sessions))
    dp.include_router(build_router())
    return dp


async def serve(settings: Settings, *, token: str | None = None, ready: asyncio.Event | None = None) -> None:
    """Run the bot until cancelled: migrate, load, start the workers, then poll and handle Telegram updates."""
    if settings.telegram_enabled:
        check_production_settings(settings)
    with only_process_on_sqlite(settings.database_url):
        await _serve(settings, token, ready)


def receiver(inbox: UpdateInbox, bot: Bot):
    """What the webhook does with a posted update's JSON: validate it, then store and handle it."""

    async def receive(data: dict) -> None:
        await inbox.receive(Update.model_validate(data, context={"bot": bot}))

    return receive


def build_web_chat(runtime: Runtime, live: LiveEvents, inbox: UpdateInbox) -> WebChat:
    """The web chat's routes: visitors' messages go into the update inbox, answers come back live."""
    commands = [(command.command, command.description) for command in COMMANDS if command.command != "help"]
    return WebChat(runtime.sessions, live, inbox.wake, commands, embed_origins=runtime.settings.embed_origins)


async def _announce_to_telegram(bot: Bot, dp: Dispatcher, settings: Settings) -> None:
    """Webhook or polling, and the command menu."""
    if settings.webhook_url:
        # the same call from every instance: several may start at once
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=dp.resolve_used_update_types(),
            drop_pending_updates=False,
        )
    else:
        await bot.delete_webhook(drop_pending_updates=False)
    await bot.set_my_commands(COMMANDS)


async def _serve(settings: Settings, token: str | None, ready: asyncio.Event | None) -> None:
    runtime = await build_runtime(settings)
    web = WebChannel(runtime.sessions)
    bot = build_bot(settings, web, token)
    with_telegram = telegram_token(settings, token) is not None
    try:
        await check_telegram(bot, settings)
    except StartupError:
        await bot.session.close()
        await runtime.close()
        raise
    dp = build_dispatcher(runtime, web=web)
    work = start_background_work(runtime, bot)
    probe = HealthProbe(runtime.sessions, workers=work.health)
    webhook_mode = bool(settings.webhook_url)
    inbox = UpdateInbox(
        bot,
        dp,
        runtime.sessions,
        concurrency=settings.max_concurrent_updates,
        poll=with_telegram and not webhook_mode,
    )
    live = LiveEvents(runtime.sessions, wake=runtime.web_wake)
    web_chat = build_web_chat(runtime, live, inbox) if settings.web_chat else None
    servers = []
    live_task = asyncio.create_task(live.run(), name="web-chat-live")
    try:
        if webhook_mode:
            webhook = Webhook(
                settings.webhook_path, settings.webhook_secret.get_secret_value(), receiver(inbox, bot)
            )
            app = build_http_app(
                probe, webhook, web_chat if settings.http_listen in (None, settings.webhook_listen) else None
            )
            servers.append(await start_http_server(app, settings.webhook_listen))
        if settings.http_listen and settings.http_listen != settings.webhook_listen:
            servers.append(
                await start_http_server(build_http_app(probe, web_chat=web_chat), settings.http_listen)
            )
        if with_telegram:
            await _announce_to_telegram(bot, dp, settings)
        # cancelling serve() cancels the inbox, which first lets the handlers in flight finish
        handling = asyncio.create_task(inbox.run(), name="telegram-updates")
        probe.watch("telegram-updates", handling)
        if ready is not None:
            ready.set()
        try:
            await asyncio.shield(handling)
        except asyncio.CancelledError:
            handling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await handling
            raise
    finally:
        live_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await live_task
        for server in servers:
            await server.cleanup()
        await stop_background_work(work)
        await dp.storage.close()
        await bot.session.close()
        await runtime.close()
