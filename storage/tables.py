"""All SQLModel tables. Schema changes go through Alembic migrations in storage/migrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class AskedQuestion(SQLModel, table=True):
    """Every question put to the answering policy, with its outcome (the curators' gap list)."""

    __tablename__ = "asked_question"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    channel: str = Field(max_length=16)
    user_ref: str = Field(max_length=64, index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=16)
    reason: str = Field(max_length=32)
    entry_id: str | None = Field(default=None, max_length=64)
    score: float = 0.0
    answered: bool = Field(default=False, index=True)


class Feedback(SQLModel, table=True):
    """A 👍/👎 on one answer; one vote per answered question, the latest wins."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("question_id", name="uq_feedback_question"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    question_id: int = Field(foreign_key="asked_question.id")
    entry_id: str | None = Field(default=None, max_length=64, index=True)
    user_ref: str = Field(max_length=64)
    vote: int


class FsmRecord(SQLModel, table=True):
    """Conversation state of one chat (aiogram FSM), so restarts and other instances continue it."""

    __tablename__ = "fsm_record"

    key: str = Field(primary_key=True, max_length=255)
    state: str | None = Field(default=None, max_length=255)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ReferenceCounter(SQLModel, table=True):
    """The last ticket number handed out per year (KK-2026-0042); updated with a compare-and-set."""

    __tablename__ = "reference_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = 0


class Ticket(SQLModel, table=True):
    """A question handed to the advisors, by Telegram or e-mail, with its state and owner."""

    __tablename__ = "ticket"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    state: str = Field(max_length=16, index=True)
    channel: str = Field(max_length=16)
    requester_name: str | None = Field(default=None, max_length=200)
    requester_email: str | None = Field(default=None, max_length=320, index=True)
    requester_chat_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, index=True)
    )
    chat_owner: str = Field(default="ticket", max_length=16)
    municipality_ags: str | None = Field(default=None, max_length=8)
    municipality_name: str | None = Field(default=None, max_length=200)
    subject: str = Field(max_length=200)
    question: str = Field(sa_column=Column(Text, nullable=False))
    considered_entries: str = Field(default="", max_length=500)
    linked_ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    answered_by: str | None = Field(default=None, max_length=320)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    waiting_since: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    sla_reminded_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    closed_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class TicketMessage(SQLModel, table=True):
    """One message of a ticket's thread, in or out, with its e-mail Message-ID when it has one."""

    __tablename__ = "ticket_message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    direction: str = Field(max_length=8)
    author: str = Field(max_length=16)
    author_address: str | None = Field(default=None, max_length=320)
    channel: str = Field(max_length=16)
    message_id: str | None = Field(default=None, max_length=998, index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    internal: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class OutboxMail(SQLModel, table=True):
    """An e-mail to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox_mail"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=998, unique=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    purpose: str = Field(max_length=32)
    primary_recipient: str = Field(max_length=320, index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class TelegramOutbox(SQLModel, table=True):
    """A message to deliver to a Telegram chat (advisor replies, notices), durable across restarts."""

    __tablename__ = "telegram_outbox"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    kind: str = Field(default="text", max_length=16)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    document_name: str | None = Field(default=None, max_length=255)
    document: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class MailCheckpoint(SQLModel, table=True):
    """Where the IMAP reader stands in a mailbox: UIDVALIDITY and the last handled UID."""

    __tablename__ = "mail_checkpoint"

    mailbox: str = Field(primary_key=True, max_length=255)
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class ProcessedMail(SQLModel, table=True):
    """An incoming e-mail that was handled, keyed by Message-ID so each is handled exactly once."""

    __tablename__ = "processed_mail"

    message_key: str = Field(primary_key=True, max_length=998)
    outcome: str = Field(max_length=32)
    reason: str = Field(default="", max_length=500)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    processed_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ReferenceSequence(SQLModel, table=True):
    """The last number handed out per prefix and year (IB-2026-0007); updated with a compare-and-set."""

    __tablename__ = "reference_sequence"

    prefix: str = Field(primary_key=True, max_length=8)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = 0


class Booking(SQLModel, table=True):
    """An initial consultation (Initialberatung) of a municipality with one advisor, in one grid slot."""

    __tablename__ = "booking"
    __table_args__ = (
        # a slot is held by at most one active booking; a cancelled booking frees it
        Index(
            "uq_booking_active_slot",
            "advisor_email",
            "start_utc",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    advisor_email: str = Field(max_length=320, index=True)
    topic: str = Field(max_length=32)
    start_utc: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    end_utc: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    format: str = Field(max_length=16)
    municipality_ags: str | None = Field(default=None, max_length=8)
    municipality_name: str = Field(max_length=200)
    contact_name: str = Field(max_length=200)
    contact_email: str = Field(max_length=320)
    contact_phone: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=500)
    telegram_chat_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, index=True)
    )
    state: str = Field(default="active", max_length=16, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    cancelled_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    cancelled_by: str | None = Field(default=None, max_length=320)
    rescheduled_from_id: int | None = Field(default=None, foreign_key="booking.id")
    reminded_24h_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reminded_1h_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    ics_uid: str = Field(max_length=255)
    ics_sequence: int = 0


class AdvisorAbsence(SQLModel, table=True):
    """Whole days (first to last, Berlin dates, inclusive) on which an advisor offers no slots."""

    __tablename__ = "advisor_absence"

    id: int | None = Field(default=None, primary_key=True)
    advisor_email: str = Field(max_length=320, index=True)
    first_day: dt.date
    last_day: dt.date
    note: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class MeasureReport(SQLModel, table=True):
    """The yearly measure report of one municipality: its state and the working copy being answered.

    The working copy (reporter, measures, the measure being answered) is saved after every answer, so a
    conversation can stop any time and continue days later on any instance. Submissions live in
    `ReportVersion`; `version_count` is moved by compare-and-set so concurrent submits never share a number.
    `revision` counts changes of the working copy: a writer stores only over the revision it read, so two
    chats answering at the same moment re-read and re-apply instead of overwriting each other.
    """

    __tablename__ = "measure_report"
    __table_args__ = (UniqueConstraint("ags", "year", name="uq_measure_report_ags_year"),)

    id: int | None = Field(default=None, primary_key=True)
    ags: str = Field(max_length=8)  # looked up through the unique (ags, year) index
    municipality_name: str = Field(max_length=200)
    year: int = Field(index=True)
    state: str = Field(default="draft", max_length=16, index=True)
    version_count: int = 0
    reporter_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    measures_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    current_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    next_step: str = Field(default="", max_length=64)
    owner_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    submitted_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ReportVersion(SQLModel, table=True):
    """One submission of a report, never changed afterwards; an amendment adds the next version."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_report_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="measure_report.id", index=True)
    version: int
    submitted_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    reporter_name: str = Field(max_length=200)
    reporter_email: str = Field(max_length=320)
    reporter_role: str = Field(default="", max_length=200)
    measures_json: str = Field(sa_column=Column(Text, nullable=False))
    channel: str = Field(max_length=16)
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class ReportAttachment(SQLModel, table=True):
    """A photo or PDF of one measure of a report, with its bytes (at most 10 MB, checked by the service)."""

    __tablename__ = "report_attachment"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="measure_report.id", index=True)
    measure_index: int
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ReportContact(SQLModel, table=True):
    """A Telegram chat that reports for a municipality: whom the yearly report campaign reminds."""

    __tablename__ = "report_contact"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    ags: str = Field(max_length=8, index=True)
    municipality_name: str = Field(max_length=200)
    no_reminders: bool = False
    first_seen_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_contacted_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class ReportCampaignSend(SQLModel, table=True):
    """A reminder of the report campaign sent to a chat; the unique key keeps each from going out twice."""

    __tablename__ = "report_campaign_send"
    __table_args__ = (UniqueConstraint("chat_id", "year", "kind", name="uq_report_campaign_send"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    year: int
    kind: str = Field(max_length=16)
    sent_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TelegramUpdate(SQLModel, table=True):
    """A raw Telegram update, stored before Telegram is told it arrived and kept until it was handled.

    `update_id` is Telegram's own number, so an update delivered twice is stored once. An instance claims
    a pending update by setting `lease_until` (compare-and-set); a crash leaves the lease to expire and
    another instance (or the restarted one) handles the update again.
    """

    __tablename__ = "telegram_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    lease_until: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    received_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    handled_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_error: str | None = Field(default=None, max_length=500)


class EmailConfirmation(SQLModel, table=True):
    """A code mailed to an address to prove that a chat reads that mailbox; `confirmed_at` once typed in."""

    __tablename__ = "email_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    email: str = Field(max_length=320, index=True)
    purpose: str = Field(max_length=32)
    ags: str | None = Field(default=None, max_length=8)
    code_hash: str = Field(max_length=64)
    attempts: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    confirmed_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ReportAccess(SQLModel, table=True):
    """A chat allowed to work on one municipality's reports, and how it proved that it belongs there."""

    __tablename__ = "report_access"
    __table_args__ = (
        # only one chat can be the first reporter of a municipality, even when two confirm at once
        Index(
            "uq_report_access_first_reporter",
            "ags",
            unique=True,
            sqlite_where=text("via = 'first-reporter'"),
            postgresql_where=text("via = 'first-reporter'"),
        ),
    )

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    ags: str = Field(primary_key=True, max_length=8)
    email: str | None = Field(default=None, max_length=320)
    via: str = Field(max_length=32)
    granted_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class WebVisitor(SQLModel, table=True):
    """A browser of the web chat: the hash of its cookie; its conversation runs as chat `WEB_CHAT_BASE + id`."""

    __tablename__ = "web_visitor"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    reply_email: str | None = Field(default=None, max_length=320)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )


class WebEvent(SQLModel, table=True):
    """One thing a web chat shows, in order: a message (bot's or visitor's), its edit or deletion, a notice.

    A message keeps its `message_id` through edits; a button press is stored as an event of its own too
    (never shown) so that its update gets a number of its own.
    """

    __tablename__ = "web_event"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    kind: str = Field(max_length=16)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )


class WebFile(SQLModel, table=True):
    """A file of a web chat: an upload of the visitor or a document the bot sent (a download link)."""

    __tablename__ = "web_file"

    id: str = Field(primary_key=True, max_length=43)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    name: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
