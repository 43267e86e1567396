"""Tickets: hand a question to the advisors, relay their answers, reopen and close — channel-neutral."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import metrics
from services import ticket_texts as texts
from services.advisors import AdvisorDirectory
from services.outgoing import MailAttachment, OutgoingMail, new_message_id, queue_mail
from services.ticket_details import TicketDetails, TicketState
from storage.tables import OutboxMail, ReferenceCounter, TelegramOutbox, Ticket, TicketMessage
from storage.types import MAX_ROW_ID, utcnow
from storage.web_chat import get_reply_email

MAX_REFERENCES = 20
REOPEN_WINDOW = dt.timedelta(days=30)
# `answered_by` of tickets the bot answered itself from the knowledge base (e-mail auto-answers)
BOT_ANSWERER = "klimabot"


ACTIVE_STATES = (TicketState.OPEN, TicketState.WAITING, TicketState.ANSWERED)


class TicketNotFound(LookupError):
    """No ticket with that reference."""


class Audience(StrEnum):
    """Who a mail of the bot went to: a reply to it may act only for them."""

    ADVISORS = "advisors"
    REQUESTER = "requester"


# the outbox purposes of the mails each audience gets in a ticket's thread
AUDIENCE_PURPOSES = {
    Audience.ADVISORS: ("escalation", "follow_up"),
    Audience.REQUESTER: ("acknowledgement", "auto_answer", "advisor_reply"),
}


@dataclass(frozen=True)
class TicketConfig:
    """What ticket handling needs to know about the installation."""

    inbox_address: str
    advisors: AdvisorDirectory
    sender_name: str = "Fachstelle Klima-Kommunen (klimabot)"

    @property
    def domain(self) -> str:
        """The domain used in our Message-IDs."""
        return self.inbox_address.rsplit("@", 1)[-1]


@dataclass(frozen=True)
class NewTicket:
    """A question that needs a human, as the channel collected it."""

    channel: str
    question: str
    requester_name: str | None = None
    requester_email: str | None = None
    chat_id: int | None = None
    municipality_ags: str | None = None
    municipality_name: str | None = None
    conversation: tuple[str, ...] = ()
    considered: tuple[tuple[str, str], ...] = ()
    incoming_message_id: str | None = None
    incoming_references: tuple[str, ...] = ()
    subject: str | None = None
    linked_ticket_id: int | None = None
    acknowledge: bool = True
    # shown to the advisors above the request, e.g. why a mail was not added to the ticket it named
    note: str | None = None


@dataclass(frozen=True)
class AdvisorReply:
    """The new text of an advisor's e-mail reply, with control tags already recognised."""

    advisor_address: str
    text: str
    message_id: str | None
    internal: bool = False
    close: bool = False
    attachments: tuple[tuple[str, bytes], ...] = field(default=())


def fit_column(value: str | None, limit: int) -> str | None:
    """`value` cut to a column's length; storing a longer one fails on PostgreSQL for the whole mail."""
    return value if value is None or len(value) <= limit else value[:limit]


def fit_message_id(message_id: str | None, limit: int = 998) -> str | None:
    """A Message-ID that fits its column: a longer one becomes a stable hash, so it still matches itself."""
    if message_id is None or len(message_id) <= limit:
        return message_id
    digest = hashlib.sha256(message_id.encode("utf-8", errors="surrogatepass")).hexdigest()
    return f"<sha256.{digest}@long-message-id.invalid>"


def _entry_ids(considered: tuple[tuple[str, str], ...], limit: int = 500) -> str:
    """The considered entry IDs, comma-separated, as many whole IDs as fit the column."""
    joined = ""
    for entry_id, _ in considered:
        candidate = f"{joined},{entry_id}" if joined else entry_id
        if len(candidate) > limit:
            break
        joined = candidate
    return joined


def fit_file_name(name: str, limit: int = 255) -> str:
    """A file name cut to `limit` characters, keeping its extension (what the reader's program needs)."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16:
        return name[:limit]
    return stem[: limit - len(extension) - 2] + "…." + extension


async def allocate_reference(session: AsyncSession, *, year: int) -> str:
    """The next public reference of the year (KK-2026-0042), safe under concurrent callers."""
    for _attempt in range(50):
        counter = await session.get(ReferenceCounter, year, populate_existing=True)
        if counter is None:
            session.add(ReferenceCounter(year=year, last_number=1))
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                continue
            return f"KK-{year}-{1:04d}"
        current = counter.last_number
        # compare-and-set: only one concurrent caller moves the counter from `current`
        result = await session.exec(
            update(ReferenceCounter)
            .where(col(ReferenceCounter.year) == year, col(ReferenceCounter.last_number) == current)
            .values(last_number=current + 1)
        )
        if result.rowcount == 1:
            return f"KK-{year}-{current + 1:04d}"
    raise RuntimeError("could not allocate a ticket reference")


def _advisor_mail(
    config: TicketConfig, ticket: Ticket, text: str, *, in_reply_to=None, references=()
) -> OutgoingMail:
    subject = f"[{ticket.reference}] {texts.summary_line(ticket.subject)}"
    return OutgoingMail(
        message_id=new_message_id(config.domain),
        to=tuple(config.advisors.escalation_recipients()),
        subject=subject,
        text=text,
        html=texts.text_to_html(text),
        in_reply_to=in_reply_to,
        references=tuple(references)[-MAX_REFERENCES:],
    )


def queue_in_thread(
    session: AsyncSession, ticket: Ticket | TicketDetails, mail: OutgoingMail, *, purpose: str
) -> None:
    """Queue a mail of this ticket and keep its Message-ID in the thread, so replies find the ticket."""
    queue_mail(session, mail, purpose=purpose, ticket_id=ticket.id)
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction="out",
            author="bot",
            channel="email",
            message_id=mail.message_id,
            body=mail.text,
        )
    )


async def _thread_ids(session: AsyncSession, ticket_id: int) -> list[str]:
    rows = await session.exec(
        select(TicketMessage.message_id)
        .where(TicketMessage.ticket_id == ticket_id, col(TicketMessage.message_id).is_not(None))
        .order_by(TicketMessage.id)
    )
    return [row for row in rows.all() if row]


async def _requester_thread_ids(session: AsyncSession, ticket_id: int) -> list[str]:
    """The requester's own mails and the bot's mails to them: never the advisors' Message-IDs.

    A Message-ID the bot sent to the advisors is what lets a reply act as an advisor, so it must not
    reach the requester in the References of mails to them.
    """
    rows = await session.exec(
        select(TicketMessage.message_id)
        .join(OutboxMail, col(OutboxMail.message_id) == col(TicketMessage.message_id), isouter=True)
        .where(
            TicketMessage.ticket_id == ticket_id,
            col(TicketMessage.message_id).is_not(None),
            (col(TicketMessage.author) == "user")
            | col(OutboxMail.purpose).in_(AUDIENCE_PURPOSES[Audience.REQUESTER]),
        )
        .order_by(TicketMessage.id)
    )
    return [row for row in rows.all() if row]


async def open_ticket(session: AsyncSession, config: TicketConfig, new: NewTicket) -> TicketDetails:
    """Create the ticket, mail it to the advisors and confirm to the requester — one transaction."""
    now = utcnow()
    reference = await allocate_reference(session, year=now.year)
    ticket = Ticket(
        reference=reference,
        state=TicketState.WAITING,
        channel=new.channel,
        requester_name=fit_column(new.requester_name, 200),
        requester_email=fit_column(new.requester_email.lower() if new.requester_email else None, 320),
        requester_chat_id=new.chat_id,
        municipality_ags=fit_column(new.municipality_ags, 8),
        municipality_name=fit_column(new.municipality_name, 200),
        subject=texts.summary_line(new.subject or new.question, 150),
        question=new.question.strip()[:10_000],
        considered_entries=_entry_ids(new.considered),
        linked_ticket_id=new.linked_ticket_id,
        waiting_since=now,
    )
    session.add(ticket)
    await session.flush()
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction="in",
            author="user",
            author_address=ticket.requester_email,
            channel=new.channel,
            message_id=fit_message_id(new.incoming_message_id),
            body=ticket.question,
        )
    )
    body = texts.escalation_text(ticket, list(new.conversation), list(new.considered))
    if new.linked_ticket_id:
        body = f"(Folgeanfrage zu einer abgeschlossenen Anfrage, Ticket-ID {new.linked_ticket_id})\n\n" + body
    if new.note:
        body = f"{new.note.strip()}\n\n{body}"
    mail = _advisor_mail(config, ticket, body)
    queue_in_thread(session, ticket, mail, purpose="escalation")
    if ticket.requester_email and new.acknowledge:
        incoming_refs = (*new.incoming_references, new.incoming_message_id) if new.incoming_message_id else ()
        copy = OutgoingMail(
            message_id=new_message_id(config.domain),
            to=((ticket.requester_name or "", ticket.requester_email),),
            subject=f"[{ticket.reference}] {texts.summary_line(ticket.subject)}",
            text=texts.requester_copy_text(ticket),
            in_reply_to=new.incoming_message_id,
            references=tuple(r for r in incoming_refs if r)[-MAX_REFERENCES:],
            auto_submitted="auto-replied" if new.channel == "email" else None,
        )
        queue_in_thread(session, ticket, copy, purpose="acknowledgement")
    await session.commit()
    metrics.TICKETS_OPENED.labels(new.channel).inc()
    return TicketDetails.of(ticket)


async def add_requester_message(
    session: AsyncSession,
    config: TicketConfig,
    which: TicketDetails,
    *,
    text: str,
    channel: str,
    incoming_message_id: str | None = None,
) -> TicketDetails:
    """A further message of the requester: into the advisors' thread; the ticket waits again."""
    ticket = await _row(session, which.id)
    thread = await _thread_ids(session, ticket.id)
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction="in",
            author="user",
            author_address=ticket.requester_email,
            channel=channel,
            message_id=fit_message_id(incoming_message_id),
            body=text.strip()[:10_000],
        )
    )
    body = texts.follow_up_text(ticket, text, channel)
    if ticket.answered_by == BOT_ANSWERER and ticket.state == TicketState.CLOSED:
        # the advisors never saw this request: the bot answered it automatically and the answer did not help
        body = (
            "Die automatische Antwort des Bots hat nicht gereicht – bitte übernehmen Sie.\n\n"
            + texts.escalation_text(ticket, [], [(ticket.considered_entries, "automatisch beantwortet")])
            + "\n\n"
            + body
        )
        ticket.answered_by = None
    mail = _advisor_mail(config, ticket, body, in_reply_to=thread[-1] if thread else None, references=thread)
    queue_in_thread(session, ticket, mail, purpose="follow_up")
    now = utcnow()
    if ticket.state != TicketState.WAITING:
        ticket.waiting_since = now
        ticket.sla_reminded_at = None
    ticket.state = TicketState.WAITING
    ticket.closed_at = None
    ticket.updated_at = now
    session.add(ticket)
    await session.commit()
    return TicketDetails.of(ticket)


async def record_advisor_reply(
    session: AsyncSession, config: TicketConfig, which: TicketDetails, reply: AdvisorReply
) -> TicketDetails:
    """Store an advisor's reply and relay it to the requester (unless #intern); #erledigt closes."""
    ticket = await _row(session, which.id)
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction="in",
            author="advisor",
            author_address=fit_column(reply.advisor_address, 320),
            channel="email",
            message_id=fit_message_id(reply.message_id),
            body=reply.text[:20_000],
            internal=reply.internal,
        )
    )
    now = utcnow()
    if reply.internal:
        ticket.updated_at = now
        session.add(ticket)
        await session.commit()
        return TicketDetails.of(ticket)
    if ticket.requester_chat_id is not None:
        header = texts.telegram_reply_header(ticket) + "\n\n"
        chunks = texts.telegram_chunks(reply.text.strip(), first_prefix=header)
        for index, chunk in enumerate(chunks):
            session.add(
                TelegramOutbox(
                    chat_id=ticket.requester_chat_id,
                    ticket_id=ticket.id,
                    kind="reply" if index == len(chunks) - 1 else "text",
                    text=(header if index == 0 else "") + chunk,
                )
            )
        for filename, data in reply.attachments:
            session.add(
                TelegramOutbox(
                    chat_id=ticket.requester_chat_id,
                    ticket_id=ticket.id,
                    kind="document",
                    document_name=fit_file_name(filename),
                    document=data,
                )
            )
        # a web chat visitor may have left an address: the reply waits in the page and goes there too
        copy_to = await get_reply_email(session, chat_id=ticket.requester_chat_id)
        if copy_to:
            await _mail_reply(session, config, ticket, reply, copy_to)
    elif ticket.requester_email:
        await _mail_reply(session, config, ticket, reply, ticket.requester_email)
    first_reply = ticket.answered_by is None
    ticket.state = TicketState.ANSWERED
    ticket.answered_by = fit_column(reply.advisor_address, 320)
    ticket.waiting_since = None
    ticket.updated_at = now
    session.add(ticket)
    if reply.close:
        await _close(session, config, ticket)
    await session.commit()
    if first_reply and ticket.created_at is not None:
        metrics.TICKET_FIRST_RESPONSE.observe(max(0.0, (now - ticket.created_at).total_seconds()))
    return TicketDetails.of(ticket)


async def _mail_reply(
    session: AsyncSession, config: TicketConfig, ticket: Ticket, reply: AdvisorReply, address: str
) -> None:
    """The advisor's reply by mail to the requester, in the thread of the request."""
    thread = await _requester_thread_ids(session, ticket.id)
    mail = OutgoingMail(
        message_id=new_message_id(config.domain),
        to=((ticket.requester_name or "", address),),
        subject=f"Re: [{ticket.reference}] {texts.summary_line(ticket.subject)}",
        text=reply.text.strip(),
        in_reply_to=_last_requester_id(thread, ticket),
        references=tuple(thread)[-MAX_REFERENCES:],
        attachments=tuple(
            MailAttachment(name, "application/octet-stream", data) for name, data in reply.attachments
        ),
    )
    queue_in_thread(session, ticket, mail, purpose="advisor_reply")


def _last_requester_id(thread: list[str], ticket: Ticket) -> str | None:
    return thread[-1] if thread else None


async def _close(session: AsyncSession, config: TicketConfig, ticket: Ticket) -> None:
    ticket.state = TicketState.CLOSED
    ticket.closed_at = utcnow()
    ticket.chat_owner = "bot"
    session.add(ticket)
    if ticket.requester_chat_id is not None:
        session.add(
            TelegramOutbox(
                chat_id=ticket.requester_chat_id,
                ticket_id=ticket.id,
                text=texts.telegram_closed_notice(ticket),
            )
        )
    elif ticket.requester_email:
        thread = await _requester_thread_ids(session, ticket.id)
        notice = OutgoingMail(
            message_id=new_message_id(config.domain),
            to=((ticket.requester_name or "", ticket.requester_email),),
            subject=f"Re: [{ticket.reference}] {texts.summary_line(ticket.subject)}",
            text=texts.email_closed_notice(ticket),
            in_reply_to=thread[-1] if thread else None,
            references=tuple(thread)[-MAX_REFERENCES:],
            auto_submitted="auto-generated",
        )
        queue_mail(session, notice, purpose="closed_notice", ticket_id=ticket.id)


async def close_ticket(
    session: AsyncSession, config: TicketConfig, *, reference: str, by: str
) -> TicketDetails:
    """Close a ticket by its reference (advisor CLI) and tell the requester."""
    ticket = await _row_by_reference(session, reference)
    if ticket.state == TicketState.CLOSED:
        return TicketDetails.of(ticket)
    ticket.answered_by = ticket.answered_by or by
    await _close(session, config, ticket)
    await session.commit()
    return TicketDetails.of(ticket)


async def get_ticket(
    session: AsyncSession, *, reference: str | None = None, ticket_id: int | None = None
) -> TicketDetails:
    """The ticket with this public reference (case-insensitive) or id; raises TicketNotFound."""
    if ticket_id is not None:
        if not 0 < ticket_id <= MAX_ROW_ID:
            raise TicketNotFound(str(ticket_id))
        return TicketDetails.of(await _row(session, ticket_id))
    if reference is None:
        raise ValueError("pass reference or ticket_id")
    return TicketDetails.of(await _row_by_reference(session, reference))


async def _row_by_reference(session: AsyncSession, reference: str) -> Ticket:
    result = await session.exec(select(Ticket).where(Ticket.reference == reference.strip().upper()))
    ticket = result.first()
    if ticket is None:
        raise TicketNotFound(reference)
    return ticket


async def _row(session: AsyncSession, ticket_id: int) -> Ticket:
    """The ticket's row as stored now (another instance may have changed it since it was read)."""
    ticket = await session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is None:
        raise TicketNotFound(str(ticket_id))
    return ticket


async def find_ticket_by_message_ids(
    session: AsyncSession, message_ids: Sequence[str]
) -> TicketDetails | None:
    """The ticket whose thread holds one of these Message-IDs, in or out (the first one known wins)."""
    return await _first_ticket(session, message_ids, select(TicketMessage.message_id, Ticket))


async def find_ticket_by_sent_message_ids(
    session: AsyncSession, message_ids: Sequence[str], *, audience: Audience | None = None
) -> TicketDetails | None:
    """The ticket one of whose mails *the bot sent* (to `audience`, or to anyone) these IDs name.

    The bot's Message-IDs are random and only its recipients see them, so a reply naming one proves the
    sender got that mail; a Message-ID someone else chose (an incoming mail's) proves nothing.
    """
    query = select(TicketMessage.message_id, Ticket).where(
        TicketMessage.direction == "out", TicketMessage.author == "bot"
    )
    if audience is not None:
        query = query.join(OutboxMail, col(OutboxMail.message_id) == col(TicketMessage.message_id)).where(
            col(OutboxMail.purpose).in_(AUDIENCE_PURPOSES[audience])
        )
    return await _first_ticket(session, message_ids, query)


async def _first_ticket(session: AsyncSession, message_ids: Sequence[str], query) -> TicketDetails | None:
    wanted = list(dict.fromkeys(fit_message_id(m) for m in message_ids if m))
    if not wanted:
        return None
    rows = await session.exec(
        query.join(Ticket, col(Ticket.id) == col(TicketMessage.ticket_id)).where(
            col(TicketMessage.message_id).in_(wanted)
        )
    )
    found = {message_id: ticket for message_id, ticket in rows.all()}
    first = next((found[m] for m in wanted if m in found), None)
    return TicketDetails.of(first) if first is not None else None


async def active_ticket_for_chat(session: AsyncSession, *, chat_id: int) -> TicketDetails | None:
    """The open ticket that owns this Telegram chat, if any."""
    result = await session.exec(
        select(Ticket)
        .where(Ticket.requester_chat_id == chat_id, col(Ticket.state).in_(ACTIVE_STATES))
        .order_by(col(Ticket.id).desc())
    )
    ticket = result.first()
    return TicketDetails.of(ticket) if ticket is not None else None


async def set_chat_owner(session: AsyncSession, ticket: TicketDetails, owner: str) -> None:
    """`ticket`: the user's messages go to the advisors; `bot`: the bot answers again."""
    await session.exec(
        update(Ticket)
        .where(col(Ticket.id) == ticket.id)
        .values(chat_owner=owner)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


def is_recently_closed(ticket: TicketDetails, now: dt.datetime | None = None) -> bool:
    """A closed ticket that a new message may still reopen (else it starts a linked new ticket)."""
    now = now or utcnow()
    return ticket.state != TicketState.CLOSED or (
        ticket.closed_at is not None and now - ticket.closed_at < REOPEN_WINDOW
    )


async def list_tickets(
    session: AsyncSession, *, states: tuple[str, ...] = ACTIVE_STATES, limit: int = 100
) -> list[TicketDetails]:
    """Tickets in the given states, oldest first."""
    result = await session.exec(
        select(Ticket).where(col(Ticket.state).in_(states)).order_by(col(Ticket.id)).limit(limit)
    )
    return [TicketDetails.of(ticket) for ticket in result.all()]
