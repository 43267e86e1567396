"""parse_email on every message of the shared corpora: no crash, bounces and auto-replies recognised."""

from __future__ import annotations

import email
import re
import time
from email import policy

import pytest

from mail.parsing import IncomingEmail, parse_email
from mail.reply_text import extract_reply
from tests.conftest import requires_shared
from tests.mail.corpora import (
    CORPORA,
    MIKEL,
    SISIMAI,
    SYNTHETIC,
    all_files,
    is_document,
    raw_messages,
    reply_text_files,
)

pytestmark = requires_shared

# lhost/rhost/rfc3464 samples that are not bounces of a message we sent, with the reason.
NOT_BOUNCES = {
    "lhost-amazonses-09.eml": "Amazon SNS JSON notification, not a mail bounce",
    "lhost-amazonses-10.eml": "Amazon SNS JSON notification, not a mail bounce",
    "lhost-amazonses-11.eml": "Amazon SNS JSON notification, not a mail bounce",
    "lhost-amazonses-12.eml": "Amazon SNS JSON notification, not a mail bounce",
    "lhost-amazonses-13.eml": "Amazon SNS JSON notification, not a mail bounce",
    "lhost-fml-02.eml": "mailing-list admin notice from a list address",
    "lhost-fml-03.eml": "mailing-list loop alert from a list address",
    "lhost-kddi-01.eml": "carrier notice from a no-reply sender without bounce markers",
    "lhost-postfix-75.eml": "postmaster notice about an SMTP session, no returned message",
    "lhost-sendmail-14.eml": "a person forwarding a bounce (Fwd:)",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[bytes, IncomingEmail | Exception]]:
    """Every corpus message parsed once: name -> (raw bytes, result or the exception it raised)."""
    results: dict[str, tuple[bytes, IncomingEmail | Exception]] = {}
    for name, raw in raw_messages():
        try:
            results[name] = (raw, parse_email(raw))
        except Exception as exc:  # collected, reported by the first test
            results[name] = (raw, exc)
    return results


@pytest.fixture(scope="module")
def parsed(outcomes) -> dict[str, IncomingEmail]:
    return {name: result for name, (_, result) in outcomes.items() if isinstance(result, IncomingEmail)}


def test_every_corpus_message_parses_without_raising(outcomes):
    started = time.perf_counter()
    failures = [
        f"{name}: {result!r}" for name, (_, result) in outcomes.items() if isinstance(result, Exception)
    ]
    print(f"parsed {len(outcomes)} corpus messages (checked in {time.perf_counter() - started:.2f}s)")
    assert failures == []
    assert len(outcomes) > 900


def test_every_corpus_file_is_either_a_message_a_reply_text_or_documentation():
    names = {path.name for path in all_files() if is_document(path)}
    assert names <= {"README.md", "LICENSE", "MIT-LICENSE", "expected_assertions.json", "expected.json"}


def test_every_bare_reply_fixture_goes_through_extract_reply_without_raising():
    texts = reply_text_files()
    assert len(texts) > 120
    for path in texts:
        result = extract_reply(path.read_bytes().decode("utf-8", errors="replace"))
        assert isinstance(result, str)


def _is_delivery_status_report(raw: bytes) -> bool:
    message = email.message_from_bytes(raw, policy=policy.compat32)
    report_type = str(message.get_param("report-type") or "").lower()
    return message.get_content_type() == "multipart/report" and report_type == "delivery-status"


def _message_ids_in_body(raw: bytes) -> set[str]:
    """Every Message-ID line below the top-level header (what a returned copy can contain)."""
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode("latin-1")
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    body = re.sub(r"=\n", "", body).replace("&lt;", "<").replace("&gt;", ">")
    return set(re.findall(r"^[ \t>]*Message-Id:\s*(<[^<>\s]+>)", body, re.IGNORECASE | re.MULTILINE))


def test_delivery_status_reports_are_bounces_with_the_original_message_id(outcomes, parsed):
    reports = [name for name, (raw, _) in outcomes.items() if _is_delivery_status_report(raw)]
    with_id = 0
    for name in reports:
        result = parsed[name]
        assert result.is_bounce, name
        assert result.bounce is not None and result.bounce.is_dsn, name
        candidates = _message_ids_in_body(outcomes[name][0])
        if candidates:
            with_id += 1
            assert result.bounce.original_message_id in candidates, name
    print(f"{len(reports)} delivery-status reports, {with_id} of them carry the original Message-ID")
    assert len(reports) > 400 and with_id > 350


def test_bounce_samples_of_all_providers_are_recognised(parsed):
    samples = [
        name
        for name in parsed
        if name.startswith("sisimai-set-of-emails/maildir/bsd/")
        and re.match(r"(lhost|rhost|rfc3464)-", name.rsplit("/", 1)[1])
    ]
    missed = [
        name for name in samples if not parsed[name].is_bounce and name.rsplit("/", 1)[1] not in NOT_BOUNCES
    ]
    assert len(samples) > 550
    assert missed == []


def test_german_provider_bounces_are_recognised(parsed):
    german = [name for name in parsed if re.search(r"/lhost-(gmx|einsundeins)-\d+\.eml$", name)]
    assert len(german) >= 6
    assert all(parsed[name].is_bounce for name in german)


def test_classic_qmail_bounce_without_dsn_structure_yields_original_message_id(parsed):
    result = parsed["sisimai-set-of-emails/maildir/bsd/lhost-qmail-01.eml"]
    assert result.is_bounce and result.bounce is not None and not result.bounce.is_dsn
    assert result.bounce.original_message_id == "<000000000.9999999999999.JavaMail.postmaster@mailhub>"
    assert [r.address for r in result.bounce.recipients] == ["kijitora@example.ne.jp"]
    assert result.bounce.permanent


def test_delivery_status_gives_recipients_actions_and_status_codes(parsed):
    delayed = parsed["mikel-mail/spec/fixtures/emails/multipart_report_emails/report_422.eml"].bounce
    assert delayed is not None
    assert [(r.address, r.action, r.status) for r in delayed.recipients] == [
        ("fraser@oooooooo.com.au", "delayed", "4.2.2")
    ]
    assert not delayed.permanent
    several = parsed[
        "mikel-mail/spec/fixtures/emails/multipart_report_emails/multi_address_bounce1.eml"
    ].bounce
    assert several is not None and len(several.recipients) >= 2
    assert all(r.status and r.status.startswith("5.") for r in several.recipients)
    assert several.permanent


def test_line_ending_variants_of_the_same_bounce_parse_alike(parsed):
    compared = 0
    for name in [n for n in parsed if "/maildir/dos/" in n]:
        twin = name.replace("/maildir/dos/", "/maildir/bsd/")
        if twin not in parsed:
            continue
        compared += 1
        lf, crlf = parsed[twin], parsed[name]
        assert (crlf.subject, crlf.message_id, crlf.is_bounce) == (lf.subject, lf.message_id, lf.is_bounce), (
            name
        )
    assert compared > 50


def test_bare_cr_line_endings_still_find_headers_and_bounces(parsed):
    mac = [name for name in parsed if "/maildir/mac/" in name]
    assert len(mac) == 80
    assert sum(parsed[name].is_bounce for name in mac) > 70
    assert all(parsed[name].from_address or parsed[name].from_name for name in mac)


def test_messages_with_auto_submitted_other_than_no_are_auto_replies(outcomes, parsed):
    flagged = 0
    for name, (raw, _) in outcomes.items():
        value = email.message_from_bytes(raw, policy=policy.compat32).get("Auto-Submitted")
        if value is not None and not str(value).strip().lower().startswith("no"):
            flagged += 1
            assert parsed[name].is_auto_reply, name
    assert flagged > 280


def test_rfc3834_vacation_replies_are_auto_replies_and_not_bounces(parsed):
    names = [name for name in parsed if "/maildir/bsd/rfc3834-" in name]
    assert len(names) == 6
    for name in names:
        assert parsed[name].is_auto_reply, name
        assert not parsed[name].is_bounce, name


def test_look_alikes_are_neither_bounces_nor_auto_replies(parsed):
    for name in ("is-not-bounce-01.eml", "is-not-bounce-02.eml"):
        result = parsed[f"sisimai-set-of-emails/maildir/not/{name}"]
        assert not result.is_bounce and not result.is_auto_reply, name


def test_abuse_feedback_reports_are_automatic_but_not_bounces(parsed):
    arf = parsed["sisimai-set-of-emails/maildir/bsd/arf-01.eml"]
    assert not arf.is_bounce
    assert arf.auto_reply_reason == "report"


def test_exchange_out_of_office_is_an_auto_reply():
    result = parse_email((SYNTHETIC / "de_out_of_office_exchange.eml").read_bytes())
    assert result.is_auto_reply and result.auto_reply_reason == "auto-submitted"
    assert result.subject == "Automatische Antwort: [#E-1049] Rückfrage"
    assert "x-ms-exchange-inbox-rules-loop" in result.auto_reply_markers
    assert "x-auto-response-suppress" in result.auto_reply_markers


def test_latin1_8bit_outlook_reply_decodes_body_subject_and_threading():
    result = parse_email((SYNTHETIC / "de_latin1_8bit_outlook.eml").read_bytes())
    assert result.subject == "AW: [#E-1046] Rückfrage zur Förderung"
    assert "Die Förderung ist möglich" in result.text and "Grüßen" in result.text
    assert result.in_reply_to == "<e1046.7f3a@bot.example.org>"
    assert result.references == ("<e1046.7f3a@bot.example.org>",)
    assert result.to == ("beratung+t-20240603-7f3a@example.org",)
    assert result.from_name == "Anna Schneider" and result.from_address == "a.schneider@example.org"


def test_multipart_alternative_prefers_the_plain_part_and_keeps_the_html():
    result = parse_email((SYNTHETIC / "de_outlook_multipart_qp.eml").read_bytes())
    assert result.text.startswith("Die Antwort lautet: Ja, bis zum 30.06. möglich.")
    assert result.html is not None and "divRplyFwdMsg" in result.html
    assert result.subject == "AW: [#E-1047] Rückfrage"


def test_lone_dot_line_survives_parsing():
    result = parse_email((SYNTHETIC / "lone_dot_line.eml").read_bytes())
    assert "\n.\n" in result.text


def test_japanese_and_korean_charsets_decode(parsed):
    base = "mikel-mail/spec/fixtures/emails/multi_charset/"
    assert parsed[base + "japanese_iso_2022.eml"].subject == "まみむめも"
    assert "すみません" in parsed[base + "japanese_iso_2022.eml"].text
    assert "あいうえお" in parsed[base + "japanese_shift_jis.eml"].text
    assert parsed[base + "ks_c_5601-1987.eml"].text.strip() == "스티해"


def test_raw_latin1_bytes_in_a_header_are_decoded_not_replaced(parsed):
    result = parsed["mikel-mail/spec/fixtures/emails/error_emails/invalid_subject_characters.eml"]
    assert result.subject.startswith("Formação FrenetikPolis")


def test_utf8_headers_of_rfc6532_are_read():
    result = parse_email((MIKEL / "rfc6532" / "utf8_headers.eml").read_bytes())
    assert result.subject == "Säying Hello"
    assert result.from_name == "Jöhn Doe"


def test_obsolete_header_syntax_with_space_before_colon_parses():
    result = parse_email((MIKEL / "rfc2822" / "example13.eml").read_bytes())
    assert result.from_address == "jdoe@machine.example"


def test_rfc2231_and_encoded_attachment_names_are_decoded(parsed):
    base = "mikel-mail/spec/fixtures/emails/"
    names = [
        a.filename for a in parsed[base + "attachment_emails/attachment_nonascii_filename.eml"].attachments
    ]
    assert names == ["ciële.txt"]
    long_name = parsed[base + "multi_charset/japanese_attachment_long_name.eml"].attachments[0]
    assert long_name.filename == "かきくけこ" * 5 + ".txt"
    assert long_name.data is not None and long_name.data.rstrip() == b"this is the data"


def test_attached_message_is_an_attachment_and_its_body_is_not_ours(parsed):
    result = parsed["mikel-mail/spec/fixtures/emails/attachment_emails/attachment_message_rfc822.eml"]
    assert result.text == "This is the first part."
    (attached,) = result.attachments
    assert attached.content_type == "message/rfc822" and attached.data and attached.size == len(attached.data)


def test_mbox_files_split_into_messages_that_parse(parsed):
    parts = [
        name for name in parsed if name.startswith(str(SISIMAI.relative_to(CORPORA)) + "/mailbox/mbox-0#")
    ]
    assert len(parts) == 37
    assert sum(parsed[name].is_bounce for name in parts) > 30
