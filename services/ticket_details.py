"""A ticket as the services hand it out (plain values, detached from the session) and its states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any


class TicketState(StrEnum):
    """open → waiting for advisor → answered → closed; a new message reopens."""

    OPEN = "open"
    WAITING = "waiting"
    ANSWERED = "answered"
    CLOSED = "closed"


@dataclass(frozen=True)
class TicketDetails:
    """A question handed to the advisors, by Telegram, the web chat or e-mail, with its state and owner."""

    id: int
    reference: str
    state: TicketState
    channel: str
    requester_name: str | None
    requester_email: str | None
    requester_chat_id: int | None
    chat_owner: str
    municipality_ags: str | None
    municipality_name: str | None
    subject: str
    question: str
    considered_entries: str
    linked_ticket_id: int | None
    answered_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    waiting_since: dt.datetime | None
    sla_reminded_at: dt.datetime | None
    closed_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any) -> TicketDetails:
        """The details of a stored ticket (the `ticket` table's row)."""
        values = {field.name: getattr(row, field.name) for field in fields(cls)}
        return cls(**(values | {"state": TicketState(values["state"])}))
