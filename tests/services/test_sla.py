"""Working hours skip weekends and Hessian holidays; SLA reminders go out once per waiting period."""

import datetime as dt

from sqlmodel import select

from services.sla import send_sla_reminders
from services.working_time import BERLIN, working_hours_between
from storage.tables import OutboxMail
from tests.services.test_tickets import CONFIG, _open


def _berlin(*args):
    return dt.datetime(*args, tzinfo=BERLIN)


def test_working_hours_count_office_hours_on_working_days_only():
    assert working_hours_between(_berlin(2026, 11, 23, 8), _berlin(2026, 11, 23, 16)) == 8  # Monday
    assert working_hours_between(_berlin(2026, 11, 27, 15), _berlin(2026, 11, 30, 9)) == 2  # over a weekend
    # Christmas 25/26 Dec 2026 are Friday/Saturday: Thursday 24th and Monday 28th count
    assert working_hours_between(_berlin(2026, 12, 24, 8), _berlin(2026, 12, 28, 16)) == 16
    assert working_hours_between(_berlin(2026, 6, 4, 8), _berlin(2026, 6, 4, 16)) == 0  # Fronleichnam


async def test_an_overdue_ticket_triggers_one_reminder(sessions):
    ticket = await _open(sessions)
    later = ticket.waiting_since + dt.timedelta(days=7)
    async with sessions() as session:
        assert await send_sla_reminders(session, CONFIG, sla_hours=16, now=ticket.waiting_since) == 0
        assert await send_sla_reminders(session, CONFIG, sla_hours=16, now=later) == 1
        assert await send_sla_reminders(session, CONFIG, sla_hours=16, now=later) == 0
        purposes = [m.purpose for m in (await session.exec(select(OutboxMail))).all()]
    assert purposes.count("sla_reminder") == 1
