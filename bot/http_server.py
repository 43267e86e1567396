"""The instance's HTTP server: `GET /healthz` (JSON, 200 or 503), `GET /metrics` (Prometheus) and, in webhook
mode, the path Telegram posts updates to."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.health import HealthProbe
from services import metrics
from storage.database import DATABASE_UNAVAILABLE
from web.routes import WebChat

log = logging.getLogger(__name__)


def parse_listen(listen: str) -> tuple[str, int]:
    """`host:port` (e.g. `127.0.0.1:8081`) as host and port."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts, the secret it sends along, and what to do with an update's JSON."""

    path: str
    secret: str
    receive: Callable[[dict], Awaitable[None]]


def build_http_app(
    probe: HealthProbe, webhook: Webhook | None = None, web_chat: WebChat | None = None
) -> web.Application:
    """The aiohttp application with the health and metrics routes (and the webhook's and the web chat's,
    when given)."""

    async def healthz(_request: web.Request) -> web.Response:
        healthy, report = await probe.check()
        return web.json_response(report, status=200 if healthy else 503)

    async def metrics_page(_request: web.Request) -> web.Response:
        await probe.check()  # refreshes the backlog gauges from the database
        body, content_type = metrics.exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    async def updates(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), webhook.secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        try:
            await webhook.receive(data)
        except ValueError:
            return web.Response(status=400, text="not an update")
        except DATABASE_UNAVAILABLE:
            # not stored: an error makes Telegram deliver the update again later
            return web.Response(status=503, text="database unavailable")
        return web.Response(text="ok")

    app = web.Application(client_max_size=2**20)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    if webhook is not None:
        app.router.add_post(webhook.path, updates)
    if web_chat is not None:
        web_chat.add_routes(app)
    return app


async def start_http_server(app: web.Application, listen: str) -> web.AppRunner:
    """Serve `app` on `listen`; the caller cleans the returned runner up."""
    host, port = parse_listen(listen)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("HTTP server on %s:%s (/healthz, /metrics, /chat)", host, port)
    return runner
