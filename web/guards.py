"""What keeps the web chat safe on the open internet: headers, origin checks and rate limits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)


def security_headers(embed_origins: tuple[str, ...]) -> dict[str, str]:
    """Headers for every web chat response; only the configured sites may frame the page."""
    ancestors = " ".join(("'self'", *embed_origins))
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(ancestors=ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def request_origin(request: web.Request) -> str:
    """The origin the page was loaded from, as the browser names it (behind a proxy: its forwarded view)."""
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    return f"{scheme}://{host}"


def same_origin(request: web.Request, allowed: tuple[str, ...] = ()) -> bool:
    """A state-changing request must name the page's own origin (or an allowed one) in `Origin`.

    Browsers send `Origin` on every cross-site POST and WebSocket; a missing one means no browser page made
    the request across sites, a different one means another site tried to act with the visitor's cookie.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer", "")
        return not referer or referer.startswith(request_origin(request) + "/")
    return origin == request_origin(request) or origin in allowed


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimit:
    """A token bucket per key: `burst` requests at once, refilled at `per_minute`; memory stays bounded."""

    per_minute: float
    burst: int
    max_keys: int = 100_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when the request may go on, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        rate = self.per_minute / 60.0
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate

    def _forget_full(self, now: float) -> None:
        rate = self.per_minute / 60.0
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:  # still full: an attack; start over rather than grow
            self._buckets.clear()
