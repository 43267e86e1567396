"""SLA reminders: tickets waiting for an advisor longer than the allowed working hours."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import ticket_texts as texts
from services.outgoing import OutgoingMail, new_message_id, queue_mail
from services.tickets import TicketConfig, TicketState
from services.working_time import working_hours_between
from storage.tables import Ticket
from storage.types import utcnow


async def overdue_tickets(session: AsyncSession, *, sla_hours: float, now: dt.datetime) -> list[Ticket]:
    """Waiting tickets past the SLA that have not been reminded about since they started waiting."""
    result = await session.exec(
        select(Ticket)
        .where(Ticket.state == TicketState.WAITING, col(Ticket.sla_reminded_at).is_(None))
        .order_by(col(Ticket.id))
    )
    return [
        ticket
        for ticket in result.all()
        if ticket.waiting_since is not None and working_hours_between(ticket.waiting_since, now) >= sla_hours
    ]


async def send_sla_reminders(
    session: AsyncSession, config: TicketConfig, *, sla_hours: float, now: dt.datetime | None = None
) -> int:
    """Queue one reminder mail to the advisors listing all newly overdue tickets; returns how many."""
    now = now or utcnow()
    tickets = await overdue_tickets(session, sla_hours=sla_hours, now=now)
    if not tickets:
        return 0
    mail = OutgoingMail(
        message_id=new_message_id(config.domain),
        to=tuple(config.advisors.escalation_recipients()),
        subject=f"Erinnerung: {len(tickets)} Anfrage(n) warten auf Antwort",
        text=texts.sla_reminder_text(tickets, sla_hours),
        auto_submitted="auto-generated",
    )
    queue_mail(session, mail, purpose="sla_reminder")
    for ticket in tickets:
        ticket.sla_reminded_at = now
        session.add(ticket)
    await session.commit()
    return len(tickets)
