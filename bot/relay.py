"""Delivers the Telegram outbox (advisor replies, notices, documents) with the bot, in order per chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound
from aiogram.types import BufferedInputFile

from handlers.keyboards import relayed_reply_keyboard
from services.telegram_outbox import claim_due_messages, record_chat_delivery

log = logging.getLogger(__name__)


async def deliver_chat_messages(bot: Bot, sessions) -> int:
    """Send every due Telegram outbox message once; returns how many were sent."""
    sent = 0
    async with sessions() as session:
        failed_chats: set[int] = set()
        for item in await claim_due_messages(session):
            if item.chat_id in failed_chats:
                await record_chat_delivery(
                    session, message_id=item.id, outcome="retry", error="earlier message pending"
                )
                continue
            try:
                if item.kind == "document":
                    await bot.send_document(
                        item.chat_id, BufferedInputFile(item.document or b"", item.document_name or "Anhang")
                    )
                else:
                    markup = (
                        relayed_reply_keyboard(item.ticket_id)
                        if item.kind == "reply" and item.ticket_id
                        else None
                    )
                    await bot.send_message(
                        item.chat_id, item.text, reply_markup=markup, disable_web_page_preview=True
                    )
            except (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest) as exc:
                # the user blocked the bot or the message is invalid: retrying cannot help
                log.error("telegram message %s to chat %s failed: %s", item.id, item.chat_id, exc)
                await record_chat_delivery(session, message_id=item.id, outcome="failed", error=str(exc))
                continue
            except Exception as exc:  # network trouble, 5xx: keep it and try again later
                log.warning("telegram message %s to chat %s will be retried: %s", item.id, item.chat_id, exc)
                failed_chats.add(item.chat_id)
                await record_chat_delivery(session, message_id=item.id, outcome="retry", error=str(exc))
                continue
            await record_chat_delivery(session, message_id=item.id, outcome="sent")
            sent += 1
    return sent


async def run_relay_worker(bot: Bot, sessions, *, wake: asyncio.Event, interval: float = 5.0) -> None:
    """Deliver chat messages on every wake-up and at least every `interval` seconds, until cancelled."""
    while True:
        try:
            await deliver_chat_messages(bot, sessions)
        except Exception:
            log.exception("telegram relay pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval)
        wake.clear()
