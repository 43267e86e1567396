"""Update delivery methods: getUpdates (long polling), webhooks, logOut and close."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

from ..context import CallContext
from ..errors import bad_request, conflict

MAX_POLL_TIMEOUT = 50
_WEBHOOK_PORTS = {80, 88, 443, 8443}
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def get_updates(ctx: CallContext) -> list[dict]:
    """Handle getUpdates: confirm by offset, then return at once or when an update arrives."""
    state = ctx.state
    p = ctx.params
    if state.webhook is not None:
        raise conflict(
            "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
        )
    # A newer getUpdates ends the older one with 409, exactly what two running bot instances see.
    state.poll_generation += 1
    generation = state.poll_generation
    state.changes.notify()
    if "offset" in p:
        state.updates.confirm(p["offset"])
    if "allowed_updates" in p:
        state.updates.allowed = frozenset(p["allowed_updates"]) or None
    limit = min(max(p.get("limit", 100), 1), 100)
    deadline = time.monotonic() + min(max(p.get("timeout", 0), 0), MAX_POLL_TIMEOUT)
    while True:
        if state.webhook is not None:
            raise conflict("terminated by setWebhook request")
        if state.poll_generation != generation:
            raise conflict(
                "terminated by other getUpdates request; make sure that only one bot instance is running"
            )
        batch = state.updates.pending(limit)
        remaining = deadline - time.monotonic()
        if batch or remaining <= 0 or state.closing:
            return batch
        await state.changes.wait(remaining)


async def set_webhook(ctx: CallContext) -> bool:
    """Handle setWebhook: remember it (updates are not pushed); getUpdates then answers 409."""
    p = ctx.params
    url = p["url"]
    if not url.lower().startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if "secret_token" in p and not _SECRET_RE.match(p["secret_token"]):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    try:
        port = urlparse(url).port or 443
    except ValueError:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known") from None
    if port not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if p.get("drop_pending_updates"):
        ctx.state.updates.clear()
    ctx.state.webhook = {k: v for k, v in p.items() if k in ("url", "max_connections", "allowed_updates")}
    ctx.state.changes.notify()
    return True


async def delete_webhook(ctx: CallContext) -> bool:
    """Handle deleteWebhook, optionally dropping pending updates."""
    ctx.state.webhook = None
    if ctx.params.get("drop_pending_updates"):
        ctx.state.updates.clear()
    return True


async def get_webhook_info(ctx: CallContext) -> dict:
    """Handle getWebhookInfo."""
    webhook = ctx.state.webhook or {}
    info = {
        "url": webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.state.updates),
    }
    info.update({k: v for k, v in webhook.items() if k != "url"})
    return info


async def accept_true(ctx: CallContext) -> bool:
    """Handle logOut and close, which just succeed locally."""
    return True
