"""The stdlib MIME parser, fed in slices, keeping no leaf payload larger than the bot can use."""

from __future__ import annotations

from collections.abc import Callable
from email.feedparser import BytesFeedParser
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import Policy, compat32

from mail.mime_body import DECODED_SIZE_ATTRIBUTE, MAX_ENCODED_TEXT, decoded_size_at_least

_FEED_BYTES = 1024 * 1024


def parse_message(data: bytes, message_policy: Policy, *, max_attachment_bytes: int) -> Message:
    """The message tree of `data`; a part too large to attach keeps only the start of its payload.

    Such a part remembers its decoded size in DECODED_SIZE_ATTRIBUTE, so it is still reported as a too
    large attachment, and its text can still be read from the start.
    """
    factory = _lean_factory(Message if message_policy is compat32 else EmailMessage, max_attachment_bytes)
    try:
        # parsebytes() would first copy the whole mail into a StringIO at 4 bytes a character
        parser = BytesFeedParser(_factory=factory, policy=message_policy)
        view = memoryview(data)
        for start in range(0, len(data), _FEED_BYTES):
            parser.feed(bytes(view[start : start + _FEED_BYTES]))
        return parser.close()
    except RecursionError:
        # The stdlib parser recurses once per MIME level; hostile nesting gets the headers and raw body.
        return parse_headers(data, message_policy)


def parse_headers(data: bytes, message_policy: Policy) -> Message:
    """Only the header section of `data` is parsed (the body stays one string)."""
    return BytesParser(policy=message_policy).parsebytes(data, headersonly=True)


def _lean_factory(base: type[Message], max_bytes: int) -> Callable[..., Message]:
    class LeanMessage(base):  # type: ignore[valid-type, misc]
        def set_payload(self, payload, charset=None):
            # The parser hands over a leaf's whole body here, and then scans it once more with a regex
            # that holds the GIL for a second per 100 MB: cutting it first bounds memory and that scan.
            if isinstance(payload, str) and len(payload) > MAX_ENCODED_TEXT:
                encoding = str(self.get("content-transfer-encoding") or "").strip().lower()
                size = decoded_size_at_least(payload, encoding)
                if size > max_bytes:
                    setattr(self, DECODED_SIZE_ATTRIBUTE, size)
                    payload = payload[:MAX_ENCODED_TEXT]
            super().set_payload(payload, charset)

    def factory(policy: Policy) -> Message:
        return LeanMessage(policy=policy)

    return factory
