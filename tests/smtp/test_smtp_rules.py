"""The pure parts of the SMTP transport: reply-code classes, settings checks and envelope rules."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from mail.smtp_sender import (
    PermanentFailure,
    SendFailure,
    SmtpSettings,
    TemporaryFailure,
    classify_code,
    envelope_of,
)


@pytest.mark.parametrize("code", [421, 450, 451, 452, 454, 499])
def test_4xx_reply_codes_are_temporary(code):
    assert classify_code(code) == "temporary"


@pytest.mark.parametrize("code", [500, 530, 535, 550, 552, 553, 554, 599])
def test_5xx_reply_codes_are_permanent(code):
    assert classify_code(code) == "permanent"


@pytest.mark.parametrize("code", [-1, 0, 250, 354])
def test_unexpected_reply_codes_are_treated_as_temporary_so_no_mail_is_lost(code):
    assert classify_code(code) == "temporary"


def test_both_failures_carry_code_and_reason_and_share_a_base():
    temporary = TemporaryFailure(451, "message refused after DATA: 4.3.0 try later")
    permanent = PermanentFailure(None, "no recipients")

    assert (temporary.code, temporary.reason, str(temporary)) == (
        451,
        "message refused after DATA: 4.3.0 try later",
        "451 message refused after DATA: 4.3.0 try later",
    )
    assert (permanent.code, str(permanent)) == (None, "no recipients")
    assert isinstance(temporary, SendFailure) and isinstance(permanent, SendFailure)
    assert not isinstance(temporary, PermanentFailure)


@pytest.mark.parametrize(
    "overrides",
    [{"tls": "tls"}, {"port": 0}, {"port": 70000}, {"timeout": 0}],
    ids=["tls", "port0", "port", "timeout"],
)
def test_settings_reject_values_that_could_only_fail_at_the_first_send(overrides):
    with pytest.raises(ValueError):
        SmtpSettings(**{"host": "smtp.example", "port": 587, **overrides})


def test_settings_do_not_show_the_password():
    settings = SmtpSettings(host="smtp.example", port=587, user="klimabot", password="geheim")

    assert "geheim" not in repr(settings)


def _message(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Hallo")
    return message


def test_the_envelope_takes_to_cc_and_bcc_in_order_without_duplicates():
    message = _message(
        From="Beratung <beratung@example.org>",
        To="Anna <anna@example.org>, jörg@example.org",
        Cc="anna@example.org, Özlem Yıldız <oezlem@example.org>",
        Bcc="leitung@example.org",
    )

    assert envelope_of(message) == (
        "beratung@example.org",
        ["anna@example.org", "jörg@example.org", "oezlem@example.org", "leitung@example.org"],
    )


def test_the_envelope_prefers_the_sender_header_over_from():
    message = _message(
        From="Frau Beraterin <person@example.org>", Sender="bot@example.org", To="a@example.org"
    )

    assert envelope_of(message)[0] == "bot@example.org"


def test_an_explicit_empty_sender_is_the_null_reverse_path():
    message = _message(From="bot@example.org", To="a@example.org")

    assert envelope_of(message, sender="") == ("", ["a@example.org"])


@pytest.mark.parametrize(
    "recipient",
    ["a@example.org, b@example.org", "a@example.org\r\nRCPT TO:<b@example.org>", "kein Empfänger", ""],
    ids=["two", "line-break", "no-at", "empty"],
)
def test_an_explicit_recipient_must_be_exactly_one_mailbox(recipient):
    message = _message(From="bot@example.org", To="a@example.org")

    with pytest.raises(PermanentFailure):
        envelope_of(message, recipients=[recipient])


def test_a_header_address_without_domain_is_refused_instead_of_dropped():
    message = _message(From="bot@example.org", To="a@example.org, hausmeister")

    with pytest.raises(PermanentFailure, match="hausmeister"):
        envelope_of(message)
