"""A person's data (DSGVO Art. 15/17/20): everything stored about a Telegram user or an e-mail address,
exported as one JSON document, or erased.

Erasure keeps what the Fachstelle needs without the person: submitted reports stay with the municipality
(without reporter name and address), tickets, bookings and questions stay as anonymous records for the
statistics (texts replaced). Future bookings are cancelled first, so both sides get the CANCEL invitation;
that mail leaves the outbox as usual. Conversation state, stored updates, pending chat messages, contact
and access records are deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.booking.bookings import cancel_booking
from services.booking.config import BookingConfig
from storage.tables import (
    AskedQuestion,
    Booking,
    EmailConfirmation,
    Feedback,
    FsmRecord,
    MeasureReport,
    OutboxMail,
    ReportAccess,
    ReportCampaignSend,
    ReportContact,
    ReportVersion,
    TelegramOutbox,
    TelegramUpdate,
    Ticket,
    TicketMessage,
)
from storage.types import utcnow
from storage.web_chat import delete_chat, export_chat, is_web_chat

ERASED = "[gelöscht]"
# what is left of a booking, a question once the person is gone (erasure and retention alike)
ANONYMOUS_BOOKING = {
    "contact_name": ERASED,
    "contact_email": "",
    "contact_phone": None,
    "note": "",
    "telegram_chat_id": None,
}
ANONYMOUS_QUESTION = {"question": ERASED, "user_ref": "erased"}
CANCELLED_FOR_PRIVACY = "privacy"


@dataclass(frozen=True)
class Person:
    """Whom a request is about: a Telegram user id, an e-mail address, or both."""

    telegram_id: int | None = None
    email: str | None = None

    def __post_init__(self) -> None:
        if self.telegram_id is None and not self.email:
            raise ValueError("telegram_id or email is needed")
        if self.email:
            object.__setattr__(self, "email", self.email.strip().lower())

    @property
    def user_ref(self) -> str | None:
        return f"tg:{self.telegram_id}" if self.telegram_id is not None else None


def _any(*conditions):
    present = [condition for condition in conditions if condition is not None]
    return or_(*present) if present else None


def _chat(column, person: Person):
    return column == person.telegram_id if person.telegram_id is not None else None


def _address(column, person: Person):
    return func.lower(column) == person.email if person.email else None


def _row(row, *skip: str) -> dict:
    data = row.model_dump(exclude=set(skip))
    return {
        key: (value.isoformat() if isinstance(value, dt.datetime | dt.date) else value)
        for key, value in data.items()
    }


async def _all(session: AsyncSession, table, condition):
    if condition is None:
        return []
    return list((await session.exec(select(table).where(condition))).all())


async def export_person(session: AsyncSession, person: Person) -> dict:
    """Everything stored about the person, machine-readable (JSON-ready)."""
    tickets = await _all(
        session,
        Ticket,
        _any(_chat(Ticket.requester_chat_id, person), _address(Ticket.requester_email, person)),
    )
    ticket_ids = [ticket.id for ticket in tickets]
    messages = (
        await _all(session, TicketMessage, col(TicketMessage.ticket_id).in_(ticket_ids)) if ticket_ids else []
    )
    questions = await _all(
        session, AskedQuestion, AskedQuestion.user_ref == person.user_ref if person.user_ref else None
    )
    feedback = await _all(
        session, Feedback, Feedback.user_ref == person.user_ref if person.user_ref else None
    )
    fsm = [
        record
        for record in await _all(session, FsmRecord, _fsm_condition(person))
        if _fsm_matches(record.key, person)
    ]
    return {
        "exported_at": utcnow().isoformat(),
        "person": {"telegram_id": person.telegram_id, "email": person.email},
        "conversation_state": [{"state": r.state, "data": json.loads(r.data) if r.data else {}} for r in fsm],
        "report_contacts": [
            _row(r) for r in await _all(session, ReportContact, _chat(ReportContact.chat_id, person))
        ],
        "report_access": [
            _row(r)
            for r in await _all(
                session,
                ReportAccess,
                _any(_chat(ReportAccess.chat_id, person), _address(ReportAccess.email, person)),
            )
        ],
        "email_confirmations": [
            _row(r, "code_hash")
            for r in await _all(
                session,
                EmailConfirmation,
                _any(_chat(EmailConfirmation.chat_id, person), _address(EmailConfirmation.email, person)),
            )
        ],
        "questions": [_row(q) for q in questions],
        "feedback": [_row(f) for f in feedback],
        "tickets": [
            _row(ticket)
            | {"messages": [_row(m) for m in messages if m.ticket_id == ticket.id and not m.internal]}
            for ticket in tickets
        ],
        "bookings": [
            _row(b)
            for b in await _all(
                session,
                Booking,
                _any(_chat(Booking.telegram_chat_id, person), _address(Booking.contact_email, person)),
            )
        ],
        "report_drafts": [
            _row(r) for r in await _all(session, MeasureReport, _chat(MeasureReport.owner_chat_id, person))
        ],
        "submitted_reports": [
            _row(v)
            for v in await _all(
                session,
                ReportVersion,
                _any(_chat(ReportVersion.chat_id, person), _address(ReportVersion.reporter_email, person)),
            )
        ],
        "web_chat": (
            await export_chat(session, chat_id=person.telegram_id)
            if is_web_chat(person.telegram_id)
            else None
        ),
    }


def _fsm_condition(person: Person):
    return col(FsmRecord.key).like(f"%:{person.telegram_id}:%") if person.telegram_id is not None else None


def _fsm_matches(key: str, person: Person) -> bool:
    parts = key.split(":")
    return len(parts) > 2 and str(person.telegram_id) in (parts[1], parts[2])


async def erase_person(
    session: AsyncSession, booking: BookingConfig, person: Person, *, now: dt.datetime | None = None
) -> dict[str, int]:
    """Erase the person's data (see the module's description); commits; returns what was changed."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    bookings = await _all(
        session,
        Booking,
        _any(_chat(Booking.telegram_chat_id, person), _address(Booking.contact_email, person)),
    )
    future = [b for b in bookings if b.state == "active" and b.start_utc > now]
    queued_before = (await session.exec(select(func.max(OutboxMail.id)))).one() or 0
    for item in future:
        await cancel_booking(session, booking, booking_id=item.id, by=CANCELLED_FOR_PRIVACY, now=now)
    counts["bookings_cancelled"] = len(future)
    names = {value for value in _known_names(bookings) if value}
    addresses = {person.email, *(b.contact_email for b in bookings)}  # read before the rows are changed

    ids = [b.id for b in bookings]
    if ids:
        await session.exec(update(Booking).where(col(Booking.id).in_(ids)).values(**ANONYMOUS_BOOKING))
    counts["bookings_anonymised"] = len(ids)

    tickets = await _all(
        session,
        Ticket,
        _any(_chat(Ticket.requester_chat_id, person), _address(Ticket.requester_email, person)),
    )
    names |= {t.requester_name for t in tickets if t.requester_name}
    addresses |= {t.requester_email for t in tickets}
    ticket_ids = [t.id for t in tickets]
    if ticket_ids:
        await anonymise_tickets(session, ticket_ids)
    counts["tickets_anonymised"] = len(ticket_ids)
    # mails about her (sent or not) hold her name, address and texts; only the CANCEL invitations this
    # erasure just queued still go out
    about_her = [col(OutboxMail.payload).contains(address) for address in addresses if address]
    if ticket_ids:
        about_her.append(col(OutboxMail.ticket_id).in_(ticket_ids))
    if about_her:
        result = await session.exec(delete(OutboxMail).where(OutboxMail.id <= queued_before, or_(*about_her)))
        counts["mails_deleted"] = result.rowcount or 0

    if person.user_ref:
        result = await session.exec(
            update(AskedQuestion)
            .where(AskedQuestion.user_ref == person.user_ref)
            .values(**ANONYMOUS_QUESTION)
        )
        counts["questions_anonymised"] = result.rowcount or 0
        await session.exec(
            update(Feedback).where(Feedback.user_ref == person.user_ref).values(user_ref="erased")
        )

    versions = await _all(
        session,
        ReportVersion,
        _any(_chat(ReportVersion.chat_id, person), _address(ReportVersion.reporter_email, person)),
    )
    names |= {v.reporter_name for v in versions if v.reporter_name}
    if versions:
        await session.exec(
            update(ReportVersion)
            .where(col(ReportVersion.id).in_([v.id for v in versions]))
            .values(reporter_name=ERASED, reporter_email="", reporter_role="", chat_id=None)
        )
    counts["report_versions_anonymised"] = len(versions)
    drafts = await _all(session, MeasureReport, _chat(MeasureReport.owner_chat_id, person))
    for draft in drafts:
        draft.reporter_json = "{}"
        draft.current_json = _scrub(draft.current_json, names, person)
        draft.owner_chat_id = None
        session.add(draft)
    counts["report_drafts_anonymised"] = len(drafts)

    if person.telegram_id is not None:
        chat = person.telegram_id
        fsm = [
            r for r in await _all(session, FsmRecord, _fsm_condition(person)) if _fsm_matches(r.key, person)
        ]
        for record in fsm:
            await session.delete(record)
        for table, column in (
            (TelegramUpdate, TelegramUpdate.chat_id),
            (TelegramOutbox, TelegramOutbox.chat_id),
            (ReportContact, ReportContact.chat_id),
            (ReportCampaignSend, ReportCampaignSend.chat_id),
        ):
            await session.exec(delete(table).where(column == chat))
        if is_web_chat(chat):
            await delete_chat(session, chat_id=chat)
    for table, chat_column, address_column in (
        (ReportAccess, ReportAccess.chat_id, ReportAccess.email),
        (EmailConfirmation, EmailConfirmation.chat_id, EmailConfirmation.email),
    ):
        condition = _any(_chat(chat_column, person), _address(address_column, person))
        if condition is not None:
            await session.exec(delete(table).where(condition))
    await session.commit()
    return counts


async def anonymise_tickets(session: AsyncSession, ticket_ids: list[int]) -> None:
    """Tickets and their messages without the requester and the texts (the records stay for statistics)."""
    await session.exec(
        update(Ticket)
        .where(col(Ticket.id).in_(ticket_ids))
        .values(
            requester_name=None, requester_email=None, requester_chat_id=None, subject=ERASED, question=ERASED
        )
    )
    await session.exec(
        update(TicketMessage)
        .where(col(TicketMessage.ticket_id).in_(ticket_ids))
        .values(body=ERASED, author_address=None)
    )


def _known_names(bookings) -> set[str]:
    return {b.contact_name for b in bookings}


def _scrub(text: str | None, names: set[str], person: Person) -> str | None:
    if not text:
        return text
    for value in (*names, person.email or ""):
        if value and value != ERASED:
            text = text.replace(value, ERASED)
    return text
