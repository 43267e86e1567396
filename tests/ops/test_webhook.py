"""Webhook mode: Telegram's posts are checked for the secret, stored, handled once, answered after handling."""

from __future__ import annotations

import aiohttp
import pytest

from bot.settings import Settings
from tests.bot.tcp_proxy import free_port
from tests.e2e.conftest import running_bot

pytestmark = pytest.mark.slow  # starts the bot

USER = 5151
SECRET = "s3cret-Token_1"


def _telegram_pushes(api) -> list[dict]:
    """The updates Telegram would post now (the local server keeps them; a webhook takes them over)."""
    updates = api.state.updates.pending(100)
    if updates:
        api.state.updates.confirm(updates[-1]["update_id"] + 1)
    return updates


async def test_updates_posted_to_the_webhook_are_checked_stored_and_handled_once(tmp_path):
    listen = f"127.0.0.1:{free_port()}"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        mail_sink_dir=tmp_path / "sink",
        webhook_url="https://bot.example.org/tg/hook",
        webhook_listen=listen,
        webhook_secret=SECRET,
    )
    async with running_bot(settings) as running, aiohttp.ClientSession() as http:
        api = running.api
        assert api.state.webhook["url"] == "https://bot.example.org/tg/hook"
        hook = f"http://{listen}/tg/hook"
        api.user_sends(USER, "/start")
        (update,) = _telegram_pushes(api)

        async with http.post(hook, json=update) as response:
            assert response.status == 403  # no secret
        async with http.post(
            hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "falsch"}
        ) as response:
            assert response.status == 403
        assert api.bot_messages(USER) == []

        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(hook, json=update, headers=headers) as response:
            assert response.status == 200
        # acknowledged only once handled: the welcome is already there
        shown = len(api.bot_messages(USER))
        assert shown >= 1 and "Klima" in api.bot_messages(USER)[0].text

        async with http.post(hook, json=update, headers=headers) as response:  # Telegram delivers again
            assert response.status == 200
        async with http.post(hook, data=b"kaputt", headers=headers) as response:
            assert response.status == 400
        async with http.get(f"http://{listen}/healthz") as response:
            assert response.status == 200
        async with http.get(f"http://{listen}/chat") as response:  # the web chat on the same server
            assert response.status == 200 and "Nachricht" in await response.text()
        assert len(api.bot_messages(USER)) == shown  # handled once
