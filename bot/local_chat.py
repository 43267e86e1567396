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


class ChatView:
    """What the terminal has shown of the chat: new and edited bot messages and pop-up notices, in order."""

    def __init__(self, api: LocalBotApi, user_id: int) -> None:
        self.api = api
        self.user_id = user_id
        self.shown: dict[int, tuple] = {}
        self.notices = 0
        self.buttons: dict[int, tuple[int, str]] = {}

    def news(self) -> list[str]:
        """Render what the user has not seen yet; remember the newest message's buttons."""
        out: list[str] = []
        for message in self.api.bot_messages(self.user_id):
            signature = (message.text, tuple(tuple(row) for row in message.buttons), message.document)
            if self.shown.get(message.message_id) == signature:
                continue
            edited = message.message_id in self.shown
            self.shown[message.message_id] = signature
            rendered, callbacks = format_message(message, 1)
            if edited:
                rendered = rendered.replace("🤖 ", "🤖 (geändert) ", 1)
            if message.document:
                rendered += f"\n   📎 {message.document[0]}"
            out.append(rendered)
            if callbacks:
                self.buttons = {i + 1: (message.message_id, data) for i, data in enumerate(callbacks)}
        answers = [a for a in self.api.callback_answers if a.user_id == self.user_id]
        for answer in answers[self.notices :]:
            if answer.text:
                out.append(("\n⚠️ " if answer.show_alert else "\n💬 ") + answer.text)
        self.notices = len(answers)
        return out


async def _follow(view: ChatView, prompt: str) -> None:
    """Print whatever the bot sends while the user is typing (relayed replies, reminders, late answers)."""
    while True:
        await asyncio.sleep(0.3)
        news = view.news()
        if news:
            print("\n".join(news), flush=True)
            print(prompt, end="", flush=True)


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
        view = ChatView(api, user_id)
        prompt = "\n👤 "
        pending = "/start"
        follower: asyncio.Task | None = None
        try:
            while pending is not None:
                text = pending.strip()
                if text in {"/ende", "/quit", "/exit"}:
                    break
                shown = len(api.bot_messages(user_id))
                if text.isdigit() and int(text) in view.buttons:
                    message_id, data = view.buttons[int(text)]
                    api.user_presses(user_id, message_id, data)
                elif text:
                    api.user_sends(user_id, text, first_name="Lokal")
                with contextlib.suppress(TimeoutError):
                    await api.wait_for_messages(user_id, shown + 1, timeout=10.0)
                await asyncio.sleep(0.3)  # let follow-up messages of the same answer arrive
                news = view.news()
                if news:
                    print("\n".join(news), flush=True)
                follower = follower or asyncio.create_task(_follow(view, prompt))
                pending = await _read_line(prompt)
        finally:
            if follower is not None:
                follower.cancel()
            bot_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await bot_task
