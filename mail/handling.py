"""One entry point for every incoming e-mail: parse, thread, then answer, relay, ticket or quarantine.

Who may act in a ticket: an advisor's mail is relayed only when it answers (In-Reply-To/References) a
mail the bot sent to the advisors for that ticket, and a requester's mail joins the ticket only when it
answers a mail the bot sent for it. The bot's Message-IDs are random and reach only their recipients, so
a copied From address and a [KK-…] subject tag are not enough. Where our receiving server adds
Authentication-Results, a failed check (mail/authentication.py) takes that trust away again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from mail.authentication import authentication_failure
from mail.loop_guard import may_auto_reply
from mail.parsing import IncomingEmail, ParseError, parse_email
from mail.reply_text import extract_reply, find_control_tags, remove_control_lines
from services.answering import AnsweringService, AnswerKind
from services.mail_requests import (
    QUARANTINE_OUTCOME,
    already_processed,
    answer_by_mail,
    automatic_replies_today,
    get_processed,
    mark_processed,
    quarantine_with_notice,
    reply_to_advisor_with_error,
    report_bounce,
)
from services.municipalities import MunicipalityDirectory
from services.privacy_requests import advisor_note, privacy_wish
from services.ticket_details import TicketDetails
from services.tickets import (
    AdvisorReply,
    Audience,
    NewTicket,
    TicketConfig,
    TicketNotFound,
    add_requester_message,
    find_ticket_by_message_ids,
    find_ticket_by_sent_message_ids,
    get_ticket,
    is_recently_closed,
    open_ticket,
    record_advisor_reply,
)

log = logging.getLogger(__name__)

# refusals of an automatic reply where a person may still be behind the mail: open a ticket silently
HUMAN_BUT_NO_REPLY = {"noreply", "daily-limit"}
_REFERENCE = re.compile(r"\[(KK-\d{4}-\d{4,})\]", re.IGNORECASE)
# Characters of a mail's text used for the reply, the municipality and the answer: a person's message
# fits many times over, and regexes over a hostile 20 MB text would take seconds.
TEXT_LIMIT = 20_000
# SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation), PostgreSQL appendix A:
# the mail's values, not the database, are the problem. asyncpg's arrive as a plain DBAPIError.
_DATA_ERROR_CLASSES = ("22", "23")


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
    # the authserv-id of our receiving server's Authentication-Results; None trusts the topmost header
    trusted_authserv_id: str | None = None


def message_key(email: IncomingEmail, raw: bytes) -> str:
    """Message-ID, or a hash of the bytes for mails without one."""
    return email.message_id or f"sha256:{hashlib.sha256(raw).hexdigest()}"


async def handle_email(raw: bytes, context: InboxContext) -> Handled:
    """Handle one raw e-mail exactly once; database outages propagate so the transport retries later.

    A mail the database refuses (a data error) is quarantined instead: retried, it would fail again and
    hold up every mail behind it.
    """
    key = None
    try:
        # in a worker thread: a hostile mail takes CPU time, and the event loop must keep serving others
        email, key = await asyncio.to_thread(_parse, raw, context.attachment_max_bytes)
        async with context.sessions() as session:
            earlier = await get_processed(session, message_key=key)
        if earlier is not None:
            if earlier.outcome == QUARANTINE_OUTCOME:
                return Handled(Outcome.QUARANTINE, f"duplicate, quarantined before: {earlier.reason}"[:300])
            return Handled(Outcome.PROCESSED, "duplicate")
        return await _route(email, key, context)
    except ParseError as exc:
        return Handled(Outcome.QUARANTINE, f"not an e-mail: {exc}")
    except DBAPIError as exc:
        if key is None or not _is_data_error(exc):
            raise
        return await _after_data_error(exc, key, context)
    except (PoolTimeoutError, OSError, ConnectionError):
        raise
    except Exception as exc:  # unexpected input the pipeline cannot handle: a human looks at it
        log.exception("mail %s could not be handled", key)
        return Handled(Outcome.QUARANTINE, f"{type(exc).__name__}: {exc}"[:300])


def _parse(raw: bytes, max_attachment_bytes: int) -> tuple[IncomingEmail, str]:
    email = parse_email(raw, max_attachment_bytes=max_attachment_bytes)
    return email, message_key(email, raw)


def _sqlstate(exc: DBAPIError) -> str:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return state if isinstance(state, str) else ""


def _is_data_error(exc: DBAPIError) -> bool:
    return isinstance(exc, DataError | IntegrityError) or _sqlstate(exc)[:2] in _DATA_ERROR_CLASSES


async def _after_data_error(exc: DBAPIError, key: str, context: InboxContext) -> Handled:
    async with context.sessions() as session:
        if await already_processed(session, message_key=key):
            # our processed-mark collided: another reader handled the same mail meanwhile
            return Handled(Outcome.PROCESSED, "duplicate")
    integrity = isinstance(exc, IntegrityError) or _sqlstate(exc).startswith("23")
    kind = "IntegrityError" if integrity else "DataError"
    detail = re.sub(r"^<class '[^']+'>: ", "", str(exc.orig).splitlines()[0] if str(exc.orig) else "")
    log.error("mail %s refused by the database, quarantined: %s", key, detail)
    return Handled(Outcome.QUARANTINE, f"{kind}: {detail}"[:300])


async def _route(email: IncomingEmail, key: str, context: InboxContext) -> Handled:
    if email.from_problem:
        return Handled(Outcome.QUARANTINE, email.from_problem)
    own = {context.tickets.inbox_address}
    if email.from_address in own:
        return await _mark(context, key, "own mail")
    if email.is_bounce:
        return await _bounce(email, key, context)
    distrust = _authentication_problem(email, context)
    if context.tickets.advisors.is_advisor(email.from_address):
        return await _from_advisor(email, key, context, distrust)
    ticket = await _answered_ticket(email, context, audience=None)
    if ticket is not None and ticket.requester_email == email.from_address and distrust is None:
        return await _requester_reply(email, key, ticket, context)
    claimed = ticket or await _claimed_ticket(email, context)
    return await _new_mail(email, key, context, note=_not_added_note(claimed, distrust), distrust=distrust)


def _authentication_problem(email: IncomingEmail, context: InboxContext) -> str | None:
    domain = email.from_address.rpartition("@")[2]
    if not domain:
        return None
    return authentication_failure(
        email.authentication_results, domain=domain, trusted_authserv_id=context.trusted_authserv_id
    )


def _not_added_note(claimed: TicketDetails | None, distrust: str | None) -> str | None:
    """For the advisors: why a mail that names a ticket became a new one, and that it may be forged."""
    lines = []
    if distrust is not None:
        lines.append(
            f"Achtung: Die Absenderprüfung des empfangenden Mailservers ist fehlgeschlagen ({distrust}); die "
            "Absenderadresse kann gefälscht sein. Der Bot hat deshalb nicht automatisch geantwortet."
        )
    if claimed is not None:
        lines.append(
            f"Hinweis: Diese E-Mail bezieht sich auf die Anfrage {claimed.reference}, wurde ihr aber nicht "
            "hinzugefügt: Nur eine Antwort der anfragenden Person auf eine E-Mail des Bots zu dieser Anfrage "
            "wird angefügt. Bitte prüfen Sie, ob sie wirklich von dieser Person stammt."
        )
    return "\n".join(lines) or None


async def _from_advisor(
    email: IncomingEmail, key: str, context: InboxContext, distrust: str | None
) -> Handled:
    if distrust is not None:
        claimed = await _claimed_ticket(email, context)
        problem = f"Die Absenderprüfung des empfangenden Mailservers ist fehlgeschlagen ({distrust})."
        return await _quarantine_advisor_mail(
            email, key, context, claimed, problem, f"sender authentication failed ({distrust})"
        )
    ticket = await _answered_ticket(email, context, audience=Audience.ADVISORS)
    if ticket is not None:
        return await _advisor_reply(email, key, ticket, context)
    if email.is_auto_reply:
        return await _mark(context, key, f"advisor auto-reply ({email.auto_reply_reason})")
    claimed = await _claimed_ticket(email, context)
    if claimed is None:
        return await _new_mail(email, key, context)
    problem = (
        f"Sie nennt die Anfrage {claimed.reference}, antwortet aber auf keine E-Mail, die der Bot zu dieser "
        "Anfrage an die Beratung geschickt hat."
    )
    why = f"names {claimed.reference} but answers no mail the bot sent to the advisors"
    return await _quarantine_advisor_mail(email, key, context, claimed, problem, why)


async def _quarantine_advisor_mail(
    email: IncomingEmail,
    key: str,
    context: InboxContext,
    claimed: TicketDetails | None,
    problem: str,
    why: str,
) -> Handled:
    async with context.sessions() as session:
        notified = await quarantine_with_notice(
            session,
            context.tickets,
            claimed_sender=email.from_address,
            subject=email.subject,
            problem=problem,
            ticket=claimed,
            message_key=key,
        )
    reference = claimed.reference if claimed else None
    told = "advisors told" if notified else "daily notice limit reached"
    return Handled(Outcome.QUARANTINE, f"advisor mail quarantined: {why} ({told})", reference)


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
    return Handled(Outcome.PROCESSED, "bounce" if matched else "bounce (no matching outbox mail)")


def _thread_ids(email: IncomingEmail) -> list[str]:
    """In-Reply-To, then References newest first (RFC 5322 §3.6.4 appends the parent last)."""
    candidates = [email.in_reply_to] if email.in_reply_to else []
    return candidates + [ref for ref in reversed(email.references) if ref not in candidates]


async def _answered_ticket(
    email: IncomingEmail, context: InboxContext, *, audience: Audience | None
) -> TicketDetails | None:
    """The ticket of a mail the bot sent (to `audience`) that this mail answers."""
    async with context.sessions() as session:
        return await find_ticket_by_sent_message_ids(session, _thread_ids(email), audience=audience)


async def _claimed_ticket(email: IncomingEmail, context: InboxContext) -> TicketDetails | None:
    """The ticket the mail says it belongs to (any message of its thread, or the [KK-…] subject tag)."""
    async with context.sessions() as session:
        ticket = await find_ticket_by_message_ids(session, _thread_ids(email))
        if ticket is None:
            match = _REFERENCE.search(email.subject or "")
            if match:
                try:
                    ticket = await get_ticket(session, reference=match.group(1))
                except TicketNotFound:
                    ticket = None
        return ticket


def _new_text(email: IncomingEmail) -> str:
    return extract_reply((email.text or "")[:TEXT_LIMIT]).strip()


async def _advisor_reply(
    email: IncomingEmail, key: str, ticket: TicketDetails, context: InboxContext
) -> Handled:
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
        mark_processed(session, message_key=key, outcome="advisor_reply", ticket_id=ticket.id)
        await record_advisor_reply(session, context.tickets, ticket, reply)
    kind = "internal note" if reply.internal else "advisor reply relayed"
    return Handled(Outcome.PROCESSED, kind, ticket.reference)


async def _requester_reply(
    email: IncomingEmail, key: str, ticket: TicketDetails, context: InboxContext
) -> Handled:
    if email.is_auto_reply:
        return await _mark(context, key, f"requester auto-reply ({email.auto_reply_reason})")
    if not is_recently_closed(ticket):
        return await _new_mail(email, key, context, linked=ticket)
    text = _new_text(email) or email.subject
    async with context.sessions() as session:
        mark_processed(session, message_key=key, outcome="follow_up", ticket_id=ticket.id)
        await add_requester_message(
            session, context.tickets, ticket, text=text, channel="email", incoming_message_id=email.message_id
        )
    return Handled(Outcome.PROCESSED, "follow-up added", ticket.reference)


async def _new_mail(
    email: IncomingEmail,
    key: str,
    context: InboxContext,
    linked: TicketDetails | None = None,
    *,
    note: str | None = None,
    distrust: str | None = None,
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
    if allowed and distrust is not None:
        # the From address may be forged: an automatic reply would go to someone who never wrote
        allowed, why = False, f"authentication failed ({distrust})"
    text = _new_text(email)
    question = "\n\n".join(part for part in (email.subject.strip(), text) if part).strip()
    if not question:
        question = "(leere Nachricht)"
    municipality = context.municipalities.find_in_text(
        (email.text or "")[:TEXT_LIMIT]
    ) or context.municipalities.from_email_domain(email.from_address)
    answer = context.answering.answer(text or email.subject)
    is_advisor = context.tickets.advisors.is_advisor(email.from_address)
    wish = privacy_wish(question)
    if wish is not None:
        # never answered by the bot: the Fachstelle checks who asks and carries it out
        note = "\n\n".join(part for part in (advisor_note(wish, email.from_address), note) if part)
    if answer.kind is AnswerKind.ANSWER and allowed and linked is None and not is_advisor and wish is None:
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
        note=note,
    )
    async with context.sessions() as session:
        mark_processed(session, message_key=key, outcome="ticket")
        ticket = await open_ticket(session, context.tickets, new)
    note = "" if allowed else f" (no acknowledgement: {why})"
    return Handled(Outcome.PROCESSED, f"ticket opened{note}", ticket.reference)
