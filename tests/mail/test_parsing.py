"""parse_email on hand-made messages: charsets, HTML-only bodies, attachments, headers, auto-replies."""

from __future__ import annotations

import base64
import datetime as dt
import textwrap

import pytest

from mail.charsets import decode_text
from mail.html_text import html_to_text
from mail.parsing import ParseError, parse_email


def _message(headers: str, body: bytes = b"Hallo\r\n") -> bytes:
    text = textwrap.dedent(headers).strip("\n")
    return (text.replace("\n", "\r\n") + "\r\n\r\n").encode("utf-8") + body


BASIC = """
    From: Anna Schneider <A.Schneider@Example.ORG>
    To: Beratung <beratung@example.org>, zweite@example.org
    Cc: kopie@example.org
    Subject: Frage
    Date: Mon, 03 Jun 2024 11:02:00 +0200
    Message-ID: <abc@mail.example.org>
"""


def test_text_that_is_not_an_email_raises_parse_error():
    for junk in (b"", b"\r\n\r\n", b"just some words\nand more", b"\x00\x01\x02binary"):
        with pytest.raises(ParseError):
            parse_email(junk)


def test_non_bytes_input_is_a_type_error():
    with pytest.raises(TypeError):
        parse_email("From: a@example.org\n\nhi")  # type: ignore[arg-type]


def test_addresses_are_lower_cased_addr_specs_and_names_kept():
    result = parse_email(_message(BASIC))
    assert result.from_address == "a.schneider@example.org"
    assert result.from_name == "Anna Schneider"
    assert result.to == ("beratung@example.org", "zweite@example.org")
    assert result.cc == ("kopie@example.org",)
    assert result.message_id == "<abc@mail.example.org>"
    assert result.date == dt.datetime(2024, 6, 3, 9, 2, tzinfo=dt.UTC)
    assert result.size == len(_message(BASIC))


def test_missing_or_broken_from_gives_empty_address():
    assert parse_email(_message("Subject: ohne Absender")).from_address == ""
    assert parse_email(_message("From: MAILER-DAEMON <>\nSubject: x")).from_address == ""
    assert parse_email(_message("From: Undisclosed\nSubject: x")).from_name in ("", "Undisclosed")


def test_message_ids_are_normalised_and_references_listed_in_order():
    result = parse_email(
        _message(
            """
            From: a@example.org
            Message-ID: plain-id@example.org
            In-Reply-To: Some text <parent@example.org> (comment)
            References: <root@example.org>
             <parent@example.org> <root@example.org> broken-entry
            """
        )
    )
    assert result.message_id == "<plain-id@example.org>"
    assert result.in_reply_to == "<parent@example.org>"
    assert result.references == ("<root@example.org>", "<parent@example.org>")


def test_empty_in_reply_to_is_none():
    assert parse_email(_message("From: a@example.org\nIn-Reply-To:")).in_reply_to is None


def test_dates_are_aware_or_none():
    unknown_zone = parse_email(_message("From: a@example.org\nDate: Mon, 03 Jun 2024 11:02:00 -0000"))
    assert unknown_zone.date is not None and unknown_zone.date.tzinfo is not None
    assert parse_email(_message("From: a@example.org\nDate: gestern irgendwann")).date is None


def test_loop_protection_headers_are_exposed():
    result = parse_email(
        _message(
            """
            From: liste@example.org
            Return-Path: <>
            Auto-Submitted: auto-generated (failure); foo=bar
            Precedence: Bulk
            List-Id: Klima-Kommunen <kk.lists.example.org>
            X-Autoreply: yes
            """
        )
    )
    assert result.auto_submitted == "auto-generated"
    assert result.precedence == "bulk"
    assert result.list_id == "Klima-Kommunen <kk.lists.example.org>"
    assert result.return_path == ""
    assert result.auto_reply_markers == ("x-autoreply",)
    assert result.is_auto_reply and result.auto_reply_reason == "auto-submitted"


def test_auto_submitted_no_is_a_person():
    result = parse_email(_message("From: a@example.org\nAuto-Submitted: no\nSubject: Frage"))
    assert not result.is_auto_reply


@pytest.mark.parametrize(
    "subject",
    [
        "Automatische Antwort: Ihre Anfrage",
        "Abwesenheitsnotiz: Ihre Anfrage",
        "Out of Office: Re: Förderung",
        "Autoreply: Frage",
        "Auto-Reply: Frage",
        "Abwesend: bis 14.06.",
        "Automatic reply: Nyaan",
        "AW: Abwesenheitsnotiz",
    ],
)
def test_auto_reply_subjects_are_recognised(subject):
    result = parse_email(_message(f"From: a@example.org\nSubject: {subject}"))
    assert result.is_auto_reply and result.auto_reply_reason == "subject"


@pytest.mark.parametrize(
    "subject", ["Frage zur Abwesenheit von Herrn Weber", "Re: Antrag", "Auto-Förderung E-Mobilität"]
)
def test_ordinary_subjects_are_not_auto_replies(subject):
    assert not parse_email(_message(f"From: a@example.org\nSubject: {subject}")).is_auto_reply


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("X-Autorespond: yes", "x-autorespond"),
        ("X-Auto-Response-Suppress: All", "x-auto-response-suppress"),
        ("X-Auto-Response-Suppress: OOF, AutoReply", "x-auto-response-suppress"),
        ("Precedence: auto_reply", "precedence"),
        ("Precedence: junk", "precedence"),
        ("Precedence: list", "precedence"),
    ],
)
def test_vendor_autoreply_headers_mark_auto_replies(header, reason):
    result = parse_email(_message(f"From: a@example.org\n{header}"))
    assert result.auto_reply_reason == reason


def test_x_auto_response_suppress_none_is_not_automatic():
    assert not parse_email(_message("From: a@example.org\nX-Auto-Response-Suppress: None")).is_auto_reply


def test_undecodable_encoded_word_in_subject_does_not_raise():
    for subject in ("=?utf-8?B?w7w=?= =?x-unknown?Q?R=FCckfrage?=", "=?NONE?B?VEVTVA=?=", "=?utf-8?B?!!!?="):
        result = parse_email(_message(f"From: a@example.org\nSubject: {subject}"))
        assert isinstance(result.subject, str) and "\n" not in result.subject


def test_folded_subject_is_unfolded_to_one_line():
    result = parse_email(_message("From: a@example.org\nSubject: eine sehr\n  lange Zeile"))
    assert result.subject == "eine sehr lange Zeile"


def test_wrongly_declared_charset_falls_back_to_what_the_bytes_are():
    latin1_as_utf8 = _message(
        "From: a@example.org\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        "Grüße aus Gießen".encode("latin-1"),
    )
    assert parse_email(latin1_as_utf8).text == "Grüße aus Gießen"
    utf8_as_ascii = _message(
        "From: a@example.org\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 8bit",
        "Grüße".encode(),
    )
    assert parse_email(utf8_as_ascii).text == "Grüße"


def test_unknown_and_missing_charsets_decode_without_raising():
    unknown = _message(
        "From: a@example.org\nContent-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: 8bit",
        "Förderung".encode(),
    )
    assert parse_email(unknown).text == "Förderung"
    missing = _message("From: a@example.org\nContent-Transfer-Encoding: 8bit", "Förderung".encode("cp1252"))
    assert parse_email(missing).text == "Förderung"


def test_latin1_label_with_windows_1252_quotes_gives_curly_quotes():
    raw = _message(
        "From: a@example.org\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit",
        "\u201eZitat\u201c \u20ac".encode("cp1252"),
    )
    assert parse_email(raw).text == "\u201eZitat\u201c \u20ac"


def test_decode_text_never_raises_on_any_byte():
    every_byte = bytes(range(256))
    for charset in (None, "utf-8", "iso-2022-jp", "ks_c_5601-1987", "x-unknown", "utf-16", "gb2312"):
        assert isinstance(decode_text(every_byte, charset), str)


def test_html_only_mail_becomes_readable_text():
    html = (
        "<html><head><style>p {color: red}</style><script>alert('x')</script></head><body>"
        "<p>Guten Tag,</p><p>siehe <a href='https://example.org/richtlinie'>Förderrichtlinie</a>"
        " und <a href='https://example.org/faq'>https://example.org/faq</a>.</p>"
        "<div>Zeile 1<br>Zeile 2</div><ul><li>eins</li><li>zwei</li></ul>"
        "<p>Preis &lt; 100&nbsp;&euro;</p></body></html>"
    )
    raw = _message(
        "From: a@example.org\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        html.encode(),
    )
    result = parse_email(raw)
    assert result.html == html
    assert result.text == (
        "Guten Tag,\n\n"
        "siehe Förderrichtlinie (https://example.org/richtlinie) und https://example.org/faq.\n\n"
        "Zeile 1\nZeile 2\n\n- eins\n- zwei\n\nPreis < 100 €"
    )
    assert "alert" not in result.text and "color" not in result.text


def test_html_blockquotes_become_quoted_lines():
    text = html_to_text("<p>Ja, passt.</p><blockquote><p>Passt Ihnen Donnerstag?</p></blockquote>")
    assert text == "Ja, passt.\n\n> Passt Ihnen Donnerstag?"


def test_empty_plain_alternative_falls_back_to_the_html_part():
    raw = _message(
        'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\n \r\n--b\r\nContent-Type: text/html\r\n\r\n"
        b"<p>Nur HTML</p>\r\n--b--\r\n",
    )
    assert parse_email(raw).text == "Nur HTML"


def _with_parts(*parts: bytes) -> bytes:
    body = b"".join(b"--XX\r\n" + part + b"\r\n" for part in parts) + b"--XX--\r\n"
    return _message(
        'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"', body
    )


def _base64_part(headers: str, data: bytes) -> bytes:
    return (headers.replace("\n", "\r\n") + "\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode() + (
        base64.encodebytes(data).replace(b"\n", b"\r\n")
    )


def test_attachments_over_the_size_limit_keep_their_size_but_no_data():
    small, big = b"x" * 100, b"y" * 5000
    raw = _with_parts(
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nSiehe Anhang",
        _base64_part(
            'Content-Type: application/pdf\nContent-Disposition: attachment; filename="klein.pdf"', small
        ),
        _base64_part(
            'Content-Type: application/pdf\nContent-Disposition: attachment; filename="gross.pdf"', big
        ),
    )
    result = parse_email(raw, max_attachment_bytes=1000)
    assert result.text == "Siehe Anhang"
    first, second = result.attachments
    assert (first.filename, first.content_type, first.data, first.size, first.too_large) == (
        "klein.pdf",
        "application/pdf",
        small,
        100,
        False,
    )
    assert (second.filename, second.data, second.size, second.too_large) == ("gross.pdf", None, 5000, True)


def test_inline_images_count_as_attachments_only_with_a_filename():
    png = b"\x89PNG\r\n\x1a\nfake"
    raw = _with_parts(
        b"Content-Type: text/plain\r\n\r\nText",
        _base64_part("Content-Type: image/png\nContent-ID: <logo@x>\nContent-Disposition: inline", png),
        _base64_part('Content-Type: image/png; name="foto.png"\nContent-Disposition: inline', png),
    )
    result = parse_email(raw)
    assert [a.filename for a in result.attachments] == ["foto.png"]
    assert result.attachments[0].data == png


def test_text_part_with_a_filename_is_an_attachment_not_body():
    raw = _with_parts(
        b"Content-Type: text/plain\r\n\r\nDer Text",
        b'Content-Type: text/plain; name="notiz.txt"\r\nContent-Disposition: attachment\r\n\r\nAnhang',
    )
    result = parse_email(raw)
    assert result.text == "Der Text"
    assert [a.filename for a in result.attachments] == ["notiz.txt"]


def test_broken_multipart_boundary_still_yields_the_text():
    raw = _message(
        'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="missing"',
        b"Hier fehlt die Grenze.\r\n",
    )
    assert "Hier fehlt die Grenze." in parse_email(raw).text


def test_delivery_status_report_built_by_hand_is_a_bounce():
    raw = _message(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nTo: beratung@example.org\n"
        "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
        b"--R\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        b"Final-Recipient: rfc822; Weg@Example.de\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        b"--R\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: beratung@example.org\r\n"
        b"Message-ID: <kk-2026-0042.1@bot.example.org>\r\nSubject: Ihre Anfrage\r\n\r\n--R--\r\n",
    )
    result = parse_email(raw)
    assert result.is_bounce and result.bounce is not None
    assert result.bounce.original_message_id == "<kk-2026-0042.1@bot.example.org>"
    (recipient,) = result.bounce.recipients
    assert (recipient.address, recipient.action, recipient.status) == ("weg@example.de", "failed", "5.1.1")
    assert recipient.diagnostic == "smtp; 550 5.1.1 User unknown"
    assert result.bounce.status_codes == ("5.1.1",)
    assert result.bounce.permanent


def test_classic_german_bounce_text_finds_the_original_message_id():
    raw = _message(
        "From: MAILER-DAEMON@mail.example.de\nSubject: Unzustellbar: Ihre Anfrage\nReturn-Path: <>",
        b"Die Nachricht konnte nicht zugestellt werden.\r\n\r\n<weg@example.de>: 550 5.1.1 unknown\r\n\r\n"
        b"------ Kopie der Nachricht ------\r\nFrom: beratung@example.org\r\n"
        b"Message-Id: <kk-7@bot.example.org>\r\nSubject: Ihre Anfrage\r\n\r\nText\r\n",
    )
    result = parse_email(raw)
    assert result.bounce is not None and not result.bounce.is_dsn
    assert result.bounce.original_message_id == "<kk-7@bot.example.org>"
    assert [r.address for r in result.bounce.recipients] == ["weg@example.de"]
    assert result.bounce.status_codes == ("5.1.1",)


def test_a_person_writing_about_delivery_is_not_a_bounce():
    raw = _message(
        "From: Anna <a@example.org>\nSubject: Lieferung nicht zugestellt?",
        b"Die Unterlagen konnte nicht zugestellt werden, sagt die Post.\r\n",
    )
    assert not parse_email(raw).is_bounce


def test_hostile_mime_nesting_deeper_than_the_stdlib_recursion_limit_does_not_raise():
    body = b""
    for level in range(2000):
        body += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    body += b"Content-Type: text/plain\r\n\r\ninnen\r\n" + b"".join(
        b"--b%d--\r\n" % i for i in reversed(range(2000))
    )
    result = parse_email(_message("From: a@example.org\nSubject: tief\nMIME-Version: 1.0", body))
    assert result.subject == "tief"


def test_hostile_nested_comments_in_address_headers_do_not_raise():
    raw = b"From: " + b"(" * 20000 + b"a@example.org\r\nTo: " + b"<" * 5000 + b"\r\nSubject: x\r\n\r\nhi"
    result = parse_email(raw)
    assert result.subject == "x" and result.text == "hi"
