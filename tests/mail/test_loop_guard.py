"""may_auto_reply: which senders and messages never get an automatic answer."""

from __future__ import annotations

import dataclasses

import pytest

from mail.bounces import BounceInfo
from mail.loop_guard import may_auto_reply
from mail.parsing import IncomingEmail, parse_email
from tests.conftest import requires_shared
from tests.mail.corpora import SISIMAI, SYNTHETIC

OWN = {"beratung@example.org", "Bot@Example.org"}


def _person(**changes: object) -> IncomingEmail:
    raw = (
        b"From: Jonas Weber <jonas.weber@example.de>\r\nTo: beratung@example.org\r\n"
        b"Subject: Frage zur Kommunalrichtlinie\r\nMessage-ID: <q1@example.de>\r\n\r\nHallo\r\n"
    )
    return dataclasses.replace(parse_email(raw), **changes)  # type: ignore[arg-type]


def _allowed(email: IncomingEmail, replies_today: int = 0, daily_limit: int = 3) -> tuple[bool, str]:
    return may_auto_reply(email, own_addresses=OWN, replies_today=replies_today, daily_limit=daily_limit)


def test_a_person_writing_for_the_first_time_gets_an_auto_reply():
    assert _allowed(_person()) == (True, "ok")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"from_address": ""}, "no-sender"),
        ({"from_address": "beratung@example.org"}, "own-address"),
        ({"from_address": "bot@example.org"}, "own-address"),
        ({"reply_to": ("beratung@example.org",)}, "own-address"),
        ({"from_address": "mailer-daemon@mx.example.de"}, "mailer-daemon"),
        ({"from_address": "MAILER-DAEMON".lower()}, "mailer-daemon"),
        ({"from_address": "postmaster@example.de"}, "mailer-daemon"),
        ({"from_address": "noreply@example.de"}, "noreply"),
        ({"from_address": "no-reply@example.de"}, "noreply"),
        ({"from_address": "do-not-reply@example.de"}, "noreply"),
        ({"from_address": "donotreply@example.de"}, "noreply"),
        ({"from_address": "bounces+abc=example.org@lists.example.de"}, "noreply"),
        ({"bounce": BounceInfo("<x@example.org>", (), is_dsn=True)}, "bounce"),
        ({"auto_submitted": "auto-replied"}, "auto-submitted"),
        ({"auto_submitted": "auto-generated"}, "auto-submitted"),
        ({"precedence": "bulk"}, "precedence"),
        ({"precedence": "list"}, "precedence"),
        ({"precedence": "junk"}, "precedence"),
        ({"precedence": "auto_reply"}, "precedence"),
        ({"list_id": "<kk.lists.example.org>"}, "list"),
        ({"return_path": ""}, "null-return-path"),
        ({"auto_reply_reason": "subject"}, "auto-reply"),
        ({"auto_reply_reason": "x-autoreply"}, "auto-reply"),
    ],
)
def test_automatic_and_robot_mail_gets_no_auto_reply(changes, reason):
    assert _allowed(_person(**changes)) == (False, reason)


def test_auto_submitted_no_does_not_block():
    assert _allowed(_person(auto_submitted="no")) == (True, "ok")


def test_a_reply_to_that_is_not_ours_does_not_block():
    assert _allowed(_person(reply_to=("sekretariat@example.de",))) == (True, "ok")


def test_the_daily_limit_per_sender_blocks_further_auto_replies():
    assert _allowed(_person(), replies_today=2, daily_limit=3) == (True, "ok")
    assert _allowed(_person(), replies_today=3, daily_limit=3) == (False, "daily-limit")
    assert _allowed(_person(), replies_today=0, daily_limit=0) == (False, "daily-limit")


@requires_shared
def test_corpus_samples_are_refused_for_the_right_reason():
    out_of_office = parse_email((SYNTHETIC / "de_out_of_office_exchange.eml").read_bytes())
    assert _allowed(out_of_office) == (False, "auto-submitted")
    echo = parse_email((SYNTHETIC / "own_message_echo.eml").read_bytes())
    assert _allowed(echo) == (False, "own-address")
    bounce = parse_email((SISIMAI / "maildir" / "bsd" / "lhost-qmail-01.eml").read_bytes())
    assert _allowed(bounce) == (False, "mailer-daemon")
    vacation = parse_email((SISIMAI / "maildir" / "bsd" / "rfc3834-03.eml").read_bytes())
    assert _allowed(vacation) == (False, "auto-reply")
    postmaster_notice = parse_email((SISIMAI / "maildir" / "not" / "rb-issue-368-bug.eml").read_bytes())
    assert _allowed(postmaster_notice)[0] is False
    advisor_reply = parse_email((SYNTHETIC / "de_latin1_8bit_outlook.eml").read_bytes())
    assert _allowed(advisor_reply) == (True, "ok")
