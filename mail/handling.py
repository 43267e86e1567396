"""One entry point for every incoming e-mail: parse, thread, then answer, relay, ticket or quarantine."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.exc import DBAPIError, OperationalError

from mail.loop_guard import may_auto_reply
from mail.parsing import IncomingEmail, ParseError, parse_email
from mail.reply_text import extract_reply, find_control_tags, remove_control_lines
from services.answering import AnsweringService, AnswerKind
from services.mail_requests import (
    already_processed,
    answer_by_mail,
    automatic_replies_today,
    mark_processed,
    reply_to_advisor_with_error,
    report_bounce,
)
from services.municipalities import MunicipalityDirectory
from services.tickets import (
    AdvisorReply,
    NewTicket,
    TicketConfig,
    TicketNotFound,
    add_requester_message,
    find_ticket_by_message_ids,
    get_ticket,
    is_recently_closed,
    open_ticket,
    record_advisor_reply,
)
from storage.tables import Ticket

log = logging.getLogger(__name__)

# refusals of an automatic reply where a person may still be behind the mail: open a ticket silently
HUMAN_BUT_NO_REPLY = {"noreply", "daily-limit"}
_REFERENCE = re.compile(r"\[(KK-\d{4}-\d{4,})\]", re.IGNORECASE)


class Outcome(StrEnum):
    """What became of a mail: it stays processed, or it goes to quarantine for a human to look at."""

    PROCESSED = "processed"
    QUARANTINE = "quarantine"


@dataclass(frozen=True)
class Handled:
    """The result of handling one mail, for the transport (move the message) and the logs."""

    outcome: Outcome
    reason: str
    ticket_reference: str | None = None


@dataclass
class InboxContext:
    """What the pipeline needs; built once by the composition root."""

    sessions: object
    tickets: TicketConfig
    answering: AnsweringService
    municipalities: MunicipalityDirectory
    auto_reply_daily_limit: int = 3
    attachment_max_bytes: int = 10 * 1024 * 1024
    mail_wake: asyncio.Event = field(default_factory=asyncio.Event)
    relay_wake: asyncio.Event = field(default_factory=asyncio.Event)


def message_key(email: IncomingEmail, raw: bytes) -> str:
    """Message-ID, or a hash of the bytes for mails without one."""
    return email.message_id or f"sha256:{hashlib.sha256(raw).hexdigest()}"


async def handle_email(raw: bytes, context: InboxContext) -> Handled:
    """Handle one raw e-mail exactly once; database faults propagate so the transport retries later."""
    try:
        email = parse_email(raw, max_attachment_bytes=context.attachment_max_bytes)
    except ParseError as exc:
        return Handled(Outcome.QUARANTINE, f"not an e-mail: {exc}")
    key = message_key(email, raw)
    try:
        async with context.sessions() as session:
            if await already_processed(session, message_key=key):
                return Handled(Outcome.PROCESSED, "duplicate")
        return await _route(email, key, context)
    except (OperationalError, DBAPIError, OSError, ConnectionError):
        raise
    except Exception as exc:  # unexpected input the pipeline cannot handle: a human looks at it
        log.exception("mail %s could not be handled", key)
        return Handled(Outcome.QUARANTINE, f"{type(exc).__name__}: {exc}"[:300])


async def _route(email: IncomingEmail, key: str, context: InboxContext) -> Handled:
    own = {context.tickets.inbox_address}
    if email.from_address in own:
        return await _mark(context, key, "own mail")
    if email.is_bounce:
        return await _bounce(email, key, context)
    ticket = await _thread(email, context)
    if context.tickets.advisors.is_advisor(email.from_address) and ticket is not None:
        return await _advisor_reply(email, key, ticket, context)
    if ticket is not None and ticket.requester_email == email.from_address:
        return await _requester_reply(email, key, ticket, context)
    return await _new_mail(email, key, context)


async def _mark(context: InboxContext, key: str, reason: str) -> Handled:
    async with context.sessions() as session:
        mark_processed(session, message_key=key, outcome="ignored", reason=reason)
        await session.commit()
    return Handled(Outcome.PROCESSED, reason)


async def _bounce(email: IncomingEmail, key: str, context: InboxContext) -> Handled:
    bounce = email.bounce
    details = (
        "; ".join(f"{r.address}: {r.status or ''} {r.diagnostic or ''}".strip() for r in bounce.recipients)
        or email.subject
    )
    async with context.sessions() as session:
        matched = await report_bounce(
            session,
            context.tickets,
            original_message_id=bounce.original_message_id,
            details=details,
            message_key=key,
        )
    context.mail_wake.set()
    return Handled(Outcome.PROCESSED, "bounce" if matched else "bounce (no matching outbox mail)")


async def _thread(email: IncomingEmail, context: InboxContext) -> Ticket | None:
    """In-Reply-To, then References (newest first), then the [KK-…] tag of the subject."""
    candidates = [email.in_reply_to] if email.in_reply_to else []
    candidates += [ref for ref in reversed(email.references) if ref not in candidates]
    async with context.sessions() as session:
        ticket = await find_ticket_by_message_ids(session, candidates)
        if ticket is None:
            match = _REFERENCE.search(email.subject or "")
            if match:
                try:
                    ticket = await get_ticket(session, reference=match.group(1))
                except TicketNotFound:
                    ticket = None
        return ticket


def _new_text(email: IncomingEmail) -> str:
    return extract_reply(email.text or "").strip()


async def _advisor_reply(email: IncomingEmail, key: str, ticket: Ticket, context: InboxContext) -> Handled:
    if email.is_auto_reply:
        # an advisor's out-of-office notice must never reach the user
        return await _mark(context, key, f"advisor auto-reply ({email.auto_reply_reason})")
    new_text = _new_text(email)
    tags = find_control_tags(new_text)
    text = remove_control_lines(new_text).strip()
    attachments = tuple((a.filename or "Anhang", a.data) for a in email.attachments if a.data is not None)
    too_large = [a.filename or "Anhang" for a in email.attachments if a.data is None]
    if too_large:
        text += "\n\n(Anhang zu groß für die Weiterleitung: " + ", ".join(too_large) + ")"
    if not text.strip() and not attachments and "erledigt" not in tags:
        async with context.sessions() as session:
            await reply_to_advisor_with_error(
                session,
                context.tickets,
                advisor_address=email.from_address,
                subject=email.subject,
                problem=f"Ihre Antwort zu {ticket.reference} enthielt keinen neuen Text und wurde nicht weitergeleitet.",
                incoming_message_id=email.message_id,
                message_key=key,
            )
        context.mail_wake.set()
        return Handled(Outcome.PROCESSED, "advisor reply without text", ticket.reference)
    reply = AdvisorReply(
        advisor_address=email.from_address,
        text=text or "(ohne Text)",
        message_id=email.message_id,
        internal="intern" in tags,
        close="erledigt" in tags,
        attachments=attachments,
    )
    async with context.sessions() as session:
        ticket = await session.get(Ticket, ticket.id)
        mark_processed(session, message_key=key, outcome="advisor_reply", ticket_id=ticket.id)
        await record_advisor_reply(session, context.tickets, ticket, reply)
    context.relay_wake.set()
    context.mail_wake.set()
    kind = "internal note" if reply.internal else "advisor reply relayed"
    return Handled(Outcome.PROCESSED, kind, ticket.reference)


async def _requester_reply(email: IncomingEmail, key: str, ticket: Ticket, context: InboxContext) -> Handled:
    if email.is_auto_reply:
        return await _mark(context, key, f"requester auto-reply ({email.auto_reply_reason})")
    if not is_recently_closed(ticket):
        return await _new_mail(email, key, context, linked=ticket)
    text = _new_text(email) or email.subject
    async with context.sessions() as session:
        ticket = await session.get(Ticket, ticket.id)
        mark_processed(session, message_key=key, outcome="follow_up", ticket_id=ticket.id)
        await add_requester_message(
            session, context.tickets, ticket, text=text, channel="email", incoming_message_id=email.message_id
        )
    context.mail_wake.set()
    return Handled(Outcome.PROCESSED, "follow-up added", ticket.reference)


async def _new_mail(
    email: IncomingEmail, key: str, context: InboxContext, linked: Ticket | None = None
) -> Handled:
    async with context.sessions() as session:
        replies_today = (
            await automatic_replies_today(session, address=email.from_address) if email.from_address else 0
        )
    allowed, why = may_auto_reply(
        email,
        own_addresses={context.tickets.inbox_address},
        replies_today=replies_today,
        daily_limit=context.auto_reply_daily_limit,
    )
    if not allowed and why not in HUMAN_BUT_NO_REPLY:
        # machines (auto-replies, lists, daemons) neither get an answer nor become tickets
        return await _mark(context, key, f"automatic mail, not answered ({why})")
    text = _new_text(email)
    question = "\n\n".join(part for part in (email.subject.strip(), text) if part).strip()
    if not question:
        question = "(leere Nachricht)"
    municipality = context.municipalities.find_in_text(
        email.text or ""
    ) or context.municipalities.from_email_domain(email.from_address)
    answer = context.answering.answer(text or email.subject)
    is_advisor = context.tickets.advisors.is_advisor(email.from_address)
    if answer.kind is AnswerKind.ANSWER and allowed and linked is None and not is_advisor:
        async with context.sessions() as session:
            ticket = await answer_by_mail(
                session,
                context.tickets,
                answer=answer,
                requester_email=email.from_address,
                requester_name=email.from_name or None,
                subject=email.subject,
                incoming_message_id=email.message_id,
                incoming_references=email.references,
                municipality=(municipality.ags, municipality.display_name) if municipality else None,
                message_key=key,
            )
        context.mail_wake.set()
        return Handled(
            Outcome.PROCESSED, f"answered from the knowledge base ({answer.entry.id})", ticket.reference
        )
    new = NewTicket(
        channel="email",
        question=question,
        requester_name=email.from_name or None,
        requester_email=email.from_address,
        municipality_ags=municipality.ags if municipality else None,
        municipality_name=municipality.display_name if municipality else None,
        considered=tuple((entry.id, entry.title) for entry in answer.considered[:3]),
        incoming_message_id=email.message_id,
        incoming_references=email.references,
        subject=email.subject or None,
        linked_ticket_id=linked.id if linked else None,
        acknowledge=allowed,
    )
    async with context.sessions() as session:
        mark_processed(session, message_key=key, outcome="ticket")
        ticket = await open_ticket(session, context.tickets, new)
    context.mail_wake.set()
    note = "" if allowed else f" (no acknowledgement: {why})"
    return Handled(Outcome.PROCESSED, f"ticket opened{note}", ticket.reference)
