"""`klimabot run` and `klimabot try`: serve Telegram and the web chat, or chat in the terminal."""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.settings import Settings

DEFAULT_WEB_LISTEN = "127.0.0.1:8080"


def web_chat_url(settings: Settings) -> str:
    """Where the web chat of this instance is, for the operator to open."""
    host, _, port = (settings.http_listen or DEFAULT_WEB_LISTEN).rpartition(":")
    host = host.strip("[]")
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://{shown}:{port}/chat"


def cmd_run(settings: Settings, _args) -> int:
    if not settings.telegram_enabled:
        if settings.web_chat and not settings.http_listen:
            settings = settings.model_copy(update={"http_listen": DEFAULT_WEB_LISTEN})
        web_line = f"Web-Chat im Browser: {web_chat_url(settings)}" if settings.web_chat else ""
        hint = "Für Telegram: Token bei @BotFather holen und KLIMABOT_TELEGRAM_TOKEN=… setzen (oder in .env)."
        if sys.stdin.isatty():
            print(
                f"Kein Telegram-Token gesetzt – ich starte den lokalen Chat.\n{web_line}\n{hint}",
                file=sys.stderr,
            )
            return cmd_try(settings, _args)
        if not settings.web_chat:
            print(
                f"Kein Telegram-Token und kein Web-Chat (KLIMABOT_WEB_CHAT=false) – nichts zu tun.\n{hint}",
                file=sys.stderr,
            )
            return 1
    return _run_until_stopped(_serve_and_announce(settings))


def _run_until_stopped(main) -> int:
    """Run the bot (or the local chat); a start-up problem is one German line and exit code 1."""
    from bot.startup import StartupError

    try:
        asyncio.run(main)
    except StartupError as exc:
        print(f"Start abgebrochen – {exc}", file=sys.stderr)
        return 1
    return 0


async def _serve_and_announce(settings: Settings) -> None:
    """Serve Telegram; say "läuft" only once the bot is connected and polling."""
    from bot.app import serve

    ready = asyncio.Event()
    serving = asyncio.create_task(serve(settings, ready=ready))
    stopping = asyncio.Event()

    def stop() -> None:  # systemd, docker and Ctrl+C: finish what is in flight, then exit
        stopping.set()
        serving.cancel()

    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop)
    announced = asyncio.create_task(ready.wait())
    await asyncio.wait({serving, announced}, return_when=asyncio.FIRST_COMPLETED)
    if ready.is_set():
        channels = ["Telegram"] if settings.telegram_enabled else []
        if settings.web_chat and settings.http_listen:
            channels.append(f"dem Web-Chat unter {web_chat_url(settings)}")
        print(f"klimabot läuft mit {' und '.join(channels)}. Beenden mit Strg+C.", file=sys.stderr)
    announced.cancel()
    try:
        await serving
    except asyncio.CancelledError:
        if not stopping.is_set():
            raise
        print("klimabot beendet.", file=sys.stderr)


def cmd_try(settings: Settings, _args) -> int:
    from bot.local_chat import run_local_chat

    return _run_until_stopped(run_local_chat(settings))
