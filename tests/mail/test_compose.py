"""compose_email and the subject helpers: correct headers, RFC 2047 round trips, no header injection."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest

from mail.compose import (
    OutgoingAttachment,
    build_references,
    compose_email,
    make_message_id,
    reply_subject,
    tag_subject,
)
from mail.parsing import parse_email

DOMAIN = "bot.example.org"


def _compose(**overrides: object):
    arguments: dict[str, object] = {
        "from_address": "beratung@example.org",
        "from_name": "Beratung Klima-Kommunen",
        "to": [("Jonas Weber", "jonas.weber@example.de")],
        "subject": "[KK-2026-0042] Ihre Frage",
        "text": "Guten Tag,\n\nhier die Antwort.\n",
        "domain": DOMAIN,
    }
    arguments.update(overrides)
    return compose_email(**arguments)  # type: ignore[arg-type]


def _round_trip(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


def test_basic_headers_are_present_and_correct():
    moment = dt.datetime(2026, 11, 3, 10, 15, tzinfo=dt.UTC)
    message = _compose(date=moment)
    parsed = _round_trip(message)
    assert parsed["From"] == "Beratung Klima-Kommunen <beratung@example.org>"
    assert parsed["To"] == "Jonas Weber <jonas.weber@example.de>"
    assert parsed["Subject"] == "[KK-2026-0042] Ihre Frage"
    assert parsed["Date"].datetime == moment
    assert parsed["Message-ID"].endswith(f"@{DOMAIN}>") and parsed["Message-ID"].startswith("<")
    assert parsed["MIME-Version"] == "1.0"
    assert (
        parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Guten Tag,\n\nhier die Antwort.\n"
    )
    assert "Auto-Submitted" not in parsed and "In-Reply-To" not in parsed and "References" not in parsed


def test_serialised_message_uses_crlf_line_ends():
    raw = _compose().as_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_make_message_id_is_unique_and_uses_the_domain():
    first, second = make_message_id(DOMAIN), make_message_id(DOMAIN)
    assert first != second and first.endswith(f"@{DOMAIN}>")
    with pytest.raises(ValueError):
        make_message_id("bad domain\r\nBcc: x")


def test_explicit_message_id_is_used_and_validated():
    assert _compose(message_id="<kk-42.1@bot.example.org>")["Message-ID"] == "<kk-42.1@bot.example.org>"
    for bad in ("no-brackets@x.org", "<a b@x.org>", "<x@y.org>\r\nBcc: evil@example.org"):
        with pytest.raises(ValueError):
            _compose(message_id=bad)


def test_non_ascii_names_and_subject_are_encoded_and_round_trip():
    message = _compose(
        from_name="Beratungsstelle Klimaschutz Hessen – Büro Gießen",
        to=[("Jürgen Müller-Lüdenscheidt", "j.mueller@example.de")],
        subject="Rückfrage zur Förderung: Wärmepumpe für das Bürgerhaus in Großenlüder (Straßenbeleuchtung)",
        text="Grüße aus Gießen – das Förderprogramm läuft bis 31.12.",
    )
    raw = message.as_bytes()
    assert raw.isascii()  # RFC 2047 encoded words and quoted-printable body
    assert b"=?utf-8?" in raw
    parsed = _round_trip(message)
    assert parsed["From"].addresses[0].display_name == "Beratungsstelle Klimaschutz Hessen – Büro Gießen"
    assert parsed["To"].addresses[0].display_name == "Jürgen Müller-Lüdenscheidt"
    assert parsed["Subject"] == (
        "Rückfrage zur Förderung: Wärmepumpe für das Bürgerhaus in Großenlüder (Straßenbeleuchtung)"
    )
    assert (
        parsed.get_body(("plain",)).get_content().strip()
        == "Grüße aus Gießen – das Förderprogramm läuft bis 31.12."
    )
    ours = parse_email(raw)
    assert ours.from_name == "Beratungsstelle Klimaschutz Hessen – Büro Gießen"
    assert ours.subject.startswith("Rückfrage zur Förderung")


def test_display_names_with_special_characters_are_quoted():
    parsed = _round_trip(_compose(to=[('Weber, Jonas "JW" (Kämmerei)', "jw@example.de")]))
    address = parsed["To"].addresses[0]
    assert (address.display_name, address.addr_spec) == ('Weber, Jonas "JW" (Kämmerei)', "jw@example.de")


@pytest.mark.parametrize(
    "field",
    ["subject", "from_name", "to_name"],
)
def test_header_injection_through_crlf_does_not_create_headers(field):
    evil = "Betreff\r\nBcc: evil@example.org\r\nX-Injected: yes"
    overrides: dict[str, object] = {
        "subject": {"subject": evil},
        "from_name": {"from_name": evil},
        "to_name": {"to": [(evil, "jonas.weber@example.de")]},
    }[field]
    message = _compose(**overrides)
    raw = message.as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_all("Bcc") is None and parsed.get_all("X-Injected") is None
    assert b"\r\nBcc:" not in raw and b"\nX-Injected" not in raw
    assert [key.lower() for key in parsed.keys()].count("to") == 1


def test_other_control_characters_and_unicode_line_breaks_are_removed_from_headers():
    parsed = _round_trip(_compose(subject="A\x00B\x1bC\u2028D\u0085E\tF\nG"))
    assert parsed["Subject"] == "A B C D E F G"


@pytest.mark.parametrize(
    "address",
    [
        "kein-at-zeichen",
        "a@b",
        "a b@example.org",
        "a@example.org\r\nBcc: evil@example.org",
        "a@example.org, b@example.org",
        "<a@example.org>",
        '"quoted"@example.org',
        "a@-example.org",
        "",
    ],
)
def test_invalid_addresses_are_rejected(address):
    with pytest.raises(ValueError):
        _compose(to=[("Name", address)])
    with pytest.raises(ValueError):
        _compose(from_address=address)
    with pytest.raises(ValueError):
        _compose(reply_to=address)


def test_umlaut_domains_are_sent_in_their_ascii_form():
    parsed = _round_trip(_compose(to=[("Jörg", "joerg@müller-bau.de")]))
    assert parsed["To"].addresses[0].addr_spec == "joerg@xn--mller-bau-q9a.de"


def test_a_message_needs_a_recipient():
    with pytest.raises(ValueError):
        _compose(to=[])


def test_reply_threads_with_in_reply_to_and_references():
    message = _compose(
        in_reply_to="<q2@example.de>",
        references=["<root@example.de> <q1@example.de>"],
        reply_to=("Beratung", "beratung+t-42@example.org"),
        cc=[("Kollegin", "kollegin@example.org")],
    )
    parsed = _round_trip(message)
    assert parsed["In-Reply-To"] == "<q2@example.de>"
    assert parsed["References"].split() == ["<root@example.de>", "<q1@example.de>", "<q2@example.de>"]
    assert parsed["Reply-To"].addresses[0].addr_spec == "beratung+t-42@example.org"
    assert parsed["Cc"].addresses[0].addr_spec == "kollegin@example.org"


def test_references_are_deduplicated_and_the_parent_is_last():
    assert build_references(["<a@x>", "<b@x>", "<a@x>"], "<b@x>") == ["<a@x>", "<b@x>"]
    assert build_references([], "<p@x>") == ["<p@x>"]
    assert build_references(["garbage", "<ok@x> <also bad>"], None) == ["<ok@x>"]


def test_long_reference_chains_keep_the_root_and_the_newest():
    chain = [f"<m{index}@example.org>" for index in range(40)]
    references = build_references(chain, "<parent@example.org>")
    assert len(references) == 20
    assert references[0] == "<m0@example.org>" and references[-1] == "<parent@example.org>"
    assert references[-2] == "<m39@example.org>"
    header = _round_trip(_compose(references=chain, in_reply_to="<parent@example.org>"))["References"]
    assert header.split() == references


def test_injection_through_threading_headers_is_impossible():
    parsed = _round_trip(
        _compose(in_reply_to="<a@x.org>\r\nBcc: evil@example.org", references=["<b@x.org>\nBcc: c@d.e"])
    )
    assert parsed.get_all("Bcc") is None
    assert parsed["In-Reply-To"] == "<a@x.org>"


def test_auto_submitted_is_set_when_asked():
    parsed = _round_trip(_compose(auto_submitted="auto-replied"))
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parse_email(_compose(auto_submitted="auto-replied").as_bytes()).auto_submitted == "auto-replied"
    with pytest.raises(ValueError):
        _compose(auto_submitted="auto-replied\r\nBcc: x@y.de")


def test_html_alternative_follows_the_plain_text():
    parsed = _round_trip(_compose(html="<p>Guten Tag, <b>hier</b> die Antwort.</p>"))
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Guten Tag, <b>hier</b> die Antwort.</p>"


def test_calendar_attachment_carries_method_request():
    invite = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Beratung\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    message = _compose(
        html="<p>Termin</p>",
        attachments=[
            OutgoingAttachment("termin.ics", "text/calendar", invite, params={"method": "REQUEST"}),
            OutgoingAttachment("../../Förderantrag.pdf", "application/pdf", b"%PDF-1.4 fake"),
        ],
    )
    parsed = _round_trip(message)
    assert parsed.get_content_type() == "multipart/mixed"
    calendar = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "termin.ics"
    assert "SUMMARY:Beratung" in calendar.get_content()
    pdf = next(p for p in parsed.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_filename() == "Förderantrag.pdf"
    assert pdf.get_content() == b"%PDF-1.4 fake"
    ours = parse_email(message.as_bytes())
    assert sorted(a.filename or "" for a in ours.attachments) == ["Förderantrag.pdf", "termin.ics"]


def test_attachment_content_type_and_params_are_validated():
    with pytest.raises(ValueError):
        _compose(attachments=[OutgoingAttachment("x.ics", "text/calendar\r\nBcc: e@x.de", b"x")])
    with pytest.raises(ValueError):
        _compose(attachments=[OutgoingAttachment("x.ics", "text/calendar", b"x", params={"a b": "c"})])
    parsed = _round_trip(
        _compose(
            attachments=[
                OutgoingAttachment("x.ics", "text/calendar", b"x", params={"method": "A\r\nBcc: e@x.de"})
            ]
        )
    )
    assert parsed.get_all("Bcc") is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Ihre Frage", "Re: Ihre Frage"),
        ("Re: Ihre Frage", "Re: Ihre Frage"),
        ("AW: Re: RE: Ihre Frage", "Re: Ihre Frage"),
        ("Aw:Ihre Frage", "Re: Ihre Frage"),
        ("Re[2]: Ihre Frage", "Re: Ihre Frage"),
        ("WG: Weitergeleitet", "Re: WG: Weitergeleitet"),
        ("  Frage\r\nBcc: x@y.de", "Re: Frage Bcc: x@y.de"),
        ("Reaktion auf den Antrag", "Re: Reaktion auf den Antrag"),
    ],
)
def test_reply_subject_has_a_single_re(subject, expected):
    assert reply_subject(subject) == expected


def test_tag_subject_prefixes_the_reference_and_keeps_short_summaries():
    assert tag_subject("KK-2026-0042", "Förderung Wärmepumpe") == "[KK-2026-0042] Förderung Wärmepumpe"


def test_tag_subject_cuts_long_summaries_at_a_word_boundary():
    summary = "Frage zur Förderung einer Wärmepumpe im Bürgerhaus und zur Kombination mit Landesmitteln aus dem Klimaplan"
    subject = tag_subject("KK-2026-0042", summary)
    shortened = subject.removeprefix("[KK-2026-0042] ")
    assert len(shortened) <= 70 and shortened.endswith("…")
    assert summary.startswith(shortened.removesuffix("…"))
    assert summary[len(shortened) - 1] == " "  # cut where a word ended


def test_tag_subject_is_single_line_and_needs_a_reference():
    assert tag_subject("KK-1", "Zeile eins\r\nBcc: x@y.de") == "[KK-1] Zeile eins Bcc: x@y.de"
    assert tag_subject("KK-1", "x" * 200).endswith("…")
    with pytest.raises(ValueError):
        tag_subject("  ", "Text")
