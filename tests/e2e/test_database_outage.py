"""A database outage: the user hears of a technical problem once, and the message is handled afterwards."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import make_url

from bot.settings import Settings
from handlers.texts import TECHNICAL_PROBLEM
from tests.bot.tcp_proxy import TcpProxy
from tests.e2e.conftest import running_bot

USER = 4242


async def test_messages_sent_while_the_database_is_down_are_answered_once_it_is_back(
    postgresql_clean, tmp_path
):
    url = make_url(postgresql_clean)
    proxy = TcpProxy(url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = Settings(database_url=proxied, mail_sink_dir=tmp_path / "mail")
    try:
        async with running_bot(settings) as running:
            api = running.api
            api.user_sends(USER, "Hallo")
            await api.wait_for(lambda: len(api.bot_messages(USER)) >= 1, timeout=15)
            greeted = len(api.bot_messages(USER))

            await proxy.cut()
            api.user_sends(USER, "Was ist der Förderaufruf?")
            api.user_sends(USER, "Hallo, noch da?")
            await api.wait_for(
                lambda: any(m.text == TECHNICAL_PROBLEM for m in api.bot_messages(USER)), timeout=20
            )
            await asyncio.sleep(3)  # further retries during the outage must not repeat the notice
            texts = [m.text for m in api.bot_messages(USER)]
            assert texts.count(TECHNICAL_PROBLEM) == 1
            assert len(texts) == greeted + 1

            await proxy.start()
            await api.wait_for(lambda: len(api.bot_messages(USER)) >= greeted + 3, timeout=60)
            assert api.pending_updates == 0
    finally:
        await proxy.cut()
