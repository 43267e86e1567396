"""The one rule for an e-mail address the bot accepts: exactly what the mail composer can send to.

RFC 5321 §4.1.2 local-part and domain, restricted to dot-atom text (RFC 5322 §3.2.3) and a hostname with
at least one dot; quoted local parts are refused on purpose. Every conversation, the settings, the report
fields and `mail/compose.py` use this, so an address a user was allowed to type never fails later.
"""

from __future__ import annotations

import re

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_LABEL = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|xn--[A-Za-z0-9-]{1,59})"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
_ADDRESS = re.compile(rf"^{_LOCAL}@{_DOMAIN}$")
MAX_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1
MAX_ADDRESS = 254  # RFC 5321 §4.5.3.1.3 path limit minus the angle brackets


def is_valid_address(address: str) -> bool:
    """True for a plain addr-spec we may send to (dot-atom local part, dotted domain, RFC 5321 lengths)."""
    if not isinstance(address, str) or len(address) > MAX_ADDRESS or not _ADDRESS.match(address):
        return False
    return len(address.rsplit("@", 1)[0]) <= MAX_LOCAL_PART


def normalize_address(text: str) -> str | None:
    """The typed text as a lower-case address when it is one we can send to, else None."""
    candidate = (text or "").strip().strip("<>").strip().lower()
    return candidate if is_valid_address(candidate) else None
