"""Group chats get a short hint instead of the bot's flows: one person's data never shows to a group."""

from __future__ import annotations

import asyncio

from handlers.texts import GROUP_HINT

GROUP = -100123
USER = 5151


async def test_a_command_in_a_group_gets_the_hint_and_starts_no_flow(bot_chat):
    api = bot_chat.api
    api.user_sends_in_group(GROUP, USER, "/bericht")
    await api.wait_for(lambda: len(api.bot_messages(GROUP)) == 1, timeout=10)
    (hint,) = api.bot_messages(GROUP)
    assert hint.text.startswith(GROUP_HINT.split("{")[0].strip()[:40])
    assert "Maßnahmenbericht" not in hint.text and not hint.button_labels()


async def test_ordinary_group_talk_is_left_alone(bot_chat):
    api = bot_chat.api
    api.user_sends_in_group(GROUP, USER, "Wann treffen wir uns morgen?")
    api.user_sends_in_group(GROUP, USER, "/start")
    await api.wait_for(lambda: len(api.bot_messages(GROUP)) == 1, timeout=10)
    await asyncio.sleep(1)
    assert len(api.bot_messages(GROUP)) == 1  # only the command got an answer
    assert api.bot_messages(USER) == []
