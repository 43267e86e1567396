"""Checks of typed answers that several conversations share."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
MAX_EMAIL_CHARS = 254  # RFC 5321 path limit


def is_email_address(text: str) -> bool:
    """A plausible e-mail address as a user would type it for a copy or an invitation."""
    return bool(_EMAIL.match(text)) and len(text) <= MAX_EMAIL_CHARS
