"""`klimabot try`: chat with the real bot in the terminal through the local Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from bot.app import serve
from bot.settings import Settings
from local_bot_api import BotMessage, LocalBotApi

LOCAL_USER_ID = 1001
HELP_LINE = "Tippen Sie Ihre Nachricht; eine Zahl drückt den Knopf mit dieser Nummer; /ende beendet."


def format_message(message: BotMessage, first_button: int) -> tuple[str, list[str]]:
    """The bot's message as terminal text with numbered buttons; returns the text and the button data."""
    lines = ["", "🤖 " + message.text.replace("\n", "\n   ")]
    callbacks: list[str] = []
    number = first_button
    for row in message.buttons:
        labels = []
        for label, data in row:
            labels.append(f"[{number}] {label}")
            callbacks.append(data)
            number += 1
        lines.append("   " + "   ".join(labels))
    return "\n".join(lines), callbacks


async def _read_line(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


async def run_local_chat(settings: Settings, *, user_id: int = LOCAL_USER_ID) -> None:
    """Start the local Bot API server and the bot, then relay terminal input as a Telegram user."""
    if settings.log_level == "INFO":
        # the chat itself is the output here; keep routine log lines out of the conversation
        logging.getLogger().setLevel(logging.WARNING)
    async with LocalBotApi() as api:
        local = settings.model_copy(update={"telegram_api_url": api.base_url})
        ready = asyncio.Event()
        bot_task = asyncio.create_task(serve(local, token=api.make_token(), ready=ready))
        await asyncio.wait({bot_task, asyncio.create_task(ready.wait())}, return_when=asyncio.FIRST_COMPLETED)
        if bot_task.done():
            bot_task.result()  # start-up failed: raise its error
        print(f"klimabot – lokaler Chat (ohne Telegram).\n{HELP_LINE}", file=sys.stderr)
        shown = 0
        buttons: dict[int, tuple[int, str]] = {}
        pending = "/start"
        try:
            while pending is not None:
                text = pending.strip()
                if text in {"/ende", "/quit", "/exit"}:
                    break
                if text.isdigit() and int(text) in buttons:
                    message_id, data = buttons[int(text)]
                    api.user_presses(user_id, message_id, data)
                elif text:
                    api.user_sends(user_id, text, first_name="Lokal")
                with contextlib.suppress(TimeoutError):
                    await api.wait_for_messages(user_id, shown + 1, timeout=10.0)
                await asyncio.sleep(0.3)  # let follow-up messages of the same answer arrive
                messages = api.bot_messages(user_id)
                for message in messages[shown:]:
                    rendered, callbacks = format_message(message, 1)
                    buttons = {
                        i + 1: (message.message_id, data) for i, data in enumerate(callbacks)
                    } or buttons
                    print(rendered)
                shown = len(messages)
                pending = await _read_line("\n👤 ")
        finally:
            bot_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await bot_task
