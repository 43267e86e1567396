"""The yearly report campaign: known contacts, their opt-out, who is due a reminder, and what was sent.

A contact is a chat that once chose a municipality for a report (the latest choice wins). Reminders go to
every contact whose municipality has not submitted for the year and who did not opt out. The scheduler
records a send *before* it delivers, so two instances never remind the same chat twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reports.domain import CampaignContact, CampaignKind
from storage.tables import MeasureReport, ReportCampaignSend, ReportContact
from storage.types import utcnow

DEFAULT_FOLLOW_UP_AFTER = dt.timedelta(days=14)


async def remember_contact(
    session: AsyncSession, *, chat_id: int, ags: str, name: str, now: dt.datetime | None = None
) -> None:
    """Record that `chat_id` reports for the municipality `ags` (display name `name`) and commit."""
    now = now or utcnow()
    for _attempt in range(3):
        contact = await session.get(ReportContact, chat_id, populate_existing=True)
        if contact is None:
            contact = ReportContact(
                chat_id=chat_id, ags=ags, municipality_name=name[:200], first_seen_at=now, last_seen_at=now
            )
        else:
            contact.ags, contact.municipality_name, contact.last_seen_at = ags, name[:200], now
        session.add(contact)
        try:
            await session.commit()
            return
        except IntegrityError:  # the same chat, remembered at the same moment by another instance
            await session.rollback()
    raise RuntimeError(f"could not remember contact {chat_id}")


async def set_no_reminders(session: AsyncSession, *, chat_id: int, value: bool = True) -> bool:
    """Opt the chat out of (or back into) campaign reminders and commit; False when the chat is unknown."""
    result = await session.exec(
        update(ReportContact).where(col(ReportContact.chat_id) == chat_id).values(no_reminders=value)
    )
    await session.commit()
    return result.rowcount == 1


async def campaign_targets(
    session: AsyncSession,
    *,
    year: int,
    kind: str,
    now: dt.datetime,
    follow_up_after: dt.timedelta = DEFAULT_FOLLOW_UP_AFTER,
) -> list[CampaignContact]:
    """Contacts due a `first` reminder, or a `follow_up` once their first is `follow_up_after` old.

    Both leave out contacts who opted out, whose municipality has submitted for `year`, and who already
    got this kind of reminder for `year`.
    """
    kind = CampaignKind(kind)
    submitted = select(MeasureReport.ags).where(MeasureReport.year == year, MeasureReport.version_count > 0)
    already = select(ReportCampaignSend.chat_id).where(
        ReportCampaignSend.year == year, ReportCampaignSend.kind == kind
    )
    query = select(ReportContact).where(
        col(ReportContact.no_reminders).is_(False),
        col(ReportContact.ags).not_in(submitted),
        col(ReportContact.chat_id).not_in(already),
    )
    if kind == CampaignKind.FOLLOW_UP:
        first_due = select(ReportCampaignSend.chat_id).where(
            ReportCampaignSend.year == year,
            ReportCampaignSend.kind == CampaignKind.FIRST,
            col(ReportCampaignSend.sent_at) <= now - follow_up_after,
        )
        query = query.where(col(ReportContact.chat_id).in_(first_due))
    result = await session.exec(query.order_by(ReportContact.chat_id))
    return [CampaignContact(c.chat_id, c.ags, c.municipality_name) for c in result.all()]


async def record_campaign_send(
    session: AsyncSession, *, chat_id: int, year: int, kind: str, now: dt.datetime
) -> bool:
    """Claim the reminder `kind` of `year` for the chat and commit; False when it was sent (or claimed) already."""
    session.add(ReportCampaignSend(chat_id=chat_id, year=year, kind=CampaignKind(kind), sent_at=now))
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        return False
    await session.exec(
        update(ReportContact).where(col(ReportContact.chat_id) == chat_id).values(last_contacted_at=now)
    )
    await session.commit()
    return True
