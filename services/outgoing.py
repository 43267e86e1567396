"""Outgoing e-mails as plain data, queued in the database outbox in the caller's transaction."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import asdict, dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import OutboxMail


@dataclass(frozen=True)
class MailAttachment:
    """A file attached to an outgoing mail (e.g. an .ics invitation)."""

    filename: str
    content_type: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportDocument:
    """A submitted report version whose document is rendered and attached (first) when the mail is sent,
    so that the person submitting never waits for a PDF."""

    report_id: int
    version: int


@dataclass(frozen=True)
class OutgoingMail:
    """Everything needed to compose one e-mail later; the transport turns it into MIME."""

    message_id: str
    to: tuple[tuple[str, str], ...]
    subject: str
    text: str
    html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_submitted: str | None = None
    attachments: tuple[MailAttachment, ...] = ()
    report_document: ReportDocument | None = None

    def to_json(self) -> str:
        """Serialise for the outbox table."""
        data = asdict(self)
        data["attachments"] = [
            {**a, "data": base64.b64encode(a["data"]).decode("ascii")} for a in data["attachments"]
        ]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> OutgoingMail:
        """Read back what `to_json` wrote."""
        data = json.loads(text)
        attachments = tuple(
            MailAttachment(
                a["filename"], a["content_type"], base64.b64decode(a["data"]), a.get("params") or {}
            )
            for a in data.get("attachments", [])
        )
        return cls(
            message_id=data["message_id"],
            to=tuple((name, address) for name, address in data["to"]),
            subject=data["subject"],
            text=data["text"],
            html=data.get("html"),
            in_reply_to=data.get("in_reply_to"),
            references=tuple(data.get("references") or ()),
            auto_submitted=data.get("auto_submitted"),
            attachments=attachments,
            report_document=ReportDocument(**data["report_document"])
            if data.get("report_document")
            else None,
        )


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID in angle brackets (RFC 5322 §3.6.4)."""
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue_mail(
    session: AsyncSession, mail: OutgoingMail, *, purpose: str, ticket_id: int | None = None
) -> OutboxMail:
    """Stage the mail in the outbox; it is sent only if the caller's transaction commits."""
    record = OutboxMail(
        message_id=mail.message_id,
        ticket_id=ticket_id,
        purpose=purpose,
        primary_recipient=mail.to[0][1].lower() if mail.to else "",
        payload=mail.to_json(),
    )
    session.add(record)
    return record
