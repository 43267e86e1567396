"""Message-ID and mailbox-address helpers shared by parsing, loop protection and composition."""

from __future__ import annotations

import hashlib
import re

# RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">"; real mail also carries IDs without "@", folded
# over lines, or without the angle brackets, so parsing is lenient and output is always "<...>".
_BRACKETED = re.compile(r"<([^<>\s]+)>")
_BARE = re.compile(r"^[^\s<>@]+@[^\s<>@]+$")
# RFC 5322 §2.1.1 caps a line at 998 characters, so a longer Message-ID cannot be answered with an
# In-Reply-To line; it also would not fit the 998-character columns. Such IDs become a stable hash, so the
# same mail still has the same key (duplicates found) and a reply quoting it still finds it.
MAX_MESSAGE_ID = 900


def normalize_message_id(value: str | None) -> str | None:
    """The first Message-ID in `value` as "<id>", or None when there is none."""
    if not value:
        return None
    # A long ID folded over two lines ("<abc\r\n def@x>") only matches once the whitespace is gone.
    match = _BRACKETED.search(value) or _BRACKETED.search(re.sub(r"\s+", "", value))
    if match:
        return _fit_message_id(f"<{match.group(1)}>")
    bare = value.strip().strip("<>").strip()
    return _fit_message_id(f"<{bare}>") if _BARE.match(bare) else None


def message_ids(value: str | None) -> list[str]:
    """All Message-IDs of a References/In-Reply-To value, in order, de-duplicated, as "<id>"."""
    if not value:
        return []
    found = [f"<{match}>" for match in _BRACKETED.findall(value)]
    if not found:
        found = [f"<{token}>" for token in value.split() if _BARE.match(token.strip("<>,;"))]
    return list(dict.fromkeys(map(_fit_message_id, found)))


def _fit_message_id(message_id: str) -> str:
    if len(message_id) <= MAX_MESSAGE_ID:
        return message_id
    digest = hashlib.sha256(message_id.encode("utf-8", errors="surrogatepass")).hexdigest()
    return f"<sha256.{digest}@long-message-id.invalid>"


def local_part(address: str) -> str:
    """The part before the last "@", lower-cased ("" for an empty address)."""
    return address.rsplit("@", 1)[0].lower() if address else ""
