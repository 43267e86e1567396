"""Telegram-shaped API errors raised by request checks and method handlers."""

from __future__ import annotations


class ApiError(Exception):
    """An error answered as `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict:
        """Return the JSON body Telegram would answer for this error."""
        body: dict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """Return a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def not_found() -> ApiError:
    """Return the 404 answer Telegram gives for unknown methods and paths."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """Return the 401 answer Telegram gives for malformed or unknown tokens."""
    return ApiError(401, "Unauthorized")


def too_many_requests(retry_after: int) -> ApiError:
    """Return Telegram's 429 flood-control answer."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def forbidden(detail: str) -> ApiError:
    """Return a 403 error with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> ApiError:
    """Return a 409 error with Telegram's "Conflict: " prefix."""
    return ApiError(409, f"Conflict: {detail}")
