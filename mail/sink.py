"""Stand-in for SMTP without a server: every message becomes a readable .eml file in a folder."""

from __future__ import annotations

import asyncio
import copy
import os
import re
import tempfile
import threading
import uuid
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from mail.smtp_sender import SendResult, envelope_of

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_SHORT_ID = 12
# A bounded search for a free name; two messages with the same Message-ID in the same microsecond is
# already a retry storm, not something to work around forever.
_MAX_NAME_TRIES = 100


class MailSink:
    """Accepts every message and writes it to `folder` as `<timestamp>-<short-message-id>.eml`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        # Writes run in worker threads; choosing a free name and renaming onto it must not interleave,
        # or two messages with the same name would overwrite each other.
        self._naming = threading.Lock()

    async def send_email(
        self, message: EmailMessage, *, sender: str | None = None, recipients: list[str] | None = None
    ) -> SendResult:
        """Save `message` as a mailbox would store it; every recipient counts as accepted."""
        # The same envelope rules as SMTP, so a message that works locally does not fail in production.
        envelope_from, envelope_to = envelope_of(message, sender=sender, recipients=recipients)
        path = await asyncio.to_thread(self._write, message, envelope_from, envelope_to)
        return SendResult(accepted=tuple(envelope_to), refused={}, response=f"saved to {path}")

    def list_messages(self) -> list[Path]:
        """The saved .eml files, oldest first (the names start with a UTC timestamp)."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.eml"))

    def _write(self, message: EmailMessage, sender: str, recipients: list[str]) -> Path:
        """Write the file atomically, so a reader never sees half a message."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = _as_delivered(message, sender, recipients)
        # The temp file starts with "." and ends in ".tmp" so list_messages() never returns it.
        handle, temp_name = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            with self._naming:
                target = self._free_name(message)
                os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return target

    def _free_name(self, message: EmailMessage) -> Path:
        """A not yet used `<timestamp>-<short-message-id>.eml` path."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        stem = f"{stamp}-{_short_id(message)}"
        for attempt in range(_MAX_NAME_TRIES):
            candidate = self.folder / (f"{stem}.eml" if attempt == 0 else f"{stem}-{attempt}.eml")
            if not candidate.exists():
                return candidate
        raise FileExistsError(f"no free file name for {stem} in {self.folder}")


def _as_delivered(message: EmailMessage, sender: str, recipients: list[str]) -> bytes:
    """The message as a mailbox would store it: the envelope first, then the message without Bcc."""
    visible = copy.deepcopy(message)
    # RFC 5322 §3.6.3: Bcc is not transmitted; the envelope lines below still show who got a copy.
    del visible["Bcc"]
    del visible["Resent-Bcc"]
    # RFC 5321 §4.4: the delivering server records the reverse-path as Return-Path; Envelope-To is
    # the header Exim adds for the RCPT TO addresses. One address per folded line keeps each line short
    # (RFC 5322 §2.1.1). Lines end in "\n" as in a local mailbox: mail clients read it, and Python's
    # parser gives back exactly the text that was composed (with "\r\n" it keeps the "\r").
    envelope = f"Return-Path: <{sender}>\nEnvelope-To: " + ",\n ".join(recipients) + "\n"
    return envelope.encode("utf-8") + visible.as_bytes(policy=policy.default)


def _short_id(message: EmailMessage) -> str:
    """A file-name-safe tail of the Message-ID's left part, or a random one when there is none."""
    raw = str(message.get("Message-ID", "")).strip().strip("<>")
    # make_msgid() puts a timestamp first and the random part last, so the tail is what differs.
    left = _UNSAFE.sub("-", raw.split("@", 1)[0]).strip("-")
    return left[-_SHORT_ID:].strip("-") or uuid.uuid4().hex[:_SHORT_ID]
