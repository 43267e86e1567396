"""iCalendar invitations (RFC 5545 / iTIP RFC 5546) for bookings: METHOD:REQUEST to book, CANCEL to cancel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

from services.outgoing import MailAttachment
from services.working_time import BERLIN

PRODID = "-//Hessen aktiv: Die Klima-Kommunen//klimabot//DE"
TZID = "Europe/Berlin"
Method = Literal["REQUEST", "CANCEL", "PUBLISH"]


@dataclass(frozen=True)
class Invitation:
    """The event as both sides see it; `uid` stays the same for the booking, `sequence` grows with changes."""

    uid: str
    sequence: int
    start_utc: dt.datetime
    end_utc: dt.datetime
    summary: str
    description: str
    location: str
    organizer: tuple[str, str]
    attendees: tuple[tuple[str, str], ...]


def berlin_vtimezone() -> Timezone:
    """VTIMEZONE for Europe/Berlin with the EU rules since 1996 (last Sunday of March and October)."""
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("dtstart", dt.datetime(1970, 3, 29, 2, 0))
    daylight.add("tzoffsetfrom", dt.timedelta(hours=1))
    daylight.add("tzoffsetto", dt.timedelta(hours=2))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("dtstart", dt.datetime(1970, 10, 25, 3, 0))
    standard.add("tzoffsetfrom", dt.timedelta(hours=2))
    standard.add("tzoffsetto", dt.timedelta(hours=1))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    timezone = Timezone()
    timezone.add("tzid", TZID)
    timezone.add_component(daylight)
    timezone.add_component(standard)
    return timezone


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = value
    return address


def invitation_ics(invitation: Invitation, *, method: Method, stamp: dt.datetime) -> bytes:
    """The .ics file: VCALENDAR with METHOD, the Berlin VTIMEZONE and one VEVENT with TZID times."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(berlin_vtimezone())
    event = Event()
    event.add("uid", invitation.uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("sequence", invitation.sequence)
    event.add("dtstart", invitation.start_utc.astimezone(BERLIN))
    event.add("dtend", invitation.end_utc.astimezone(BERLIN))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    if invitation.location:
        event.add("location", invitation.location)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(*invitation.organizer))
    for name, email in invitation.attendees:
        # both sides agreed when booking; RSVP=FALSE keeps calendar replies out of the advisory inbox
        event.add(
            "attendee", _address(name, email, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE")
        )
    calendar.add_component(event)
    return calendar.to_ical()


def invitation_attachment(invitation: Invitation, *, method: Method, stamp: dt.datetime) -> MailAttachment:
    """The invitation as a mail attachment; the `method` parameter repeats METHOD for the MIME part."""
    return MailAttachment(
        "einladung.ics",
        "text/calendar",
        invitation_ics(invitation, method=method, stamp=stamp),
        # RFC 5545 §3.1.4 text is UTF-8, and some clients assume another charset when the part omits it
        {"method": method, "charset": "utf-8"},
    )
