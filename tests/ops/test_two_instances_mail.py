"""Two `klimabot run` processes in webhook mode on one PostgreSQL database behind a round-robin proxy, with a
real Dovecot inbox and SMTP server: a chat escalates, the advisor's reply comes back, the leading
instance is killed hard (SIGKILL), and the next advisor reply is relayed exactly once by the survivor;
no mail is sent twice."""

from __future__ import annotations

import asyncio
import contextlib
import email
import itertools
import os
import sys
from email import policy
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from local_bot_api import LocalBotApi
from tests.bot.tcp_proxy import free_port
from tests.mail_servers import ADVISOR, advisor_reply, mail_servers

pytestmark = pytest.mark.slow  # two bot processes, Dovecot and an SMTP server

SECRET = "zwei-Prozesse"
USER = 6201
KLIMABOT = Path(sys.executable).with_name("klimabot")
TAKEOVER_SECONDS = 30


INBOX = "beratung@klima-fachstelle.test"


@contextlib.asynccontextmanager
async def klimabot_run(environment: dict[str, str], folder: Path):
    """`klimabot run` in a process of its own; yields once it says it runs, SIGKILLs what is left."""
    process = await asyncio.create_subprocess_exec(
        str(KLIMABOT), "run", cwd=folder, env=os.environ | environment, stderr=asyncio.subprocess.PIPE
    )
    lines: list[str] = []
    drain: asyncio.Task | None = None
    try:
        while True:
            line = (await asyncio.wait_for(process.stderr.readline(), timeout=120)).decode(errors="replace")
            if not line:
                raise RuntimeError(
                    f"klimabot run stopped (exit {await process.wait()}): {''.join(lines[-20:])}"
                )
            lines.append(line)
            if "läuft" in line:
                break

        async def keep_reading() -> None:
            while await process.stderr.readline():
                pass

        drain = asyncio.create_task(keep_reading())
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        if drain is not None:
            drain.cancel()


class RoundRobinProxy:
    """A load balancer: each post goes to the next backend; a backend that does not answer is skipped."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        start = next(self._next)
        for offset in range(len(self.backends)):
            backend = self.backends[(start + offset) % len(self.backends)]
            try:
                async with self._http.post(
                    f"http://{backend}{request.path}", data=body, headers=dict(request.headers)
                ) as response:
                    return web.Response(status=response.status, body=await response.read())
            except (aiohttp.ClientConnectionError, TimeoutError):
                continue  # the instance is gone: the next one takes the request
        return web.Response(status=502, text="no backend")

    async def __aenter__(self) -> RoundRobinProxy:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._runner.cleanup()
        await self._http.close()


async def deliver_updates(api: LocalBotApi, url: str, stop: asyncio.Event) -> None:
    """What Telegram does in webhook mode: post each update until it is acknowledged with 200."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        while not stop.is_set():
            for update in api.state.updates.pending(100):
                while not stop.is_set():
                    try:
                        async with http.post(url, json=update, headers=headers) as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.5)  # Telegram retries a failed delivery later
                api.state.updates.confirm(update["update_id"] + 1)
            await asyncio.sleep(0.1)


async def leading(http: aiohttp.ClientSession, listen: str) -> bool:
    try:
        async with http.get(f"http://{listen}/healthz") as response:
            return bool((await response.json())["workers"]["leader"]["leading"])
    except aiohttp.ClientError:
        return False


def relayed(api: LocalBotApi) -> list[str]:
    return [m.text for m in api.bot_messages(USER) if "Antwort der Fachstelle" in m.text]


async def test_an_advisor_reply_is_relayed_once_by_the_survivor_after_the_leader_is_killed(
    postgresql_clean, tmp_path
):
    with mail_servers(INBOX) as (dovecot, inbox, smtp):
        await _escalate_kill_and_relay(postgresql_clean, dovecot, inbox, smtp, tmp_path)


async def _escalate_kill_and_relay(postgresql_clean, dovecot, inbox, smtp, tmp_path):
    advisors = tmp_path / "advisors.yaml"
    advisors.write_text(f"advisors:\n  - name: Anna Berater\n    email: {ADVISOR}\n", encoding="utf-8")
    async with LocalBotApi() as api, aiohttp.ClientSession() as http:
        listens = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
        shared = {
            "KLIMABOT_TELEGRAM_TOKEN": api.make_token(),
            "KLIMABOT_TELEGRAM_API_URL": api.base_url,
            "KLIMABOT_DATABASE_URL": postgresql_clean,
            "KLIMABOT_WEBHOOK_URL": "https://bot.example.org/tg",
            "KLIMABOT_WEBHOOK_SECRET": SECRET,
            "KLIMABOT_IMAP_HOST": dovecot.host,
            "KLIMABOT_IMAP_PORT": str(dovecot.port),
            "KLIMABOT_IMAP_USER": inbox.name,
            "KLIMABOT_IMAP_PASSWORD": inbox.password,
            "KLIMABOT_IMAP_TLS": "none",
            "KLIMABOT_IMAP_POLL_SECONDS": "1",
            "KLIMABOT_LEADER_RETRY_SECONDS": "2",
            "KLIMABOT_SMTP_HOST": smtp.host,
            "KLIMABOT_SMTP_PORT": str(smtp.port),
            "KLIMABOT_SMTP_TLS": "none",
            "KLIMABOT_INBOX_ADDRESS": inbox.name,
            "KLIMABOT_ADVISORS_FILE": str(advisors),
            "KLIMABOT_FLOOD_GLOBAL_PER_SECOND": "1000",
            "KLIMABOT_FLOOD_PER_CHAT_PER_SECOND": "100",
        }
        async with contextlib.AsyncExitStack() as stack:
            for number in range(len(listens)):
                (tmp_path / f"instance{number}").mkdir()
            started = await asyncio.gather(
                *(
                    stack.enter_async_context(
                        klimabot_run(
                            shared | {"KLIMABOT_WEBHOOK_LISTEN": listen}, tmp_path / f"instance{number}"
                        )
                    )
                    for number, listen in enumerate(listens)
                ),
                return_exceptions=True,  # both are entered (and stopped again) even when one fails
            )
            for outcome in started:
                if isinstance(outcome, BaseException):
                    raise outcome
            processes = list(started)
            proxy = await stack.enter_async_context(RoundRobinProxy(listens))
            stop = asyncio.Event()
            pusher = asyncio.create_task(deliver_updates(api, f"http://127.0.0.1:{proxy.port}/tg", stop))
            try:
                # a chat that ends with a question for the advisors
                api.user_sends(USER, "Welche Baumarten eignen sich für unseren Friedhof?")
                await api.wait_for_messages(USER, 1, timeout=20)
                api.user_sends(USER, "ich möchte mit jemandem sprechen")
                await api.wait_for(
                    lambda: "Ja, diese Frage" in " ".join(api.bot_messages(USER)[-1].button_labels()),
                    timeout=20,
                )
                api.user_presses_button(USER, "✅ Ja, diese Frage")
                await api.wait_for(
                    lambda: "Für welche Kommune" in api.bot_messages(USER)[-1].text, timeout=20
                )
                api.user_sends(USER, "Marburg")
                await api.wait_for(
                    lambda: "✅ Marburg" in api.bot_messages(USER)[-1].button_labels(), timeout=20
                )
                api.user_presses_button(USER, "✅ Marburg")
                await api.wait_for(lambda: "Kopie" in api.bot_messages(USER)[-1].text, timeout=20)
                api.user_presses_button(USER, "Ohne E-Mail")
                await api.wait_for(lambda: "Bitte prüfen Sie" in api.bot_messages(USER)[-1].text, timeout=20)
                api.user_presses_button(USER, "📨 Absenden")
                await api.wait_for(lambda: "KK-" in api.bot_messages(USER)[-1].text, timeout=20)

                (received,) = await smtp.wait_for_messages(1, timeout=20)
                escalation = email.message_from_bytes(received.raw, policy=policy.default)
                assert list(received.rcpt_tos) == [ADVISOR]

                dovecot.append(inbox, advisor_reply(escalation, "Heimische Arten wie Feldahorn.", INBOX))
                await api.wait_for(lambda: len(relayed(api)) == 1, timeout=30)

                # the leader (IMAP reader, scheduler) dies without any chance to clean up
                leaders = [await leading(http, listen) for listen in listens]
                assert sorted(leaders) == [False, True]
                killed = leaders.index(True)
                processes[killed].kill()
                await processes[killed].wait()
                survivor = listens[1 - killed]

                dovecot.append(inbox, advisor_reply(escalation, "Auch Hainbuche passt gut.", INBOX))
                await api.wait_for(lambda: len(relayed(api)) == 2, timeout=TAKEOVER_SECONDS + 30)
                assert await leading(http, survivor)
                api.user_sends(USER, "Danke!")  # the chat goes on through the survivor behind the proxy
                await api.wait_for(lambda: "Danke" not in api.bot_messages(USER)[-1].text, timeout=20)
                await asyncio.sleep(3)  # anything relayed or sent twice would show up by now
            finally:
                stop.set()
                await pusher

        texts = relayed(api)
        assert len(texts) == 2 and "Feldahorn" in texts[0] and "Hainbuche" in texts[1]
        ids = [email.message_from_bytes(m.raw, policy=policy.default)["Message-ID"] for m in smtp.messages]
        assert len(ids) == len(set(ids)), "a mail was sent twice"
        to_advisor = [
            email.message_from_bytes(m.raw, policy=policy.default)
            for m in smtp.messages
            if list(m.rcpt_tos) == [ADVISOR]
        ]
        # the escalation once, and the user's "Danke!" once as a follow-up in the same thread
        assert len(to_advisor) == 2
        assert "Friedhof" in to_advisor[0].get_body(("plain",)).get_content()
        assert "Danke" in to_advisor[1].get_body(("plain",)).get_content()
