"""Booking settings: topics, formats, each advisor's weekly hours from the advisors file, global policy."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from services.advisors import Advisor, AdvisorDirectory, AdvisorsFileError

TOPICS: dict[str, str] = {
    "klimaschutz": "Klimaschutz",
    "klimaanpassung": "Klimaanpassung",
    "foerderung": "Förderung",
    "thg-bilanz": "Treibhausgasbilanz/Aktionsplan",
    "sonstiges": "Sonstiges",
}
FORMATS: dict[str, str] = {"phone": "Telefon", "video": "Videokonferenz", "onsite": "Vor Ort"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SLOT_MINUTES = 60
DEFAULT_BUFFER_MINUTES = 15
SLOT_MINUTES_RANGE = (15, 240)
BUFFER_MINUTES_RANGE = (0, 120)

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


class BookingConfigError(AdvisorsFileError):
    """The booking keys of one advisor cannot be used; the message names the file line and the advisor."""


@dataclass(frozen=True)
class TimeRange:
    """One period of bookable time on a weekday, in Berlin wall-clock time."""

    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class AdvisorSchedule:
    """What one advisor offers: topics, weekly hours (index 0 = Monday), slot length, buffer, formats."""

    email: str
    name: str
    topics: frozenset[str] = frozenset()
    hours: tuple[tuple[TimeRange, ...], ...] = ((),) * 7
    slot_minutes: int = DEFAULT_SLOT_MINUTES
    buffer_minutes: int = DEFAULT_BUFFER_MINUTES
    formats: tuple[str, ...] = tuple(FORMATS)

    @property
    def slot_length(self) -> dt.timedelta:
        """The length of one consultation."""
        return dt.timedelta(minutes=self.slot_minutes)

    @property
    def buffer(self) -> dt.timedelta:
        """The free time kept before and after each booking."""
        return dt.timedelta(minutes=self.buffer_minutes)

    def covers(self, topic: str) -> bool:
        """True if this advisor takes consultations on the topic."""
        return topic in self.topics


@dataclass(frozen=True)
class AdvisorSchedules:
    """The bookable advisors, validated once when the advisors file is loaded."""

    advisors: tuple[AdvisorSchedule, ...] = ()

    def get(self, email: str) -> AdvisorSchedule | None:
        """The advisor with this address (case-insensitive), if any."""
        wanted = email.strip().lower()
        return next((a for a in self.advisors if a.email == wanted), None)

    def covering(self, topic: str) -> tuple[AdvisorSchedule, ...]:
        """The advisors who take the topic and have weekly hours."""
        return tuple(a for a in self.advisors if a.covers(topic) and any(a.hours))

    def offered_topics(self) -> list[str]:
        """Topic ids (in TOPICS order) that at least one advisor with hours covers."""
        return [topic for topic in TOPICS if self.covering(topic)]


@dataclass(frozen=True)
class BookingPolicy:
    """Global rules: the earliest bookable day is `lead_working_days` Hessian working days after today.

    The caps count open bookings (active, not started yet); the defaults match bot/settings.py.
    """

    lead_working_days: int = 2
    horizon_days: int = 8 * 7
    max_open_bookings_per_chat: int = 2
    max_open_bookings_per_municipality: int = 3


@dataclass(frozen=True)
class BookingConfig:
    """What the booking use cases need to know about the installation."""

    inbox_address: str
    schedules: AdvisorSchedules
    policy: BookingPolicy = field(default_factory=BookingPolicy)
    organizer_name: str = "Fachstelle Klima-Kommunen"

    @property
    def domain(self) -> str:
        """The domain used in Message-IDs and calendar UIDs."""
        return self.inbox_address.rsplit("@", 1)[-1]


def _fail(advisor: Advisor, source: str, message: str) -> BookingConfigError:
    line = f", Zeile {advisor.line}" if advisor.line else ""
    return BookingConfigError(f"{source}{line} ({advisor.name}): {message}")


def _parse_range(text: Any, key: str, advisor: Advisor, source: str) -> TimeRange:
    match = _RANGE.match(text) if isinstance(text, str) else None
    if match is None:
        raise _fail(advisor, source, f"'{key}': {text!r} ist kein Zeitraum wie 09:00-12:00")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise _fail(advisor, source, f"'{key}': {text!r} enthält keine gültige Uhrzeit (00:00 bis 23:59)")
    start, end = dt.time(h1, m1), dt.time(h2, m2)
    if end <= start:
        raise _fail(advisor, source, f"'{key}': in {text!r} liegt das Ende nicht nach dem Beginn")
    return TimeRange(start, end)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def _parse_hours(
    raw: Any, slot_minutes: int, advisor: Advisor, source: str
) -> tuple[tuple[TimeRange, ...], ...]:
    if raw is None:
        return ((),) * 7
    if not isinstance(raw, dict):
        raise _fail(advisor, source, "'hours' muss Wochentage zuordnen, z. B. mon: [\"09:00-12:00\"]")
    week: list[tuple[TimeRange, ...]] = [() for _ in WEEKDAYS]
    for day, ranges in raw.items():
        if day not in WEEKDAYS:
            raise _fail(
                advisor, source, f"'hours': unbekannter Wochentag {day!r} (erlaubt: {', '.join(WEEKDAYS)})"
            )
        key = f"hours.{day}"
        items = [ranges] if isinstance(ranges, str) else ranges
        if not isinstance(items, list):
            raise _fail(advisor, source, f"'{key}' muss eine Liste von Zeiträumen wie [\"09:00-12:00\"] sein")
        parsed = sorted((_parse_range(item, key, advisor, source) for item in items), key=lambda r: r.start)
        for earlier, later in zip(parsed, parsed[1:], strict=False):
            if later.start < earlier.end:
                raise _fail(advisor, source, f"'{key}': die Zeiträume überschneiden sich")
        for period in parsed:
            if _minutes(period.end) - _minutes(period.start) < slot_minutes:
                raise _fail(
                    advisor,
                    source,
                    f"'{key}': {period.start:%H:%M}-{period.end:%H:%M} ist kürzer als ein Termin "
                    f"({slot_minutes} Minuten)",
                )
        week[WEEKDAYS.index(day)] = tuple(parsed)
    return tuple(week)


def _parse_minutes(
    raw: Any, key: str, default: int, limits: tuple[int, int], advisor: Advisor, source: str
) -> int:
    if raw is None:
        return default
    low, high = limits
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise _fail(advisor, source, f"'{key}': {raw!r} ist keine ganze Zahl von {low} bis {high} (Minuten)")
    return raw


def _parse_formats(raw: Any, advisor: Advisor, source: str) -> tuple[str, ...]:
    if raw is None:
        return tuple(FORMATS)
    items = [raw] if isinstance(raw, str) else raw
    allowed = ", ".join(FORMATS)
    if not isinstance(items, list) or not items:
        raise _fail(advisor, source, f"'formats' muss eine nicht leere Liste aus {allowed} sein")
    for item in items:
        if item not in FORMATS:
            raise _fail(advisor, source, f"'formats': unbekanntes Format {item!r} (erlaubt: {allowed})")
    return tuple(f for f in FORMATS if f in items)


def parse_schedule(advisor: Advisor, source: str = "advisors.yaml") -> AdvisorSchedule:
    """Validate one advisor's booking keys (topics, hours, slot_minutes, buffer_minutes, formats)."""
    for topic in advisor.topics:
        if topic not in TOPICS:
            raise _fail(
                advisor, source, f"'topics': unbekanntes Thema {topic!r} (erlaubt: {', '.join(TOPICS)})"
            )
    slot_minutes = _parse_minutes(
        advisor.extra.get("slot_minutes"),
        "slot_minutes",
        DEFAULT_SLOT_MINUTES,
        SLOT_MINUTES_RANGE,
        advisor,
        source,
    )
    buffer_minutes = _parse_minutes(
        advisor.extra.get("buffer_minutes"),
        "buffer_minutes",
        DEFAULT_BUFFER_MINUTES,
        BUFFER_MINUTES_RANGE,
        advisor,
        source,
    )
    return AdvisorSchedule(
        email=advisor.email,
        name=advisor.name,
        topics=frozenset(advisor.topics),
        hours=_parse_hours(advisor.extra.get("hours"), slot_minutes, advisor, source),
        slot_minutes=slot_minutes,
        buffer_minutes=buffer_minutes,
        formats=_parse_formats(advisor.extra.get("formats"), advisor, source),
    )


def booking_schedules(directory: AdvisorDirectory, source: str = "advisors.yaml") -> AdvisorSchedules:
    """Validate the booking keys of every advisor; raises BookingConfigError at the first mistake."""
    return AdvisorSchedules(tuple(parse_schedule(advisor, source) for advisor in directory.advisors))
