"""Working time in Hesse: Mon–Fri office hours in Europe/Berlin, without Hessian public holidays."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE_START = dt.time(8, 0)
OFFICE_END = dt.time(16, 0)


@lru_cache(maxsize=32)
def hessian_holidays(year: int) -> holidays.HolidayBase:
    """Public holidays of Hesse (subdivision HE) in one year."""
    return holidays.Germany(subdiv="HE", years=year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a Hessian public holiday."""
    return day.weekday() < 5 and day not in hessian_holidays(day.year)


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Office hours (08:00–16:00 Berlin time on working days) between two aware datetimes."""
    if end <= start:
        return 0.0
    start_local, end_local = start.astimezone(BERLIN), end.astimezone(BERLIN)
    total = 0.0
    day = start_local.date()
    while day <= end_local.date():
        if is_working_day(day):
            opens = dt.datetime.combine(day, OFFICE_START, BERLIN)
            closes = dt.datetime.combine(day, OFFICE_END, BERLIN)
            begin, finish = max(opens, start_local), min(closes, end_local)
            if finish > begin:
                total += (finish - begin).total_seconds() / 3600
        day += dt.timedelta(days=1)
    return total
