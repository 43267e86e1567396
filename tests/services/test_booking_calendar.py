"""The .ics invitation read back with icalendar: iTIP method, people, Berlin VTIMEZONE, TZID times."""

import datetime as dt

from icalendar import Calendar

from mail.compose import OutgoingAttachment, compose_email
from services.booking.calendar_invites import (
    Invitation,
    berlin_vtimezone,
    invitation_attachment,
    invitation_ics,
)
from services.working_time import BERLIN

INVITATION = Invitation(
    uid="ib-2026-0007@example.org",
    sequence=0,
    start_utc=dt.datetime(2026, 3, 29, 7, 0, tzinfo=dt.UTC),
    end_utc=dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC),
    summary="Initialberatung Klima-Kommunen – Förderung",
    description="Format: Telefon\n\nNotiz: Wärmeplanung; Fragen, Fristen",
    location="Telefon",
    organizer=("Fachstelle Klima-Kommunen", "fachstelle@example.org"),
    attendees=(("Anna Berater", "anna@example.org"), ("Frau Test", "test@marburg.de")),
)
STAMP = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


def test_a_request_carries_method_people_and_berlin_times():
    calendar = Calendar.from_ical(invitation_ics(INVITATION, method="REQUEST", stamp=STAMP))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["ORGANIZER"]) == "mailto:fachstelle@example.org"
    assert event["ORGANIZER"].params["CN"] == "Fachstelle Klima-Kommunen"
    assert [str(a) for a in event["ATTENDEE"]] == ["mailto:anna@example.org", "mailto:test@marburg.de"]
    assert event["ATTENDEE"][0].params["CN"] == "Anna Berater"
    assert (
        event["DTSTART"].params["TZID"] == "Europe/Berlin"
        and event["DTEND"].params["TZID"] == "Europe/Berlin"
    )
    assert event.decoded("DTSTART") == INVITATION.start_utc and event.decoded("DTEND") == INVITATION.end_utc
    assert event.decoded("DTSTART").replace(tzinfo=None) == dt.datetime(2026, 3, 29, 9, 0)
    assert str(event["UID"]) == "ib-2026-0007@example.org" and int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == "Initialberatung Klima-Kommunen – Förderung"
    assert str(event["DESCRIPTION"]) == "Format: Telefon\n\nNotiz: Wärmeplanung; Fragen, Fristen"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_cancellation_has_method_cancel_and_status_cancelled():
    cancelled = Invitation(**{**INVITATION.__dict__, "sequence": 1})
    attachment = invitation_attachment(cancelled, method="CANCEL", stamp=STAMP)
    assert (attachment.filename, attachment.content_type, attachment.params) == (
        "einladung.ics",
        "text/calendar",
        {"method": "CANCEL", "charset": "utf-8"},
    )
    calendar = Calendar.from_ical(attachment.data)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == INVITATION.uid


def test_the_vtimezone_has_both_rules_and_matches_zoneinfo_around_every_switch():
    calendar = Calendar.from_ical(invitation_ics(INVITATION, method="REQUEST", stamp=STAMP))
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Berlin"
    assert {component.name for component in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    parsed = berlin_vtimezone().to_tz()
    assert calendar.walk("VTIMEZONE")[0].to_ical() == berlin_vtimezone().to_ical()
    moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    while moment.year < 2031:  # hourly, so every switch at 01:00 UTC and the doubled hour are checked
        local = moment.astimezone(BERLIN).replace(tzinfo=None)
        assert local.replace(tzinfo=parsed).utcoffset() == moment.astimezone(BERLIN).utcoffset(), local
        moment += dt.timedelta(hours=1)


def test_the_composed_invitation_part_names_its_utf8_charset():
    attachment = invitation_attachment(INVITATION, method="REQUEST", stamp=STAMP)
    message = compose_email(
        from_address="fachstelle@example.org",
        from_name="Fachstelle",
        to=[("Frau Test", "test@marburg.de")],
        subject="Einladung",
        text="Anbei die Einladung.",
        domain="example.org",
        attachments=[
            OutgoingAttachment(
                attachment.filename, attachment.content_type, attachment.data, attachment.params
            )
        ],
    )
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert part.get_content_charset() == "utf-8" and part.get_param("method") == "REQUEST"
    assert "Förderung" in part.get_content()
