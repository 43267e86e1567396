"""parse_email on hostile and over-long input (issue #9): bounded time, bounded memory, values that fit."""

from __future__ import annotations

import time
import tracemalloc

from mail.addresses import MAX_MESSAGE_ID, message_ids, normalize_message_id
from mail.mime_body import MAX_PARTS
from mail.parsing import MAX_REFERENCES, MAX_TEXT_CHARS, parse_email
from tests.mail.hostile import QUESTION, big_attachment, long_line, many_parts, many_references

# Parsing a hostile mail must not blow up (quadratic work, decoding 30 MB): each test bounds the time
# at a multiple of what it takes, generous enough for a busy CI machine; the real timings are measured
# by bench/bench_hostile_mail.py.
BLOW_UP = 4


def _timed(raw: bytes, **options):
    started = time.perf_counter()
    parsed = parse_email(raw, **options)
    return parsed, time.perf_counter() - started


def test_100000_references_are_read_quickly_and_only_the_newest_kept():
    parsed, seconds = _timed(many_references(100_000))
    assert seconds < 3 * BLOW_UP
    assert len(parsed.references) == MAX_REFERENCES == 50
    assert parsed.references[-1] == f"<ref99999.{99999 * 7919}@spam.example>"
    assert parsed.references[0] == f"<ref99950.{99950 * 7919}@spam.example>"


def test_a_20_mb_line_is_read_quickly_and_the_text_is_capped():
    parsed, seconds = _timed(long_line(20))
    assert seconds < 4 * BLOW_UP
    assert len(parsed.text) <= MAX_TEXT_CHARS and parsed.text.startswith(QUESTION)


def test_a_20_mb_subject_and_a_huge_to_header_are_read_quickly():
    raw = (
        b"From: a@example.org\r\nTo: " + b", ".join(b"x%d@example.org" % n for n in range(100_000)) + b"\r\n"
        b"Subject: " + b"Hilfe " * 3_500_000 + b"\r\n\r\nHallo\r\n"
    )
    parsed, seconds = _timed(raw)
    assert seconds < 4 * BLOW_UP
    assert parsed.subject.startswith("Hilfe Hilfe") and len(parsed.subject) < 20_000
    assert parsed.from_address == "a@example.org"


def test_10000_mime_parts_are_read_quickly_and_only_the_first_parts_walked():
    parsed, seconds = _timed(many_parts(10_000))
    assert seconds < 3 * BLOW_UP
    assert "Teil 0" in parsed.text and f"Teil {MAX_PARTS + 10}" not in parsed.text


def test_a_million_empty_parts_cost_neither_time_nor_memory():
    head = b'From: a@example.org\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    raw = (
        head + b"--b\r\nContent-Type: text/plain\r\n\r\nHallo\r\n" + b"--b\r\n\r\n" * 1_000_000 + b"--b--\r\n"
    )
    tracemalloc.start()
    try:
        parsed, seconds = _timed(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.text == "Hallo" and seconds < 3 * BLOW_UP
    assert peak < 2 * len(raw), f"peak {peak / 2**20:.0f} MB for a {len(raw) / 2**20:.0f} MB mail"


def test_a_30_mb_attachment_is_not_decoded_and_memory_stays_bounded():
    raw = big_attachment(30)
    tracemalloc.start()
    try:
        parsed, seconds = _timed(raw, max_attachment_bytes=10 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (attachment,) = parsed.attachments
    assert attachment.too_large and attachment.data is None
    assert abs(attachment.size - 30 * 1024 * 1024) < 1024  # counted from the encoded length
    assert peak < 3 * len(raw), f"peak {peak / 2**20:.0f} MB for a {len(raw) / 2**20:.0f} MB mail"
    assert seconds < 5 * BLOW_UP


def test_an_attachment_below_the_limit_is_still_decoded_exactly():
    raw = big_attachment(1)
    (attachment,) = parse_email(raw, max_attachment_bytes=2 * 1024 * 1024).attachments
    assert attachment.data == bytes(range(256)) * (1024 * 1024 // 256) and not attachment.too_large


def test_an_over_long_message_id_becomes_a_stable_short_id():
    long_id = "<" + "x" * 2000 + "@example.org>"
    short = normalize_message_id(long_id)
    assert short is not None and len(short) <= MAX_MESSAGE_ID <= 998
    assert short == normalize_message_id(long_id) != normalize_message_id("<" + "y" * 2000 + "@example.org>")
    assert message_ids(f"<a@b> {long_id}") == ["<a@b>", short]
    parsed = parse_email(
        f"From: a@example.org\r\nMessage-ID: {long_id}\r\nIn-Reply-To: {long_id}\r\n\r\nx".encode()
    )
    assert parsed.message_id == parsed.in_reply_to == short


def test_an_over_long_display_name_is_cut_and_an_over_long_address_is_no_address():
    name = "Ä" * 500
    parsed = parse_email(f"From: {name} <a@example.org>\r\nSubject: x\r\n\r\nx".encode())
    assert parsed.from_address == "a@example.org" and parsed.from_name == "Ä" * 200
    address = "a" * 400 + "@example.org"
    parsed = parse_email(f"From: Name <{address}>\r\nReply-To: {address}\r\nSubject: x\r\n\r\nx".encode())
    assert parsed.from_address == "" and parsed.from_problem and parsed.reply_to == ()
