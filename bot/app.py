"""Composition root: builds the runtime (database, knowledge, services), the bot and the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.fsm_storage import SQLStorage
from bot.middlewares import DbSessionMiddleware
from bot.pacing import FloodControl
from bot.settings import Settings
from handlers import build_router
from knowledge.model import load_entries
from knowledge.retriever import Retriever
from services.answering import AnsweringService
from storage.database import create_engine, session_factory
from storage.migrate import migrate

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand(command="start", description="Begrüßung und Hauptmenü"),
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

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


def build_answering(settings: Settings) -> AnsweringService:
    """Load the knowledge base and build the answering policy (invalid entries are skipped and logged)."""
    entries, problems = load_entries(settings.knowledge_dir)
    for problem in problems:
        log.error("knowledge entry %s skipped: %s", problem.path.name, problem.message)
    return AnsweringService(Retriever(entries))


async def build_runtime(settings: Settings, *, apply_migrations: bool = True) -> Runtime:
    """Migrate the database, open the engine and load the knowledge base."""
    if apply_migrations:
        await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    answering = await asyncio.to_thread(build_answering, settings)
    return Runtime(settings, engine, session_factory(engine), answering)


def build_bot(settings: Settings, token: str | None = None) -> Bot:
    """A Bot talking to the configured Bot API server, paced to Telegram's flood limits."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(FloodControl(settings.flood_global_per_second, settings.flood_per_chat_per_second))
    secret = token or (settings.telegram_token.get_secret_value() if settings.telegram_token else None)
    if not secret:
        raise ValueError("no Telegram token")
    return Bot(secret, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def build_fsm_storage(settings: Settings, runtime: Runtime) -> BaseStorage:
    """Conversation state in Redis when configured, otherwise in the database — never only in memory."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return SQLStorage(runtime.sessions)


def build_dispatcher(runtime: Runtime, storage: BaseStorage | None = None) -> Dispatcher:
    """The dispatcher with routers, middlewares and the shared services as keyword arguments."""
    dp = Dispatcher(
        storage=storage or build_fsm_storage(runtime.settings, runtime),
        answering=runtime.answering,
        contact=runtime.settings.fachstelle_email,
        settings=runtime.settings,
    )
    dp.update.outer_middleware(DbSessionMiddleware(runtime.sessions))
    dp.include_router(build_router())
    return dp


async def serve(settings: Settings, *, token: str | None = None, ready: asyncio.Event | None = None) -> None:
    """Run the Telegram bot until cancelled: migrate, load, then long-poll updates."""
    runtime = await build_runtime(settings)
    bot = build_bot(settings, token)
    dp = build_dispatcher(runtime)
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await bot.set_my_commands(COMMANDS)
        if ready is not None:
            ready.set()
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=10))
        try:
            await asyncio.shield(polling)
        except asyncio.CancelledError:
            # cancelling start_polling leaves aiogram's inner polling task running; stop it properly
            with contextlib.suppress(RuntimeError):
                await dp.stop_polling()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(polling, timeout=15)
            raise
    finally:
        await dp.storage.close()
        await bot.session.close()
        await runtime.close()
