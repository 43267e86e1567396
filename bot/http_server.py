"""The instance's small HTTP server: `GET /healthz` (JSON, 200 or 503) and `GET /metrics` (Prometheus)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.health import HealthProbe
from services import metrics

log = logging.getLogger(__name__)


def parse_listen(listen: str) -> tuple[str, int]:
    """`host:port` (e.g. `127.0.0.1:8081`) as host and port."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def build_http_app(probe: HealthProbe) -> web.Application:
    """The aiohttp application with the health and metrics routes."""

    async def healthz(_request: web.Request) -> web.Response:
        healthy, report = await probe.check()
        return web.json_response(report, status=200 if healthy else 503)

    async def metrics_page(_request: web.Request) -> web.Response:
        await probe.check()  # refreshes the backlog gauges from the database
        body, content_type = metrics.exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def start_http_server(app: web.Application, listen: str) -> web.AppRunner:
    """Serve `app` on `listen`; the caller cleans the returned runner up."""
    host, port = parse_listen(listen)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("HTTP server on %s:%s (/healthz, /metrics)", host, port)
    return runner
