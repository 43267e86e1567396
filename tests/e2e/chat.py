"""Small helpers for driving one simulated user through a conversation with the bot."""

from __future__ import annotations

import asyncio


def last_message(api, user: int):
    """The bot's newest message in the user's chat, or None."""
    messages = api.bot_messages(user)
    return messages[-1] if messages else None


async def wait_until_shown(api, user: int, text: str, seconds: float = 8):
    """Wait until the newest message shows `text` in its text or on a button."""

    def shown():
        message = last_message(api, user)
        return message is not None and (text in message.text or text in " ".join(message.button_labels()))

    return await api.wait_for(shown, timeout=seconds)


async def wait_until_any_shows(api, user: int, text: str, seconds: float = 8):
    """Wait until any of the bot's messages shows `text`, though later ones may have followed it; returns it."""
    return await api.wait_for(
        lambda: next((m for m in api.bot_messages(user) if text in m.text), None), timeout=seconds
    )


async def eventually(condition, seconds: float = 10):
    """Wait until `condition()` holds for what the chat does not show (mails in the sink, rows):
    checked every 50 ms, since such changes do not wake the Bot API's waiters."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached within {seconds} s")
        await asyncio.sleep(0.05)
