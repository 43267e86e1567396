"""German dates and times for slots and bookings (Babel, Europe/Berlin): "Di., 1. Dez. 2026, 10:00 Uhr"."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime

from services.booking.config import FORMATS, TOPICS
from services.working_time import BERLIN

LOCALE = "de_DE"


def format_slot(start_utc: dt.datetime) -> str:
    """A start time with date and year: "Di., 1. Dez. 2026, 10:00 Uhr"."""
    return format_datetime(start_utc, "EEE, d. MMM y, HH:mm 'Uhr'", tzinfo=BERLIN, locale=LOCALE)


def format_slot_range(start_utc: dt.datetime, end_utc: dt.datetime) -> str:
    """Date, start and end: "Di., 1. Dez. 2026, 10:00–11:00 Uhr"."""
    end = format_datetime(end_utc, "HH:mm", tzinfo=BERLIN, locale=LOCALE)
    return format_datetime(start_utc, "EEE, d. MMM y, HH:mm", tzinfo=BERLIN, locale=LOCALE) + f"–{end} Uhr"


def format_time(start_utc: dt.datetime) -> str:
    """The Berlin wall-clock time only, for a button: "10:00"."""
    return format_datetime(start_utc, "HH:mm", tzinfo=BERLIN, locale=LOCALE)


def format_day(day: dt.date) -> str:
    """A day without year, for a week view: "Di., 1. Dez."."""
    return format_date(day, "EEE, d. MMM", locale=LOCALE)


def format_long_day(day: dt.date) -> str:
    """A day written out: "Dienstag, 1. Dezember 2026"."""
    return format_date(day, "EEEE, d. MMMM y", locale=LOCALE)


def format_week(week_start: dt.date) -> str:
    """Monday to Friday of a week: "30. Nov. – 4. Dez. 2026"."""
    friday = week_start + dt.timedelta(days=4)
    first = format_date(week_start, "d. MMM" if week_start.year == friday.year else "d. MMM y", locale=LOCALE)
    return f"{first} – {format_date(friday, 'd. MMM y', locale=LOCALE)}"


def topic_label(topic: str) -> str:
    """The German label of a topic id ("foerderung" → "Förderung")."""
    return TOPICS.get(topic, topic)


def format_label(format_id: str) -> str:
    """The German label of a consultation format ("video" → "Videokonferenz")."""
    return FORMATS.get(format_id, format_id)
