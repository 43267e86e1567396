"""Use cases for e-mails to the advisory inbox: automatic answers, error replies, bounces, idempotency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.markup import visible_text
from services import ticket_texts as texts
from services.answering import Answer
from services.outgoing import OutgoingMail, new_message_id, queue_mail
from services.ticket_details import TicketDetails
from services.tickets import (
    BOT_ANSWERER,
    MAX_REFERENCES,
    TicketConfig,
    TicketState,
    allocate_reference,
    fit_column,
    fit_message_id,
    queue_in_thread,
)
from storage.tables import OutboxMail, ProcessedMail, Ticket, TicketMessage
from storage.types import utcnow

AUTOMATIC_PURPOSES = ("auto_answer", "acknowledgement", "advisor_error")
QUARANTINE_OUTCOME = "quarantine"
# a flood of forged mails must not become a flood of notices; past the cap each is still quarantined
QUARANTINE_NOTICES_PER_DAY = 20


async def already_processed(session: AsyncSession, *, message_key: str) -> bool:
    """True when an e-mail with this key was handled before (exactly-once processing)."""
    return await get_processed(session, message_key=message_key) is not None


@dataclass(frozen=True)
class EarlierHandling:
    """What became of an e-mail handled before."""

    outcome: str
    reason: str


async def get_processed(session: AsyncSession, *, message_key: str) -> EarlierHandling | None:
    """The record of an e-mail handled before (its outcome and reason), or None."""
    record = await session.get(ProcessedMail, fit_message_id(message_key))
    return EarlierHandling(record.outcome, record.reason or "") if record is not None else None


def mark_processed(
    session: AsyncSession, *, message_key: str, outcome: str, reason: str = "", ticket_id=None
) -> None:
    """Stage the processed-mark so it commits together with what the mail caused."""
    session.add(
        ProcessedMail(
            message_key=fit_message_id(message_key),
            outcome=outcome[:32],
            reason=reason[:500],
            ticket_id=ticket_id,
        )
    )


async def automatic_replies_today(
    session: AsyncSession, *, address: str, now: dt.datetime | None = None
) -> int:
    """How many automatic replies this address got since midnight UTC (loop and flood protection)."""
    now = now or utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    result = await session.exec(
        select(func.count(OutboxMail.id)).where(
            OutboxMail.primary_recipient == address.lower(),
            col(OutboxMail.purpose).in_(AUTOMATIC_PURPOSES),
            OutboxMail.created_at >= midnight,
        )
    )
    return int(result.one())


def _auto_answer_text(answer: Answer, contact_line: str) -> str:
    entry = answer.entry
    sources = "\n".join(f"- {source.url} (Stand: {source.as_of})" for source in entry.sources)
    return (
        "Guten Tag,\n\n"
        "vielen Dank für Ihre Nachricht. Dies ist eine automatische Antwort aus der Wissensbasis der "
        "Fachstelle Klima-Kommunen:\n\n"
        f"{entry.title}\n\n{visible_text(entry.answer).strip()}\n\n"
        f"Quellen:\n{sources}\n\n"
        f"{contact_line}\n\n"
        "Mit freundlichen Grüßen\nklimabot – der digitale Assistent der Fachstelle Klima-Kommunen"
    )


async def answer_by_mail(
    session: AsyncSession,
    config: TicketConfig,
    *,
    answer: Answer,
    requester_email: str,
    requester_name: str | None,
    subject: str,
    incoming_message_id: str | None,
    incoming_references: tuple[str, ...],
    municipality: tuple[str, str] | None,
    message_key: str,
) -> TicketDetails:
    """Reply automatically from the knowledge base; a reply to it reopens it as a ticket for the advisors."""
    reference = await allocate_reference(session, year=utcnow().year)
    ticket = Ticket(
        reference=reference,
        state=TicketState.CLOSED,
        channel="email",
        requester_name=fit_column(requester_name, 200),
        requester_email=fit_column(requester_email.lower(), 320),
        municipality_ags=fit_column(municipality[0], 8) if municipality else None,
        municipality_name=fit_column(municipality[1], 200) if municipality else None,
        subject=texts.summary_line(subject or answer.question, 150),
        question=answer.question[:10_000],
        considered_entries=answer.entry.id,
        answered_by=BOT_ANSWERER,
        closed_at=utcnow(),
        chat_owner="bot",
    )
    session.add(ticket)
    await session.flush()
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction="in",
            author="user",
            author_address=ticket.requester_email,
            channel="email",
            message_id=fit_message_id(incoming_message_id),
            body=ticket.question,
        )
    )
    contact_line = (
        "Passt die Antwort nicht oder möchten Sie persönlich beraten werden? Antworten Sie einfach auf diese "
        f"E-Mail – dann geht Ihre Nachricht unter der Nummer {reference} an eine Beraterin oder einen Berater."
    )
    references = tuple(r for r in (*incoming_references, incoming_message_id) if r)[-MAX_REFERENCES:]
    mail = OutgoingMail(
        message_id=new_message_id(config.domain),
        to=((requester_name or "", requester_email),),
        subject=f"Re: {subject}"
        if subject and not subject.lower().startswith("re:")
        else (subject or answer.entry.title),
        text=_auto_answer_text(answer, contact_line),
        in_reply_to=incoming_message_id,
        references=references,
        auto_submitted="auto-replied",
    )
    queue_in_thread(session, ticket, mail, purpose="auto_answer")
    mark_processed(session, message_key=message_key, outcome="auto_answer", ticket_id=ticket.id)
    await session.commit()
    return TicketDetails.of(ticket)


async def reply_to_advisor_with_error(
    session: AsyncSession,
    config: TicketConfig,
    *,
    advisor_address: str,
    subject: str,
    problem: str,
    incoming_message_id: str | None,
    message_key: str,
) -> None:
    """Tell an advisor why the bot could not act on their mail — nothing is dropped silently."""
    mail = OutgoingMail(
        message_id=new_message_id(config.domain),
        to=(("", advisor_address),),
        subject=f"Nicht zugestellt: {texts.summary_line(subject or '(ohne Betreff)')}",
        text=(
            "Hallo,\n\nIhre E-Mail an das Beratungspostfach konnte nicht verarbeitet werden:\n\n"
            f"{problem}\n\nBitte antworten Sie direkt auf die Anfrage-E-Mail mit der Nummer [KK-…] im Betreff.\n\n"
            "klimabot"
        ),
        in_reply_to=incoming_message_id,
        references=(incoming_message_id,) if incoming_message_id else (),
        auto_submitted="auto-replied",
    )
    queue_mail(session, mail, purpose="advisor_error")
    mark_processed(session, message_key=message_key, outcome="advisor_error", reason=problem)
    await session.commit()


async def quarantine_with_notice(
    session: AsyncSession,
    config: TicketConfig,
    *,
    claimed_sender: str,
    subject: str,
    problem: str,
    ticket: TicketDetails | None,
    message_key: str,
    now: dt.datetime | None = None,
) -> bool:
    """Record a mail that must not act for its sender and tell the advisors; returns whether they were told.

    The notice goes to the advisors' own mailboxes (the escalation recipients and, if it is an advisor's,
    the claimed sender's): never the mail's text or attachments, which may be the forger's. The mark
    makes a second look at the same mail quarantine it again without a second notice.
    """
    now = now or utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sent_today = (
        await session.exec(
            select(func.count(OutboxMail.id)).where(
                OutboxMail.purpose == "quarantine_notice", OutboxMail.created_at >= midnight
            )
        )
    ).one()
    notify = int(sent_today) < QUARANTINE_NOTICES_PER_DAY
    if notify:
        recipients = list(config.advisors.escalation_recipients())
        advisor = config.advisors.by_email(claimed_sender)
        if advisor is not None and advisor.email not in {address for _, address in recipients}:
            recipients.append((advisor.name, advisor.email))
        reference = ticket.reference if ticket else None
        mail = OutgoingMail(
            message_id=new_message_id(config.domain),
            to=tuple(recipients),
            # no [KK-…] tag: a reply to the notice must not look like an answer to the request
            subject=f"Quarantäne: E-Mail im Namen von {claimed_sender}"
            + (f" zu {reference}" if reference else ""),
            text=texts.quarantine_notice_text(
                claimed_sender=claimed_sender,
                subject=texts.summary_line(subject or "(ohne Betreff)"),
                reference=reference,
                problem=problem,
            ),
            auto_submitted="auto-generated",
        )
        queue_mail(session, mail, purpose="quarantine_notice", ticket_id=ticket.id if ticket else None)
    mark_processed(
        session,
        message_key=message_key,
        outcome=QUARANTINE_OUTCOME,
        reason=problem,
        ticket_id=ticket.id if ticket else None,
    )
    await session.commit()
    return notify


async def report_bounce(
    session: AsyncSession,
    config: TicketConfig,
    *,
    original_message_id: str | None,
    details: str,
    message_key: str,
) -> bool:
    """Mark the outbox mail a bounce refers to and show it to the advisors; returns whether it matched."""
    record = None
    if original_message_id:
        record = (
            await session.exec(select(OutboxMail).where(OutboxMail.message_id == original_message_id))
        ).first()
    if record is None:
        mark_processed(session, message_key=message_key, outcome="bounce_unmatched", reason=details)
        await session.commit()
        return False
    record.state = "bounced"
    record.last_error = details[:2000]
    session.add(record)
    # a bounce of a mail to the advisors themselves is only recorded: mailing them again could bounce too
    if record.purpose not in ("escalation", "follow_up", "sla_reminder", "bounce_notice"):
        ticket = await session.get(Ticket, record.ticket_id) if record.ticket_id else None
        label = f"[{ticket.reference}] " if ticket else ""
        notice = OutgoingMail(
            message_id=new_message_id(config.domain),
            to=tuple(config.advisors.escalation_recipients()),
            subject=f"{label}Unzustellbar: {record.primary_recipient}",
            text=(
                f"Eine E-Mail des Bots an {record.primary_recipient} konnte nicht zugestellt werden.\n\n"
                f"Zweck: {record.purpose}\nDetails: {details}\n\nBitte prüfen Sie die Adresse."
            ),
            auto_submitted="auto-generated",
        )
        queue_mail(session, notice, purpose="bounce_notice", ticket_id=record.ticket_id)
    mark_processed(
        session, message_key=message_key, outcome="bounce", reason=details, ticket_id=record.ticket_id
    )
    await session.commit()
    return True
